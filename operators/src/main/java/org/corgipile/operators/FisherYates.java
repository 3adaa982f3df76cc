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
     * n) in a uniformly random order drawn from {@code rnd}, each run in ascending order. The runs' order is drawn as
     * {@link #permute(int[], int, SplittableRandom)} of their count, so with {@code run == 1} this is that call.
     */
    public static void permuteRuns(int[] a, int n, int run, SplittableRandom rnd) {
        int m = (int) ((n + (long) run - 1) / run);
        permute(a, m, rnd);
        // expand the runs in place from the back: the runs before the s-th hold at least s rows, so the s-th is
        // written at or after a[s], which is read before
        int end = n;
        for (int s = m - 1; s >= 0; s--) {
            int from = a[s] * run;
            int len = Math.min(n, from + run) - from;
            end -= len;
            for (int i = 0; i < len; i++) {
                a[end + i] = from + i;
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
