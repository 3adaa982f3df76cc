package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cancel and statement_timeout reach Java through checkInterrupts(): SQLSTATE 57014 within a second, no model row,
 * and the same session (and its JVM) runs the next query and the next training. Repeated, at varying moments
 * (JVM start, reading, computing), because a race shows up only sometimes.
 */
@PostgresTest(extension = true)
class CancelIT {
    private static final String LONG_TRAINING = "SELECT * FROM train_sgd('cancel_t', 'label', 'features', "
            + "epochs => 100000, block_size => 1, seed => 1, model_name => 'cancelled')";

    @BeforeAll
    static void table(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            TestTables.clustered(c, "cancel_t", 20_000, 10, 0.7);
        }
    }

    @Test
    void statementTimeoutAndPgCancelBackendStopTrainingCleanly(DataSource ds) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection session = ds.getConnection(); Connection admin = ds.getConnection()) {
            int pid = InDatabaseTrainingIT.pid(session);
            for (int round = 0; round < 20; round++) {
                boolean timeout = round % 2 == 0;
                long delayMs = 100 + (round * 37) % 400;
                long elapsedMs;
                SQLException error;
                try (Statement s = session.createStatement()) {
                    s.execute("SET client_min_messages = warning");
                    if (timeout) {
                        s.execute("SET statement_timeout = " + delayMs);
                        long start = System.nanoTime();
                        error = assertThrows(SQLException.class, () -> s.executeQuery(LONG_TRAINING));
                        elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) - delayMs;
                        s.execute("RESET statement_timeout");
                    } else {
                        Future<SQLException> run = pool.submit(() -> {
                            try (Statement t = session.createStatement()) {
                                t.executeQuery(LONG_TRAINING);
                                return null;
                            } catch (SQLException e) {
                                return e;
                            }
                        });
                        Thread.sleep(delayMs);
                        long start = System.nanoTime();
                        try (Statement a = admin.createStatement()) {
                            a.execute("SELECT pg_cancel_backend(" + pid + ")");
                        }
                        error = run.get(30, TimeUnit.SECONDS);
                        elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    }
                }
                assertTrue(error != null, "round " + round + ": training was not cancelled");
                assertEquals("57014", error.getSQLState(), "round " + round + ": " + error.getMessage());
                assertTrue(elapsedMs < 1000, "round " + round + ": cancel took " + elapsedMs + " ms");
                try (Statement s = session.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*) FROM corgipile.models WHERE name = 'cancelled'")) {
                    rs.next();
                    assertEquals(0, rs.getInt(1), "round " + round + ": a cancelled training left a model row");
                }
            }
            // The session and its JVM still train to the end.
            try (Statement s = session.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('cancel_t', 'label', 'features', "
                         + "epochs => 2, seed => 1, model_name => 'after_cancels')")) {
                rs.next();
                assertEquals(2, rs.getInt(1));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
