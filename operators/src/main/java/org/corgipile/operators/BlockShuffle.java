package org.corgipile.operators;

import java.util.SplittableRandom;

/**
 * Physical operator 1 of CorgiPile: the scan. Splits the relation into blocks of {@code blockPages} consecutive heap
 * pages (the last block may be partial and is kept) and returns them one at a time, either in a fresh seeded
 * random order every epoch ({@link Order#RANDOM}) or in storage order ({@link Order#STORAGE}). Pages inside a block
 * are always read in order, so each block is one sequential read. In random order the blocks that follow the one
 * being read are announced to the source ({@link BlockSource#willRead}) up to {@link #READ_AHEAD_PAGES} pages' worth
 * of bytes on disk ahead ({@link #readAheadPages}), so that storage reads them while this one is decoded.
 *
 * <p>Lifecycle like an executor node: {@link #open} (size the relation), {@link #rescan} (new epoch, new order),
 * {@link #nextBlock} (the next block's tuples, or -1 at the end), {@link #close}.
 *
 * <p>Every block goes through the {@link BlockHook} right after it is read — that is where input is validated
 * (NaN/Inf, labels) and standardised, once, on the thread that reads. {@link BlockSource#checkInterrupts()} is
 * called before every block.
 */
public final class BlockShuffle {
    /** Block visiting order. */
    public enum Order { RANDOM, STORAGE }

    /** Applied to the rows {@code [from, to)} of a block just appended to a buffer. */
    @FunctionalInterface
    public interface BlockHook {
        void accept(TupleBuffer buffer, int from, int to);

        /**
         * Like {@link #accept(TupleBuffer, int, int)}, told the source the rows came from: a validating hook skips
         * the checks it already made ({@link BlockSource#valuesAreFinite()}) and names a bad value as the source
         * does ({@link BlockSource#describeValue(int, long)}).
         */
        default void accept(TupleBuffer buffer, int from, int to, BlockSource source) {
            accept(buffer, from, to);
        }

        BlockHook NONE = (b, f, t) -> { };
    }

    /**
     * How far ahead of the block being read a random order is announced to the source: 4 MB. A single block ahead
     * (the former behaviour, 128-296 kB with the derived sizes) left the reading thread waiting for each small
     * block on the throttled ssd; 8 MB ahead made the emulated hdd (150 IOPS, a 33 MB page cache) evict announced
     * pages before their use and read the table up to 4 times per epoch. Measurements: docs/in-database.md,
     * "Random block order at sequential bandwidth".
     */
    public static final int READ_AHEAD_PAGES = 512;

    /**
     * {@link #READ_AHEAD_PAGES} in heap pages of {@code source}: 4 MB on disk, so fewer heap pages when its rows keep
     * values out of line ({@link BlockSource#storedPageBytes()}; the source announces their TOAST pages with the heap
     * pages). Fashion-MNIST's 127-page blocks (1.7 MB on disk with their TOAST runs) were announced 5 blocks, 8.5 MB,
     * ahead: the depth at which announced pages are evicted from a 32 MB page cache before their turn.
     */
    public static int readAheadPages(BlockSource source) {
        return (int) Math.max(1, (long) READ_AHEAD_PAGES * Sizing.PAGE_BYTES
                / Math.max(Sizing.PAGE_BYTES, source.storedPageBytes()));
    }

    private final Order order;
    private final int blockPages;
    private final long seed;
    private final BlockHook hook;
    private BlockSource source;
    private long pageCount;
    private int blockCount;
    private int[] permutation;
    private int position;
    private int announced;          // blocks [0, announced) of the order were announced to the source
    private int aheadPages;         // readAheadPages(source)
    private int lastBlockPages;

    public BlockShuffle(Order order, int blockPages, long seed, BlockHook hook) {
        if (blockPages < 1) {
            throw new IllegalArgumentException("blockPages must be at least 1, got " + blockPages);
        }
        this.order = order;
        this.blockPages = blockPages;
        this.seed = seed;
        this.hook = hook == null ? BlockHook.NONE : hook;
    }

    /** Sizes the relation and prepares epoch 1. */
    public void open(BlockSource source) {
        this.source = source;
        this.pageCount = source.pageCount();
        this.aheadPages = readAheadPages(source);
        long blocks = (pageCount + blockPages - 1) / blockPages;
        if (blocks > Integer.MAX_VALUE - 8) {
            throw new InvalidSpecException("block_size " + blockPages + " gives " + blocks
                    + " blocks; must give at most " + (Integer.MAX_VALUE - 8) + " (use a larger block_size)");
        }
        this.blockCount = (int) blocks;
        this.permutation = new int[blockCount];
        rescan(1);
    }

    /** Starts epoch {@code epoch} (1-based): a new block order for RANDOM, storage order otherwise. */
    public void rescan(int epoch) {
        FisherYates.identity(permutation);
        if (order == Order.RANDOM) {
            FisherYates.shuffle(permutation, new SplittableRandom(Seeds.derive(seed, Seeds.BLOCK_ORDER, epoch)));
        }
        position = 0;
        announced = 0;
    }

    /**
     * Appends the next block's tuples to {@code into}.
     *
     * @return the number of tuples appended (0 for a block of empty pages), or -1 when the epoch has no more blocks
     */
    public int nextBlock(TupleBuffer into) {
        if (position >= blockCount) {
            return -1;
        }
        source.checkInterrupts();
        int block = permutation[position++];
        if (order == Order.RANDOM) {
            // this block and the next ones while fewer than aheadPages are announced ahead of it
            for (; announced < blockCount && (announced < position
                    || (long) (announced - position) * blockPages < aheadPages); announced++) {
                long ahead = (long) permutation[announced] * blockPages;
                source.willRead(ahead, (int) Math.min(blockPages, pageCount - ahead));
            }
        }
        long first = (long) block * blockPages;
        int pages = (int) Math.min(blockPages, pageCount - first);
        int from = into.size();
        int n = source.readPages(first, pages, into);
        if (into.size() != from + n) {
            throw new TrainingException(TrainingException.INTERNAL_ERROR, "block source reported " + n
                    + " tuples but appended " + (into.size() - from) + "; please report a bug", null);
        }
        hook.accept(into, from, into.size(), source);
        lastBlockPages = pages;
        return n;
    }

    /**
     * Appends whole blocks to {@code out} until it holds at least {@code minTuples} tuples or the epoch ends; block
     * order and tuple order are kept. Lets strategies that do not shuffle tuples hand the compute thread chunks of a
     * useful size even when blocks are small.
     *
     * @return false when the epoch had no more blocks and nothing was appended
     */
    public boolean fillBlocks(TupleBuffer out, int minTuples) {
        boolean any = false;
        while (out.size() < minTuples) {
            int n = nextBlock(out);
            if (n < 0) {
                break;
            }
            any = true;
        }
        return any && !out.isEmpty();
    }

    /** Pages of the block returned by the last {@link #nextBlock}. */
    public int lastBlockPages() {
        return lastBlockPages;
    }

    public long pageCount() {
        return pageCount;
    }

    public int blockCount() {
        return blockCount;
    }

    public int blockPages() {
        return blockPages;
    }

    /** The block order of the current epoch (a copy; for tests and diagnostics). */
    public int[] blockOrder() {
        return permutation.clone();
    }

    public BlockSource source() {
        return source;
    }

    public void close() {
        source = null;
        permutation = null;
    }
}
