package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;

import org.corgipile.testsupport.PostgresTest;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.util.PSQLException;

/**
 * train_sgd with shuffle => 'shuffle_once' reads a temporary copy (corgipile_shuffle_once_&lt;pid&gt;_&lt;txid&gt;), yet
 * every error names the user's relation as PostgreSQL's errors do (no schema, quoted once), marked as the copy since
 * tuple positions are the copy's: the heap reader's errors (C) and the heap source's (Java) alike.
 */
@PostgresTest(extension = true)
class ShuffleOnceErrorNamesIT {
    /** How the heap reader names the user's relation "My T" when it reads shuffle_once's copy of it. */
    private static final String SHOWN = "relation \"My T\" (shuffle_once's shuffled copy)";

    private static Connection session;

    @BeforeAll
    static void setUp(TestDatabase db) throws SQLException {
        session = db.connect();   // closed with the database
        try (Statement s = session.createStatement()) {
            s.execute("SET client_min_messages = warning");
            s.execute("CREATE SCHEMA other");
            // one row: every order of the copy puts it at (0,1)
            s.execute("CREATE TABLE other.\"My T\" (label int, one int, nan float8[], good float8[], idx int[], "
                    + "val float8[])");
            s.execute("INSERT INTO other.\"My T\" VALUES (2, 1, '{NaN}', '{1}', '{4}', '{1}')");
            s.execute("CREATE TABLE other.\"My T 2\" (LIKE other.\"My T\")");
        }
    }

    @AfterAll
    static void tearDown() throws SQLException {
        try (Statement s = session.createStatement()) {
            s.execute("DROP SCHEMA other CASCADE");
        }
    }

    /**
     * Bug: for one shuffle_once call the heap reader (C) named the relation {@code relation "My T" (shuffle_once's
     * shuffled copy)} while the heap source's errors (Java), named from the copy and renamed afterwards by a regular
     * expression, said {@code relation "My T" ...; tuple positions are those of shuffle_once's shuffled copy of
     * other."My T"}: two wordings of one fact.
     */
    @Test
    void javaAndReaderErrorsOfShuffleOnceNameTheRelationAlike() throws SQLException {
        String reader = messageOf("'other.\"My T\"', 'label', 'nan', shuffle => 'shuffle_once'");
        String java = messageOf("'other.\"My T\"', 'label', 'good', shuffle => 'shuffle_once'");
        assertEquals("features \"nan\" of tuple (0,1) of " + SHOWN + " contain NaN or Infinity", reader);
        assertEquals("label \"label\" of tuple (0,1) of " + SHOWN + " is 2, not a binary label for model logistic "
                + "(expected 0/1 or -1/+1)", java);
    }

    static Stream<Arguments> shuffleOnceErrors() {
        return Stream.of(
                Arguments.of("a NaN feature (heap reader)", "'other.\"My T\"', 'label', 'nan'",
                        "features \"nan\" of tuple (0,1) of " + SHOWN + " contain NaN or Infinity"),
                Arguments.of("a label outside the model's domain (input guard)", "'other.\"My T\"', 'label', 'good'",
                        "label \"label\" of tuple (0,1) of " + SHOWN + " is 2, not a binary label for model "
                                + "logistic (expected 0/1 or -1/+1)"),
                Arguments.of("one class (trainer)", "'other.\"My T\"', 'one', 'good'",
                        "label column \"one\" of " + SHOWN + " has one value, 1, in every row: model logistic "
                                + "needs rows of at least two classes"),
                Arguments.of("a sparse index beyond the dimension (heap source)", "'other.\"My T\"', 'label', "
                        + "'idx, val', model => 'linear', options => '{\"dimension\": 3}'",
                        "sparse index 4 of indices \"idx\" of tuple (0,1) of " + SHOWN + " is outside [0, 3)"),
                Arguments.of("no rows (heap source)", "'other.\"My T 2\"', 'label', 'good'",
                        "relation \"My T 2\" (shuffle_once's shuffled copy) has no rows with a non-NULL label and "
                                + "features"));
    }

    /** Every error names the user's relation, never the copy, without its schema and quoted once. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shuffleOnceErrors")
    void everyErrorNamesTheUsersRelation(String what, String arguments, String expected) throws SQLException {
        String message = messageOf(arguments + ", shuffle => 'shuffle_once'");
        assertFalse(message.contains("corgipile_shuffle_once"), what + ": " + message);
        assertFalse(message.contains("other.") || message.contains("\"\""), what + ": " + message);
        if (expected != null) {
            assertEquals(expected, message, what);
        }
    }

    /** regclass text as errors name a relation: without its schema, in double quotes once. */
    @Test
    void aRelationIsNamedWithoutItsSchemaAndQuotedOnce() {
        assertEquals("\"My T\"", TrainFunction.quoted("s.\"My T\""));
        assertEquals("\"my_t\"", TrainFunction.quoted("s.my_t"));
        assertEquals("\"my_t\"", TrainFunction.quoted("my_t"));
        assertEquals("\"a.b\"", TrainFunction.quoted("\"x.y\".\"a.b\""));
        assertEquals("\"t\"", TrainFunction.quoted("\"a\"\"b\".t"));
        assertEquals("\"a\"b\"", TrainFunction.quoted("s.\"a\"\"b\""));
        // train_epoch's list of a server's relations (bug: named as one unquoted "partitioned table a, s.b")
        assertEquals("\"a\", \"b\", \"c, d\"", TrainFunction.quoted("a, s.b, \"c, d\""));
    }

    /** The server's message of {@code train_sgd(arguments)} (22000), without the ERROR prefix or the hint. */
    private static String messageOf(String arguments) throws SQLException {
        try (Statement s = session.createStatement()) {
            PSQLException e = assertThrows(PSQLException.class,
                    () -> s.executeQuery("SELECT * FROM train_sgd(" + arguments + ", epochs => 1)"));
            assertEquals("22000", e.getSQLState(), e.getMessage());
            return e.getServerErrorMessage().getMessage();
        }
    }
}
