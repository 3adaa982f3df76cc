package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;

import javax.sql.DataSource;

import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.util.PSQLException;

/**
 * Bug: a {@code block_size} far above the table's pages was kept as given, and the tuple buffer reserved the rows of
 * one such block ({@code TupleShuffle.expectedRows}): an integer overflow ({@code ArithmeticException} in the
 * buffer's size) or, for {@code block_size => 1073741824}, an exhausted Java heap (SQLSTATE 53200) on a table of 19
 * pages; a {@code buffer_size} of more tuples than the table did the same. A block larger than the table is now the
 * whole table (recorded so in the model's spec and said so in the NOTICE); a value out of range is an ERROR with
 * SQLSTATE 22023 and a hint.
 */
@PostgresTest(extension = true)
class BlockSizeLargerThanTheTableIT {
    private static final int ROWS = 2000;
    private static long pages;

    @BeforeAll
    static void table(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            s.execute("DROP TABLE IF EXISTS bs_small");
            s.execute("CREATE TABLE bs_small AS SELECT i AS id, (i % 2)::int AS label, ARRAY[(i % 7)::float8, "
                    + "(i % 2)::float8, (i % 13)::float8] AS features FROM generate_series(1, " + ROWS + ") i");
            try (ResultSet rs = s.executeQuery("SELECT pg_relation_size('bs_small') / 8192")) {
                rs.next();
                pages = rs.getLong(1);
            }
        }
    }

    @ParameterizedTest(name = "{0}, block_size {1}, buffer_size {2}")
    @CsvSource({
        "corgipile,  1000,       0",
        "corgipile,  1073741824, 0",
        "corgipile,  1073741824, 100",
        "corgipile,  0,          2147483647",
        "corgipile,  1073741824, 2147483647",
        "block_only, 1073741824, 0",
        "none,       1073741824, 0",
        // sliding_window and mrs reserved buffer_size slots up front: 53200, "Requested array size exceeds VM limit"
        "sliding_window, 0,      2147483647",
        "mrs,        1073741824, 2147483647",
    })
    void blockSizeFarAboveTheTableTrainsTheTableAsOneBlock(String shuffle, long block, long buffer, DataSource ds)
            throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = notice");
            s.execute("DELETE FROM corgipile.models WHERE name = 'bs_model'");
            String sizes = (block > 0 ? ", block_size => " + block : "") + (buffer > 0 ? ", buffer_size => " + buffer
                    : "");
            try (ResultSet rs = s.executeQuery("SELECT sum(tuples) FROM train_sgd('bs_small', 'label', 'features', "
                    + "shuffle => '" + shuffle + "', epochs => 2, seed => 5, model_name => 'bs_model'" + sizes + ")")) {
                assertTrue(rs.next());
                assertEquals(2L * ROWS, rs.getLong(1), "every row in both epochs");
            }
            StringBuilder notices = new StringBuilder();
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                notices.append(w.getMessage()).append('\n');
            }
            if (block > 0) {
                assertTrue(notices.toString().contains("block_size " + pages + " pages (" + pages * 8 + " kB, given, "
                        + "the whole table), 1 blocks"), notices::toString);
            }
            try (ResultSet rs = s.executeQuery("SELECT (spec->>'block_size')::bigint FROM corgipile.models "
                    + "WHERE name = 'bs_model'")) {
                assertTrue(rs.next());
                assertTrue(block > 0 ? rs.getLong(1) == pages : rs.getLong(1) <= 16, "recorded block_size "
                        + rs.getLong(1) + " of a table of " + pages + " pages");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "block_size => 2147483647|block_size must be between 1 and 1073741824, got 2147483647",
        "block_size => 1073741825|block_size must be between 1 and 1073741824, got 1073741825",
        "options => '{\"block_size\": 9223372036854775807}'"
                + "|block_size must be between 1 and 1073741824, got 9223372036854775807",
        "options => '{\"block_size\": 99999999999999999999}'"
                + "|block_size must be an integer between 1 and 1073741824, got 99999999999999999999",
    })
    void hugeBlockSizeIsAnErrorWithAHint(String argument, String message, DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            PSQLException e = assertThrows(PSQLException.class, () -> s.executeQuery("SELECT * FROM train_sgd("
                    + "'bs_small', 'label', 'features', seed => 5, " + argument + ")"));
            assertEquals("22023", e.getSQLState(), e::getMessage);
            assertEquals(message, e.getServerErrorMessage().getMessage());
            assertTrue(e.getServerErrorMessage().getHint().startsWith("block_size counts 8 kB heap pages"),
                    e::getMessage);
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next(), "the session answers the next query");
            }
        }
    }
}
