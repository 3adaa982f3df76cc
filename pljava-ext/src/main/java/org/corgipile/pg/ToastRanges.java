package org.corgipile.pg;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongToIntFunction;

/**
 * Where the out-of-line (TOAST) values of a range of heap pages lie in the TOAST relation, so that a block of a random
 * order can announce them with the heap pages ({@link HeapBlockSource#willRead}): otherwise every value is fetched
 * chunk by chunk while the block is decoded, each cold TOAST page a synchronous read, and the kernel's read-ahead on
 * the TOAST file ramps up per block and reads past the block's values.
 *
 * <p>A table loaded by COPY or {@code INSERT ... SELECT} writes heap and TOAST in the same order, so the map from heap
 * page to TOAST page is non-decreasing. It is sampled once ({@link #PROBES} heap pages, evenly spaced; each probe is
 * the TOAST block of the first chunk of the page's first out-of-line value, found through the TOAST index) and
 * interpolated linearly between the samples, widened by a margin on both sides. Samples that break the order are
 * dropped; when more than half of them would be (a table updated in place, loaded in several passes), the map is
 * not used: the hint would cost more than it saves there.
 * Correctness never depends on it; it only decides what the kernel reads ahead.
 */
final class ToastRanges {
    /** Samples of the map: 64 heap pages (at most ~130 small reads once per training, heap page and index leaf). */
    static final int PROBES = 64;
    /** Margin on each side, in TOAST pages: at least this, and a quarter of the interpolated range. */
    static final int MIN_MARGIN_PAGES = 2;
    /**
     * How many leading pages of a block {@link HeapBlockSource} probes for its first out-of-line value: on
     * Fashion-MNIST the first page of 13 of 76 127-page blocks (133 of 797 12-page blocks) holds only inline rows,
     * and all but 2 of those blocks have a value within their first 8 pages.
     */
    static final int LEARN_PAGES = 16;

    private final long toastPages;
    private final long[] heap;      // sampled heap pages, increasing, ending with the heap's page count
    private final long[] toast;     // their TOAST pages, non-decreasing, ending with the TOAST page count
    private final Map<Long, Integer> exact = new HashMap<>();  // block start -> TOAST page of its first value, or -1
    private long exactRanges;       // ranges announced from learned block starts
    private long interpolatedRanges;
    private long pagesAnnounced;

    private ToastRanges(long toastPages, long[] heap, long[] toast) {
        this.toastPages = toastPages;
        this.heap = heap;
        this.toast = toast;
    }

    /**
     * Samples the map with {@code probe} (heap page -> TOAST page of its first out-of-line value, or -1 for none).
     *
     * @return the map, or null when the TOAST relation is empty, no sampled page has an out-of-line value or the
     *         samples are not in storage order
     */
    static ToastRanges sample(long heapPages, long toastPages, int probes, LongToIntFunction probe) {
        if (heapPages <= 0 || toastPages <= 0) {
            return null;
        }
        int n = (int) Math.min(probes, heapPages);
        long[] h = new long[n];
        long[] t = new long[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            long page = n == 1 ? 0 : i * (heapPages - 1) / (n - 1);
            int at = probe.applyAsInt(page);
            if (at >= 0) {
                h[k] = page;
                t[k++] = at;
            }
        }
        int[] keep = longestNonDecreasing(t, k);
        if (keep.length == 0 || keep.length * 2 < k) {
            return null;    // no out-of-line values, or not in storage order
        }
        long[] heap = new long[keep.length + 1];
        long[] toast = new long[keep.length + 1];
        for (int i = 0; i < keep.length; i++) {
            heap[i] = h[keep[i]];
            toast[i] = t[keep[i]];
        }
        heap[keep.length] = heapPages;
        toast[keep.length] = toastPages;
        return new ToastRanges(toastPages, heap, toast);
    }

