package org.corgipile.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One training request from Java: what to train on (relation, label and feature columns, optional validation
 * relation), where to store it (model name), where to run it ({@link TrainMode}) and the hyper-parameters.
 *
 * <p>Hyper-parameters are kept by their SQL argument names of {@code train_sgd} ({@code model}, {@code shuffle},
 * {@code epochs}, {@code learning_rate}, {@code batch_size}, {@code seed}, ...), so one spec means the same thing
 * in both modes: in server mode they become named arguments of {@code train_sgd} (or keys of its {@code options}
 * jsonb), in client mode they go to the operators' own validation ({@code org.corgipile.operators.TrainSpec}).
 * Unset arguments take the engine's defaults. This class checks only what it owns; ranges are checked once, by
 * the engine, with messages naming the argument.
 *
 * <pre>{@code
 * TrainSpec spec = TrainSpec.on("higgs_like")
 *         .label("label").features("features")
 *         .model("logistic").shuffle("corgipile").epochs(10).learningRate(0.1)
 *         .modelName("higgs_lr").validation("higgs_like_test").seed(42)
 *         .mode(TrainMode.AUTO)
 *         .build();
 * }</pre>
 */
public final class TrainSpec {
    private final String relation;
    private final String label;
    private final String features;
    private final String modelName;
    private final String validationRelation;
    private final TrainMode mode;
    private final Map<String, Object> arguments;

    private TrainSpec(Builder b) {
        relation = b.relation;
        label = b.label;
        features = b.features;
        modelName = b.modelName;
        validationRelation = b.validationRelation;
        mode = b.mode;
        arguments = Collections.unmodifiableMap(new LinkedHashMap<>(b.arguments));
    }

    /** Starts a spec that trains on {@code relation} (a table name as {@code regclass} accepts it). */
    public static Builder on(String relation) {
        return new Builder(relation);
    }

    public String relation() {
        return relation;
    }

    public String label() {
        return label;
    }

    /** The features argument: a column, {@code "x1, x2"} or {@code "indices:values"}. */
    public String features() {
        return features;
    }

    /** The catalog name to store the model under, or null to let the engine name it. */
    public String modelName() {
        return modelName;
    }

    public String validationRelation() {
        return validationRelation;
    }

    public TrainMode mode() {
        return mode;
    }

    /** The hyper-parameters that were set, by SQL argument name, in the order they were set. */
    public Map<String, Object> arguments() {
        return arguments;
    }

    /** A builder holding this spec's values, to derive a variant (e.g. the same spec in another mode). */
    public Builder toBuilder() {
        Builder b = new Builder(relation).label(label).features(features).modelName(modelName)
                .validation(validationRelation).mode(mode);
        b.arguments.putAll(arguments);
        return b;
    }

    @Override
    public String toString() {
        return "TrainSpec[relation=" + relation + ", label=" + label + ", features=" + features + ", model_name="
                + modelName + ", validation_relation=" + validationRelation + ", mode=" + mode + ", " + arguments
                + "]";
    }

    /** Builds a {@link TrainSpec}; setters return the builder. */
    public static final class Builder {
        private final String relation;
        private String label = "label";
        private String features = "features";
        private String modelName;
        private String validationRelation;
        private TrainMode mode = TrainMode.AUTO;
        private final Map<String, Object> arguments = new LinkedHashMap<>();

        private Builder(String relation) {
            if (relation == null || relation.isBlank()) {
                throw new IllegalArgumentException("relation must name a table, got \"" + relation + "\"");
            }
            this.relation = relation;
        }

        /** The label column (default {@code label}). */
        public Builder label(String column) {
            this.label = Objects.requireNonNull(column, "label");
            return this;
        }

        /** The feature column(s) (default {@code features}); see {@code FeatureColumns}. */
        public Builder features(String columns) {
            this.features = Objects.requireNonNull(columns, "features");
            return this;
        }

        public Builder modelName(String name) {
            this.modelName = name;
            return this;
        }

        /** A relation with the same columns, evaluated after every epoch (validation_loss/accuracy). */
        public Builder validation(String relation) {
            this.validationRelation = relation;
            return this;
        }

        public Builder mode(TrainMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** logistic, svm, linear, softmax or mlp. */
        public Builder model(String model) {
            return argument("model", model);
        }

        /** corgipile, block_only, none, shuffle_once, epoch_shuffle, sliding_window or mrs. */
        public Builder shuffle(String shuffle) {
            return argument("shuffle", shuffle);
        }

        public Builder epochs(int epochs) {
            return argument("epochs", epochs);
        }

        public Builder learningRate(double rate) {
            return argument("learning_rate", rate);
        }

        public Builder batchSize(int size) {
            return argument("batch_size", size);
        }

        public Builder seed(long seed) {
            return argument("seed", seed);
        }

        /** Pages per block. */
        public Builder blockSize(int pages) {
            return argument("block_size", pages);
        }

        /** A fraction (0, 1] of the table or, above 1, a tuple count. */
        public Builder bufferSize(double size) {
            return argument("buffer_size", size);
        }

        /** Replace a model of the same name. */
        public Builder overwrite(boolean overwrite) {
            return argument("overwrite", overwrite);
        }

        /**
         * Any other training argument by its SQL name (schedule, decay, l2, l1, early_stop_patience, standardize,
         * hidden, classes, device, train_metrics, ...); null removes it (engine default).
         */
        public Builder argument(String name, Object value) {
            String key = Objects.requireNonNull(name, "argument name").strip().toLowerCase(Locale.ROOT);
            if (key.equals("relation") || key.equals("label") || key.equals("features") || key.equals("model_name")
                    || key.equals("validation_relation") || key.equals("mode")) {
                throw new IllegalArgumentException("argument \"" + key + "\" has its own setter on TrainSpec.Builder");
            }
            if (value == null) {
                arguments.remove(key);
            } else {
                arguments.put(key, value);
            }
            return this;
        }

        public TrainSpec build() {
            return new TrainSpec(this);
        }
    }
}
