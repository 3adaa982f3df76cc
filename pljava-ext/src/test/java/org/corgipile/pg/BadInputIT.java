package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;

import org.corgipile.testsupport.PostgresTest;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input of issue 4 raises an ERROR with the documented SQLSTATE, and the same session (with its JVM)
 * answers the next query. The messages themselves are pinned by the pg_regress files of test/sql (one per feature).
 */
@PostgresTest(extension = true)
class BadInputIT {
    private static Connection session;

    @BeforeAll
    static void setUp(TestDatabase db) throws SQLException {
        session = db.connect();   // closed with the database
        try (Statement s = session.createStatement()) {
            for (String sql : new String[] {
                "SET client_min_messages = warning",
                "SELECT setseed(0.25)",
                "CREATE TABLE good AS SELECT i AS id, (i % 2) AS label, ARRAY[random(), (i % 2)::float8] AS features "
                        + "FROM generate_series(1, 200) i",
                "CREATE TABLE texty (label text, features float8[], words text)",
                "INSERT INTO texty VALUES ('a', '{1,2}', 'x')",
                "CREATE TABLE ragged (label int, features float8[])",
                "INSERT INTO ragged VALUES (0, '{1,2}'), (1, '{1,2,3}')",
                "CREATE TABLE nans (label int, features float8[])",
                "INSERT INTO nans VALUES (0, '{1,2}'), (1, '{NaN,2}')",
                "CREATE TABLE infs (label int, features real[])",
                "INSERT INTO infs VALUES (0, '{1,Infinity}')",
                "CREATE TABLE empty (label int, features float8[])",
                "CREATE TABLE huge (label int, features float8[])",
                "INSERT INTO huge SELECT i % 2, ARRAY[i, (i % 2 * 2 - 1) * 1e300] FROM generate_series(1, 20) i",
                "CREATE TABLE labels3 (label int, features float8[])",
                "INSERT INTO labels3 SELECT i % 3, ARRAY[i::float8] FROM generate_series(1, 30) i",
                "CREATE VIEW good_view AS SELECT * FROM good",
                "CREATE INDEX good_idx ON good (id)",
                "CREATE TABLE secret (label int, features float8[])",
                "INSERT INTO secret VALUES (1, '{1,2}')",
                "CREATE TABLE guarded (label int, features float8[])",
                "INSERT INTO guarded VALUES (1, '{1,2}')",
                "ALTER TABLE guarded ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY p ON guarded USING (label = 1)",
                "DROP ROLE IF EXISTS corgipile_bad_input",
                "CREATE ROLE corgipile_bad_input",
                "GRANT SELECT ON good, guarded TO corgipile_bad_input",
                "SELECT count(*) FROM train_sgd('good', 'label', 'features', epochs => 1, model_name => 'exists')",
            }) {
                s.execute(sql);
            }
        }
    }

