package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NumbersTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "0|0", "-0.0|0", "2|2", "-1|-1", "1.5|1.5", "0.1|0.1", "0.0001|0.0001", "0.000001|0.000001",
        "1e-7|1E-7", "1.5e-7|1.5E-7", "1000000|1000000", "1e15|1000000000000000",
        "9223372036854775807|9223372036854776000", "-9223372036854775808|-9223372036854776000",
        "1e19|1E+19", "1.5e20|1.5E+20", "1e300|1E+300", "-1e300|-1E+300", "4.9e-324|4.9E-324",
        "NaN|NaN", "Infinity|Infinity", "-Infinity|-Infinity",
    })
    void plainWhileShortScientificOtherwise(double v, String text) {
        assertEquals(text, Numbers.text(v));
    }

    /**
     * Bug: the two formatters of numbers in messages disagreed. TrainOptions' (range bounds) printed 1e20 as 1.0E20
     * and 0.0001 as 1.0E-4, InputGuard's (labels) the same numbers as 100000000000000000000 and 0.0001, and a label
     * of 1e300 in 301 digits; a rejected argument was printed by neither (Double.toString: "got 0.0" after the range
     * "(0, 1000000]").
     */
    @Test
    void theRangeAndLabelFormattersDisagreedOn1e20AndALabelOf1e300Took301Digits() {
        assertEquals("the label has one value, 1E+300, in every row: model logistic needs rows of at least two "
                + "classes", InputGuard.oneClass("the label", 1e300, "logistic").getMessage());
        assertEquals("the label has one value, 1E+20, in every row: model logistic needs rows of at least two "
                + "classes", InputGuard.oneClass("the label", 1e20, "logistic").getMessage());
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> TrainSpec.fromOptions(Map.of("learning_rate", 0)));
        assertEquals("learning_rate must be in (0, 1000000], got 0", e.getMessage());
        e = assertThrows(InvalidSpecException.class, () -> TrainSpec.fromOptions(Map.of("l2", -1e-7)));
        assertEquals("l2 must be in [0, 1000000], got -1E-7", e.getMessage());
    }
}
