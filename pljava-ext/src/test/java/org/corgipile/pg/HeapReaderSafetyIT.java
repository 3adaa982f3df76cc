package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.corgipile.cluster.LocalCluster;
import org.corgipile.testsupport.TestClusters;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, heap reader: inputs that crashed the backend or were misread, each named after the bug. A private
 * cluster, so that its server log shows whether any backend died.
 */
class HeapReaderSafetyIT {
    private static LocalCluster cluster;
    private static TestDatabase db;
    private static Connection session;

    @BeforeAll
    static void setUp() throws SQLException {
        cluster = TestClusters.start(java.util.List.of());
        db = TestDatabase.withExtension(cluster, "reader");
        session = db.connect();
        try (Statement s = session.createStatement()) {
            for (String sql : new String[] {
                "SET client_min_messages = warning",
                "CREATE TABLE scalars AS SELECT (i % 2) AS label, (i % 7)::int AS n, (i * 0.5)::numeric AS num, "
                        + "(i % 3)::float8 AS f, (i % 2 = 0) AS b, ARRAY[(i % 2)::float8, 1] AS features "
                        + "FROM generate_series(1, 400) i",
                "CREATE TABLE wide_numeric AS SELECT (i % 2) AS label, ('1' || repeat('0', 60) || '.5')::numeric "
                        + "AS big FROM generate_series(1, 50) i",
                "CREATE MATERIALIZED VIEW unpopulated AS SELECT * FROM scalars WITH NO DATA",
                "CREATE ACCESS METHOD heap_alias TYPE TABLE HANDLER heap_tableam_handler",
                "CREATE TABLE other_am USING heap_alias AS SELECT * FROM scalars",
                "DROP ROLE IF EXISTS corgipile_reader_safety",
                "CREATE ROLE corgipile_reader_safety",
                "SELECT count(*) FROM train_sgd('scalars', 'label', 'features', epochs => 1, "
                        + "model_name => 'scalars_model')",
            }) {
                s.execute(sql);
            }
        }
    }

    @AfterAll
    static void tearDown() throws SQLException {
        try {
            db.close();
            assertFalse(cluster.logTail(2000).contains("terminated by signal"), "no backend crashed:\n"
                    + cluster.logTail(60));
        } finally {
            cluster.close();
        }
    }

    @Test
    void aSingleScalarColumnAsFeaturesCrashedTheBackendInPgDetoastDatum() throws SQLException {
        try (Statement s = session.createStatement()) {
            for (String column : new String[] {"n", "num", "f", "b"}) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), max(tuples) FROM train_sgd('scalars', 'label', '"
                        + column + "', epochs => 2)")) {
                    rs.next();
                    assertEquals(2, rs.getInt(1), column);
                    assertEquals(400, rs.getInt(2), column);
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT (corgipile.scan_stats('scalars', 'label', 'n')->>'feature_sum')"
                    + "::float8, (SELECT sum(n) FROM scalars)::float8")) {
                rs.next();
                assertEquals(rs.getDouble(2), rs.getDouble(1), "scan_stats reads the one column");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sgd_evaluate('scalars_model', 'scalars', 'label', "
                    + "'n, f')")) {
                rs.next();
                assertTrue(rs.getInt(1) > 0);
            }
            // The reproduction of the issue, as a role that can read pg_class: no crash, an ordinary answer or error.
            s.execute("SET ROLE corgipile_reader_safety");
            try {
                s.executeQuery("SELECT * FROM train_sgd('pg_class', 'relpages', 'reltuples', model => 'linear', "
                        + "epochs => 1)").close();
            } catch (SQLException e) {
                assertEquals("22003", e.getSQLState(), "diverges on raw reltuples, at most: " + e.getMessage());
            } finally {
                s.execute("RESET ROLE");
            }
            assertAlive(s);
        }
    }

    @Test
    void aSingleNumericColumnWasMisreadAsAHundredMillionElementArray() throws SQLException {
        try (Statement s = session.createStatement();
             ResultSet rs = s.executeQuery("SELECT r->>'dimension', (r->>'feature_sum')::float8, "
                     + "(SELECT sum(num)::float8 FROM scalars), "
                     + "(corgipile.scan_stats('wide_numeric', 'label', 'big')->>'feature_sum')::float8 "
                     + "FROM corgipile.scan_stats('scalars', 'label', 'num') r")) {
            rs.next();
            assertEquals("1", rs.getString(1));
            assertEquals(rs.getDouble(3), rs.getDouble(2), 1e-9);
            assertEquals(50 * 1.0e60, rs.getDouble(4), 1e48);
        }
    }

    @Test
    void aFailedCheckRelationLeftAStaleReaderThatBrokeTheNextCall() throws SQLException {
        try (Statement s = session.createStatement()) {
            for (int i = 0; i < 3; i++) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM train_sgd("
                        + "'scalars', 'label', 'no_such_column', shuffle => 'shuffle_once')"));
                assertEquals("42703", e.getSQLState(), e.getMessage());
                assertAlive(s);
            }
        }
    }

    @Test
    void aTableOfAnotherAccessMethodWasReadAsHeap() throws SQLException {
        assertFails("0A000", "train_sgd('other_am', 'label', 'features')", "table access method");
        assertFails("0A000", "train_sgd('other_am', 'label', 'features', shuffle => 'shuffle_once')", "access method");
    }

    @Test
    void anUnpopulatedMaterializedViewIsRefused() throws SQLException {
        assertFails("55000", "train_sgd('unpopulated', 'label', 'features')", "has not been populated");
        try (Statement s = session.createStatement()) {
            s.execute("CREATE MATERIALIZED VIEW populated AS SELECT * FROM scalars");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('populated', 'label', 'features', "
                    + "epochs => 1)")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
        }
    }

    private static void assertFails(String sqlState, String call, String message) throws SQLException {
        try (Statement s = session.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM " + call));
            assertEquals(sqlState, e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains(message), e.getMessage());
            assertAlive(s);
        }
    }

    private static void assertAlive(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('scalars', 'label', 'features', "
                + "epochs => 1)")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1), "the session trains after the error");
        }
    }
}
