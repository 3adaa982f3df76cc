package org.corgipile.bench.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JdbcRowsTest {

    @Test
    void parsesPlainAndQuotedArrayText() {
        assertArrayEquals(new double[] {1.5, -2, 3e-5}, JdbcRows.parseArray("{1.5,-2,3e-05}"));
        // PgJDBC's rendering of a binary-transferred array quotes every element
        assertArrayEquals(new double[] {0.25, 7}, JdbcRows.parseArray("{\"0.25\",\"7\"}"));
        assertArrayEquals(new double[0], JdbcRows.parseArray("{}"));
    }

    @Test
    void rejectsWhatIsNotAOneDimensionalArray() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JdbcRows.parseArray("1,2"));
        assertTrue(e.getMessage().contains("float8[]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JdbcRows.parseArray(null));
    }
}
