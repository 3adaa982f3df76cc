package org.corgipile.operators;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The line {@code train_sgd} raises as a NOTICE after every epoch, for a person in psql:
 * {@code epoch 3/10: loss 0.451234, accuracy 0.913350, 0.417 s, 200000 tuples} (the accuracy only when the epoch
 * measured one: a classifier, and not a shard's round). It is not an interface: programs read
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
        String accuracy = Double.isNaN(s.accuracy()) ? "" : ", accuracy " + number(s.accuracy());
        return "epoch " + s.epoch() + "/" + epochs + ": loss " + number(s.loss()) + accuracy + ", "
                + fixed(s.seconds(), 3) + " s, " + s.tuples() + " tuples";
    }

    /** True for a NOTICE that reports an epoch (its facts come through the structured channel too). */
    public static boolean isEpochLine(String notice) {
        return notice != null && EPOCH_LINE.matcher(notice).find();
    }

    /** Six decimals, or "n/a" for a metric that does not apply (NaN). */
    public static String number(double v) {
        return Double.isNaN(v) ? "n/a" : fixed(v, 6);
    }

    /**
     * {@code String.format(Locale.ROOT, "%.<digits>f", v)}: for a finite non-negative value (an epoch's loss,
     * accuracy, seconds) the formatter's half-up rounding of the shortest decimal of {@code v}, without the formatter
     * (called once per epoch on the reading thread, too rarely to be compiled: ~100 microseconds a call interpreted,
     * BigDecimal ~8; {@code EpochNoticeTest}); anything else through the formatter.
     */
    static String fixed(double v, int digits) {
        if (!Double.isFinite(v) || v < 0 || v == 0 && 1 / v < 0) {
            return String.format(Locale.ROOT, "%." + digits + "f", v);
        }
        return BigDecimal.valueOf(v).setScale(digits, RoundingMode.HALF_UP).toPlainString();
    }
}
