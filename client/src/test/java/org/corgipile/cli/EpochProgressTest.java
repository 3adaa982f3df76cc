package org.corgipile.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import org.corgipile.operators.EpochStats;
import org.junit.jupiter.api.Test;

/** The line that closes each epoch's progress bar. */
class EpochProgressTest {
    private static String finished(EpochStats s) {
        StringWriter err = new StringWriter();
        EpochProgress p = new EpochProgress(new PrintWriter(err, true), false);
        p.epochProgress(1, 100, 100);
        p.epochFinished(s);
        return err.toString();
    }

    /** Bug: "corgipile: training in server mode, 1 epochs". */
    @Test
    void oneEpochIsSingular() {
        StringWriter err = new StringWriter();
        EpochProgress p = new EpochProgress(new PrintWriter(err, true), false);
        p.started(org.corgipile.client.TrainMode.SERVER, 1);
        p.started(org.corgipile.client.TrainMode.CLIENT, 3);
        assertEquals("corgipile: training in server mode, 1 epoch\ncorgipile: training in client mode, 3 epochs\n",
                err.toString());
    }

    /**
     * Bug: when the training accuracy is not measured (NaN: a regression model, a sharded table) every epoch's
     * line ended "loss 0.6716, accuracy , 0.14 s"; a metric that was not measured is left out, a validation
     * accuracy is shown.
     */
    @Test
    void metricsThatWereNotMeasuredAreLeftOut() {
        String line = finished(new EpochStats(1, 0.6716, Double.NaN, Double.NaN, Double.NaN, 0.01, 0.14, 100,
                Map.of()));
        assertTrue(line.contains("loss 0.6716, 0.14 s"), line);
        assertTrue(!line.contains("accuracy"), line);
        String validation = finished(new EpochStats(1, 0.6716, Double.NaN, 0.7, 0.8125, 0.01, 0.14, 100, Map.of()));
        assertTrue(validation.contains("loss 0.6716, val_accuracy 0.8125, 0.14 s"), validation);
        String both = finished(new EpochStats(1, 0.5, 0.75, Double.NaN, Double.NaN, 0.01, 0.14, 100, Map.of()));
        assertTrue(both.contains("loss 0.5000, accuracy 0.7500, 0.14 s"), both);
    }

    /**
     * Bug: in server mode the client polls corgipile.training_progress, sees epoch 1 at 0 tuples before the server's
     * sizing and learning-rate NOTICEs arrive, and printed "epoch 1/5   0% [   ]  0/200070 tuples (0:00:00 / ?)"
     * above them (stderr not a terminal); client mode prints the messages first and no empty bar.
     */
    @Test
    void serverModeMessagesComeBeforeAnyEmptyBar() {
        StringWriter err = new StringWriter();
        EpochProgress p = new EpochProgress(new PrintWriter(err, true), false);
        p.started(org.corgipile.client.TrainMode.SERVER, 5);
        p.epochProgress(1, 0, 200_070);
        p.message("block_size 16 pages (derived)");
        p.message("learning_rate 0.01 (derived)");
        p.epochProgress(1, 0, 200_070);
        p.epochProgress(1, 100_000, 200_070);
        p.epochFinished(new EpochStats(1, 0.6716, Double.NaN, Double.NaN, Double.NaN, 0.01, 0.14, 200_070, Map.of()));
        String[] lines = err.toString().split("\n");
        assertEquals(4, lines.length, err.toString());
        assertEquals("corgipile: training in server mode, 5 epochs", lines[0]);
        assertEquals("corgipile: block_size 16 pages (derived)", lines[1]);
        assertEquals("corgipile: learning_rate 0.01 (derived)", lines[2]);
        assertTrue(lines[3].startsWith("epoch 1/5 100%") && lines[3].contains("loss 0.6716"), lines[3]);
    }

    /**
     * Bug: once the default metrics measured a training accuracy, an epoch's closing line of a 1M-row table (loss,
     * accuracy, val_accuracy, seconds) was cut at 100 characters: "... accuracy 0.6953, val_accuracy 0." and no
     * seconds.
     */
    @Test
    void theClosingLineOfAnEpochWithEveryMetricIsNotCut() {
        StringWriter err = new StringWriter();
        EpochProgress p = new EpochProgress(new PrintWriter(err, true), false);
        p.started(org.corgipile.client.TrainMode.SERVER, 10);
        p.epochProgress(10, 1_000_000, 1_000_000);
        p.epochFinished(new EpochStats(10, 0.6473, 0.6954, 0.6424, 0.6925, 0.01, 12.04, 1_000_000, Map.of()));
        String line = err.toString().split("\n")[1];
        assertTrue(line.endsWith("loss 0.6473, accuracy 0.6954, val_accuracy 0.6925, 12.04 s"), line);
        assertTrue(line.startsWith("epoch 10/10 100% [="), line);
    }
}
