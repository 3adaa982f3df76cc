package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Issue 13 (warm epoch's fixed costs): at every epoch boundary the compute thread sat idle until the reading thread
 * had woken up from waiting for it, logged the finished epoch (the listener: train_sgd's NOTICE, pg_stat_activity,
 * /proc/self/io) and submitted the next epoch's first buffer, which it had already read. Traced in a warm
 * 200,000 x 28 {@code corgipile} training on the shared VM, SGD stood still 8-17 ms per boundary that way, of
 * 70-90 ms epochs. Now the next epoch's first buffer goes to SGD as soon as it is read, with the epoch boundary
 * (the epoch's running loss, tuples, rate and SGD time taken, the next epoch's rate set) at the front of its job.
 */
class SgdGoesOnWhileTheEpochIsLoggedTest {
    private static final SyntheticData DATA = SyntheticData.logistic(20_000, 10, 4, 5, false);

    private static TrainSpecBuilder spec() {
        // four buffers per epoch, a decaying rate (a rate set at the wrong moment would change the model)
        return TrainSpec.builder().epochs(4).blockSize(4).bufferSize(0.25).seed(3).standardize(false)
                .learningRate(0.05).decay(0.7);
    }

    @Test
    void theNextEpochsFirstBufferIsTrainedWhileTheEpochIsLogged() {
        List<String> seen = new ArrayList<>();
        TrainingProgress[] progress = new TrainingProgress[1];
        EpochListener listener = new EpochListener() {
            @Override
            public void progressAvailable(TrainingProgress p) {
                progress[0] = p;
            }

            @Override
            public void epochFinished(EpochStats s) {
                // SGD is already in the next epoch (its count restarted) unless this was the last one; before,
                // it waited for this call to return, so the count was still this epoch's
                seen.add(s.epoch() + ":" + (progress[0].tuples() != s.tuples()));
            }
        };
        TrainResult r = Trainer.train(spec().build(), DATA.source(20), null, listener);
        assertEquals(List.of("1:true", "2:true", "3:true", "4:false"), seen);
        for (EpochStats s : r.epochs()) {
            assertEquals(20_000, s.tuples());
            assertTrue(s.extra().get("compute_seconds") <= s.seconds(), s.toString());
        }
    }

    /**
     * The same model bit for bit, and the same running loss, rate and tuples per epoch, as training that stops SGD
     * at every boundary (a metrics pass needs the epoch's model, so it keeps the former hand-off).
     */
    @Test
    void theModelAndTheEpochLogAreThoseOfTheStoppingHandOff() {
        TrainResult flowing = Trainer.train(spec().build(), DATA.source(20), null, null);
        TrainResult stopping = Trainer.train(spec().trainMetrics("pass").build(), DATA.source(20), null, null);
        assertArrayEquals(stopping.model().parameters(), flowing.model().parameters());
        for (int i = 0; i < 4; i++) {
            EpochStats f = flowing.epochs().get(i);
            EpochStats p = stopping.epochs().get(i);
            assertEquals(p.extra().get("running_loss"), f.loss(), "epoch " + (i + 1));
            assertEquals(p.learningRate(), f.learningRate(), "epoch " + (i + 1));
            assertEquals(p.tuples(), f.tuples(), "epoch " + (i + 1));
        }
    }
}
