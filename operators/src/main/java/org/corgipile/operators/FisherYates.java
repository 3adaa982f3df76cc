package org.corgipile.operators;

import java.util.SplittableRandom;

/**
 * The one Fisher–Yates shuffle every seeded order in the engine is drawn with (block order, tuple permutations,
 * window drains, reservoir passes). Kept in one place because reproducibility depends on it: the same seed must
 * consume the random stream identically — one {@code nextInt(i + 1)} for i from n-1 down to 1 — wherever an order
 * is drawn, so a change here changes every trained model.
 */
public final class FisherYates {
    private FisherYates() {
    }

    /** Sets {@code a[i] = i} for every i: the identity permutation (storage order). */
    public static void identity(int[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
    }

    /** Shuffles {@code a} in place, uniformly, with the random stream {@code rnd}. */
    public static void shuffle(int[] a, SplittableRandom rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /**
     * Overwrites {@code a[0 .. n)} with a uniformly random permutation of 0 .. n-1 drawn from {@code rnd}, consuming
     * the stream exactly as {@link #shuffle} of an n-element array (lets a caller reuse one larger array).
     */
    public static void permute(int[] a, int n, SplittableRandom rnd) {
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /**
     * Overwrites {@code a[0 .. n)} with a random permutation of 0 .. n-1 that keeps runs of {@code run} consecutive
     * indices together: the runs {@code [0, run), [run, 2 run), ...} (the last one shorter when run does not divide
     * n) in a uniformly random order drawn from {@code rnd}, each run in ascending order. {@code slices} is scratch of
     * at least ceil(n / run) entries. With {@code run == 1} this is {@link #permute(int[], int, SplittableRandom)},
     * drawing the same stream.
     */
    public static void permuteRuns(int[] a, int n, int run, int[] slices, SplittableRandom rnd) {
        if (run <= 1) {
            permute(a, n, rnd);
            return;
        }
        int m = (int) ((n + (long) run - 1) / run);
        permute(slices, m, rnd);
        int at = 0;
        for (int s = 0; s < m; s++) {
            int from = slices[s] * run;
            int to = Math.min(n, from + run);
            for (int i = from; i < to; i++) {
                a[at++] = i;
            }
        }
    }

    /** Overwrites {@code a} with a uniformly random permutation of 0 .. a.length-1 drawn from {@code rnd}. */
    public static void permute(int[] a, SplittableRandom rnd) {
        identity(a);
        shuffle(a, rnd);
    }

    /** A new uniformly random permutation of 0 .. n-1 drawn from {@code rnd}. */
    public static int[] permutation(int n, SplittableRandom rnd) {
        int[] a = new int[n];
        permute(a, rnd);
        return a;
    }
}