    /**
     * Indices of a longest non-decreasing subsequence of {@code t[0..n)}: drops the samples that break storage order
     * (a value whose chunks went to free space elsewhere in the TOAST relation, e.g. a page 39 whose first value is
     * stored at TOAST page 669 among neighbours at 28-30, measured on Fashion-MNIST).
     */
    static int[] longestNonDecreasing(long[] t, int n) {
        int[] length = new int[n];
        int[] previous = new int[n];
        int best = -1;
        for (int i = 0; i < n; i++) {
            length[i] = 1;
            previous[i] = -1;
            for (int j = 0; j < i; j++) {
                if (t[j] <= t[i] && length[j] + 1 > length[i]) {
                    length[i] = length[j] + 1;
                    previous[i] = j;
                }
            }
            if (best < 0 || length[i] > length[best]) {
                best = i;
            }
        }
        int[] keep = new int[best < 0 ? 0 : length[best]];
        for (int i = keep.length - 1, at = best; i >= 0; i--, at = previous[at]) {
            keep[i] = at;
        }
        return keep;
    }

    /** The interpolated TOAST page of the first out-of-line value on or after heap page {@code page}. */
    double at(long page) {
        if (page <= heap[0]) {
            return page == heap[0] ? toast[0] : toast[0] * (double) page / Math.max(1, heap[0]);
        }
        int i = Arrays.binarySearch(heap, page);
        if (i >= 0) {
            return toast[i];
        }
        int hi = -i - 1;
        if (hi >= heap.length) {
            return toastPages;
        }
        int lo = hi - 1;
        return toast[lo] + (toast[hi] - toast[lo]) * (double) (page - heap[lo]) / (heap[hi] - heap[lo]);
    }

    /**
     * Records the TOAST page of the first out-of-line value of the block starting at heap page {@code page}
     * ({@code toastPage}, or -1 for none within its first {@link #LEARN_PAGES} pages): the source probes every block
     * once, right after reading it (pages and index entries are then in memory), so that from the second epoch on a
     * block's range starts and ends exactly where its values do. The first value of the block, not of its first
     * page: a block whose first page holds only inline rows otherwise fell back to the interpolated range (a quarter
     * wider on each side, so ~1.5x its TOAST pages, read twice when the neighbours' pages were evicted in between).
     */
    void learn(long page, int toastPage) {
        exact.put(page, toastPage);
    }

    boolean knows(long page) {
        return exact.containsKey(page) || page >= heap[heap.length - 1];
    }

    /**
     * The TOAST pages {from, to} (to exclusive) that likely hold the out-of-line values of heap pages
     * {@code [firstPage, firstPage + pages)}: between the first values of this block and of the next one, exact where
     * {@link #learn} knows both (one page beyond, for the chunks of the block's last value) and they are in order,
     * else interpolated and widened by the margin; {@code to <= from} when there are none.
     */
    long[] range(long firstPage, int pages) {
        long end = firstPage + pages;
        Integer first = exact.get(firstPage);
        Integer next = end >= heap[heap.length - 1] ? Integer.valueOf((int) toastPages) : exact.get(end);
        double lo = at(firstPage);
        double hi = at(end);
        // exact unless one of the two is a value stored away from its neighbours (then it spans far more)
        if (first != null && first >= 0 && next != null && next >= first && next - first <= 4 * (hi - lo) + 16) {
            return counted(new long[] {first, Math.min(toastPages, next + 1L)}, true);
        }
        double margin = Math.max(MIN_MARGIN_PAGES, (hi - lo) / 4);
        long from = Math.max(0, (long) Math.floor(lo - margin));
        long to = Math.min(toastPages, (long) Math.ceil(hi + margin) + 1);
        return counted(new long[] {from, to}, false);
    }

    private long[] counted(long[] range, boolean exactRange) {
        if (exactRange) {
            exactRanges++;
        } else {
            interpolatedRanges++;
        }
        pagesAnnounced += Math.max(0, range[1] - range[0]);
        return range;
    }

    /** What {@link #range} returned so far, for the server log: exact and interpolated ranges, TOAST pages. */
    String summary() {
        return exactRanges + " exact and " + interpolatedRanges + " interpolated TOAST ranges, " + pagesAnnounced
                + " TOAST pages announced (TOAST relation: " + toastPages + " pages)";
    }
}
