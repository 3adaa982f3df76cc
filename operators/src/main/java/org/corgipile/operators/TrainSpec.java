package org.corgipile.operators;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The immutable description of one training run: every hyper-parameter, validated once, with its default filled
 * in. The argument names are exactly the SQL argument names of {@code train_sgd}, so the in-database entry point
 * passes its named arguments straight to {@link #fromOptions(Map)}, and {@link #toMap()} is what gets stored with
 * the model as provenance (including the seed actually used when none was given).
 *
 * <p>Defaults and ranges live in one place, the table below (also in docs/operators.md):
 * <table>
 *   <caption>training arguments</caption>
 *   <tr><th>argument</th><th>default</th><th>allowed</th></tr>
 *   <tr><td>model</td><td>logistic</td><td>logistic, svm, linear, softmax, mlp</td></tr>
 *   <tr><td>shuffle</td><td>corgipile</td><td>corgipile, block_only, none, shuffle_once, epoch_shuffle,
 *       sliding_window, mrs</td></tr>
 *   <tr><td>epochs</td><td>10</td><td>1 .. 100000</td></tr>
 *   <tr><td>learning_rate</td><td>derived from the features ({@link #defaultLearningRate}): dense
 *       min(0.01, 1/d) for d features, sparse 0.01 (measured with standardize and average, see
 *       docs/convergence.md)</td><td>(0, 1e6]</td></tr>
 *   <tr><td>schedule</td><td>exponential</td><td>constant, exponential (lr * decay^(epoch-1)),
 *       inverse (lr / (1 + decay * (epoch-1)))</td></tr>
 *   <tr><td>decay</td><td>0.95</td><td>(0, 1] for exponential, [0, 1e6] for inverse</td></tr>
 *   <tr><td>l2</td><td>0</td><td>[0, 1e6]; added to the gradient, biases excluded</td></tr>
 *   <tr><td>l1</td><td>0</td><td>[0, 1e6]; proximal soft-thresholding after each step, biases excluded</td></tr>
 *   <tr><td>batch_size</td><td>1</td><td>1 .. 1048576 (1 = per-tuple SGD)</td></tr>
 *   <tr><td>seed</td><td>random, recorded</td><td>any bigint</td></tr>
 *   <tr><td>block_size</td><td>derived from the table ({@link Sizing}): table/1024 pages, 16 .. 1280</td>
 *       <td>1 .. 2^30 pages</td></tr>
 *   <tr><td>buffer_size</td><td>derived from the table ({@link Sizing}): half the table, at least 64 blocks, at
 *       most half of buffer_memory</td><td>fraction (0, 1] of the table's pages, or a tuple count 2 .. 2^31-1</td></tr>
 *   <tr><td>buffer_memory</td><td>64 MB (in SQL: the GUC corgipile.buffer_memory)</td><td>1 MB .. 1 TB, bytes
 *       for both shuffle buffers; caps derived sizes only</td></tr>
 *   <tr><td>early_stop_patience</td><td>0 (off)</td><td>0 .. 1000 epochs without improvement</td></tr>
 *   <tr><td>standardize</td><td>true for dense features, false for sparse</td><td>boolean (true needs dense
 *       features)</td></tr>
 *   <tr><td>average</td><td>true (false with l1)</td><td>boolean: the model at an epoch's end is the mean of the epoch's iterates
 *       (scikit-learn's average=True)</td></tr>
 *   <tr><td>hidden</td><td>{64} for mlp</td><td>1 or 2 layer widths, each 1 .. 16384; mlp only</td></tr>
 *   <tr><td>classes</td><td>inferred</td><td>2 .. 65536 (softmax, mlp); 2 (logistic, svm); not for linear</td></tr>
 *   <tr><td>device</td><td>cpu</td><td>cpu, gpu, auto</td></tr>
 *   <tr><td>train_metrics</td><td>running</td><td>running (mean pre-update loss of the training pass itself, no
 *       accuracy, no extra read), pass (a separate storage-order pass after each epoch: loss, accuracy and the
 *       kind's metrics, timed as eval_seconds)</td></tr>
 *   <tr><td>overwrite</td><td>false</td><td>boolean (used by the catalog, carried along)</td></tr>
 * </table>
 *
 * <p>Conversions accepted by {@link #fromOptions(Map)}: numbers as any {@link Number} or numeric string (integers
 * must be integral), booleans as {@link Boolean} or "true"/"false"/"on"/"off", {@code hidden} as int[], Integer[],
 * a collection of numbers or a string like "64,32" / "{64,32}". A null value means "use the default".
 */
public final class TrainSpec {
    public static final List<String> MODELS = List.of("logistic", "svm", "linear", "softmax", "mlp");
    public static final List<String> SHUFFLES =
            List.of("corgipile", "block_only", "none", "shuffle_once", "epoch_shuffle", "sliding_window", "mrs");
    public static final List<String> SCHEDULES = List.of("constant", "exponential", "inverse");
    public static final List<String> DEVICES = List.of("cpu", "gpu", "auto");
    public static final List<String> TRAIN_METRICS = List.of("pass", "running");
    /** Every argument name {@link #fromOptions} accepts, in {@link #toMap()} order. */
    public static final List<String> KEYS = List.of("model", "shuffle", "epochs", "learning_rate", "schedule", "decay",
            "l2", "l1", "batch_size", "seed", "block_size", "buffer_size", "buffer_memory", "early_stop_patience",
            "standardize", "average",
            "hidden", "classes", "device", "train_metrics", "overwrite");

    /** Block of the evaluation passes over a stored model (storage order, so only the read size matters). */
    public static final int DEFAULT_BLOCK_SIZE = 1280;
    /**
     * The largest default learning rate: with standardised dense features and iterate averaging, 0.01 neither
     * diverges (0.1 does for mlp on Fashion-MNIST) nor stalls on the low-dimensional datasets of the convergence
     * benchmark; wide rows get less ({@link #defaultLearningRate}).
     */
    public static final double DEFAULT_LEARNING_RATE = 0.01;
    static final long MIN_BUFFER_MEMORY = 1L << 20;
    static final long MAX_BUFFER_MEMORY = 1L << 40;
    static final int MAX_EPOCHS = 100_000;
    static final double MAX_RATE = 1e6;
    static final int MAX_BATCH = 1 << 20;
    static final int MAX_BLOCK = 1 << 30;
    static final int MAX_HIDDEN = 16_384;
    static final int MAX_CLASSES = 65_536;
    static final int MAX_PATIENCE = 1000;

    private final String model;
    private final String shuffle;
    private final int epochs;
    private final double learningRate;
    private final String schedule;
    private final double decay;
    private final double l2;
    private final double l1;
    private final int batchSize;
    private final long seed;
    private final int blockSize;
    private final double bufferSize;
    private final long bufferMemory;
    private final int earlyStopPatience;
    private final Boolean standardize;
    private final boolean average;
    private final int[] hidden;
    private final int classes;
    private final String device;
    private final String trainMetrics;
    private final boolean overwrite;

    private TrainSpec(Map<String, Object> o) {
        for (String key : o.keySet()) {
            if (!KEYS.contains(key)) {
                throw new InvalidSpecException("unknown training argument \"" + key + "\"",
                        "allowed arguments: " + String.join(", ", KEYS));
            }
        }
        model = choice(o, "model", MODELS, "logistic");
        shuffle = choice(o, "shuffle", SHUFFLES, "corgipile");
        epochs = (int) integer(o, "epochs", 10, 1, MAX_EPOCHS);
        learningRate = real(o, "learning_rate", 0, 0, false, MAX_RATE); // 0: derived from the features
        schedule = choice(o, "schedule", SCHEDULES, "exponential");
        decay = schedule.equals("inverse")
                ? real(o, "decay", 0.95, 0, true, MAX_RATE)
                : real(o, "decay", 0.95, 0, false, 1);
        l2 = real(o, "l2", 0, 0, true, MAX_RATE);
        l1 = real(o, "l1", 0, 0, true, MAX_RATE);
        batchSize = (int) integer(o, "batch_size", 1, 1, MAX_BATCH);
        Object rawSeed = o.get("seed");
        seed = rawSeed == null ? ThreadLocalRandom.current().nextLong()
                : integer(o, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        blockSize = (int) integer(o, "block_size", 0, 1, MAX_BLOCK);
        bufferSize = bufferSize(o.get("buffer_size"));
        bufferMemory = integer(o, "buffer_memory", Sizing.DEFAULT_BUFFER_MEMORY, MIN_BUFFER_MEMORY, MAX_BUFFER_MEMORY);
        earlyStopPatience = (int) integer(o, "early_stop_patience", 0, 0, MAX_PATIENCE);
        standardize = o.get("standardize") == null ? null : bool(o, "standardize", false);
        // the mean of sparse (L1) iterates is not sparse: with l1, averaging is off unless asked for
        average = bool(o, "average", l1 == 0);
        hidden = hidden(o.get("hidden"), model);
        classes = classes(o.get("classes"), model);
        device = choice(o, "device", DEVICES, "cpu");
        trainMetrics = choice(o, "train_metrics", TRAIN_METRICS, "running");
        overwrite = bool(o, "overwrite", false);
    }

    /**
     * Validates and resolves named arguments (SQL argument names); missing or null entries take their default.
     *
     * @throws InvalidSpecException naming the argument and its allowed range for unknown keys, wrong types and
     *                              out-of-range values
     */
    public static TrainSpec fromOptions(Map<String, ?> options) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : options.entrySet()) {
            if (e.getKey() == null) {
                throw new InvalidSpecException("training argument name must not be null");
            }
            copy.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
        }
        return new TrainSpec(copy);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy with one argument changed (validated like {@link #fromOptions}); the seed is kept unless changed. */
    public TrainSpec with(String key, Object value) {
        Map<String, Object> m = toMap();
        if (key.equals("model")) {
            m.remove("hidden");
            m.remove("classes");
        }
        m.put(key, value);
        return fromOptions(m);
    }

    /** The full resolved spec: every argument with its value or default, the seed actually used included. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("shuffle", shuffle);
        m.put("epochs", epochs);
        m.put("learning_rate", learningRate == 0 ? null : learningRate);
        m.put("schedule", schedule);
        m.put("decay", decay);
        m.put("l2", l2);
        m.put("l1", l1);
        m.put("batch_size", batchSize);
        m.put("seed", seed);
        m.put("block_size", blockSize == 0 ? null : blockSize);
        m.put("buffer_size", bufferSize == 0 ? null : bufferSize);
        m.put("buffer_memory", bufferMemory);
        m.put("early_stop_patience", earlyStopPatience);
        m.put("standardize", standardize);
        m.put("average", average);
        m.put("hidden", hidden == null ? null : intList(hidden));
        m.put("classes", classes == 0 ? null : classes);
        m.put("device", device);
        m.put("train_metrics", trainMetrics);
        m.put("overwrite", overwrite);
        return m;
    }

    public String model() {
        return model;
    }

    public String shuffle() {
        return shuffle;
    }

    public int epochs() {
        return epochs;
    }

    /**
     * Base learning rate (epoch 1): the given one or, not given, {@link #DEFAULT_LEARNING_RATE}; the trainer
     * replaces a missing learning_rate by the one derived from the features ({@link #withDataDefaults}), so inside
     * a training run this is the rate in use.
     */
    public double learningRate() {
        return learningRate == 0 ? DEFAULT_LEARNING_RATE : learningRate;
    }

    /** learning_rate as given, 0 when it is to be derived from the features. */
    public double learningRateGiven() {
        return learningRate;
    }

    /**
     * The learning rate when none is given: {@code min(0.01, 1/d)} for d dense features, 0.01 for sparse ones.
     * Why: a per-tuple SGD step on a linear model is stable and fast when the rate is about 1/||x||^2; standardised
     * dense rows have ||x||^2 = d on average, so 0.01 (measured best up to ~100 features) is too large for wide
     * rows: on the 784-pixel images and 2,000-feature epsilon-like the tuned rate of every strategy, the full
     * shuffle included, was a tenth of it (docs/convergence.md). Sparse rows are not standardised and carry few
     * non-zeros, so their dimension says nothing about ||x||^2.
     */
    public static double defaultLearningRate(FeatureShape shape) {
        if (shape.sparse() || shape.dimension() <= 1 / DEFAULT_LEARNING_RATE) {
            return DEFAULT_LEARNING_RATE;
        }
        // two significant digits, so the recorded rate can be typed back: 0.0013 for 784 features
        return new java.math.BigDecimal(1.0 / shape.dimension()).round(new java.math.MathContext(2)).doubleValue();
    }

    /** Learning rate of epoch {@code epoch} (1-based) under the schedule. */
    public double learningRate(int epoch) {
        double lr = learningRate();
        return switch (schedule) {
            case "constant" -> lr;
            case "exponential" -> lr * Math.pow(decay, epoch - 1);
            default -> lr / (1 + decay * (epoch - 1));
        };
    }

    public String schedule() {
        return schedule;
    }

    public double decay() {
        return decay;
    }

    public double l2() {
        return l2;
    }

    public double l1() {
        return l1;
    }

    public int batchSize() {
        return batchSize;
    }

    public long seed() {
        return seed;
    }

    /**
     * Pages per block: the given block_size, or (not given) {@link TrainSpec#DEFAULT_BLOCK_SIZE}. The trainer
     * replaces a missing block_size by the one {@link Sizing} derives from the table ({@link #sized}), so inside
     * a training run this is always the size in use.
     */
    public int blockSize() {
        return blockSize == 0 ? DEFAULT_BLOCK_SIZE : blockSize;
    }

    /** block_size as given, 0 when it is to be derived from the table. */
    public int blockSizeGiven() {
        return blockSize;
    }

    /**
     * Either a fraction in (0, 1] of the table's pages or, when {@code > 1}, a tuple count; 0.1 when not given
     * (inside a training run the trainer has replaced a missing buffer_size by the derived one, {@link #sized}).
     */
    public double bufferSize() {
        return bufferSize == 0 ? 0.1 : bufferSize;
    }

    /** buffer_size as given, 0 when it is to be derived from the table. */
    public double bufferSizeGiven() {
        return bufferSize;
    }

    public boolean bufferIsFraction() {
        return bufferSize() <= 1;
    }

    /** Bytes for both shuffle buffers; caps derived block and buffer sizes ({@link Sizing}). */
    public long bufferMemory() {
        return bufferMemory;
    }

    /** This spec with the block and buffer sizes of {@code sizing} filled in (explicit ones are unchanged). */
    public TrainSpec sized(Sizing sizing) {
        Map<String, Object> m = toMap();
        m.put("block_size", sizing.blockPages());
        m.put("buffer_size", sizing.bufferSize());
        return fromOptions(m);
    }

    public int earlyStopPatience() {
        return earlyStopPatience;
    }

    /**
     * Whether features are standardised; when not given, true for dense features and false for sparse ones — the
     * trainer fills it in from the relation's shape ({@link #withDataDefaults}), so inside a run it is resolved.
     */
    public boolean standardize() {
        return standardize != null && standardize;
    }

    /** standardize as given, null when it follows from the features (dense: true, sparse: false). */
    public Boolean standardizeGiven() {
        return standardize;
    }

    /** Iterate averaging: the model at an epoch's end is the mean of that epoch's SGD iterates (see {@link Sgd}). */
    public boolean average() {
        return average;
    }

    /**
     * This spec with the defaults that depend on the data filled in: standardize (dense features: true) and
     * learning_rate ({@link #defaultLearningRate}).
     */
    public TrainSpec withDataDefaults(FeatureShape shape) {
        TrainSpec s = standardize != null ? this : with("standardize", !shape.sparse());
        return learningRate != 0 ? s : s.with("learning_rate", defaultLearningRate(shape));
    }

    /**
     * One line on the defaults {@link #withDataDefaults} fills in for {@code shape} (for a NOTICE), or null when
     * every one of them was given.
     */
    public String describeDataDefaults(FeatureShape shape) {
        List<String> parts = new ArrayList<>();
        if (learningRate == 0) {
            double lr = defaultLearningRate(shape);
            String rate = java.math.BigDecimal.valueOf(lr).stripTrailingZeros().toPlainString();
            parts.add(shape.sparse() ? "learning_rate " + rate + " (derived: sparse features)"
                    : String.format(Locale.ROOT, "learning_rate %s (derived: min(0.01, 1/%d features))", rate,
                    shape.dimension()));
        }
        if (standardize == null) {
            parts.add(shape.sparse() ? "standardize off (sparse features)" : "standardize on (dense features)");
        }
        return parts.isEmpty() ? null : String.join("; ", parts);
    }

    /** Hidden layer widths for mlp, null for other models. */
    public int[] hidden() {
        return hidden == null ? null : hidden.clone();
    }

    /** Number of classes when given, 0 when it is to be inferred from the data (or does not apply). */
    public int classes() {
        return classes;
    }

    public String device() {
        return device;
    }

    public String trainMetrics() {
        return trainMetrics;
    }

    public boolean overwrite() {
        return overwrite;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainSpec t && toMap().equals(t.toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }

    @Override
    public String toString() {
        return "TrainSpec" + toMap();
    }

    // ---- conversions; every message names the argument and its allowed range ----

    private static String choice(Map<String, Object> o, String key, List<String> allowed, String dflt) {
        Object v = o.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof CharSequence)) {
            throw wrongType(key, "a text value (one of " + String.join(", ", allowed) + ")", v);
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(s)) {
            throw new InvalidSpecException(key + " must be one of " + String.join(", ", allowed) + ", got \"" + v + "\"");
        }
        return s;
    }

    private static long integer(Map<String, Object> o, String key, long dflt, long min, long max) {
        Object v = o.get(key);
        if (v == null) {
            return dflt;
        }
        long n = toLong(key, v, "an integer between " + min + " and " + max);
        if (n < min || n > max) {
            throw new InvalidSpecException(key + " must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    private static long toLong(String key, Object v, String what) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof java.math.BigInteger b) {
            try {
                return b.longValueExact();
            } catch (ArithmeticException e) {
                throw new InvalidSpecException(key + " must be " + what + ", got " + v);
            }
        }
        if (v instanceof java.math.BigDecimal b) {
            try {
                return b.longValueExact();
            } catch (ArithmeticException e) {
                throw new InvalidSpecException(key + " must be " + what + ", got " + v);
            }
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (d != Math.rint(d) || Double.isInfinite(d) || Math.abs(d) > 9.0e15) {
                throw new InvalidSpecException(key + " must be " + what + ", got " + v);
            }
            return (long) d;
        }
        if (v instanceof CharSequence) {
            try {
                return Long.parseLong(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new InvalidSpecException(key + " must be " + what + ", got \"" + v + "\"");
            }
        }
        throw wrongType(key, what, v);
    }

    private static double toDouble(String key, Object v, String what) {
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue();
        } else if (v instanceof CharSequence) {
            try {
                d = Double.parseDouble(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new InvalidSpecException(key + " must be " + what + ", got \"" + v + "\"");
            }
        } else {
            throw wrongType(key, what, v);
        }
        if (!Double.isFinite(d)) {
            throw new InvalidSpecException(key + " must be " + what + ", got " + d);
        }
        return d;
    }

    private static double real(Map<String, Object> o, String key, double dflt, double min, boolean minInclusive,
                               double max) {
        Object v = o.get(key);
        String range = (minInclusive ? "[" : "(") + fmt(min) + ", " + fmt(max) + "]";
        if (v == null) {
            return dflt;
        }
        double d = toDouble(key, v, "a number in " + range);
        if (d < min || (!minInclusive && d == min) || d > max) {
            throw new InvalidSpecException(key + " must be in " + range + ", got " + d);
        }
        return d;
    }

    private static boolean bool(Map<String, Object> o, String key, boolean dflt) {
        Object v = o.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof CharSequence) {
            switch (v.toString().trim().toLowerCase(Locale.ROOT)) {
                case "true", "on", "yes", "t" -> {
                    return true;
                }
                case "false", "off", "no", "f" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        throw wrongType(key, "a boolean (true or false)", v);
    }

    private static double bufferSize(Object v) {
        String what = "a fraction in (0, 1] of the table or a tuple count between 2 and " + Integer.MAX_VALUE;
        if (v == null) {
            return 0;
        }
        double d = toDouble("buffer_size", v, what);
        if (d <= 0 || (d > 1 && (d != Math.rint(d) || d > Integer.MAX_VALUE))) {
            throw new InvalidSpecException("buffer_size must be " + what + ", got " + v);
        }
        return d;
    }

    private static int[] hidden(Object v, String model) {
        if (!model.equals("mlp")) {
            if (v != null) {
                throw new InvalidSpecException("hidden only applies to model mlp (model is " + model + ")");
            }
            return null;
        }
        if (v == null) {
            return new int[] {64};
        }
        String what = "a list of 1 or 2 layer widths, each between 1 and " + MAX_HIDDEN;
        List<Object> items = new ArrayList<>();
        if (v instanceof int[] a) {
            for (int x : a) {
                items.add(x);
            }
        } else if (v instanceof long[] a) {
            for (long x : a) {
                items.add(x);
            }
        } else if (v instanceof Object[] a) {
            items.addAll(Arrays.asList(a));
        } else if (v instanceof Collection<?> c) {
            items.addAll(c);
        } else if (v instanceof Number) {
            items.add(v);
        } else if (v instanceof CharSequence) {
            String s = v.toString().trim();
            if (s.startsWith("{") && s.endsWith("}") || s.startsWith("[") && s.endsWith("]")) {
                s = s.substring(1, s.length() - 1);
            }
            for (String part : s.split(",")) {
                items.add(part.trim());
            }
        } else {
            throw wrongType("hidden", what, v);
        }
        if (items.isEmpty() || items.size() > 2) {
            throw new InvalidSpecException("hidden must be " + what + ", got " + items.size() + " layers");
        }
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) {
            if (items.get(i) == null) {
                throw new InvalidSpecException("hidden must be " + what + ", got a null width");
            }
            long w = toLong("hidden", items.get(i), what);
            if (w < 1 || w > MAX_HIDDEN) {
                throw new InvalidSpecException("hidden must be " + what + ", got " + w);
            }
            out[i] = (int) w;
        }
        return out;
    }

    private static int classes(Object v, String model) {
        if (v == null) {
            return switch (model) {
                case "logistic", "svm" -> 2;
                default -> 0;
            };
        }
        switch (model) {
            case "linear" -> throw new InvalidSpecException("classes does not apply to model linear (regression)");
            case "logistic", "svm" -> {
                long k = toLong("classes", v, "2 for model " + model);
                if (k != 2) {
                    throw new InvalidSpecException("classes must be 2 for model " + model + ", got " + k,
                            "use model => 'softmax' or 'mlp' for more than two classes");
                }
                return 2;
            }
            default -> {
                String what = "an integer between 2 and " + MAX_CLASSES;
                long k = toLong("classes", v, what);
                if (k < 2 || k > MAX_CLASSES) {
                    throw new InvalidSpecException("classes must be " + what + ", got " + k);
                }
                return (int) k;
            }
        }
    }

    private static InvalidSpecException wrongType(String key, String what, Object v) {
        return new InvalidSpecException(key + " must be " + what + ", got a value of type "
                + v.getClass().getSimpleName());
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static List<Integer> intList(int[] a) {
        List<Integer> l = new ArrayList<>(a.length);
        for (int x : a) {
            l.add(x);
        }
        return Collections.unmodifiableList(l);
    }

    /** Fluent construction; {@link #build()} validates exactly like {@link #fromOptions(Map)}. */
    public static final class Builder {
        private final Map<String, Object> options = new LinkedHashMap<>();

        private Builder() {
        }

        /** Sets any argument by its SQL name. */
        public Builder option(String key, Object value) {
            options.put(key, value);
            return this;
        }

        public Builder model(String v) {
            return option("model", v);
        }

        public Builder shuffle(String v) {
            return option("shuffle", v);
        }

        public Builder epochs(int v) {
            return option("epochs", v);
        }

        public Builder learningRate(double v) {
            return option("learning_rate", v);
        }

        public Builder schedule(String v) {
            return option("schedule", v);
        }

        public Builder decay(double v) {
            return option("decay", v);
        }

        public Builder l2(double v) {
            return option("l2", v);
        }

        public Builder l1(double v) {
            return option("l1", v);
        }

        public Builder batchSize(int v) {
            return option("batch_size", v);
        }

        public Builder seed(long v) {
            return option("seed", v);
        }

        public Builder blockSize(int pages) {
            return option("block_size", pages);
        }

        public Builder bufferSize(double fractionOrTuples) {
            return option("buffer_size", fractionOrTuples);
        }

        public Builder bufferMemory(long bytes) {
            return option("buffer_memory", bytes);
        }

        public Builder earlyStopPatience(int v) {
            return option("early_stop_patience", v);
        }

        public Builder standardize(boolean v) {
            return option("standardize", v);
        }

        public Builder average(boolean v) {
            return option("average", v);
        }

        public Builder hidden(int... widths) {
            return option("hidden", widths.clone());
        }

        public Builder classes(int v) {
            return option("classes", v);
        }

        public Builder device(String v) {
            return option("device", v);
        }

        public Builder trainMetrics(String v) {
            return option("train_metrics", v);
        }

        public Builder overwrite(boolean v) {
            return option("overwrite", v);
        }

        public TrainSpec build() {
            return fromOptions(options);
        }
    }
}
