package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.corgipile.cluster.LocalCluster;
import org.corgipile.testsupport.TestClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TOAST read-ahead of random block order ({@link ToastRanges}, the natives {@code readerToastBlock} and
 * {@code readerWillNeed} on the TOAST relation) on tables whose features are stored out of line, in storage order
 * and not, with dead and vacuumed values, and on tables that have a TOAST relation but scalar features. A private
 * cluster, so that its server log shows whether a backend died. What the hint saves is measured by the bench
 * (docs/in-database.md, "TOAST values in random block order").
 */
class ToastReadAheadIT {
    private static final int ROWS = 600;
    private static LocalCluster cluster;
    private static Connection session;

    @BeforeAll
    static void setUp() throws SQLException {
        cluster = TestClusters.start(java.util.List.of());
        cluster.createDatabase("toast");
        session = cluster.connect("toast");
        try (Statement s = session.createStatement()) {
            s.execute("CREATE EXTENSION corgipile");
            s.execute("SET client_min_messages = warning");
        }
        // 800 random float8 (6.4 kB, incompressible): every value out of line, in insertion order
        TestTables.clustered(session, "toasted", ROWS, 800, 0.3);
    }

    @AfterAll
    static void tearDown() throws SQLException {
        try {
            session.close();
            assertFalse(cluster.logTail(2000).contains("terminated by signal"), "no backend crashed:\n"
                    + cluster.logTail(60));
        } finally {
            cluster.close();
        }
    }

    private static long outOfLinePages(String table) throws SQLException {
        try (Statement s = session.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_relation_size(reltoastrelid) / 8192 FROM pg_class "
                     + "WHERE oid = '" + table + "'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every epoch of every random-order strategy reads every row (the hint never changes what is read). */
    private static void trainsEveryRow(String table, String features) throws SQLException {
        for (String shuffle : new String[] {"block_only", "corgipile"}) {
            try (Statement s = session.createStatement();
                 ResultSet rs = s.executeQuery("SELECT tuples, loss FROM train_sgd('" + table + "', 'label', '"
                         + features + "', shuffle => '" + shuffle + "', epochs => 2, block_size => 1, seed => 7)")) {
                int epochs = 0;
                while (rs.next()) {
                    epochs++;
                    assertEquals(ROWS, rs.getLong(1), shuffle + " epoch " + epochs + " of " + table);
                    assertTrue(Double.isFinite(rs.getDouble(2)));
                }
                assertEquals(2, epochs);
            }
        }
    }

    @Test
    void outOfLineFeaturesInStorageOrderTrainInRandomBlockOrder() throws SQLException {
        assertTrue(outOfLinePages("toasted") >= ROWS, "every value is stored out of line");
        trainsEveryRow("toasted", "features");
    }

    @Test
    void deadAndVacuumedValuesLeaveTheProbeWithoutChunksAndTheMapOutOfOrder() throws SQLException {
        try (Statement s = session.createStatement()) {
            s.execute("CREATE TABLE rewritten AS SELECT * FROM toasted");
            // new values appended at the end of the TOAST relation, old ones dead; then some of them vacuumed away
            s.execute("UPDATE rewritten SET features = array_append(features[1:799], 0.5) WHERE id % 3 = 0");
            s.execute("DELETE FROM rewritten WHERE id % 3 = 1");
            s.execute("INSERT INTO rewritten SELECT id + 100000, label, features FROM toasted WHERE id % 3 = 1");
            s.execute("VACUUM rewritten");
        }
        trainsEveryRow("rewritten", "features");
    }

    @Test
    void sparseValuesStoredOutOfLine() throws SQLException {
        try (Statement s = session.createStatement()) {
            s.execute("CREATE TABLE sparse_toasted AS SELECT id, label, ARRAY(SELECT generate_series(0, 799)) AS idx, "
                    + "features AS val FROM toasted ORDER BY id");
        }
        trainsEveryRow("sparse_toasted", "idx, val");
    }

    @Test
    void scalarFeaturesOfATableWithATOASTRelationAreNotProbedAsPointers() throws SQLException {
        try (Statement s = session.createStatement()) {
            // a text column gives the table a TOAST relation; its float8 features are passed by value
            s.execute("CREATE TABLE scalar_columns (label int, a float8, b float8, note text)");
            s.execute("ALTER TABLE scalar_columns ALTER note SET STORAGE EXTERNAL");
            s.execute("INSERT INTO scalar_columns SELECT label, features[1], features[2], repeat(md5(id::text), 200) "
                    + "FROM toasted ORDER BY id");
        }
        assertTrue(outOfLinePages("scalar_columns") > 0, "the notes are stored out of line");
        trainsEveryRow("scalar_columns", "a, b");
    }

    /**
     * Bug: from the second epoch a block's TOAST range comes from the first out-of-line value of its first page, so
     * a block whose first page holds none (inline rows, or only dead ones) got the interpolated range, a quarter
     * wider on each side, in every epoch (24 of Fashion-MNIST's 76 blocks of 127 pages on the emulated hdd). Here
     * the first page of every 4-page block is empty: every range of epoch 2 must be exact (the server log's summary
     * of the reader, one line per training call).
     */
    @Test
    void blocksWhoseFirstPageHasNoOutOfLineValueGetExactToastRanges() throws SQLException {
        long pages;
        try (Statement s = session.createStatement()) {
            s.execute("CREATE TABLE gaps (id int, label int, features float8[], pad text)");
            s.execute("ALTER TABLE gaps ALTER pad SET STORAGE PLAIN");   // ~1 kB inline: 7 rows per heap page
            s.execute("INSERT INTO gaps SELECT id, label, features, (SELECT string_agg(md5(id::text || k), '') "
                    + "FROM generate_series(1, 31) k) FROM toasted ORDER BY label, id");
            s.execute("DELETE FROM gaps WHERE (ctid::text::point)[0]::int % 4 = 0");
            s.execute("VACUUM gaps");
            try (ResultSet rs = s.executeQuery("SELECT pg_relation_size('gaps') / 8192")) {
                rs.next();
                pages = rs.getLong(1);
            }
            assertTrue(pages >= 40, pages + " heap pages");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('gaps', 'label', 'features', "
                    + "shuffle => 'corgipile', epochs => 2, block_size => 4, seed => 7)")) {
                rs.next();
                assertEquals(2, rs.getInt(1));
            }
        }
        String summary = null;
        for (String line : cluster.logTail(4000).split("\n")) {
            if (line.contains("read-ahead of \"gaps\"")) {
                summary = line;
            }
        }
        assertTrue(summary != null, "no read-ahead summary in the server log:\n" + cluster.logTail(20));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) exact and (\\d+) interpolated").matcher(summary);
        assertTrue(m.find(), summary);
        long blocks = (pages + 3) / 4;
        assertTrue(Long.parseLong(m.group(1)) >= blocks, "every range of epoch 2 is exact (" + blocks + " blocks): "
                + summary);
    }
}
