package org.corgipile.operators;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
 *       min(0.01, 1/d) for d features, sparse features and mlp 0.01 (measured with standardize and average, see
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
 *   <tr><td>device_block</td><td>0; in SQL the storage probe's seek x bandwidth when the relation is larger than
 *       one buffer and on a seek-bound device ({@link StorageProbe})</td><td>0 .. 1280 pages: derived blocks are
 *       at least this large (0: the device-independent rule)</td></tr>
 *   <tr><td>early_stop_patience</td><td>0 (off)</td><td>0 .. 1000 epochs without improvement</td></tr>
 *   <tr><td>standardize</td><td>true for dense features, false for sparse</td><td>boolean (true needs dense
 *       features)</td></tr>
 *   <tr><td>average</td><td>true (false with l1)</td><td>boolean: the model at an epoch's end is the mean of the epoch's iterates
 *       (scikit-learn's average=True)</td></tr>
 *   <tr><td>hidden</td><td>{64} for mlp</td><td>1 or 2 layer widths, each 1 .. 16384; mlp only</td></tr>
 *   <tr><td>classes</td><td>inferred</td><td>2 .. 65536 (softmax, mlp); 2 (logistic, svm); not for linear</td></tr>
 *   <tr><td>device</td><td>cpu</td><td>cpu, gpu, auto</td></tr>
 *   <tr><td>train_metrics</td><td>running</td><td>running (mean pre-update loss of the training pass itself, and the
 *       accuracy of the epoch's model on a sample of 1% of the training rows (1,000 to 10,000) drawn in the first
 *       epoch; no extra read), pass (a separate storage-order pass after each epoch: loss, accuracy and the
 *       kind's metrics, timed as eval_seconds)</td></tr>
 *   <tr><td>overwrite</td><td>false</td><td>boolean (used by the catalog, carried along)</td></tr>
 *   <tr><td>class_weights</td><td>none (every row weighs 1)</td><td>one positive number per class (binary: negative,
 *       positive); logistic, svm, softmax</td></tr>
 *   <tr><td>warm_start</td><td>none</td><td>name of a stored model to continue from, 1 .. 200 characters (the
 *       catalog resolves it; the trainer is given the model)</td></tr>
 * </table>
 *
 * <p>Three classes, one job each: this value (resolved, immutable, compared by {@link #toMap()}); {@link TrainOptions},
 * the one parser from named arguments (SQL arguments, the {@code options} jsonb, a client's map) to a spec, with
 * the lenient conversions those callers need and every range check; {@link TrainSpecBuilder}, fluent construction
 * from Java through that same parser.
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
            "l2", "l1", "batch_size", "seed", "block_size", "buffer_size", "buffer_memory", "device_block", "early_stop_patience",
            "standardize", "average",
            "hidden", "classes", "device", "train_metrics", "overwrite", "class_weights", "warm_start");

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
    private final int deviceBlock;
    private final int earlyStopPatience;
    private final Boolean standardize;
    private final boolean average;
    private final int[] hidden;
    private final int classes;
    private final String device;
    private final String trainMetrics;
    private final boolean overwrite;
    private final double[] classWeights;
    private final String warmStart;

    /** Only {@link TrainOptions} constructs a spec, after validating every value. */
    TrainSpec(String model, String shuffle, int epochs, double learningRate, String schedule, double decay, double l2,
              double l1, int batchSize, long seed, int blockSize, double bufferSize, long bufferMemory, int deviceBlock,
              int earlyStopPatience, Boolean standardize, boolean average, int[] hidden, int classes, String device,
              String trainMetrics, boolean overwrite, double[] classWeights, String warmStart) {
        this.model = model;
        this.shuffle = shuffle;
        this.epochs = epochs;
        this.learningRate = learningRate;
        this.schedule = schedule;
        this.decay = decay;
        this.l2 = l2;
        this.l1 = l1;
        this.batchSize = batchSize;
        this.seed = seed;
        this.blockSize = blockSize;
        this.bufferSize = bufferSize;
        this.bufferMemory = bufferMemory;
        this.deviceBlock = deviceBlock;
        this.earlyStopPatience = earlyStopPatience;
        this.standardize = standardize;
        this.average = average;
        this.hidden = hidden == null ? null : hidden.clone();
        this.classes = classes;
        this.device = device;
        this.trainMetrics = trainMetrics;
        this.overwrite = overwrite;
        this.classWeights = classWeights == null ? null : classWeights.clone();
        this.warmStart = warmStart;
    }

    /**
     * Validates and resolves named arguments (SQL argument names) with {@link TrainOptions#parse}; missing or null
     * entries take their default.
     *
     * @throws InvalidSpecException naming the argument and its allowed range for unknown keys, wrong types and
     *                              out-of-range values
     */
    public static TrainSpec fromOptions(Map<String, ?> options) {
        return TrainOptions.parse(options);
    }

    /** Fluent construction ({@link TrainSpecBuilder}), validated by the same parser. */
    public static TrainSpecBuilder builder() {
        return new TrainSpecBuilder();
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
        m.put("device_block", deviceBlock);
        m.put("early_stop_patience", earlyStopPatience);
        m.put("standardize", standardize);
        m.put("average", average);
        m.put("hidden", hidden == null ? null : intList(hidden));
        m.put("classes", classes == 0 ? null : classes);
        m.put("device", device);
        m.put("train_metrics", trainMetrics);
        m.put("overwrite", overwrite);
        m.put("class_weights", classWeights == null ? null : doubleList(classWeights));
        m.put("warm_start", warmStart);
        return m;
    }

    public String model() {
        return model;
    }

    /**
     * Whether the model is a classifier: every model but linear, the one whose kind is {@code REGRESSION}
     * ({@link org.corgipile.operators.model.Model#kind}). The one rule of it (training's sample
     * of accuracy, the one-class error, the divergence hint), for a spec before its model exists and on a sharded
     * call's coordinator, which has no model object.
     */
    public boolean classifier() {
        return !model.equals("linear");
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
     * non-zeros, so their dimension says nothing about ||x||^2. The mlp is not a linear model in x: its first
     * layer's step is also scaled by the back-propagated error of 64 hidden units, and 0.01 was its best rate of
     * {0.1, 0.01, 0.001} on the 784-pixel images (0.1 diverges, 1/784 ended 0.9 points lower), so it keeps 0.01.
     */
    public static double defaultLearningRate(String model, FeatureShape shape) {
        if (model.equals("mlp") || shape.sparse() || shape.dimension() <= 1 / DEFAULT_LEARNING_RATE) {
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

    /**
     * Pages a derived block has at least: the storage device's seek x bandwidth ({@link StorageProbe}), 0 for no
     * such floor (the device-independent rule of {@link Sizing}).
     */
    public int deviceBlock() {
        return deviceBlock;
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
        return learningRate != 0 ? s : s.with("learning_rate", defaultLearningRate(model, shape));
    }

    /**
     * One line on the defaults {@link #withDataDefaults} fills in for {@code shape} (for a NOTICE), or null when
     * every one of them was given.
     */
    public String describeDataDefaults(FeatureShape shape) {
        List<String> parts = new ArrayList<>();
        if (learningRate == 0) {
            double lr = defaultLearningRate(model, shape);
            String rate = Numbers.text(lr);
            parts.add(model.equals("mlp") ? "learning_rate " + rate + " (derived: mlp)"
                    : shape.sparse() ? "learning_rate " + rate + " (derived: sparse features)"
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

    /** Training weight of each class (binary models: negative, positive), or null: every row weighs 1. */
    public double[] classWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    /** Name of the stored model training starts from, or null (provenance: the trainer is given the model). */
    public String warmStart() {
        return warmStart;
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

    private static List<Double> doubleList(double[] a) {
        List<Double> l = new ArrayList<>(a.length);
        for (double x : a) {
            l.add(x);
        }
        return Collections.unmodifiableList(l);
    }

    private static List<Integer> intList(int[] a) {
        List<Integer> l = new ArrayList<>(a.length);
        for (int x : a) {
            l.add(x);
        }
        return Collections.unmodifiableList(l);
    }
}
