package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The heap page -> TOAST page map behind the TOAST read-ahead of random block order. */
class ToastRangesTest {
    private static final long HEAP = 9555;     // Fashion-MNIST clustered: 9,555 heap pages, 6,868 TOAST pages
    private static final long TOAST = 6868;

    /** Storage order: a TOAST page ~0.72 per heap page, one value stored far ahead (as measured: page 39 -> 669). */
    private static int loaded(long page) {
        return page == ToastRanges.PROBES / 2 * (HEAP - 1) / (ToastRanges.PROBES - 1) ? 6000 : (int) (page * TOAST / HEAP);
    }

    @Test
    void theRangeOfABlockCoversItsValuesInStorageOrder() {
        ToastRanges map = ToastRanges.sample(HEAP, TOAST, ToastRanges.PROBES, ToastRangesTest::loaded);
        assertNotNull(map);
        for (long first = 0; first < HEAP; first += 18) {
            int pages = (int) Math.min(18, HEAP - first);
            long[] range = map.range(first, pages);
            long from = first * TOAST / HEAP;
            long to = Math.min(TOAST, (first + pages) * TOAST / HEAP + 1);
            assertTrue(range[0] <= from && range[1] >= to, "block at " + first + ": " + range[0] + ".." + range[1]
                    + " must cover " + from + ".." + to);
            assertTrue(range[1] - range[0] <= 2 * (to - from) + 2 * ToastRanges.MIN_MARGIN_PAGES + 2,
                    "block at " + first + " announces " + (range[1] - range[0]) + " pages for " + (to - from));
        }
    }

    @Test
    void rangesStayInsideTheToastRelation() {
        ToastRanges map = ToastRanges.sample(HEAP, TOAST, ToastRanges.PROBES, ToastRangesTest::loaded);
        assertEquals(0, map.range(0, 18)[0]);
        assertEquals(TOAST, map.range(HEAP - 10, 10)[1]);
    }

    @Test
    void aTableWhoseValuesAreNotInStorageOrderGetsNoMap() {
        SplittableRandom random = new SplittableRandom(1);
        assertNull(ToastRanges.sample(HEAP, TOAST, ToastRanges.PROBES, page -> random.nextInt((int) TOAST)));
    }

    @Test
    void aTableWithoutOutOfLineValuesGetsNoMap() {
        assertNull(ToastRanges.sample(HEAP, TOAST, ToastRanges.PROBES, page -> -1));
        assertNull(ToastRanges.sample(HEAP, 0, ToastRanges.PROBES, page -> 0));
    }

    @Test
    void longestNonDecreasingDropsTheSamplesOutOfOrder() {
        assertArrayEquals(new int[] {0, 1, 3, 4}, ToastRanges.longestNonDecreasing(new long[] {0, 1, 669, 2, 2}, 5));
        assertArrayEquals(new int[0], ToastRanges.longestNonDecreasing(new long[0], 0));
    }

    @Test
    void learnedBlockStartsMakeTheRangeExact() {
        ToastRanges map = ToastRanges.sample(HEAP, TOAST, ToastRanges.PROBES, ToastRangesTest::loaded);
        map.learn(180, 130);
        map.learn(198, 141);
        assertArrayEquals(new long[] {130, 142}, map.range(180, 18));
        map.learn(216, 900);   // a value stored far away: the interpolated range instead
        long[] range = map.range(198, 18);
        assertTrue(range[0] <= 141 && range[1] >= 157 && range[1] < 200, range[0] + ".." + range[1]);
        map.learn(9540, -1);   // a page without out-of-line values: interpolated
        assertEquals(TOAST, map.range(9540, 15)[1]);
    }
}
