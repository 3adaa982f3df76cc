package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * {@link TupleBuffer#appendDenseRows} + {@link TupleBuffer#setLabelAndId} (the heap reader's bulk decode) give the
 * same buffer as {@link TupleBuffer#addDense} row by row, also when the rows make the buffer grow; so do rows written
 * in place into {@link TupleBuffer#denseRoom} (the heap reader's native writes them there).
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
        assertSameRows(rowByRow, bulk);
    }

    @Test
    void rowsWrittenIntoDenseRoomEqualRowByRowAppends() {
        TupleBuffer rowByRow = new TupleBuffer(FeatureShape.dense(D), 16);
        TupleBuffer inPlace = new TupleBuffer(FeatureShape.dense(D), 16);
        int row = 0;
        for (int batch : new int[] {3, 0, 40, 1, 500, 7}) {
            double[] room = inPlace.denseRoom(batch);
            assertTrue(room.length >= (inPlace.size() + batch) * D, "room for the batch");
            int offset = inPlace.size() * D;
            for (int t = 0; t < batch; t++, row++) {
                for (int k = 0; k < D; k++) {
                    room[offset + t * D + k] = row * 10.0 + k;
                }
                rowByRow.addDense(row % 3, TupleBuffer.tid(row, 1), room, offset + t * D);
            }
            int first = inPlace.appendDenseRows(batch);
            assertSame(room, inPlace.dense(), "committing rows in the room does not move them");
            for (int t = 0; t < batch; t++) {
                inPlace.setLabelAndId(first + t, (first + t) % 3, TupleBuffer.tid(first + t, 1));
            }
        }
        assertSameRows(rowByRow, inPlace);
    }

    /** Asking for room a row at a time grows the array by half each time it is full, not by a row (no n^2 copies). */
    @Test
    void denseRoomGrowsGeometrically() {
        TupleBuffer b = new TupleBuffer(FeatureShape.dense(D), 16);
        int grown = 0;
        double[] last = b.denseRoom(1);
        for (int i = 0; i < 10_000; i++) {
            b.appendDenseRows(1);
            double[] room = b.denseRoom(1);
            if (room != last) {
                grown++;
                int rows = last.length / D;
                assertTrue(room.length / D >= rows + (rows >> 1), "grew by half: " + rows + " -> " + room.length / D);
                last = room;
            }
        }
        assertTrue(grown < 20, "grew " + grown + " times for 10,000 rows");
    }

    private static void assertSameRows(TupleBuffer expected, TupleBuffer actual) {
        int rows = expected.size();
        assertEquals(rows, actual.size());
        for (int i = 0; i < rows; i++) {
            assertEquals(expected.label(i), actual.label(i));
            assertEquals(expected.id(i), actual.id(i));
        }
        assertArrayEquals(Arrays.copyOf(expected.dense(), rows * D), Arrays.copyOf(actual.dense(), rows * D));
    }
}
