package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/**
 * {@link TupleBuffer#reserve}: rows up to the reservation are written without growing the arrays (no copies), the
 * rows already held survive the reservation, and a reservation never shrinks the buffer.
 */
class TupleBufferReserveTest {
    private static final int D = 18;

    private static void append(TupleBuffer b, int rows) {
        double[] x = new double[D];
        for (int i = 0; i < rows; i++) {
            int row = b.size();
            for (int k = 0; k < D; k++) {
                x[k] = row * 100.0 + k;
            }
            b.addDense(row % 2, TupleBuffer.tid(row / 40, row % 40 + 1), x, 0);
        }
    }

    @Test
    void rowsUpToTheReservationAreWrittenWithoutGrowing() {
        TupleBuffer b = new TupleBuffer(FeatureShape.dense(D), 16);
        append(b, 10);
        b.reserve(100_000);
        double[] dense = b.dense();
        assertEquals(100_000 * D, dense.length, "exactly the rows reserved, no 1.5x overshoot");
        append(b, 100_000 - 10);
        assertSame(dense, b.dense(), "filling the reservation must not grow the buffer");
        for (int row : new int[] {0, 9, 10, 99_999}) {
            assertEquals(row % 2, b.label(row));
            assertEquals(TupleBuffer.tid(row / 40, row % 40 + 1), b.id(row));
            assertEquals(row * 100.0 + D - 1, b.dense()[row * D + D - 1]);
        }
        append(b, 1);
        assertNotSame(dense, b.dense(), "one row past the reservation grows as before");
    }

    @Test
    void aSmallerReservationKeepsTheCapacity() {
        TupleBuffer b = new TupleBuffer(FeatureShape.dense(D), 16);
        b.reserve(5_000);
        double[] dense = b.dense();
        b.reserve(10);
        assertSame(dense, b.dense());
    }

    @Test
    void sparseBuffersReserveRows() {
        TupleBuffer b = new TupleBuffer(FeatureShape.sparse(1000), 16);
        b.reserve(4_096);
        for (int i = 0; i < 4_096; i++) {
            b.addSparse(1, i, new int[] {i % 1000}, new double[] {i}, 0, 1);
        }
        assertEquals(4_096, b.size());
        assertEquals(4_095.0, b.values()[b.rowStart(4_095)]);
        assertEquals(4_095 % 1000, b.indices()[b.rowStart(4_095)]);
    }
}
