package org.corgipile.operators;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Fluent construction of a {@link TrainSpec} from Java; {@link #build()} validates with the one parser,
 * {@link TrainOptions#parse}. Setters record arguments by their SQL names, so {@link #options()} is exactly what
 * was set — what a client sends to {@code train_sgd}, leaving everything else to the server's defaults.
 */
public final class TrainSpecBuilder {
    private final Map<String, Object> options = new LinkedHashMap<>();

    TrainSpecBuilder() {
    }

    /**
     * Sets any argument by its SQL name (case-insensitive); null removes it, so it takes its default. An array value
     * is copied, so later changes to the caller's array do not reach the spec.
     */
    public TrainSpecBuilder option(String key, Object value) {
        String k = key == null ? null : key.strip().toLowerCase(Locale.ROOT);
        if (value == null) {
            options.remove(k);
        } else if (value instanceof int[] ints) {
            options.put(k, ints.clone());
        } else if (value instanceof double[] doubles) {
            options.put(k, doubles.clone());
        } else {
            options.put(k, value);
        }
        return this;
    }

    public TrainSpecBuilder model(String v) {
        return option("model", v);
    }

    public TrainSpecBuilder shuffle(String v) {
        return option("shuffle", v);
    }

    public TrainSpecBuilder epochs(int v) {
        return option("epochs", v);
    }

    public TrainSpecBuilder learningRate(double v) {
        return option("learning_rate", v);
    }

    public TrainSpecBuilder schedule(String v) {
        return option("schedule", v);
    }

    public TrainSpecBuilder decay(double v) {
        return option("decay", v);
    }

    public TrainSpecBuilder l2(double v) {
        return option("l2", v);
    }

    public TrainSpecBuilder l1(double v) {
        return option("l1", v);
    }

    public TrainSpecBuilder batchSize(int v) {
        return option("batch_size", v);
    }

    public TrainSpecBuilder seed(long v) {
        return option("seed", v);
    }

    public TrainSpecBuilder blockSize(int pages) {
        return option("block_size", pages);
    }

    public TrainSpecBuilder bufferSize(double fractionOrTuples) {
        return option("buffer_size", fractionOrTuples);
    }

    public TrainSpecBuilder bufferMemory(long bytes) {
        return option("buffer_memory", bytes);
    }

    public TrainSpecBuilder earlyStopPatience(int v) {
        return option("early_stop_patience", v);
    }

    public TrainSpecBuilder standardize(boolean v) {
        return option("standardize", v);
    }

    public TrainSpecBuilder average(boolean v) {
        return option("average", v);
    }

    public TrainSpecBuilder classes(int v) {
        return option("classes", v);
    }

    public TrainSpecBuilder device(String v) {
        return option("device", v);
    }

    public TrainSpecBuilder trainMetrics(String v) {
        return option("train_metrics", v);
    }

    public TrainSpecBuilder overwrite(boolean v) {
        return option("overwrite", v);
    }

    /** Continue from the stored model of this name (the caller resolves it; see {@link Trainer}). */
    public TrainSpecBuilder warmStart(String modelName) {
        return option("warm_start", modelName);
    }

    /** The mlp's hidden layer widths (the builder keeps a copy). */
    public TrainSpecBuilder hidden(int... widths) {
        return option("hidden", widths);
    }

    /** Training weight of each class: binary models negative, positive; softmax one per class (the builder keeps a copy). */
    public TrainSpecBuilder classWeights(double... weights) {
        return option("class_weights", weights);
    }

    /** The arguments set so far, by SQL name, in the order they were first set (a copy). */
    public Map<String, Object> options() {
        return new LinkedHashMap<>(options);
    }

    public TrainSpec build() {
        return TrainOptions.parse(options);
    }
}
