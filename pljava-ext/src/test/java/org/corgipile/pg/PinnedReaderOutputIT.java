package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.corgipile.cluster.LocalCluster;
import org.corgipile.testsupport.TestClusters;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13: the heap reader writes dense rows straight into the TupleBuffer's feature array, pinned with
 * GetPrimitiveArrayCritical for each call (no garbage collection and no other JNI call until it is released). A
 * read that fails in C while the array is pinned (a NaN, a numeric beyond double's range, an array of another length,
 * a cancel) must release it before the native throws: otherwise the JVM makes JNI calls inside the critical region
 * and the next collection waits forever, so the session hangs in its next training. A private cluster whose JVMs run
 * with {@code -Xcheck:jni} (HotSpot then reports every JNI call made inside a critical region in the server log)
 * and log each collection, with a small heap so that collections happen.
 */
class PinnedReaderOutputIT {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)   // a pin left behind hangs the session's next collection
    void readsThatFailWhileTheirOutputIsPinnedReleaseIt() throws Exception {
        try (LocalCluster cluster = TestClusters.start(List.of("corgipile.max_heap = 48",
                "corgipile.jvm_options = '-Xcheck:jni -Xlog:gc:stderr'"));
             TestDatabase db = TestDatabase.withExtension(cluster, "pinned");
             Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            // ~9 MB: every epoch reads many pages into TupleShuffle's buffers (allocated per training: collections)
            TestTables.clustered(c, "ok", 40_000, 24, 0.7);
            // one bad row each (moved to the last page by its UPDATE), read after other pages' rows were written
            s.execute("CREATE TABLE nan AS SELECT * FROM ok");
            s.execute("UPDATE nan SET features[3] = 'NaN' WHERE ctid = (SELECT ctid FROM nan OFFSET 25000 LIMIT 1)");
            s.execute("CREATE TABLE short AS SELECT * FROM ok");
            s.execute("UPDATE short SET features = features[1:5] WHERE ctid = (SELECT ctid FROM short OFFSET 25000 "
                    + "LIMIT 1)");
            s.execute("CREATE TABLE wide_numeric AS SELECT label, features::numeric[] AS features FROM ok");
            s.execute("UPDATE wide_numeric SET features[2] = ('1' || repeat('0', 400))::numeric WHERE ctid = "
                    + "(SELECT ctid FROM wide_numeric OFFSET 25000 LIMIT 1)");
            train(s, "ok", 2);
            for (int round = 0; round < 3; round++) {
                assertFails(s, "nan", "22000", "NaN or Infinity");
                assertNoJniWarning(cluster);   // a pin left behind: the next native's JNI calls are reported
                assertFails(s, "short", "22000", "have 5 elements; expected 24");
                assertFails(s, "wide_numeric", "22003", "beyond the range of double precision");
                s.execute("SET statement_timeout = '300ms'");
                SQLException e = assertThrows(SQLException.class, () -> train(s, "ok", 500));
                assertEquals("57014", e.getSQLState(), e.getMessage());
                s.execute("SET statement_timeout = 0");
            }
            long collectionsBefore = collections(cluster);
            train(s, "ok", 5);   // would hang here, in a collection, with a pin left behind
            assertTrue(collections(cluster) > collectionsBefore, "collections ran after the failed reads:\n"
                    + cluster.logTail(40));
            assertNoJniWarning(cluster);
            assertFalse(Files.readString(cluster.logFile()).contains("terminated by signal"), "no backend crashed:\n"
                    + cluster.logTail(60));
        }
    }

    private static void train(Statement s, String table, int epochs) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('" + table + "', 'label', 'features', "
                + "epochs => " + epochs + ", block_size => 4, seed => 3)")) {
            assertTrue(rs.next());
            assertEquals(epochs, rs.getInt(1));
        }
    }

    private static void assertFails(Statement s, String table, String sqlState, String message) {
        SQLException e = assertThrows(SQLException.class, () -> train(s, table, 1));
        assertEquals(sqlState, e.getSQLState(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /**
     * HotSpot's -Xcheck:jni reports a JNI call inside a critical region as "Warning: Calling other JNI functions in
     * the scope of Get/ReleasePrimitiveArrayCritical or Get/ReleaseStringCritical" (seen with the native frame's
     * release after an error removed: eight lines per failed training, then the backend died in the cancel round).
     */
    private static void assertNoJniWarning(LocalCluster cluster) throws Exception {
        String log = Files.readString(cluster.logFile()).toLowerCase(java.util.Locale.ROOT);
        assertFalse(log.contains("critical") || log.contains("warning in native method"),
                "-Xcheck:jni found a JNI call inside a critical region:\n" + cluster.logTail(60));
    }

    /** Collections the JVMs of the cluster logged ({@code -Xlog:gc}: one "Pause" line each). */
    private static long collections(LocalCluster cluster) throws Exception {
        return Files.readAllLines(cluster.logFile()).stream().filter(l -> l.contains("[gc") && l.contains("Pause"))
                .count();
    }
}
