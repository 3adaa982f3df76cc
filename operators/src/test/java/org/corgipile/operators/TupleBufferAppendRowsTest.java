package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * {@link TupleBuffer#appendDenseRows} + {@link TupleBuffer#setLabelAndId} (the heap reader's bulk decode) give the
 * same buffer as {@link TupleBuffer#addDense} row by row, also when the rows make the buffer grow.
 */
class TupleBufferAppendRowsTest {
    private static final int D = 5;

    @Test
    void bulkRowsEqualRowByRowAppends() {
        TupleBuffer rowByRow = new TupleBuffer(FeatureShape.dense(D), 16);
        TupleBuffer bulk = new TupleBuffer(FeatureShape.dense(D), 16);
        int row = 0;
        for (int batch : new int[] {3, 0, 40, 1, 500}) {
            double[] features = new double[batch * D];
            for (int t = 0; t < batch; t++, row++) {
                for (int k = 0; k < D; k++) {
                    features[t * D + k] = row * 10.0 + k;
                }
                rowByRow.addDense(row % 3, TupleBuffer.tid(row, 1), features, t * D);
            }
            int first = bulk.appendDenseRows(batch);
            assertEquals(row - batch, first, "the first new row");
            System.arraycopy(features, 0, bulk.dense(), first * D, batch * D);
            for (int t = 0; t < batch; t++) {
                bulk.setLabelAndId(first + t, (first + t) % 3, TupleBuffer.tid(first + t, 1));
            }
        }
        assertEquals(rowByRow.size(), bulk.size());
        for (int i = 0; i < row; i++) {
            assertEquals(rowByRow.label(i), bulk.label(i));
            assertEquals(rowByRow.id(i), bulk.id(i));
        }
        assertArrayEquals(Arrays.copyOf(rowByRow.dense(), row * D), Arrays.copyOf(bulk.dense(), row * D));
    }
}
