package org.corgipile.cli;

import java.io.PrintWriter;
import java.util.Locale;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

import org.corgipile.client.TrainMode;
import org.corgipile.client.TrainingListener;
import org.corgipile.operators.EpochStats;

/**
 * Draws one progress bar per epoch on stderr ({@code epoch 3/10  42% [=====>     ] 540/1280 pages}; tuples in server
 * mode, from {@code corgipile.training_progress}) and closes it with the epoch's loss and the accuracies measured: one
 * line per epoch, always.
 *
 * <p>On a terminal the bar redraws in place with carriage returns; elsewhere (a pipe, a CI log, an in-process test)
 * each epoch prints one final line, so logs stay readable. A message (the server's sizing NOTICEs) that arrives
 * before the epoch has done anything comes first, without an empty bar above it.
 */
final class EpochProgress implements TrainingListener {
    private final PrintWriter err;
    private final boolean interactive;
    private int epochs;
    private String unit = " pages";
    private ProgressBar bar;
    private Consumer consumer;
    private int barEpoch;

    EpochProgress(PrintWriter err, boolean interactive) {
        this.err = err;
        this.interactive = interactive;
    }

    @Override
    public void started(TrainMode mode, int epochs) {
        this.epochs = epochs;
        this.unit = mode == TrainMode.SERVER ? " tuples" : " pages";
        err.println("corgipile: training in " + mode + " mode"
                + (epochs > 0 ? ", " + epochs + (epochs == 1 ? " epoch" : " epochs") : ""));
        err.flush();
    }

    @Override
    public void epochProgress(int epoch, long done, long total) {
        if (bar == null || barEpoch != epoch) {
            closeBar(null);
            barEpoch = epoch;
            epochs = Math.max(epochs, epoch);
            consumer = new Consumer(err, interactive);
            bar = new ProgressBarBuilder()
                    .setTaskName("epoch " + epoch + (epochs > 0 ? "/" + epochs : ""))
                    .setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(200)
                    .setUnit(unit, 1)
                    .setConsumer(consumer)
                    .build();
        }
        bar.maxHint(total);
        bar.stepTo(done);
    }

    @Override
    public void epochFinished(EpochStats s) {
        long tuples = Math.max(1, s.tuples());
        if (bar == null || barEpoch != s.epoch()) {
            epochProgress(s.epoch(), tuples, tuples);
        } else if (unit.equals(" tuples")) {
            bar.maxHint(tuples);                         // the first epoch's total was an estimate
        }
        // a metric not measured (NaN: the training accuracy of a regression model or a sharded table, no
        // validation relation) is left out
        StringBuilder line = new StringBuilder("loss ").append(TextTable.num(s.loss()));
        if (!Double.isNaN(s.accuracy())) {
            line.append(", accuracy ").append(TextTable.num(s.accuracy()));
        }
        if (!Double.isNaN(s.validationAccuracy())) {
            line.append(", val_accuracy ").append(TextTable.num(s.validationAccuracy()));
        }
        closeBar(line.append(String.format(Locale.ROOT, ", %.2f s", s.seconds())).toString());
    }

    @Override
    public void message(String text) {
        if (bar != null && bar.getCurrent() == 0) {
            // server mode sees epoch 1 in corgipile.training_progress before the server's sizing NOTICEs arrive: a
            // bar that has done nothing is dropped, not printed as "epoch 1/5   0% [   ]" above the messages; the
            // next progress starts it again
            consumer.discard();
            bar.close();
            bar = null;
        }
        closeBar(null);
        err.println("corgipile: " + text);
        err.flush();
    }

    private void closeBar(String extra) {
        if (bar != null) {
            if (extra != null) {
                bar.stepTo(bar.getMax());
                bar.setExtraMessage(extra);
            }
            bar.close();
            // progressbar 0.10.1 does not close its consumer when the bar is closed before its first scheduled
            // render (a short epoch): the epoch's line was lost. Closing is idempotent, so close it here too.
            consumer.close();
            bar = null;
        }
    }

    /** Writes renders to a {@link PrintWriter}: in place on a terminal, only the last one otherwise. */
    private static final class Consumer implements ProgressBarConsumer {
        private final PrintWriter out;
        private final boolean interactive;
        private String last = "";
        private boolean closed;

        Consumer(PrintWriter out, boolean interactive) {
            this.out = out;
            this.interactive = interactive;
        }

        @Override
        public int getMaxRenderedLength() {
            // the closing line of a 10-epoch run on a million rows with every metric ("epoch 10/10 100% [=]
            // 1000000/1000000 tuples (0:00:00 / 0:00:00) loss 0.6473, accuracy 0.6954, val_accuracy 0.6925,
            // 12.04 s") is 123 characters with a bar of one; the bar takes what is left
            return 132;
        }

        /** Drops the bar: erases what it drew on a terminal; nothing more is drawn or printed. */
        synchronized void discard() {
            if (interactive && !closed && !last.isEmpty()) {
                out.print('\r' + " ".repeat(last.length()) + '\r');
                out.flush();
            }
            closed = true;
        }

        @Override
        public synchronized void accept(String rendered) {
            if (closed) {
                return;
            }
            last = rendered;
            if (interactive) {
                out.print('\r');
                out.print(rendered);
                out.flush();
            }
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (!interactive) {
                out.print(last);
            }
            out.println();
            out.flush();
        }
    }
}
