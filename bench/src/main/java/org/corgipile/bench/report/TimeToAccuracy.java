package org.corgipile.bench.report;

import java.util.List;
import java.util.Optional;

import org.corgipile.bench.engine.EpochResult;
import org.corgipile.bench.run.BenchResults.StrategyResult;
import org.corgipile.bench.run.BenchResults.TableResult;

/**
 * The headline metric: end-to-end time (preparation plus epochs) until a strategy's test accuracy first reaches
 * the accuracy of shuffle-once, within a tolerance. The epochs count with the engine's work before epoch 1 (the
 * profile pass of standardisation: a full read of the table, cold on ssd/hdd), which every strategy pays. Shuffle-once's own final accuracy is the target because it is
 * what Bismarck and a manually shuffled MADlib table converge to; the epoch shuffle is the fallback target when
 * shuffle-once was not run.
 */
public final class TimeToAccuracy {
    private TimeToAccuracy() {
    }

    /** The target accuracy of a table's strategies: shuffle_once's final accuracy, else epoch_shuffle's. */
    public static Optional<Double> target(TableResult table) {
        for (String name : List.of("shuffle_once", "epoch_shuffle")) {
            Optional<StrategyResult> s = strategy(table, name);
            if (s.isPresent() && !Double.isNaN(s.get().finalTestAccuracy())) {
                return Optional.of(s.get().finalTestAccuracy());
            }
        }
        return Optional.empty();
    }

    public static Optional<StrategyResult> strategy(TableResult table, String name) {
        return table.strategies().stream().filter(s -> s.strategy().equals(name) && s.error() == null).findFirst();
    }

    /**
     * Seconds until {@code s} reaches {@code target - tolerance} (preparation, profile pass and epochs), with the
     * epoch; empty when it never does.
     */
    public static Optional<Reached> reach(StrategyResult s, double target, double tolerance) {
        double t = s.preparationSeconds();
        for (EpochResult e : s.epochs()) {
            t += e.endToEndSeconds();
            if (!Double.isNaN(e.testAccuracy()) && e.testAccuracy() >= target - tolerance) {
                return Optional.of(new Reached(t, e.epoch()));
            }
        }
        return Optional.empty();
    }

    /** When a target was reached: seconds since the start (preparation included) and the epoch. */
    public record Reached(double seconds, int epoch) {
    }
}
