package org.corgipile.operators.strategy;

import org.corgipile.operators.BlockShuffle;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.InvalidSpecException;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TupleBuffer;

/**
 * A tuple order for SGD: the strategies the paper compares, selected by the {@code shuffle} argument. A strategy
 * runs entirely on the calling (reading) thread and hands the trainer buffers of tuples in the order SGD must see
 * them; the trainer trains on one buffer while the strategy fills the next (double buffering).
 *
 * <p>Lifecycle: {@link #open} once, then per epoch {@link #rescan} followed by {@link #nextBuffer} until it returns
 * false, then {@link #close}.
 *
 * <table>
 *   <caption>strategies</caption>
 *   <tr><th>name</th><th>order within an epoch</th></tr>
 *   <tr><td>corgipile</td><td>random block order, buffered blocks' tuples shuffled (fresh permutation per buffer)</td></tr>
 *   <tr><td>block_only</td><td>random block order, tuples of a block in storage order</td></tr>
 *   <tr><td>none</td><td>storage order</td></tr>
 *   <tr><td>shuffle_once</td><td>one random permutation of all tuples drawn at open, reused every epoch</td></tr>
 *   <tr><td>epoch_shuffle</td><td>a fresh random permutation of all tuples every epoch</td></tr>
 *   <tr><td>sliding_window</td><td>storage order through a TensorFlow-style shuffle window of buffer_size</td></tr>
 *   <tr><td>mrs</td><td>Bismarck's multiplexed reservoir sampling (a sample, not a permutation)</td></tr>
 * </table>
 */
public interface ShuffleStrategy {
    /** Tuples per buffer handed to the trainer by strategies whose natural unit is not a shuffle buffer. */
    int CHUNK_TUPLES = 8192;

    /** Most bytes of dense features in such a buffer (8192 tuples up to 128 features, fewer tuples above). */
    long CHUNK_BYTES = 8L << 20;

    /**
     * Tuples per chunk for {@code shape}: {@link #CHUNK_TUPLES}, but at most {@link #CHUNK_BYTES} of dense features,
     * so that the trainer's two chunk buffers stay O(1) instead of 2 x 8192 x 8 bytes (128 kB) per feature.
     */
    static int chunkTuples(FeatureShape shape) {
        if (shape.sparse()) {
            return CHUNK_TUPLES;
        }
        return (int) Math.max(1, Math.min(CHUNK_TUPLES, CHUNK_BYTES / (8L * Math.max(1, shape.dimension()))));
    }

    /**
     * What every strategy is built from.
     *
     * @param blockPages pages per block
     * @param bufferSize fraction (0, 1] of the table's pages, or a tuple count when {@code > 1}
     * @param seed       the training seed
     * @param hook       applied to every block read (validation, standardisation)
     * @param batchSize  the trainer's mini-batch (the tuple shuffle permutes in slices for per-tuple SGD)
     */
    record Config(int blockPages, double bufferSize, long seed, BlockShuffle.BlockHook hook, int batchSize) {
        /** Per-tuple SGD (batch_size 1). */
        public Config(int blockPages, double bufferSize, long seed, BlockShuffle.BlockHook hook) {
            this(blockPages, bufferSize, seed, hook, 1);
        }

        public static Config of(TrainSpec spec, BlockShuffle.BlockHook hook) {
            return new Config(spec.blockSize(), spec.bufferSize(), spec.seed(), hook, spec.batchSize());
        }
    }

    String name();

    /** Prepares the strategy over {@code source}; may read the whole relation (shuffle_once, epoch_shuffle). */
    void open(BlockSource source, Config config);

    /** Starts epoch {@code epoch} (1-based); called before every epoch, the first included. */
    void rescan(int epoch);

    /**
     * Clears {@code out} and fills it with the next tuples in training order, which a consumer sees after
     * {@link TupleBuffer#settle()} or through {@link TupleBuffer#gatherDense} (corgipile leaves its tuple
     * permutation pending, to be applied on the compute thread: {@code Sgd.consume} gathers the rows in that order).
     *
     * @return false when the epoch is over ({@code out} is then empty)
     */
    boolean nextBuffer(TupleBuffer out);

    void close();

    /** The strategy called {@code name} (one of {@link TrainSpec#SHUFFLES}). */
    static ShuffleStrategy named(String name) {
        return switch (name) {
            case "corgipile" -> new CorgiPileStrategy();
            case "block_only" -> new BlockOnlyStrategy();
            case "none" -> new NoShuffleStrategy();
            case "shuffle_once" -> new ShuffleOnceStrategy();
            case "epoch_shuffle" -> new EpochShuffleStrategy();
            case "sliding_window" -> new SlidingWindowStrategy();
            case "mrs" -> new MrsStrategy();
            default -> throw new InvalidSpecException("shuffle must be one of " + String.join(", ", TrainSpec.SHUFFLES)
                    + ", got \"" + name + "\"");
        };
    }

    /**
     * Tuples a window/reservoir of {@code bufferSize} holds: the count itself, or for a fraction, that fraction of
     * the table's tuples estimated from the density of the first block (the table size is not known before a full
     * pass). At least 1.
     */
    static int windowTuples(double bufferSize, long pageCount, int firstBlockTuples, int firstBlockPages) {
        if (bufferSize > 1) {
            return (int) bufferSize;
        }
        double perPage = firstBlockPages == 0 ? 0 : (double) firstBlockTuples / firstBlockPages;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE - 8, Math.round(bufferSize * pageCount * perPage)));
    }
}
