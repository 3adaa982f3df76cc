package org.corgipile.bench.report;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

import org.corgipile.bench.engine.EpochResult;
import org.corgipile.bench.run.BenchResults;
import org.corgipile.bench.run.BenchResults.Round;
import org.corgipile.bench.run.BenchResults.StrategyResult;
import org.corgipile.bench.run.BenchResults.TableResult;

/**
 * The epoch ratios of one training table over its rounds ({@code --repeat N}, any profile: round 1 is the table's own
 * run, rounds 2..N measured the scan floor, {@code corgipile} and {@code none} again, on ssd/hdd each call as cold as
 * in round 1). Warm ratios move by 0.1-0.2 between runs of the same table, cold hdd ratios by 0.2 (1.15-1.38x on
 * repeated single runs of the same table), more than the targets' margins, so the report publishes the median of the
 * rounds' ratios with their range. Each ratio is taken within one round (its floor and both strategies ran back to
 * back), then the medians are taken over the rounds. A table measured once has one round: its ratios as before.
 */
final class RepeatedRounds {
    private RepeatedRounds() {
    }

    /** One round's median epochs (epochs 2..n) of corgipile and none, and its scan floor; NaN where not run. */
    record Ratios(int round, double floor, double corgipile, double none, StrategyResult corgipileRun,
                  StrategyResult noneRun) {
        double corgipileVsNone() {
            return corgipile / none;
        }

        double corgipileVsFloor() {
            return floor > 0 ? corgipile / floor : Double.NaN;
        }

        double noneVsFloor() {
            return floor > 0 ? none / floor : Double.NaN;
        }

        /**
         * CorgiPile's two threads' busy time per epoch over the floor: reading + helping SGD (the reading thread's
         * share of the gather) + SGD (the compute thread), medians of epochs 2..n. Warm, the epoch's CPU time:
         * on c cores the epoch takes at least busy / c.
         */
        double corgipileBusyVsFloor() {
            return floor > 0 ? (corgipile(EpochResult::readSeconds) + corgipile(EpochResult::readHelpSeconds)
                    + corgipile(EpochResult::computeSeconds)) / floor : Double.NaN;
        }

        /** As {@link #corgipileBusyVsFloor()} for `none` (no shuffled gather to help: reading + SGD). */
        double noneBusyVsFloor() {
            return floor > 0 ? (none(EpochResult::readSeconds) + none(EpochResult::computeSeconds)) / floor
                    : Double.NaN;
        }

        /** The median over epochs 2..n of one of corgipile's per-epoch times, NaN when it did not run. */
        double corgipile(ToDoubleFunction<EpochResult> metric) {
            return corgipileRun == null ? Double.NaN : corgipileRun.medianOfLaterEpochs(metric);
        }

        /** The median over epochs 2..n of one of none's per-epoch values, NaN when it did not run. */
        double none(ToDoubleFunction<EpochResult> metric) {
            return noneRun == null ? Double.NaN : noneRun.medianOfLaterEpochs(metric);
        }
    }

    /**
     * An epoch's device read requests (the engine's count from the server's blkio group), NaN where unknown: -1, or
     * 0 while the epoch read bytes from the device (results.json written before requests were recorded).
     */
    static double requests(EpochResult e) {
        return e.deviceReadRequests() < 0 || (e.deviceReadRequests() == 0 && e.deviceBytesRead() > 0) ? Double.NaN
                : e.deviceReadRequests();
    }

    /** The median of a ratio over the rounds where it exists, with its min and max and that number of rounds. */
    record Spread(double median, double min, double max, int rounds) {
        static Spread of(double[] values) {
            double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
            if (v.length == 0) {
                return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
            }
            return new Spread(BenchResults.median(v), v[0], v[v.length - 1], v.length);
        }

        /** "; median of 3 rounds, 1.02-1.12" after a value measured in several rounds, "" after one. */
        String range() {
            return rounds < 2 ? "" : String.format(Locale.ROOT, "; median of %d rounds, %.2f-%.2f", rounds, min, max);
        }

        /** "1.07 (1.02-1.12)" for seconds or ratios in the repeats table; {@code format} formats one value. */
        String cell(String format) {
            if (rounds == 0) {
                return "n/a";
            }
            String m = String.format(Locale.ROOT, format, median);
            return rounds < 2 ? m : m + " (" + String.format(Locale.ROOT, format, min) + "-"
                    + String.format(Locale.ROOT, format, max) + ")";
        }
    }

    /** Every round of a table, round 1 first. */
    static List<Ratios> of(TableResult t) {
        return t.rounds().stream().map(RepeatedRounds::ratios).toList();
    }

    static Spread corgipileVsNone(TableResult t) {
        return Spread.of(of(t).stream().mapToDouble(Ratios::corgipileVsNone).toArray());
    }

    static Spread corgipileVsFloor(TableResult t) {
        return Spread.of(of(t).stream().mapToDouble(Ratios::corgipileVsFloor).toArray());
    }

    static Spread noneVsFloor(TableResult t) {
        return Spread.of(of(t).stream().mapToDouble(Ratios::noneVsFloor).toArray());
    }

    static Spread over(TableResult t, ToDoubleFunction<Ratios> value) {
        return Spread.of(of(t).stream().mapToDouble(value).toArray());
    }

    private static Ratios ratios(Round r) {
        Optional<StrategyResult> corgi = successful(r.strategies(), "corgipile");
        Optional<StrategyResult> none = successful(r.strategies(), "none");
        return new Ratios(r.round(), r.scanFloorSeconds(),
                corgi.map(StrategyResult::medianEpochSeconds).orElse(Double.NaN),
                none.map(StrategyResult::medianEpochSeconds).orElse(Double.NaN), corgi.orElse(null),
                none.orElse(null));
    }

    private static Optional<StrategyResult> successful(List<StrategyResult> runs, String name) {
        return runs.stream().filter(s -> s.strategy().equals(name) && s.error() == null).findFirst();
    }
}
