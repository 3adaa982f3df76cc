package org.corgipile.operators;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What training must know about the relation before epoch 1: feature mean and standard deviation for
 * {@code standardize}, the number of rows (how large the rows are in memory: {@link Sizing#decodedPageBytes}), and
 * the label range to infer the number of classes of softmax/mlp when {@code classes} is not given. Also rejects
 * NaN/Inf in the rows it reads, naming the tuple (the training pass checks every row anyway).
 *
 * <p>{@link #forTraining} decides how much to read. Standardisation needs good estimates, not every row: a seeded
 * random sample of {@value #SAMPLE_UNITS} runs of {@value #SAMPLE_UNIT_PAGES} pages (256 kB, one read request
 * each; 8 MB and thousands of rows from all over the table), one run from each of {@value #SAMPLE_UNITS} equal
 * stretches of the table (stratified), read in storage order, with the row count scaled from the pages sampled.
 * The number of runs is what a disk pays for (a seek each: 32 runs are 0.2 s at 150 IOPS, what a sequential pass
 * over 32 MB costs at 150 MB/s); their size and spread are what make the estimates stable (on a label-clustered
 * table a run holds one class, so the runs, not the rows, are the independent draws, and the strata give each
 * class its share of them). On a device the storage probe found seek-bound, the same 8 MB are read in runs of the
 * device block (seek x bandwidth: a run's transfer as long as its seek), at least {@value #MIN_DEVICE_UNITS} of
 * them: 8 runs of 1 MB on the emulated hdd, a quarter of the seeks. A table that is at most
 * {@value #FULL_SCAN_FACTOR} times the sample is read whole, as is any table whose class count must be
 * inferred (a class that only a few rows have would be missed by a sample and training would then fail on it):
 * those profiles are exact.
 *
 * <p>Mean and variance use Welford's update (stable for large offsets); profiles of disjoint parts of a table (the
 * servers of a sharded table) combine with Chan et al.'s pairwise update ({@link #merge}), so the combined mean and
 * deviation are those of one pass over all rows (up to rounding). A sampled profile stands for the whole relation:
 * its {@link #tuples} is the estimated row count and its {@link #m2} is scaled to it (the deviation is the
 * sample's), so sampled profiles of shards merge weighted by their rows like exact ones. A constant feature gets
 * std 1, so it standardises to 0 rather than dividing by zero.
 */
public final class DataProfile {
    /** Runs of pages a sampled profile reads. */
    public static final int SAMPLE_UNITS = 32;
    /** Pages per run of a sampled profile: 256 kB, one read request. */
    public static final int SAMPLE_UNIT_PAGES = 32;
    /** Pages a sampled profile reads: 8 MB. */
    public static final int SAMPLE_PAGES = SAMPLE_UNITS * SAMPLE_UNIT_PAGES;
    /** Most bytes of decoded rows one read of a profile holds ({@link Runs}). */
    static final long READ_BYTES = 4L << 20;
    /** Fewest runs of a sampled profile on a seek-bound device (its runs are device blocks, larger and fewer). */
    public static final int MIN_DEVICE_UNITS = 8;
    /** A relation of at most this many samples' pages is read whole (the sample would be a large share of it). */
    public static final int FULL_SCAN_FACTOR = 4;
    /**
     * A feature whose values span less than this (2^-459, about 7e-139) has squared deviations below 2^-918, near
     * the double's subnormal range (2^-1022), where they lose precision and then underflow to 0 (values around 1e-300
     * looked constant and standardised to nothing): its moments are computed again on its values scaled by a power
     * of two. Any wider span keeps m2 >= span^2 / 2 a normal number, so ordinary data is computed once, as it was.
     */
    static final double TINY_RANGE = 0x1p-459;

    private final long tuples;
    private final double[] mean;
    /** Sums of squared deviations, feature k's in units of 2^-{@code exponents[k]} (see {@link #m2Exponents}). */
    private final double[] m2;
    /**
     * Per feature, the power of two {@link #m2} is scaled by: 0 for a feature whose squared deviations are double
     * precision values, e for one whose values are so close together (range below {@link #TINY_RANGE}, e.g. around
     * 1e-300) that they underflow: its m2 is that of the values times 2^e. Null when every exponent is 0.
     */
    private final int[] exponents;
    private final double minLabel;
    private final double maxLabel;
    private final boolean integralLabels;
    /** Pages read when this profile is a sample of them (0: every page was read, the profile is exact). */
    private final long sampledPages;

    private DataProfile(long tuples, double[] mean, double[] m2, int[] exponents, double minLabel, double maxLabel,
                        boolean integralLabels, long sampledPages) {
        this.tuples = tuples;
        this.mean = mean;
        this.m2 = m2;
        this.exponents = exponents == null || Arrays.stream(exponents).allMatch(e -> e == 0) ? null : exponents;
        this.minLabel = minLabel;
        this.maxLabel = maxLabel;
        this.integralLabels = integralLabels;
        this.sampledPages = sampledPages;
    }

    /**
     * A profile from its parts (as {@link #tuples}, {@link #mean}, {@link #m2}, ... returned them, e.g. sent over
     * the network by a server); {@code mean} and {@code m2} are null without moments.
     */
    public static DataProfile of(long tuples, double[] mean, double[] m2, double minLabel, double maxLabel,
                                 boolean integralLabels) {
        return of(tuples, mean, m2, null, minLabel, maxLabel, integralLabels);
    }

    /** {@link #of(long, double[], double[], double, double, boolean)} with m2 scaled as {@link #m2Exponents} says. */
    public static DataProfile of(long tuples, double[] mean, double[] m2, int[] m2Exponents, double minLabel,
                                 double maxLabel, boolean integralLabels) {
        if ((mean == null) != (m2 == null) || mean != null && mean.length != m2.length
                || m2Exponents != null && (m2 == null || m2Exponents.length != m2.length)) {
            throw new IllegalArgumentException("mean, m2 and exponents must both be null or have the same length");
        }
        return new DataProfile(tuples, mean == null ? null : mean.clone(), m2 == null ? null : m2.clone(),
                m2Exponents == null ? null : m2Exponents.clone(), minLabel, maxLabel, integralLabels, 0);
    }

    /**
     * The profile a training over {@code source} needs: every row when {@code allLabels} (the class count is
     * inferred from the labels) or the relation is small, else a sample ({@link #sample}) drawn with {@code seed}
     * on a device whose seek x bandwidth is {@code deviceBlock} pages ({@link TrainSpec#deviceBlock()}, what the
     * storage probe found; 0: not seek-bound or not probed): the sample's 8 MB are read in runs of the device
     * block, at most {@value #SAMPLE_UNITS} / {@value #MIN_DEVICE_UNITS} of them ({@link #sampleRunPages}).
     *
     * @param blockPages pages per read of a full pass
     * @param moments    also the features' mean and variance
     */
    public static DataProfile forTraining(BlockSource source, int blockPages, boolean moments, boolean allLabels,
                                          long seed, int deviceBlock) {
        if (allLabels) {
            return scan(source, blockPages, moments);
        }
        int unitPages = sampleRunPages(deviceBlock);
        return sample(source, blockPages, moments, seed, SAMPLE_PAGES / unitPages, unitPages);
    }

    /**
     * Pages per run of a sampled profile on a device of {@code deviceBlock} pages: {@value #SAMPLE_UNIT_PAGES}, or
     * on a seek-bound device the device block, but at least {@value #MIN_DEVICE_UNITS} runs in the sample. A run
     * costs a seek; on the emulated hdd (150 IOPS, 150 MB/s, device block 1 MB) 32 runs of 256 kB are 32 seeks
     * plus 8 MB (~0.27 s), 8 runs of 1 MB 8 seeks plus the same 8 MB (~0.11 s).
     */
    static int sampleRunPages(int deviceBlock) {
        if (deviceBlock <= SAMPLE_UNIT_PAGES) {
            return SAMPLE_UNIT_PAGES;
        }
        return Math.min(deviceBlock, SAMPLE_PAGES / MIN_DEVICE_UNITS);
    }

    /** One storage-order pass over {@code source}; {@code moments}: also the features' mean and variance. */
    public static DataProfile scan(BlockSource source, int blockPages, boolean moments) {
        Moments acc = new Moments(source.shape().dimension(), moments, null);
        new Runs(source, acc, blockPages).read(0, source.pageCount());
        acc.rescaleTiny(scaled -> new Runs(source, scaled, blockPages).read(0, source.pageCount()));
        return acc.profile(acc.n, 0);
    }

    /**
     * {@code units} runs of {@code unitPages} pages drawn at random with {@code seed} (the same runs for the same
     * seed and relation size), one from each of {@code units} equal stretches of the relation (stratified: on a
     * label-clustered table the classes get their share of runs; with 32 runs drawn from the whole table the mean's
     * error was up to 0.16 deviations on DataProfileTest's clustered table, stratified 8 runs stay within 0.06),
     * read in storage order, each announced to the source ahead of its read like the
     * blocks of a random order ({@link BlockShuffle#readAheadPages}). The whole relation ({@link #scan} with
     * {@code blockPages}) when it has at most {@value #FULL_SCAN_FACTOR} x {@code units} runs, or when the sample
     * held no row (pages of dead or NULL rows only). The label range of a sample is the sample's: it must not be
     * used for a class count ({@link #classes} refuses).
     */
    static DataProfile sample(BlockSource source, int blockPages, boolean moments, long seed, int units,
                              int unitPages) {
        long pages = source.pageCount();
        long runs = (pages + unitPages - 1) / unitPages;
        if (runs <= (long) FULL_SCAN_FACTOR * units) {
            return scan(source, blockPages, moments);
        }
        // stratified: one run drawn uniformly from each of `units` equal stretches of the table, so the sample
        // covers the table evenly (on a label-clustered table every class gets its share of runs)
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, Seeds.PROFILE, 0));
        long[] order = new long[units];
        for (int j = 0; j < units; j++) {
            long lo = runs * j / units;
            long hi = runs * (j + 1) / units;
            order[j] = lo + rnd.nextLong(hi - lo);
        }
        Moments acc = new Moments(source.shape().dimension(), moments, null);
        long read = readRuns(source, acc, order, unitPages);
        if (acc.n == 0) {
            return scan(source, blockPages, moments);
        }
        acc.rescaleTiny(scaled -> readRuns(source, scaled, order, unitPages));
        long estimate = Math.max(acc.n, Math.round((double) acc.n * pages / read));
        return acc.profile(estimate, read);
    }

    /** Reads the runs {@code order} of {@code unitPages} pages into {@code acc}; returns the pages read. */
    private static long readRuns(BlockSource source, Moments acc, long[] order, int unitPages) {
        long pages = source.pageCount();
        Runs reader = new Runs(source, acc, unitPages);
        long read = 0;
        int announced = 0;
        // the random order's bound: 4 MB on disk ahead, fewer heap pages when rows keep their values out of line
        int ahead = BlockShuffle.readAheadPages(source);
        for (int i = 0; i < order.length; i++) {
            for (; announced < order.length && (announced <= i
                    || (long) (announced - i) * unitPages < ahead); announced++) {
                long first = order[announced] * unitPages;
                source.willRead(first, (int) Math.min(unitPages, pages - first));
            }
            long first = order[i] * unitPages;
            int n = (int) Math.min(unitPages, pages - first);
            reader.read(first, n);
            read += n;
        }
        return read;
    }

    /**
     * Reads pages in storage order into {@link Moments}, a run at a time in pieces whose decoded rows stay within
     * {@link #READ_BYTES}: a heap page of rows stored out of line (TOAST) is megabytes in memory (~180 pointers to
     * 8 kB arrays), so 16 such pages read at once grew the profile's buffer past a 64 MB heap. The first piece is one
     * page; later ones follow the bytes per page seen. The device reads are the run's either way (announced whole,
     * or sequential).
     */
    private static final class Runs {
        private final BlockSource source;
        private final Moments acc;
        private final TupleBuffer buf;
        private final int maxPages;
        private int step = 1;

        Runs(BlockSource source, Moments acc, int maxPages) {
            this.source = source;
            this.acc = acc;
            this.buf = new TupleBuffer(source.shape(), 1024);
            this.maxPages = Math.max(1, maxPages);
        }

        void read(long first, long pages) {
            long end = first + pages;
            for (long p = first; p < end; ) {
                int m = (int) Math.min(step, end - p);
                source.checkInterrupts();
                buf.clear();
                int n = source.readPages(p, m, buf);
                if (buf.size() != n) {
                    throw new TrainingException(TrainingException.INTERNAL_ERROR, "block source reported " + n
                            + " tuples but appended " + buf.size() + "; please report a bug", null);
                }
                acc.accept(buf, 0, n, source);
                long bytes = buf.shape().sparse() ? 0 : (8L * buf.shape().dimension() + 16) * n;
                step = (int) Math.max(1, Math.min(maxPages, bytes == 0 ? 2L * m : READ_BYTES * m / bytes));
                p += m;
            }
        }
    }

    /**
     * Welford's running mean and squared deviations of the rows it is handed, each feature's range, and the labels'
     * range. With {@code exponents}, feature k's values are multiplied by 2^exponents[k] first (exact: a power of
     * two) and its mean is scaled back at the end.
     */
    private static final class Moments implements BlockShuffle.BlockHook {
        final int d;
        final double[] mean;
        final double[] m2;
        final double[] lo;
        final double[] hi;
        int[] exponents;
        /** 2^exponents[k] per feature, null without exponents. */
        private final double[] factors;
        long n;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        boolean integral = true;

        Moments(int d, boolean moments, int[] exponents) {
            this.d = d;
            this.mean = moments ? new double[d] : null;
            this.m2 = moments ? new double[d] : null;
            this.lo = moments ? new double[d] : null;
            this.hi = moments ? new double[d] : null;
            if (moments) {
                Arrays.fill(lo, Double.POSITIVE_INFINITY);
                Arrays.fill(hi, Double.NEGATIVE_INFINITY);
            }
            this.exponents = exponents;
            this.factors = exponents == null ? null : Arrays.stream(exponents).mapToDouble(e -> Math.scalb(1.0, e))
                    .toArray();
        }

        @Override
        public void accept(TupleBuffer b, int from, int to) {
            accept(b, from, to, null);
        }

        @Override
        public void accept(TupleBuffer b, int from, int to, BlockSource source) {
            for (int i = from; i < to; i++) {
                double y = b.label(i);
                if (!Double.isFinite(y)) {
                    throw InputGuard.nonFinite(BlockSource.describeValue(source, -1, b.id(i)), y);
                }
                min = Math.min(min, y);
                max = Math.max(max, y);
                integral &= y == Math.rint(y);
                long count = ++n;
                if (mean != null) {
                    double[] x = b.dense();
                    int base = i * d;
                    for (int k = 0; k < d; k++) {
                        double v = x[base + k];
                        if (!Double.isFinite(v)) {
                            throw InputGuard.nonFinite(BlockSource.describeValue(source, k, b.id(i)), v);
                        }
                        if (v < lo[k]) {
                            lo[k] = v;
                        }
                        if (v > hi[k]) {
                            hi[k] = v;
                        }
                        if (factors != null) {
                            v *= factors[k];
                        }
                        double delta = v - mean[k];
                        mean[k] += delta / count;
                        m2[k] += delta * (v - mean[k]);
                    }
                }
            }
        }

        /**
         * Features that vary by less than {@link #TINY_RANGE} (their squared deviations underflow) are read again by
         * {@code pass} with their values scaled to about 1, and their mean and m2 replaced by that pass's.
         */
        void rescaleTiny(java.util.function.Consumer<Moments> pass) {
            if (mean == null) {
                return;
            }
            int[] e = new int[d];
            boolean any = false;
            for (int k = 0; k < d; k++) {
                if (lo[k] < hi[k] && hi[k] - lo[k] < TINY_RANGE) {
                    e[k] = -Math.getExponent(Math.max(Math.abs(lo[k]), Math.abs(hi[k])));
                    any = true;
                }
            }
            if (!any) {
                return;
            }
            Moments scaled = new Moments(d, true, e);
            pass.accept(scaled);
            for (int k = 0; k < d; k++) {
                if (e[k] != 0) {
                    mean[k] = Math.scalb(scaled.mean[k], -e[k]);
                    m2[k] = scaled.m2[k];
                }
            }
            exponents = e;
        }

        /** The profile of {@code tuples} rows (n when exact) whose deviations are those seen. */
        DataProfile profile(long tuples, long sampledPages) {
            double[] s2 = m2;
            if (s2 != null && tuples != n) {
                // keep the sample's variance m2 / (n - 1) for the estimated row count: m2 / (tuples - 1)
                double scale = n > 1 ? (double) (tuples - 1) / (n - 1) : 0;
                s2 = Arrays.stream(m2).map(v -> v * scale).toArray();
            }
            return new DataProfile(tuples, mean, s2, exponents, min, max, integral, sampledPages);
        }
    }

    /**
     * The profile of the union of two disjoint sets of rows (Chan, Golub and LeVeque's pairwise update of mean and
     * sum of squared deviations). Both must have moments or neither.
     */
    public DataProfile merge(DataProfile o) {
        if ((mean == null) != (o.mean == null) || mean != null && mean.length != o.mean.length) {
            throw new IllegalArgumentException("profiles of different features: "
                    + (mean == null ? "no" : mean.length) + " and " + (o.mean == null ? "no" : o.mean.length)
                    + " moments");
        }
        long n = tuples + o.tuples;
        double[] mu = null;
        double[] s2 = null;
        int[] e = null;
        if (mean != null) {
            mu = new double[mean.length];
            s2 = new double[mean.length];
            e = new int[mean.length];
            for (int k = 0; k < mu.length; k++) {
                if (o.tuples == 0 || tuples == 0) {
                    mu[k] = tuples == 0 ? o.mean[k] : mean[k];
                    s2[k] = tuples == 0 ? o.m2[k] : m2[k];
                    e[k] = tuples == 0 ? o.exponent(k) : exponent(k);
                    continue;
                }
                double delta = o.mean[k] - mean[k];
                mu[k] = mean[k] + delta * o.tuples / n;
                double w = (double) tuples * o.tuples / n;
                int ea = exponent(k);
                int eb = o.exponent(k);
                if (ea == 0 && eb == 0 && !(delta != 0 && Math.abs(delta) < TINY_RANGE)) {
                    s2[k] = m2[k] + o.m2[k] + delta * delta * w;
                    continue;
                }
                // a part's squared deviations underflow (#TINY_RANGE): add in units where the largest term is
                // about 1, the exponent the sum keeps
                int top = Math.max(Math.max(log2(m2[k]) - 2 * ea, log2(o.m2[k]) - 2 * eb), 2 * log2(delta));
                int c = top <= NO_EXPONENT ? 0 : Math.max(0, -top / 2);
                double ds = Math.scalb(delta, c);
                s2[k] = Math.scalb(m2[k], 2 * (c - ea)) + Math.scalb(o.m2[k], 2 * (c - eb)) + ds * ds * w;
                e[k] = c;
            }
        }
        return new DataProfile(n, mu, s2, e, Math.min(minLabel, o.minLabel), Math.max(maxLabel, o.maxLabel),
                integralLabels && o.integralLabels, sampledPages + o.sampledPages);
    }

    /** Rows (non-NULL label and features): those seen, or for a sample the estimate for the whole relation. */
    public long tuples() {
        return tuples;
    }

    /** True when this profile is a sample of {@link #sampledPages} pages, not a pass over every row. */
    public boolean sampled() {
        return sampledPages > 0;
    }

    /** Pages read by a sampled profile (0 for an exact one). */
    public long sampledPages() {
        return sampledPages;
    }

    /** Feature means, null without moments. */
    public double[] mean() {
        return mean == null ? null : mean.clone();
    }

    /**
     * Per feature, the sum of squared deviations from the mean, scaled by 2^(2 {@link #m2Exponents}[k]) where that
     * is not 0; null without moments.
     */
    public double[] m2() {
        return m2 == null ? null : m2.clone();
    }

    /**
     * Per feature, e where {@link #m2} is that of the values times 2^e (a feature whose squared deviations
     * underflow, {@link #TINY_RANGE}); null when every feature's m2 is unscaled.
     */
    public int[] m2Exponents() {
        return exponents == null ? null : exponents.clone();
    }

    private int exponent(int k) {
        return exponents == null ? 0 : exponents[k];
    }

    /** {@link #log2} of 0 (low enough to stay the smallest after the doubling and shifts above). */
    private static final int NO_EXPONENT = Integer.MIN_VALUE / 8;

    /** The binary exponent of a finite {@code v}, {@link #NO_EXPONENT} for 0. */
    private static int log2(double v) {
        return v == 0 ? NO_EXPONENT : Math.getExponent(v);
    }

    /**
     * Sample standard deviations (1 for a constant feature), null without moments.
     *
     * @throws TrainingException (22003) when a feature's mean or sum of squared deviations is not finite: values
     *                           beyond about 1e154 whose squares overflow would standardise to 0 (an infinite
     *                           deviation) and make a model whose stored deviation is not a number
     */
    public double[] std() {
        if (m2 == null) {
            return null;
        }
        double[] std = new double[m2.length];
        for (int k = 0; k < std.length; k++) {
            double var = tuples > 1 ? m2[k] / (tuples - 1) : 0;
            if (!Double.isFinite(var) || !Double.isFinite(mean[k])) {
                throw new TrainingException(TrainingException.NUMERIC_VALUE_OUT_OF_RANGE, "feature " + k
                        + " is too large to standardise: its variance overflows a double precision value",
                        "Rescale the feature before training: its squared values must stay below 1e308.");
            }
            // at least the smallest normal double, whose inverse (the standardisation's factor) is finite: a
            // feature of denormal values (1e-310) is standardised to a spread below 1, not an infinite one
            std[k] = var <= 0 ? 1 : Math.max(Double.MIN_NORMAL,
                    exponent(k) == 0 ? Math.sqrt(var) : Math.scalb(Math.sqrt(var), -exponent(k)));
        }
        return std;
    }

    public double minLabel() {
        return minLabel;
    }

    public double maxLabel() {
        return maxLabel;
    }

    public boolean integralLabels() {
        return integralLabels;
    }

    /**
     * The number of classes of {@code model} (softmax, mlp) the labels imply: largest label + 1, at least 2; mlp
     * also takes -1/+1 labels as 2 classes.
     *
     * @throws TrainingException (22000) for no rows, labels that are not class indices or too many classes
     * @throws IllegalStateException for a sampled profile (it may have missed a class)
     */
    public int classes(String model) {
        if (sampled()) {
            throw new IllegalStateException("the class count needs a profile of every row, not a sample");
        }
        if (tuples == 0) {
            throw new TrainingException(TrainingException.DATA_EXCEPTION, "the training relation is empty", null);
        }
        if (model.equals("mlp") && minLabel == -1 && maxLabel == 1) {
            return 2;
        }
        if (!integralLabels || minLabel < 0) {
            throw new TrainingException(TrainingException.DATA_EXCEPTION, "labels of model " + model
                    + " must be class indices 0 .. K-1, found labels between " + Numbers.text(minLabel)
                    + " and " + Numbers.text(maxLabel) + (integralLabels ? "" : " that are not all integers"),
                    "Map the labels to 0 .. K-1.");
        }
        if (maxLabel + 1 > TrainSpec.MAX_CLASSES) {     // in double: (long) 2^63 + 1 overflowed to 2 classes
            throw new TrainingException(TrainingException.DATA_EXCEPTION, "largest label "
                    + Numbers.text(maxLabel) + " implies more than " + TrainSpec.MAX_CLASSES + " classes", null);
        }
        return (int) Math.max(2, maxLabel + 1);
    }
}
