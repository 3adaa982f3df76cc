package org.corgipile.operators;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The line {@code train_sgd} raises as a NOTICE after every epoch, for a person in psql:
 * {@code epoch 3/10: loss 0.451234, accuracy n/a, 0.417 s, 200000 tuples}. It is not an interface: programs read
 * an epoch's numbers from the structured channel ({@code corgipile.training_progress}'s activity object while the
 * training runs, the result rows at its end). The client only recognises these lines ({@link #isEpochLine}) so that
 * it does not show an epoch twice.
 */
public final class EpochNotice {
    /** An epoch line, whoever raised it (one server, or the coordinator of a sharded table). */
    private static final Pattern EPOCH_LINE = Pattern.compile("^epoch \\d+/\\d+: ");

    private EpochNotice() {
    }

    /** The NOTICE of epoch {@code s} of {@code epochs}. */
    public static String text(EpochStats s, int epochs) {
        return String.format(Locale.ROOT, "epoch %d/%d: loss %s, accuracy %s, %.3f s, %d tuples", s.epoch(), epochs,
                number(s.loss()), number(s.accuracy()), s.seconds(), s.tuples());
    }

    /** True for a NOTICE that reports an epoch (its facts come through the structured channel too). */
    public static boolean isEpochLine(String notice) {
        return notice != null && EPOCH_LINE.matcher(notice).find();
    }

    /** Six decimals, or "n/a" for a metric that does not apply (NaN). */
    public static String number(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.6f", v);
    }
}
