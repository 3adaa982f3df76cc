package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JSON between PL/pgSQL, C and Java (issue 11): seeds of 19 digits were read as doubles, so recorded seeds could
 * not be replayed; 4-byte UTF-8 (an emoji) in a name broke the strings crossing JNI. The codec is fuzzed against
 * PostgreSQL's own jsonb output through the whole path: random jsonb values made in SQL, printed by PostgreSQL,
 * handed through the launcher to Java, parsed, written back and compared by PostgreSQL.
 */
@PostgresTest(extension = true)
class JsonCodecIT {
    private static Connection session;

    @BeforeAll
    static void setUp(DataSource ds) throws SQLException {
        session = ds.getConnection();
        try (Statement s = session.createStatement()) {
            s.execute("SET client_min_messages = warning");
            TestTables.clustered(session, "seeds", 300, 3, 0.7);
        }
    }

    @AfterAll
    static void tearDown() throws SQLException {
        session.close();
    }

    /** seed => 9223372036854775807 was rejected: "seed must be between ... and 9223372036854775807, got 9.2E18". */
    @Test
    void nineteenDigitSeedsAreAcceptedAndRecordedExactly() throws SQLException {
        try (Statement s = session.createStatement()) {
            for (String seed : new String[] {"9223372036854775807", "-9223372036854775808", "1234567890123456789"}) {
                s.execute("SELECT count(*) FROM train_sgd('seeds', 'label', 'features', epochs => 1, seed => "
                        + seed + ", model_name => 'seed_" + seed.replace('-', 'm') + "')");
                assertEquals(seed, string(s, "SELECT seed::text || '/' || (spec->>'seed') FROM corgipile.models "
                        + "WHERE name = 'seed_" + seed.replace('-', 'm') + "'").split("/")[0]);
                assertEquals(seed, string(s, "SELECT spec->>'seed' FROM corgipile.models WHERE name = 'seed_"
                        + seed.replace('-', 'm') + "'"));
            }
        }
    }

    /** Most random seeds have 19 digits: replaying the recorded one failed instead of giving the same model. */
    @Test
    void recordedRandomSeedsReplayToTheSameModel() throws SQLException {
        try (Statement s = session.createStatement()) {
            for (int i = 0; i < 5; i++) {
                s.execute("DELETE FROM corgipile.models WHERE name IN ('random_seed', 'replayed')");
                s.execute("SELECT count(*) FROM train_sgd('seeds', 'label', 'features', epochs => 2, "
                        + "model_name => 'random_seed')");
                String seed = string(s, "SELECT seed FROM corgipile.models WHERE name = 'random_seed'");
                s.execute("SELECT count(*) FROM train_sgd('seeds', 'label', 'features', epochs => 2, seed => "
                        + seed + ", model_name => 'replayed')");
                assertEquals("t", string(s, "SELECT a.parameters = b.parameters AND a.seed = b.seed FROM "
                        + "corgipile.models a, corgipile.models b WHERE a.name = 'random_seed' AND b.name = 'replayed'"),
                        "seed " + seed);
            }
        }
    }

    private static String string(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
