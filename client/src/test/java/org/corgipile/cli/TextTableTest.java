package org.corgipile.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.Test;

class TextTableTest {
    @Test
    void alignsNumbersRightAndTextLeftLikePsql() {
        TextTable t = new TextTable(List.of("name", "accuracy"));
        t.add(List.of("a", TextTable.num(0.5)));
        t.add(List.of("longer_name", TextTable.num(Double.NaN)));
        StringWriter out = new StringWriter();
        t.print(new PrintWriter(out));
        assertEquals("""
                    name     | accuracy
                -------------+----------
                 a           |   0.5000
                 longer_name |
                (2 rows)
                """, out.toString());
    }

    /** Bug: a name with a 4-byte UTF-8 character (two Java chars) was padded one column short. */
    @Test
    void alignsNamesOutsideTheBasicMultilingualPlaneByCharacters() {
        TextTable t = new TextTable(List.of("name", "n"));
        t.add(List.of("m1", "1"));
        t.add(List.of("\uD835\uDD18nicode", "2"));
        StringWriter out = new StringWriter();
        t.print(new PrintWriter(out));
        assertEquals("""
                  name   | n
                ---------+---
                 m1      | 1
                 \uD835\uDD18nicode | 2
                (2 rows)
                """, out.toString());
    }

    @Test
    void formatsTinyAndHugeNumbersInScientificNotation() {
        assertEquals("1.000e-05", TextTable.num(1e-5));
        assertEquals("0.0000", TextTable.num(0));
        assertEquals("1.235e+08", TextTable.num(123456789));
    }

    @Test
    void exitCodesFollowTheSqlstateClass() {
        assertEquals(ExitCodes.INVALID_INPUT, ExitCodes.of(new SQLException("bad", "22023")));
        assertEquals(ExitCodes.INVALID_INPUT, ExitCodes.of(new SQLException("no table", "42P01")));
        assertEquals(ExitCodes.DATABASE, ExitCodes.of(new SQLException("refused", "08001")));
        assertEquals(ExitCodes.DATABASE, ExitCodes.of(new SQLException("cancelled", "57014")));
        assertEquals(ExitCodes.DATABASE, ExitCodes.of(new SQLException("no state")));
        assertEquals(ExitCodes.IO, ExitCodes.of(new SQLException("disk", "58030")));
        assertEquals(ExitCodes.INTERNAL, ExitCodes.of(new SQLException("bug", "XX000")));
    }
}
