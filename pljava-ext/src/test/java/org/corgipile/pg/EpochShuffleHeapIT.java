package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.corgipile.cluster.LocalCluster;
import org.corgipile.testsupport.TestClusters;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Issue 13: {@code shuffle => 'epoch_shuffle'} failed on Fashion-MNIST with the default {@code corgipile.max_heap}
 * (1 GB): its ~420 MB of decoded rows were held in one buffer grown by 1.5x steps, whose last step needed the old and
 * the new array at once (~2.5x the rows) and exhausted the heap after reading the whole table. The same proportion
 * here on a private cluster with a 128 MB heap: 6,800 rows of 1,000 float8 (54 MB decoded, 0.42 of the heap) train;
 * with a 32 MB heap the same table fails with 53200 and a hint after its first pages, not after reading all of it.
 */
class EpochShuffleHeapIT {

    @Test
    void epochShuffleOfATableOfFourTenthsOfTheHeapNoLongerExhaustsIt() throws Exception {
        try (LocalCluster cluster = TestClusters.start(List.of());
             TestDatabase db = TestDatabase.withExtension(cluster, "heap")) {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("SET client_min_messages = warning");
                s.execute("SELECT setseed(0.3)");
                // 6,800 rows of 1,000 float8: 54 MB decoded, 0.42 of a 128 MB heap (Fashion-MNIST: 420 MB of 1 GB)
                s.execute("CREATE TABLE wide AS SELECT (i % 2) AS label, ARRAY(SELECT random() "
                        + "FROM generate_series(1, 1000) WHERE i > 0) AS features FROM generate_series(1, 6800) i");
                s.execute("SET corgipile.max_heap = 128"); // before the session's first call starts the JVM
                assertEquals(128, maxHeapMb(s), 8, "the GUC sets -Xmx");
                try (ResultSet rs = s.executeQuery("SELECT count(*), sum(tuples) FROM train_sgd('wide', 'label', "
                        + "'features', shuffle => 'epoch_shuffle', epochs => 2, seed => 5, model_name => 'es')")) {
                    rs.next();
                    assertEquals(2, rs.getInt(1));
                    assertEquals(2 * 6800, rs.getLong(2));
                }
            }
            // a heap smaller than the table: refused after the first pages, with the SQLSTATE and a hint
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("SET client_min_messages = warning");
                s.execute("SET corgipile.max_heap = 32");
                assertEquals(32, maxHeapMb(s), 4, "the GUC sets -Xmx");
                PSQLException e = assertThrows(PSQLException.class, () -> s.executeQuery("SELECT * FROM "
                        + "train_sgd('wide', 'label', 'features', shuffle => 'epoch_shuffle', seed => 5, "
                        + "model_name => 'es_big')"));
                assertEquals("53200", e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("shuffle => 'epoch_shuffle' holds the whole relation in memory"),
                        e.getMessage());
                String hint = e.getServerErrorMessage().getHint();
                assertNotNull(hint, e.getMessage());
                assertTrue(hint.contains("corgipile.max_heap") && hint.contains("shuffle => 'corgipile'"), hint);
                Matcher m = Pattern.compile("\\((\\d+) of (\\d+) pages read").matcher(e.getMessage());
                assertTrue(m.find(), e.getMessage());
                assertTrue(Long.parseLong(m.group(1)) < Long.parseLong(m.group(2)) / 2,
                        "stopped before reading most of the table: " + e.getMessage());
                // the session's JVM trains again (a strategy that holds one buffer), no row for the failed call
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('wide', 'label', 'features', "
                        + "epochs => 1, seed => 5, model_name => 'cp')")) {
                    rs.next();
                    assertEquals(1, rs.getInt(1));
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM corgipile.models WHERE name = 'es_big'")) {
                    rs.next();
                    assertEquals(0, rs.getInt(1));
                }
            }
            assertTrue(!cluster.logTail(200).contains("terminated by signal"), "no backend crashed");
        }
    }

    private static int maxHeapMb(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT (corgipile.jvm_info()->>'max_heap_mb')::int")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
