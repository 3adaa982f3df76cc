package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cancel and statement_timeout reach Java through checkInterrupts(): SQLSTATE 57014 long before the training's end,
 * no model row, and the same backend (and its JVM) runs the next query and the next training. Repeated, at varying
 * moments (JVM start, reading, computing), because a race shows up only sometimes.
 *
 * <p>No wall-clock bound (how fast a cancel lands is a number: docs/in-database.md "Progress, cancel,
 * concurrency"). A cancel that Java ignored would still end the statement with 57014, once the training returned and
 * PL/pgSQL checked for interrupts, so what tells the two apart is the work done: the heap blocks the call read
 * ({@code pg_statio_user_tables}), fewer than one pass per epoch. The training ({@value #EPOCHS} epochs, about 8 s
 * on the 2-core CI machine) is long enough that no machine ends it within a round's delay (at most 0.5 s), and short
 * enough that an ignored cancel fails the first round instead of holding up the suite (checked on a build without
 * the reader's interrupt checks, Java's checkInterrupts() calls and the CHECK_FOR_INTERRUPTS of the native and of the
 * C page loop: 57014 still came, after every epoch had run, and the block count failed round 0). NOTICEs stay off:
 * PostgreSQL checks for interrupts after sending each one, which would deliver a cancel that Java ignores.
 */
@PostgresTest(extension = true)
class CancelIT {
    private static final int EPOCHS = 2000;
    private static final String LONG_TRAINING = "SELECT * FROM train_sgd('cancel_t', 'label', 'features', "
            + "epochs => " + EPOCHS + ", block_size => 1, seed => 1, model_name => 'cancelled')";

    @BeforeAll
    static void table(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            TestTables.clustered(c, "cancel_t", 20_000, 10, 0.7);
        }
    }

    /** What the long training ended with: its error (null: it returned rows). */
    private static SQLException train(Statement s) {
        try {
            s.executeQuery(LONG_TRAINING).close();
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    /**
     * Waits until backend {@code pid} runs a training (pg_stat_activity), at most 60 s: a pg_cancel_backend sent
     * before that reaches an idle backend, which ignores it.
     */
    static void awaitTraining(Connection admin, int pid) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        try (PreparedStatement ps = admin.prepareStatement("SELECT state = 'active' AND query LIKE '%train_sgd%' "
                + "FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, pid);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                Thread.sleep(1);
            }
        }
        throw new AssertionError("backend " + pid + " did not start the training within 60 s");
    }

    /** Heap blocks of {@code table} read so far (this session's counts flushed first); also CancelLoopIT's. */
    static long blocksRead(Statement s, String table) throws SQLException {
        s.execute("SELECT pg_stat_force_next_flush()");
        try (ResultSet rs = s.executeQuery("SELECT heap_blks_read + heap_blks_hit FROM pg_statio_user_tables "
                + "WHERE relid = '" + table + "'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void statementTimeoutAndPgCancelBackendStopTrainingCleanly(DataSource ds) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection session = ds.getConnection(); Connection admin = ds.getConnection()) {
            int pid = InDatabaseTrainingIT.pid(session);
            long pages;
            try (Statement s = session.createStatement()) {
                s.execute("SET client_min_messages = warning");
                try (ResultSet rs = s.executeQuery("SELECT pg_relation_size('cancel_t') / 8192")) {
                    rs.next();
                    pages = rs.getLong(1);
                }
            }
            for (int round = 0; round < 20; round++) {
                boolean timeout = round % 2 == 0;
                long delayMs = 100 + (round * 37) % 400;
                SQLException error;
                long readBefore;
                long read;
                try (Statement s = session.createStatement()) {
                    readBefore = blocksRead(s, "cancel_t");
                    if (timeout) {
                        s.execute("SET statement_timeout = " + delayMs);
                        error = train(s);
                        s.execute("RESET statement_timeout");
                    } else {
                        Future<SQLException> run = pool.submit(() -> {
                            try (Statement t = session.createStatement()) {
                                return train(t);
                            }
                        });
                        awaitTraining(admin, pid); // the delay counts from the statement's start
                        Thread.sleep(delayMs);
                        try (Statement a = admin.createStatement()) {
                            a.execute("SELECT pg_cancel_backend(" + pid + ")");
                        }
                        error = run.get();
                    }
                    read = blocksRead(s, "cancel_t") - readBefore;
                }
                assertNotNull(error, "round " + round + ": training was not cancelled");
                assertEquals("57014", error.getSQLState(), "round " + round + ": " + error.getMessage());
                assertTrue(read < EPOCHS * pages, "round " + round + ": the cancel landed only after the training "
                        + "read its table " + EPOCHS + " times (" + read + " blocks of " + pages + ")");
                try (Statement s = session.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*) FROM corgipile.models WHERE name = 'cancelled'")) {
                    rs.next();
                    assertEquals(0, rs.getInt(1), "round " + round + ": a cancelled training left a model row");
                }
            }
            // The same backend and its JVM still train to the end, and the block count sees a whole training.
            assertEquals(pid, InDatabaseTrainingIT.pid(session));
            try (Statement s = session.createStatement()) {
                long readBefore = blocksRead(s, "cancel_t");
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('cancel_t', 'label', 'features', "
                        + "epochs => 2, seed => 1, model_name => 'after_cancels')")) {
                    rs.next();
                    assertEquals(2, rs.getInt(1));
                }
                assertTrue(blocksRead(s, "cancel_t") - readBefore >= 2 * pages,
                        "the count of blocks read misses a training");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
