package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: "Common-Cleaner" was seen with PostgreSQL's signals unblocked (it starts while the JVM opens the jar,
 * which ran after the creation mask was lifted), so a statement_timeout's SIGALRM could run PostgreSQL's handler on a
 * JVM thread, racing the main thread's interrupt holdoff count. Every thread of the backend but its main thread must
 * block SIGHUP, SIGINT, SIGTERM, SIGALRM, SIGUSR1 and SIGURG, also threads the JVM starts later.
 */
@PostgresTest(extension = true)
class JvmThreadSignalMaskIT {
    /** Linux signal numbers: SIGHUP 1, SIGINT 2, SIGUSR1 10, SIGALRM 14, SIGTERM 15, SIGURG 23. */
    private static final int[] POSTGRES_SIGNALS = {1, 2, 10, 14, 15, 23};

    @Test
    void everyJvmThreadBlocksPostgresSignalsIncludingCommonCleaner(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            int pid = InDatabaseTrainingIT.pid(c);
            s.execute("SET client_min_messages = warning");
            TestTables.clustered(c, "masks_t", 2000, 8, 0.3);
            // Start the JVM, then do what starts threads later: training (its compute thread), evaluation,
            // prediction, a few GCs worth of garbage.
            for (int i = 0; i < 3; i++) {
                s.executeQuery("SELECT count(*) FROM train_sgd('masks_t', 'label', 'features', epochs => 2, "
                        + "model_name => 'masks_" + i + "')").close();
            }
            s.executeQuery("SELECT count(*) FROM sgd_evaluate('masks_0', 'masks_t', 'label', 'features')").close();
            s.executeQuery("SELECT sum(sgd_predict('masks_0', features)) FROM masks_t").close();
            List<String> threads = new ArrayList<>();
            List<String> unblocked = new ArrayList<>();
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Integer.toString(pid), "task"))) {
                for (Path task : tasks.toList()) {
                    if (task.getFileName().toString().equals(Integer.toString(pid))) {
                        continue;   // the main thread: PostgreSQL's own mask between calls
                    }
                    String name = Files.readString(task.resolve("comm")).strip();
                    long blocked = sigBlk(task);
                    threads.add(name);
                    for (int sig : POSTGRES_SIGNALS) {
                        if ((blocked & (1L << (sig - 1))) == 0) {
                            unblocked.add(name + " (tid " + task.getFileName() + ") signal " + sig);
                        }
                    }
                }
            }
            assertTrue(threads.size() >= 5, "the JVM threads are visible: " + threads);
            assertTrue(threads.contains("Common-Cleaner"), "Common-Cleaner runs: " + threads);
            assertTrue(unblocked.isEmpty(), "threads with PostgreSQL signals unblocked: " + unblocked);
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
    }

    private static long sigBlk(Path task) throws IOException {
        for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("SigBlk:")) {
                return Long.parseUnsignedLong(line.substring(7).strip(), 16);
            }
        }
        throw new AssertionError("no SigBlk in " + task);
    }
}
