package org.corgipile.operators.strategy;

import java.util.SplittableRandom;
import org.corgipile.operators.BlockShuffle;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.Seeds;
import org.corgipile.operators.TupleBuffer;

/**
 * TensorFlow's {@code Dataset.shuffle(buffer_size)} over the table in storage order: the window first fills with
 * the first W tuples; then every incoming tuple takes the place of a uniformly chosen slot, whose previous tuple is
 * emitted; at the end of the epoch the window is drained in a random order. Every tuple is emitted exactly once per
 * epoch, and the window starts empty every epoch (TF's reshuffle_each_iteration).
 *
 * <p>W is buffer_size: a tuple count, or a fraction of the table estimated from the first block's tuples per page.
 * A tuple can move only about W positions earlier than storage order, which is why this fails on clustered data
 * unless W is close to the table size.
 */
public final class SlidingWindowStrategy implements ShuffleStrategy {
    private BlockShuffle blocks;
    private Config config;
    private SlotArena window;
    private TupleBuffer incoming;
    private int incomingPos;
    private boolean drained;
    private boolean draining;
    private int[] drainOrder;
    private int drainPos;
    private SplittableRandom rnd;
    private BlockSource source;

    @Override
    public String name() {
        return "sliding_window";
    }

    @Override
    public void open(BlockSource source, Config config) {
        this.source = source;
        this.config = config;
        blocks = new BlockShuffle(BlockShuffle.Order.STORAGE, config.blockPages(), config.seed(), config.hook());
        blocks.open(source);
        incoming = new TupleBuffer(source.shape(), 1024);
    }

    @Override
    public void rescan(int epoch) {
        blocks.rescan(epoch);
        rnd = new SplittableRandom(Seeds.derive(config.seed(), Seeds.TUPLE_ORDER, epoch));
        if (window != null) {
            window.clear();
        }
        incoming.clear();
        incomingPos = 0;
        draining = false;
        drained = false;
        drainPos = 0;
    }

    /** Next incoming tuple index in the incoming buffer, reading a new block when needed; -1 at the end. */
    private int nextIncoming() {
        while (incomingPos >= incoming.size()) {
            incoming.clear();
            incomingPos = 0;
            int n = blocks.nextBlock(incoming);
            if (n < 0) {
                return -1;
            }
            if (window == null && n > 0) {
                int w = ShuffleStrategy.windowTuples(config.bufferSize(), blocks.pageCount(), n,
                        blocks.lastBlockPages());
                window = new SlotArena(source.shape(), w);
            }
        }
        return incomingPos++;
    }

    @Override
    public boolean nextBuffer(TupleBuffer out) {
        out.clear();
        while (out.size() < CHUNK_TUPLES && !drained) {
            if (!draining) {
                int i = nextIncoming();
                if (i < 0) {
                    startDrain();
                    continue;
                }
                if (window.size() < window.capacity()) {
                    window.append(incoming, i);
                } else {
                    int s = rnd.nextInt(window.capacity());
                    window.emit(s, out);
                    window.replace(s, incoming, i);
                }
            } else if (drainPos < drainOrder.length) {
                window.emit(drainOrder[drainPos++], out);
            } else {
                drained = true;
            }
        }
        return !out.isEmpty();
    }

    private void startDrain() {
        draining = true;
        int n = window == null ? 0 : window.size();
        drainOrder = new int[n];
        for (int i = 0; i < n; i++) {
            drainOrder[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = drainOrder[i];
            drainOrder[i] = drainOrder[j];
            drainOrder[j] = t;
        }
        drainPos = 0;
    }

    @Override
    public void close() {
        if (blocks != null) {
            blocks.close();
        }
        window = null;
    }
}
