package org.corgipile.operators;

import java.util.SplittableRandom;

/**
 * Physical operator 2 of CorgiPile: the in-memory tuple shuffle. Fills a buffer with whole blocks from a
 * {@link BlockShuffle} and emits the buffered tuples in a <b>fresh</b> Fisher–Yates permutation — a new one for
 * every buffer of every epoch (the original C code drew one permutation and reused it, which correlates the orders
 * of successive buffers; we do not).
 *
 * <p>Slices: for per-tuple SGD (the default batch_size 1) a dense buffer is permuted in slices of up to
 * {@link #SLICE_MAX_ROWS} rows that lie next to each other in the buffer (about 4 kB of features, {@link #sliceRows}),
 * the slices in a fresh Fisher–Yates order ({@link FisherYates#permuteRuns}): the trainer then reads the buffer in
 * runs of consecutive rows instead of one random row at a time, at the cost of per-tuple steps on up to 18 (28
 * doubles) or 28 (18 doubles) rows of one block next to each other. Wide rows (more than 256 doubles), sparse rows
 * and mini-batches are permuted row by row.
 *
 * <p>Buffer size: with a fraction f of the table, blocks are added while the buffered pages are below
 * {@code f * pageCount}; with a tuple count n, while the buffered tuples are below n. A buffer always holds at least
 * one block and never splits a block, so it can overshoot the target by less than one block. Empty blocks count
 * towards the target but do not end a buffer that holds no tuple yet: {@link #nextBuffer} returns false only at
 * the end of the epoch's block order, never because a run of blocks was empty.
 *
 * <p>Lifecycle: {@link #open}, {@link #rescan} (new epoch: rescans the input, new random stream),
 * {@link #nextBuffer} (fills the caller's buffer; false at the end of the epoch), {@link #close}. A dense buffer
 * comes back with its permutation drawn but not applied: the consumer reads it through the permutation
 * ({@link TupleBuffer#gatherDense}, as {@link Sgd} does) or calls {@link TupleBuffer#settle()}; for the same
 * reason its standardisation is left to that gather ({@link TupleBuffer#deferStandardization()}), which moves a
 * pass over every row off the reading thread.
 */
public final class TupleShuffle {
    private final BlockShuffle input;
    private final double bufferSize;
    private final long seed;
    /** Per-tuple SGD: dense buffers are permuted in slices of {@link #sliceRows} rows. */
    private final boolean slices;
    private SplittableRandom rnd;
    private TupleBuffer staging;
    /** Rows per slice of a dense buffer's permutation ({@link #sliceRows}; 1: row by row). */
    private int sliceRows = 1;

    /**
     * A tuple shuffle for per-tuple SGD (batch_size 1): dense buffers are permuted in slices ({@link #sliceRows}).
     *
     * @param bufferSize fraction (0, 1] of the table's pages, or a tuple count when {@code > 1}
     */
    public TupleShuffle(BlockShuffle input, double bufferSize, long seed) {
        this(input, bufferSize, seed, 1);
    }

    /**
     * @param bufferSize fraction (0, 1] of the table's pages, or a tuple count when {@code > 1}
     * @param batchSize  the trainer's mini-batch: 1 permutes dense buffers in slices of rows; a larger mini-batch
     *                   row by row, so that its rows come from as many places of the buffer as it has rows
     */
    public TupleShuffle(BlockShuffle input, double bufferSize, long seed, int batchSize) {
        this.input = input;
        this.bufferSize = bufferSize;
        this.seed = seed;
        this.slices = batchSize == 1;
    }

    /** Opens the input on {@code source} and prepares epoch 1. */
    public void open(BlockSource source) {
        input.open(source);
        FeatureShape shape = source.shape();
        if (shape.sparse()) {
            staging = new TupleBuffer(shape, 1024);
        } else if (slices) {
            sliceRows = sliceRows(shape.dimension());
        }
        rnd = new SplittableRandom(Seeds.derive(seed, Seeds.TUPLE_ORDER, 1));
    }

    public void rescan(int epoch) {
        input.rescan(epoch);
        rnd = new SplittableRandom(Seeds.derive(seed, Seeds.TUPLE_ORDER, epoch));
    }

