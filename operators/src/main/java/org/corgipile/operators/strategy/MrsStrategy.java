package org.corgipile.operators.strategy;

import java.util.SplittableRandom;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.FisherYates;
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
    private SlotFeed feed;
    private long seed;
    private TupleBuffer previous;
    private int[] previousOrder;
    private int previousPos;
    private long seen;
    private boolean done;
    private SplittableRandom rnd;

    @Override
    public String name() {
        return "mrs";
    }

    @Override
    public void open(BlockSource source, Config config) {
        seed = config.seed();
        feed = new SlotFeed(source, config);
        previous = new TupleBuffer(source.shape(), 16);
        previousOrder = new int[0];
    }

    @Override
    public void rescan(int epoch) {
        feed.rescan(epoch);
        rnd = new SplittableRandom(Seeds.derive(seed, Seeds.SAMPLING, epoch));
        SlotArena reservoir = feed.slots();
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
        seen = 0;
        done = false;
    }

    /** Emits the next tuple of the previous reservoir, reshuffling at the start of each pass. */
    private void emitFromMemory(TupleBuffer out) {
        int n = previousOrder.length;
        if (n == 0) {
            return;
        }
        if (previousPos >= n) {
            FisherYates.permute(previousOrder, rnd);
            previousPos = 0;
        }
        out.addFrom(previous, previousOrder[previousPos++]);
    }

    @Override
    public boolean nextBuffer(TupleBuffer out) {
        out.clear();
        while (out.size() < ShuffleStrategy.chunkTuples(out.shape()) && !done) {
            int i = feed.next();
            SlotArena reservoir = feed.slots();
            if (i < 0) {
                done = true;
                if (reservoir != null && seen <= reservoir.capacity()) {
                    drainSmallTable(reservoir, out);
                }
                break;
            }
            long n = seen++;
            if (reservoir.size() < reservoir.capacity()) {
                reservoir.append(feed.incoming(), i);
                continue;
            }
            long j = rnd.nextLong(n + 1);
            if (j < reservoir.capacity()) {
                reservoir.emit((int) j, out);
                reservoir.replace((int) j, feed.incoming(), i);
            } else {
                out.addFrom(feed.incoming(), i);
            }
            emitFromMemory(out);
        }
        return !out.isEmpty();
    }

    /**
     * The whole table fit in the reservoir, so nothing took the I/O path: there is nothing to multiplex, and the
     * epoch degenerates to the reservoir in a random order (emptied, so the next epoch does the same).
     */
    private void drainSmallTable(SlotArena reservoir, TupleBuffer out) {
        for (int k : FisherYates.permutation(reservoir.size(), rnd)) {
            reservoir.emit(k, out);
        }
        reservoir.clear();
    }

    @Override
    public void close() {
        if (feed != null) {
            feed.close();
        }
        previous = null;
    }
}
