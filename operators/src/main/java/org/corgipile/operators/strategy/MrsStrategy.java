package org.corgipile.operators.strategy;

import java.util.SplittableRandom;
import org.corgipile.operators.BlockShuffle;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.Seeds;
import org.corgipile.operators.TupleBuffer;

/**
 * Bismarck's multiplexed reservoir sampling (Feng et al., SIGMOD 2012), made deterministic.
 *
 * <p>Bismarck runs two workers: an I/O worker scans the table and keeps a reservoir sample of B tuples; every tuple
 * that does not enter the reservoir, or is evicted from it, goes straight to SGD. A memory worker meanwhile loops
 * over the reservoir filled during the previous epoch, also doing SGD steps. Here the two paths are multiplexed on
 * one stream: after every tuple of the I/O path comes one tuple of the memory path (the previous reservoir, cycled
 * through in a fresh random order each pass).
 *
 * <p>What SGD sees per epoch, so this is sampling and not a permutation: the table in storage order minus the B
 * tuples that end up in the reservoir (Algorithm R, seeded), interleaved with as many draws from the previous
 * epoch's reservoir — about 2 (N - B) tuples, N - B in epoch 1. Tuples that end in the final epoch's reservoir are
 * not trained on in that epoch. B is buffer_size (a tuple count, or a fraction estimated from the first block). A
 * table no larger than B has no I/O path to multiplex: each epoch is then the table in a random order.
 */
public final class MrsStrategy implements ShuffleStrategy {
    private BlockShuffle blocks;
    private Config config;
    private BlockSource source;
    private SlotArena reservoir;
    private TupleBuffer previous;
    private int[] previousOrder;
    private int previousPos;
    private TupleBuffer incoming;
    private int incomingPos;
    private long seen;
    private boolean done;
    private SplittableRandom rnd;

    @Override
    public String name() {
        return "mrs";
    }

    @Override
    public void open(BlockSource source, Config config) {
        this.source = source;
        this.config = config;
        blocks = new BlockShuffle(BlockShuffle.Order.STORAGE, config.blockPages(), config.seed(), config.hook());
        blocks.open(source);
        incoming = new TupleBuffer(source.shape(), 1024);
        previous = new TupleBuffer(source.shape(), 16);
        previousOrder = new int[0];
    }

    @Override
    public void rescan(int epoch) {
        blocks.rescan(epoch);
        rnd = new SplittableRandom(Seeds.derive(config.seed(), Seeds.SAMPLING, epoch));
        if (reservoir != null && epoch > 1) {
            // the reservoir of the epoch that just ended feeds this epoch's memory path
            previous.clear();
            for (int s = 0; s < reservoir.size(); s++) {
                reservoir.emit(s, previous);
            }
            reservoir.clear();
        }
        previousOrder = new int[previous.size()];
        previousPos = previousOrder.length;
        incoming.clear();
        incomingPos = 0;
        seen = 0;
        done = false;
    }

    private int nextIncoming() {
        while (incomingPos >= incoming.size()) {
            incoming.clear();
            incomingPos = 0;
            int n = blocks.nextBlock(incoming);
            if (n < 0) {
                return -1;
            }
            if (reservoir == null && n > 0) {
                int b = ShuffleStrategy.windowTuples(config.bufferSize(), blocks.pageCount(), n,
                        blocks.lastBlockPages());
                reservoir = new SlotArena(source.shape(), b);
            }
        }
        return incomingPos++;
    }

    /** Emits the next tuple of the previous reservoir, reshuffling at the start of each pass. */
    private void emitFromMemory(TupleBuffer out) {
        int n = previousOrder.length;
        if (n == 0) {
            return;
        }
        if (previousPos >= n) {
            for (int i = 0; i < n; i++) {
                previousOrder[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = previousOrder[i];
                previousOrder[i] = previousOrder[j];
                previousOrder[j] = t;
            }
            previousPos = 0;
        }
        out.addFrom(previous, previousOrder[previousPos++]);
    }

    @Override
    public boolean nextBuffer(TupleBuffer out) {
        out.clear();
        while (out.size() < CHUNK_TUPLES && !done) {
            int i = nextIncoming();
            if (i < 0) {
                done = true;
                if (reservoir != null && seen <= reservoir.capacity()) {
                    drainSmallTable(out);
                }
                break;
            }
            long n = seen++;
            if (reservoir.size() < reservoir.capacity()) {
                reservoir.append(incoming, i);
                continue;
            }
            long j = rnd.nextLong(n + 1);
            if (j < reservoir.capacity()) {
                reservoir.emit((int) j, out);
                reservoir.replace((int) j, incoming, i);
            } else {
                out.addFrom(incoming, i);
            }
            emitFromMemory(out);
        }
        return !out.isEmpty();
    }

    /**
     * The whole table fit in the reservoir, so nothing took the I/O path: there is nothing to multiplex, and the
     * epoch degenerates to the reservoir in a random order (emptied, so the next epoch does the same).
     */
    private void drainSmallTable(TupleBuffer out) {
        int n = reservoir.size();
        int[] order = new int[n];
        for (int k = 0; k < n; k++) {
            order[k] = k;
        }
        for (int k = n - 1; k > 0; k--) {
            int j = rnd.nextInt(k + 1);
            int t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        for (int k : order) {
            reservoir.emit(k, out);
        }
        reservoir.clear();
    }

    @Override
    public void close() {
        if (blocks != null) {
            blocks.close();
        }
        reservoir = null;
        previous = null;
    }
}