    /**
     * Clears {@code out} and fills it with the next buffer of shuffled tuples.
     *
     * @return false when the epoch has no more blocks holding a tuple ({@code out} is then empty)
     */
    public boolean nextBuffer(TupleBuffer out) {
        out.clear();
        TupleBuffer target = staging != null ? staging : out;
        target.clear();
        if (staging == null) {
            out.deferStandardization(); // read through gatherDense/settle below
        }
        double targetPages = bufferSize <= 1 ? bufferSize * input.pageCount() : Double.POSITIVE_INFINITY;
        double targetTuples = bufferSize <= 1 ? Double.POSITIVE_INFINITY : bufferSize;
        long pages = 0;
        boolean reserved = false;
        while (true) {
            int n = input.nextBlock(target);
            if (n < 0) {
                break;
            }
            pages += input.lastBlockPages();
            if (!reserved && target.size() > 0) {
                reserved = true;
                target.reserve(expectedRows(target.size(), pages, targetPages, targetTuples));
            }
            // a buffer is full when it reaches its size AND holds a tuple: blocks of empty pages (DELETE + VACUUM,
            // rows with a NULL label or features) are holes in the table, not its end, so reading goes on past
            // them; only the end of the block order (n < 0) ends the epoch
            if ((pages >= targetPages || target.size() >= targetTuples) && target.size() > 0) {
                break;
            }
        }
        int size = target.size();
        if (size == 0) {
            return false;
        }
        if (staging == null) {
            // dense: Fisher–Yates over slices of row indices here; the rows are never moved in the buffer: Sgd
            // gathers them in this order, chunk by chunk, on the compute thread while this thread reads the next
            // buffer (other consumers settle() the buffer). Moving ~200-byte rows to random places in place cost
            // ~15x drawing the indices (TuplePermutationBenchmark); gathering them one by one out of a buffer
            // larger than the cache, a miss to memory per row, bounded the warm epoch: a slice is one copy
            // (TupleBuffer.gatherDense copies runs of consecutive rows at once)
            FisherYates.permuteRuns(out.permutationArray(size), size, sliceRows, rnd);
            out.deferPermutation();
        } else {
            for (int i : FisherYates.permutation(size, rnd)) {
                out.addFrom(staging, i);
            }
        }
        return true;
    }

    /**
     * The rows of a full buffer at the density of its first block(s), plus one block (a buffer overshoots its
     * target by less than one): reserved once the first block is in, so the first buffers of a training do not grow
     * in 1.5x steps (copies of up to 32 MB, ~0.13 s of epoch 1 on the hdd profile) nor keep up to 50% unused
     * capacity. A small table's buffer is small; later buffers reuse the capacity.
     */
    private int expectedRows(int rows, long pages, double targetPages, double targetTuples) {
        double perPage = (double) rows / Math.max(1, pages);
        // never more than the table, whatever block_size or buffer_size say (both may exceed it)
        double expected = Math.min(Math.min(targetTuples, targetPages * perPage) + input.blockPages() * perPage,
                Math.max(1, input.pageCount()) * perPage);
        return (int) Math.min(Integer.MAX_VALUE - 8, Math.ceil(expected));
    }

    /** Most bytes of features in a slice of a dense buffer's permutation ({@link #sliceRows}). */
    static final int SLICE_BYTES = 4096;
    /** Most rows in a slice: a slice is that many per-tuple steps on rows of one block, next to each other. */
    static final int SLICE_MAX_ROWS = 32;

    /**
     * Rows per slice of a dense buffer's permutation for per-tuple SGD: as many rows as fit {@link #SLICE_BYTES} of
     * features (64 cache lines: the hardware prefetcher streams a slice after its first lines, where a row on its
     * own costs a miss to memory per row out of a buffer larger than the cache), at most {@link #SLICE_MAX_ROWS},
     * at least one (rows of more than 256 doubles are permuted one by one). 18 rows at 28 doubles, 28 at 18.
     */
    static int sliceRows(int dimension) {
        return Math.max(1, Math.min(SLICE_MAX_ROWS, SLICE_BYTES / (8 * Math.max(1, dimension))));
    }

    public BlockShuffle input() {
        return input;
    }

    public void close() {
        input.close();
        staging = null;
    }
}
