package org.corgipile.datasets.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import org.corgipile.datasets.format.Sources;
import org.corgipile.datasets.format.Sources.Row;
import org.junit.jupiter.api.Test;

class DenseTeacherGeneratorTest {
    @Test
    void teacherAgreesWithLabelsAtTheAdvertisedBestAccuracy() throws IOException {
        DenseTeacherGenerator g = new DenseTeacherGenerator("h", 28, 20_000, 0.30, 42);
        double[] w = g.teacherWeights();
        double b = g.teacherBias();
        List<Row> rows = Sources.drain(g);
        int agree = 0;
        int positives = 0;
        for (Row r : rows) {
            double z = b;
            for (int j = 0; j < w.length; j++) {
                z += w[j] * r.dense()[j];
            }
            agree += (z > 0 ? 1 : 0) == (int) r.label() ? 1 : 0;
            positives += (int) r.label();
        }
        // binomial sd at n = 20000, p = 0.7 is 0.0032: 0.015 is more than 4 sd
        assertEquals(0.70, agree / 20_000.0, 0.015);
        assertEquals(0.70, g.bestAccuracy(), 1e-12);
        assertEquals(0.5, positives / 20_000.0, 0.03, "the bias centres the teacher's margin");
    }

    @Test
    void sameSeedSameRowsOtherSeedOtherRows() throws IOException {
        List<Row> a = Sources.drain(new DenseTeacherGenerator("s", 18, 50, 0.2, 1));
        List<Row> b = Sources.drain(new DenseTeacherGenerator("s", 18, 50, 0.2, 1));
        List<Row> c = Sources.drain(new DenseTeacherGenerator("s", 18, 50, 0.2, 2));
        for (int i = 0; i < 50; i++) {
            assertArrayEquals(a.get(i).dense(), b.get(i).dense());
            assertEquals(a.get(i).label(), b.get(i).label());
        }
        assertFalse(Arrays.equals(a.get(0).dense(), c.get(0).dense()));
    }

    @Test
    void criteoLikeRowsAreSparseSortedAndBounded() throws IOException {
        List<Row> rows = Sources.drain(new CriteoLikeGenerator("c", 2000, 0.2, 3));
        for (Row r : rows) {
            assertTrue(r.indices().length <= 39 && r.indices().length > 0);
            for (int i = 1; i < r.indices().length; i++) {
                assertTrue(r.indices()[i - 1] < r.indices()[i], "strictly increasing indices");
            }
            assertTrue(r.indices()[r.indices().length - 1] < CriteoLikeGenerator.DIMENSION);
        }
    }

    @Test
    void badArgumentsNameTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DenseTeacherGenerator("x", 0, 1, 0.1, 1));
        assertEquals("dims must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DenseTeacherGenerator("x", 3, 1, 0.5, 1));
        assertEquals("flip must be in [0, 0.5), got 0.5", e.getMessage());
    }
}
