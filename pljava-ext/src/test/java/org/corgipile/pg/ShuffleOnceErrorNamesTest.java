package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.corgipile.operators.TrainingException;
import org.junit.jupiter.api.Test;

/** shuffle_once's errors name the user's relation, quoted once however regclass prints it. */
class ShuffleOnceErrorNamesTest {
    private static String renamed(String message, String relationName) {
        return TrainFunction.aboutUserRelation(new TrainingException("22000", message, null), relationName)
                .getMessage();
    }

    /** A relation whose regclass text is quoted ("My T") came out with doubled quotes: relation ""My T"". */
    @Test
    void aQuotedRelationNameIsNotQuotedTwice() {
        String copy = "relation \"corgipile_shuffle_once_19175_2840\" has no rows";
        assertEquals("relation \"My T\" has no rows", renamed(copy, "\"My T\""));
        assertEquals("relation \"my_t\" has no rows", renamed(copy, "my_t"));
    }

    /**
     * Bug: outside the search path the copy was renamed to regclass's text (s."My T", "s.my_t"), while every other
     * error names a relation as PostgreSQL's own errors do: its name without the schema, in double quotes.
     */
    @Test
    void aRelationIsNamedWithoutItsSchema() {
        String copy = "relation \"corgipile_shuffle_once_19175_2840\" has no rows";
        assertEquals("relation \"My T\" has no rows", renamed(copy, "s.\"My T\""));
        assertEquals("relation \"my_t\" has no rows", renamed(copy, "s.my_t"));
        assertEquals("\"a.b\"", TrainFunction.quoted("\"x.y\".\"a.b\""));
        assertEquals("\"t\"", TrainFunction.quoted("\"a\"\"b\".t"));
        assertEquals("\"a\"b\"", TrainFunction.quoted("s.\"a\"\"b\""));
    }
}
