package org.corgipile.operators.strategy;

import java.util.SplittableRandom;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.FisherYates;
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
    private SlotFeed feed;
    private long seed;
    private boolean drained;
    private boolean draining;
    private int[] drainOrder;
    private int drainPos;
    private SplittableRandom rnd;

    @Override
    public String name() {
        return "sliding_window";
    }

    @Override
    public void open(BlockSource source, Config config) {
        seed = config.seed();
        feed = new SlotFeed(source, config);
    }

    @Override
    public void rescan(int epoch) {
        feed.rescan(epoch);
        rnd = new SplittableRandom(Seeds.derive(seed, Seeds.TUPLE_ORDER, epoch));
        if (feed.slots() != null) {
            feed.slots().clear();
        }
        draining = false;
        drained = false;
        drainPos = 0;
    }

    @Override
    public boolean nextBuffer(TupleBuffer out) {
        out.clear();
        while (out.size() < ShuffleStrategy.chunkTuples(out.shape()) && !drained) {
            if (!draining) {
                int i = feed.next();
                if (i < 0) {
                    startDrain();
                    continue;
                }
                SlotArena window = feed.slots();
                if (window.size() < window.capacity()) {
                    window.append(feed.incoming(), i);
                } else {
                    int s = rnd.nextInt(window.capacity());
                    window.emit(s, out);
                    window.replace(s, feed.incoming(), i);
                }
            } else if (drainPos < drainOrder.length) {
                feed.slots().emit(drainOrder[drainPos++], out);
            } else {
                drained = true;
            }
        }
        return !out.isEmpty();
    }

    private void startDrain() {
        draining = true;
        drainOrder = FisherYates.permutation(feed.slots() == null ? 0 : feed.slots().size(), rnd);
        drainPos = 0;
    }

    @Override
    public void close() {
        if (feed != null) {
            feed.close();
        }
    }
}