    @AfterAll
    static void tearDown() throws SQLException {
        try (Statement s = session.createStatement()) {
            s.execute("DROP OWNED BY corgipile_bad_input");
            s.execute("DROP ROLE corgipile_bad_input");
        }
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of("unknown relation", "42P01", "train_sgd('no_such_table', 'label', 'features')"),
                Arguments.of("unknown label column", "42703", "train_sgd('good', 'nope', 'features')"),
                Arguments.of("non-numeric label", "42804", "train_sgd('texty', 'label', 'features')"),
                Arguments.of("unknown features column", "42703", "train_sgd('good', 'label', 'nope')"),
                Arguments.of("features of a wrong type", "42804", "train_sgd('texty', 'features', 'words')"),
                Arguments.of("a view", "42809", "train_sgd('good_view', 'label', 'features')"),
                Arguments.of("an index", "42809", "train_sgd('good_idx', 'label', 'features')"),
                Arguments.of("arrays of different lengths", "22000", "train_sgd('ragged', 'label', 'features')"),
                Arguments.of("NaN feature", "22000", "train_sgd('nans', 'label', 'features')"),
                Arguments.of("Infinity feature", "22000", "train_sgd('infs', 'label', 'features')"),
                Arguments.of("empty table", "22000", "train_sgd('empty', 'label', 'features')"),
                Arguments.of("huge features whose variance overflows", "22003",
                        "train_sgd('huge', 'label', 'features', model_name => 'huge')"),
                Arguments.of("label outside the model's domain", "22000",
                        "train_sgd('labels3', 'label', 'features', model => 'svm')"),
                Arguments.of("softmax label >= K", "22000",
                        "train_sgd('labels3', 'label', 'features', model => 'softmax', options => '{\"classes\": 2}')"),
                Arguments.of("unknown model", "22023", "train_sgd('good', 'label', 'features', model => 'forest')"),
                Arguments.of("unknown shuffle", "22023", "train_sgd('good', 'label', 'features', shuffle => 'x')"),
                Arguments.of("learning_rate <= 0", "22023",
                        "train_sgd('good', 'label', 'features', learning_rate => 0)"),
                Arguments.of("epochs < 1", "22023", "train_sgd('good', 'label', 'features', epochs => 0)"),
                Arguments.of("buffer smaller than one block", "22023",
                        "train_sgd('good', 'label', 'features', buffer_size => 0.5, block_size => 2)"),
                Arguments.of("unknown option key", "22023",
                        "train_sgd('good', 'label', 'features', options => '{\"colour\": 1}')"),
                Arguments.of("model_name that exists", "42710",
                        "train_sgd('good', 'label', 'features', model_name => 'exists')"),
                Arguments.of("predict with a wrong dimension", "22000", "sgd_predict('exists', '{1,2,3}')"),
                Arguments.of("predict on an unknown model", "42704", "sgd_predict('nope', '{1,2}')"),
                Arguments.of("evaluate an unknown model", "42704",
                        "sgd_evaluate('nope', 'good', 'label', 'features')"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void raisesItsSqlStateAndTheSessionLivesOn(String what, String sqlState, String call) throws SQLException {
        try (Statement s = session.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM " + call));
            assertEquals(sqlState, e.getSQLState(), what + ": " + e.getMessage());
            assertAlive(s);
        }
    }

    /**
     * The reader's finiteness test runs two doubles at a time plus a scalar tail: a NaN or an infinity is found in
     * the first pair, the last pair and the tail of arrays of every parity, in a column list and in a label, and the
     * error names the tuple.
     */
    @ParameterizedTest(name = "{0} doubles, {2} at {1}")
    @MethodSource("nonFiniteValues")
    void nonFiniteValuesAreFoundAtEveryPosition(int width, int at, String value) throws SQLException {
        try (Statement s = session.createStatement()) {
            s.execute("DROP TABLE IF EXISTS nonfinite");
            s.execute("CREATE TABLE nonfinite (label float8, features float8[], a float8, b float8, c float8)");
            s.execute("INSERT INTO nonfinite SELECT 1, array_fill(0.5::float8, ARRAY[" + width + "]), 1, 2, 3");
            s.execute("INSERT INTO nonfinite SELECT 0, array_fill(0.5::float8, ARRAY[" + width + "]), 1, 2, 3");
            s.execute("UPDATE nonfinite SET features[" + (at + 1) + "] = '" + value + "', "
                    + "c = '" + value + "' WHERE label = 0");
            for (String features : new String[] {"features", "a, b, c"}) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM train_sgd("
                        + "'nonfinite', 'label', '" + features + "', shuffle => 'none', epochs => 1)"));
                assertEquals("22000", e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("tuple (0,3)") && e.getMessage().contains("NaN or Infinity"),
                        e.getMessage());
            }
            s.execute("UPDATE nonfinite SET label = '" + value + "', features[" + (at + 1) + "] = 0, c = 0 "
                    + "WHERE ctid = '(0,3)'");
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(
                    "SELECT * FROM train_sgd('nonfinite', 'label', 'features', shuffle => 'none', epochs => 1)"));
            assertEquals("22000", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("label \"label\" of tuple (0,4) of relation \"nonfinite\" is NaN or "
                    + "Infinity"), e.getMessage());
            assertAlive(s);
        }
    }

    static Stream<Arguments> nonFiniteValues() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (int width : new int[] {1, 2, 3, 18, 19}) {
            for (int at : new int[] {0, width - 1}) {
                for (String value : new String[] {"NaN", "-Infinity"}) {
                    if (at > 0 || width == 1) {
                        cases.add(Arguments.of(width, at, value));
                    }
                }
                if (at == 0 && width > 1) {
                    cases.add(Arguments.of(width, at, "Infinity"));
                }
            }
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("privilegeCases")
    void privilegesAndRowLevelSecurity(String what, String sqlState, String table) throws SQLException {
        try (Statement s = session.createStatement()) {
            s.execute("SET ROLE corgipile_bad_input");
            try {
                SQLException e = assertThrows(SQLException.class,
                        () -> s.executeQuery("SELECT * FROM train_sgd('" + table + "', 'label', 'features')"));
                assertEquals(sqlState, e.getSQLState(), what + ": " + e.getMessage());
            } finally {
                s.execute("RESET ROLE");
            }
            assertAlive(s);
        }
    }

    static Stream<Arguments> privilegeCases() {
        return Stream.of(Arguments.of("no SELECT privilege", "42501", "secret"),
                Arguments.of("row-level security", "42501", "guarded"));
    }

    private static void assertAlive(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('good', 'label', 'features', epochs => 1)")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1), "the session trains after the error");
        }
    }
}
