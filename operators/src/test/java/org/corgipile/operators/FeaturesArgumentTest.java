package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FeaturesArgumentTest {

    @Test
    void featureListsSplitOnCommasAndTrimSpacesAndTabs() {
        assertEquals(List.of("x1", "x 2", "X3"), FeaturesArgument.names("x1, x 2 ,X3"));
        assertEquals(List.of("features"), FeaturesArgument.names("features"));
        assertEquals(List.of("a", "b"), FeaturesArgument.names(" a , b "));
        assertEquals(List.of("a", "b"), FeaturesArgument.names("a\t,\tb"));
        // like SQL's corgipile.feature_columns: a name is used as written, other white space included
        assertEquals(List.of("a\n", "b"), FeaturesArgument.names("a\n,b"));
        assertEquals(List.of("a", "a"), FeaturesArgument.names("a,a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a,,b", "a,", ",a", "", " ", " , ", "\t"})
    void anEmptyNameIs22023(String features) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> FeaturesArgument.names(features));
        assertEquals("features must name one array column or a comma-separated list of columns, got \"" + features
                + "\"", e.getMessage());
        assertEquals("22023", e.sqlState());
    }

    @Test
    void nullIs22023Too() {
        assertEquals("features must name one array column or a comma-separated list of columns, got \"NULL\"",
                assertThrows(InvalidSpecException.class, () -> FeaturesArgument.names(null)).getMessage());
    }
}
