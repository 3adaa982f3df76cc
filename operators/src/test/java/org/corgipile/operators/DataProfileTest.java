package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link DataProfile}: profiles of disjoint parts of a table combine into the profile of the whole table. */
class DataProfileTest {
    @Test
    void mergedProfilesOfUnevenPartsEqualOnePassOverAll() {
        SyntheticData data = SyntheticData.multiclass(9_001, 6, 4, 11);
        int cut = 2_345;
        double[][] x1 = new double[cut][];
        double[] y1 = new double[cut];
        double[][] x2 = new double[data.y.length - cut][];
        double[] y2 = new double[data.y.length - cut];
        for (int i = 0; i < data.y.length; i++) {
            if (i < cut) {
                x1[i] = data.x[i];
                y1[i] = data.y[i];
            } else {
                x2[i - cut] = data.x[i];
                y2[i - cut] = data.y[i];
            }
        }
        DataProfile whole = DataProfile.scan(data.source(50), 1280, true);
        DataProfile merged = DataProfile.scan(InMemoryBlockSource.dense(x1, y1, 50), 1280, true)
                .merge(DataProfile.scan(InMemoryBlockSource.dense(x2, y2, 50), 16, true));
        assertEquals(whole.tuples(), merged.tuples());
        assertArrayEquals(whole.mean(), merged.mean(), 1e-12);
        assertArrayEquals(whole.std(), merged.std(), 1e-12);
        assertEquals(whole.classes("softmax"), merged.classes("softmax"));
        DataProfile empty = DataProfile.of(0, new double[6], new double[6], Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, true);
        assertArrayEquals(whole.std(), empty.merge(whole).merge(empty).std(), 0, "an empty part changes nothing");
    }
}
