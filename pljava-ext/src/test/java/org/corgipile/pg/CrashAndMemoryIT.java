package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.corgipile.cluster.LocalCluster;
import org.corgipile.testsupport.TestClusters;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * What must not take the cluster down, each on a private cluster: a kill -9 of a training backend (PostgreSQL's
 * crash recovery runs, no model row survives) and a Java heap too small for the data (an ERROR, not a crash).
 */
class CrashAndMemoryIT {

    @Test
    void killNineOfATrainingBackendRecoversWithoutAModelRow() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (LocalCluster cluster = TestClusters.start(List.of());
             TestDatabase db = TestDatabase.withExtension(cluster, "crash")) {
            try (Connection c = db.connect()) {
                TestTables.clustered(c, "t", 20_000, 10, 0.1);
            }
            Connection trainer = db.connect();
            int pid = InDatabaseTrainingIT.pid(trainer);
            Future<SQLException> run = pool.submit(() -> {
                try (Statement s = trainer.createStatement()) {
                    s.executeQuery("SELECT * FROM train_sgd('t', 'label', 'features', epochs => 100000, "
                            + "block_size => 1, model_name => 'killed')");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            try (Connection watcher = db.connect()) {
                waitForEpoch(watcher, pid);
            }
            Process kill = new ProcessBuilder("kill", "-9", Integer.toString(pid)).inheritIO().start();
            assertEquals(0, kill.waitFor());
            SQLException lost = run.get(60, TimeUnit.SECONDS);
            assertTrue(lost != null, "the training connection must fail");
            trainer.close();
            // The postmaster logs the child's death when it reaps it; a connection made before that still works, so
            // wait for the line instead of reading the log once after the first successful query.
            awaitLog(cluster, "terminated by signal 9");

            // The postmaster kills every backend and replays WAL; then the database works again. A connection made
            // before the postmaster noticed the crash dies with the others, so the whole check is retried.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                try (Connection c = db.connect(); Statement s = c.createStatement()) {
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM corgipile.models WHERE name = 'killed'")) {
                        rs.next();
                        assertEquals(0, rs.getInt(1));
                    }
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('t', 'label', 'features', "
                            + "epochs => 1, model_name => 'after_crash')")) {
                        rs.next();
                        assertEquals(1, rs.getInt(1));
                    }
                    break;
                } catch (SQLException e) {
                    assertTrue(System.nanoTime() < deadline, "cluster did not recover: " + e.getMessage());
                    Thread.sleep(200);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Issue 11: a fatal error of the JVM after it started (a crash in Java or in C code; here HotSpot's own
     * CrashOnOutOfMemoryError) ended the backend with FATAL, i.e. exit code 1, so the postmaster did not run crash
     * recovery, and HotSpot wrote hs_err_pid*.log into the data directory. Now the backend dies by SIGABRT, the
     * postmaster reinitialises, and HotSpot's report is in the server log.
     */
    @Test
    void aJvmFatalErrorIsACrashWithItsReportInTheServerLogNotInPgdata() throws Exception {
        try (LocalCluster cluster = TestClusters.start(List.of("corgipile.max_heap = 24",
                "corgipile.jvm_options = '-XX:+CrashOnOutOfMemoryError'"));
             TestDatabase db = TestDatabase.withExtension(cluster, "fatal")) {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("SET client_min_messages = warning");
                s.execute("CREATE TABLE wide AS SELECT (i % 2) AS label, ARRAY(SELECT random() "
                        + "FROM generate_series(1, 1000) WHERE i > 0) AS features FROM generate_series(1, 4000) i");
                // a given buffer_size is not capped by the heap: one buffer of the whole 32 MB table
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM "
                        + "train_sgd('wide', 'label', 'features', buffer_size => 1.0, model_name => 'big')"));
                assertTrue(e.getSQLState() == null || e.getSQLState().startsWith("08"),
                        "the connection is lost: " + e.getSQLState() + " " + e.getMessage());
            }
            awaitLog(cluster, "all server processes terminated; reinitializing");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                try (Connection c = db.connect(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*) FROM corgipile.models")) {
                    rs.next();
                    assertEquals(0, rs.getInt(1), "no model row");
                    break;
                } catch (SQLException e) {
                    assertTrue(System.nanoTime() < deadline, "cluster did not recover: " + e.getMessage());
                    Thread.sleep(200);
                }
            }
            String log = java.nio.file.Files.readString(cluster.logFile());
            assertTrue(log.contains("was terminated by signal 6"), "the backend died by SIGABRT:\n" + cluster.logTail(40));
            assertTrue(log.contains("all server processes terminated; reinitializing"), "crash recovery ran");
            assertTrue(log.contains("A fatal error has been detected by the Java Runtime Environment"),
                    "HotSpot's report is in the server log");
            try (var files = java.nio.file.Files.list(cluster.dataDir())) {
                List<String> hsErr = files.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("hs_err")).toList();
                assertTrue(hsErr.isEmpty(), "no hs_err file in PGDATA: " + hsErr);
            }
        }
    }

    @Test
    void aTinyJavaHeapGivesAnErrorNotACrash() throws Exception {
        try (LocalCluster cluster = TestClusters.start(List.of("corgipile.max_heap = 24"));
             TestDatabase db = TestDatabase.withExtension(cluster, "oom")) {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("SET client_min_messages = warning");
                s.execute("SELECT setseed(0.1)");
                s.execute("CREATE TABLE wide AS SELECT (i % 2) AS label, ARRAY(SELECT random() "
                        + "FROM generate_series(1, 1000) WHERE i > 0) AS features FROM generate_series(1, 4000) i");
                s.execute("CREATE TABLE small AS SELECT (i % 2) AS label, ARRAY[i % 2, random()] AS features "
                        + "FROM generate_series(1, 1000) i");
                try (ResultSet rs = s.executeQuery("SELECT (corgipile.jvm_info()->>'max_heap_mb')::int")) {
                    rs.next();
                    assertTrue(rs.getInt(1) <= 24, "the GUC sets -Xmx");
                }
                for (int i = 0; i < 3; i++) {
                    // a given buffer_size is not capped by the heap (epoch_shuffle now refuses such a table
                    // before loading it, EpochShuffleHeapIT): the JVM's OutOfMemoryError becomes the ERROR
                    SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM "
                            + "train_sgd('wide', 'label', 'features', buffer_size => 1.0, model_name => 'big')"));
                    assertEquals("53200", e.getSQLState(), e.getMessage());
                    assertTrue(e.getMessage().contains("Java heap exhausted"), e.getMessage());
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('small', 'label', 'features', "
                            + "epochs => 2)")) {
                        rs.next();
                        assertEquals(2, rs.getInt(1), "the same session and JVM train again after the error");
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM corgipile.models")) {
                    rs.next();
                    assertEquals(0, rs.getInt(1));
                }
            }
            assertTrue(!cluster.logTail(200).contains("terminated by signal"), "no backend crashed");
        }
    }

    private static void waitForEpoch(Connection watcher, int pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Statement s = watcher.createStatement();
                 ResultSet rs = s.executeQuery("SELECT query FROM pg_stat_activity WHERE pid = " + pid)) {
                if (rs.next() && rs.getString(1).startsWith("corgipile train_sgd: epoch")) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("training never reached its first epoch");
    }

    /** Waits up to 60 s for the server log to contain {@code text} (the postmaster logs a crash when it reaps it). */
    private static void awaitLog(LocalCluster cluster, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!java.nio.file.Files.readString(cluster.logFile()).contains(text)) {
            assertTrue(System.nanoTime() < deadline, "the server log never said '" + text + "':\n"
                    + cluster.logTail(40));
            Thread.sleep(100);
        }
    }
}
