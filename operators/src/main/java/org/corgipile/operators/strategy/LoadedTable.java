package org.corgipile.operators.strategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.corgipile.operators.BlockShuffle;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.FisherYates;
import org.corgipile.operators.Sizing;
import org.corgipile.operators.TrainingException;
import org.corgipile.operators.TupleBuffer;

/**
 * The whole relation in memory with an emission permutation: what the full-shuffle strategies need. Loading reads
 * every block once in storage order (through the hook, so validation and standardisation happen once); emitting
 * copies tuples in permutation order into the trainer's buffers, {@link ShuffleStrategy#chunkTuples} at a time.
 * Memory: the whole table (e.g. 10M x 28 dense = 2.3 GB), which is why these are baselines.
 *
 * <p>The rows are held in fixed-size chunks (a power of two rows each, about 1 MB of dense features), not in one
 * buffer grown by 1.5x steps: growing one buffer copied it at every step and needed the old and the new array at
 * once, up to 2.5x the rows at the last step, so Fashion-MNIST's ~420 MB of decoded rows did not fit the default
 * 1 GB {@code corgipile.max_heap}. Chunks are allocated once at their final size; the table then costs its rows plus
 * one chunk and one block. While loading, the rows still to read are estimated from the pages read so far; when
 * they cannot fit the Java heap, loading stops with SQLSTATE 53200 after the first blocks instead of failing after
 * reading most of the table (an OutOfMemoryError then).
 */
final class LoadedTable {
    /** Most bytes of dense features per chunk: a chunk is allocated at its final size by the TupleBuffer constructor. */
    private static final long CHUNK_BYTES = TupleBuffer.INITIAL_DENSE_BYTES;
    /** Rows per chunk of sparse rows (their non-zeros grow inside a chunk). */
    private static final int SPARSE_CHUNK_ROWS = 8192;

    private final BlockSource source;
    private final List<TupleBuffer> chunks = new ArrayList<>();
    private final int shift;
    private final int mask;
    private final int rows;
    private int[] perm;
    private int position;

    /** {@code strategy}: the strategy's SQL name, for the error when the table cannot fit the heap. */
    LoadedTable(BlockSource source, ShuffleStrategy.Config config, String strategy) {
        this.source = source;
        var shape = source.shape();
        int chunkRows = shape.sparse() ? SPARSE_CHUNK_ROWS
                : Integer.highestOneBit((int) Math.max(1, Math.min(1 << 20,
                        CHUNK_BYTES / (8L * Math.max(1, shape.dimension())))));
        shift = Integer.numberOfTrailingZeros(chunkRows);
        mask = chunkRows - 1;
        BlockShuffle blocks = new BlockShuffle(BlockShuffle.Order.STORAGE, config.blockPages(), config.seed(),
                config.hook());
        blocks.open(source);
        TupleBuffer block = new TupleBuffer(shape, 1024);
        TupleBuffer chunk = null;
        long n = 0;
        long bytes = 0;
        long pagesRead = 0;
        long pages = source.pageCount();
        boolean collected = false;
        try {
            while (true) {
                block.clear();
                int read = blocks.nextBlock(block);
                if (read < 0) {
                    break;
                }
                pagesRead += blocks.lastBlockPages();
                for (int i = 0; i < block.size(); i++) {
                    if (chunk == null || chunk.size() == chunkRows) {
                        chunk = new TupleBuffer(shape, chunkRows);
                        chunks.add(chunk);
                    }
                    chunk.addFrom(block, i);
                }
                n += block.size();
                bytes += rowBytes(block);
                if (n > Integer.MAX_VALUE - 8) {
                    throw new TrainingException(TrainingException.PROGRAM_LIMIT_EXCEEDED, "shuffle => '" + strategy
                            + "' holds at most " + (Integer.MAX_VALUE - 8) + " rows in memory; the relation has more",
                            "Use shuffle => 'corgipile'.");
                }
                // the rows still to read, at the density of the pages read so far, and the permutation's int per row
                double left = pagesRead >= pages ? 0 : (double) (pages - pagesRead) / pagesRead;
                long remaining = (long) Math.ceil(bytes * left);
                long need = remaining + 4 * (n + (long) Math.ceil(n * left));
                if (need > free()) {
                    if (!collected) {
                        collected = true;
                        System.gc(); // garbage of earlier calls may hold the heap: count only live memory
                    }
                    if (need > free()) {
                        Runtime rt = Runtime.getRuntime();
                        throw new TrainingException(TrainingException.OUT_OF_MEMORY, String.format(Locale.ROOT,
                                "shuffle => '%s' holds the whole relation in memory: about %s of rows (%d of %d "
                                        + "pages read: %s), more than the %s of Java heap left (maximum heap %s)", strategy, Sizing.bytes(bytes + remaining), pagesRead, pages,
                                Sizing.bytes(bytes), Sizing.bytes(Math.max(0, free())),
                                Sizing.bytes(rt.maxMemory())),
                                "Give the JVM more heap (corgipile.max_heap in the database, -Xmx for the client),"
                                        + " or use shuffle => 'corgipile', which holds one buffer.");
                    }
                }
            }
        } finally {
            blocks.close();
        }
        rows = (int) n;
        perm = new int[rows];
        FisherYates.identity(perm);
    }

    /** Bytes the rows of {@code b} take in a chunk (features, label, identity; CSR offsets for sparse rows). */
    private static long rowBytes(TupleBuffer b) {
        if (b.isEmpty()) {
            return 0;
        }
        if (b.shape().sparse()) {
            return 12L * (b.rowEnd(b.size() - 1) - b.rowStart(0)) + 20L * b.size();
        }
        return (8L * b.shape().dimension() + 16) * b.size();
    }

    /** Heap the JVM can still allocate. */
    private static long free() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /** Rows held. */
    int rows() {
        return rows;
    }

    /** Replaces the emission order by a fresh Fisher–Yates permutation from {@code seed}. */
    void permute(long seed) {
        FisherYates.permute(perm, new SplittableRandom(seed));
    }

    /** Restarts emission from the first tuple of the current permutation. */
    void restart() {
        position = 0;
    }

    boolean nextBuffer(TupleBuffer out) {
        out.clear();
        if (position >= perm.length) {
            return false;
        }
        source.checkInterrupts();
        int end = Math.min(perm.length, position + ShuffleStrategy.chunkTuples(out.shape()));
        for (; position < end; position++) {
            int r = perm[position];
            out.addFrom(chunks.get(r >>> shift), r & mask);
        }
        return true;
    }
}
