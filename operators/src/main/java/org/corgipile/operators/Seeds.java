package org.corgipile.operators;

/**
 * Derives independent, reproducible random streams from the one user seed, so that every random decision (block
 * order of epoch 3, tuple permutation of epoch 3, MLP initial weights, ...) depends only on the seed and on what it
 * is for, never on thread timing. SplitMix64 finaliser over (seed, purpose, epoch).
 */
public final class Seeds {
    public static final long BLOCK_ORDER = 0x424c4f434bL;
    public static final long TUPLE_ORDER = 0x5455504c45L;
    public static final long INIT = 0x494e4954L;
    public static final long SAMPLING = 0x53414d504cL;
    public static final long PROFILE = 0x50524f46L;
    /** The training rows the default metrics measure each epoch's model on ({@link TrainingSample}). */
    public static final long ACCURACY_SAMPLE = 0x4143435359L;

    private Seeds() {
    }

    /** Seed of the stream for {@code purpose} in {@code epoch} (0 when not per epoch). */
    public static long derive(long seed, long purpose, long epoch) {
        long z = mix(seed ^ mix(purpose + 0x9E3779B97F4A7C15L) ^ mix(epoch * 0xBF58476D1CE4E5B9L + 1));
        return z;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
