package org.corgipile.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainSpecBuilder;

/**
 * One training job from Java: what to train on (relation, label and feature columns, optional validation
 * relation), where to store it (model name), where to run it ({@link TrainMode}) and the hyper-parameters, which are
 * the operators' {@link TrainSpec}: set with {@link TrainSpec#builder()}, by the SQL argument names of
 * {@code train_sgd}, so one spec means the same thing in both modes. In server mode the arguments that were set
 * become named arguments of {@code train_sgd} (or keys of its {@code options} jsonb) and everything else takes the
 * server's defaults; in client mode they go through the same parser the extension uses
 * ({@link org.corgipile.operators.TrainOptions}). This class checks only what it owns; ranges are checked once, by
 * the engine, with messages naming the argument.
 *
 * <pre>{@code
 * TrainJob job = TrainJob.on("higgs_like")
 *         .label("label").features("features")
 *         .spec(TrainSpec.builder().model("logistic").shuffle("corgipile").epochs(10).learningRate(0.1).seed(42))
 *         .modelName("higgs_lr").validation("higgs_like_test")
 *         .mode(TrainMode.AUTO)
 *         .build();
 * }</pre>
 */
public record TrainJob(String relation, String label, String features, String modelName, String validationRelation,
                       TrainMode mode, Map<String, Object> arguments) {
    /** Arguments a job sets with their own setters, not through the spec. */
    private static final Set<String> OWN = Set.of("relation", "label", "features", "model_name", "validation_relation",
            "mode");

    /**
     * A job as {@link Builder#build()} makes it: {@code features} is a column, {@code "x1, x2"} or
     * {@code "indices:values"}; {@code modelName} is the catalog name to store the model under, or null to let the
     * engine name it; {@code arguments} are the hyper-parameters that were set ({@link TrainSpecBuilder#options()}),
     * by SQL argument name (kept as an unmodifiable copy).
     */
    public TrainJob {
        requireRelation(relation);
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(mode, "mode");
        arguments = Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
    }

    /** Starts a job that trains on {@code relation} (a table name as {@code regclass} accepts it). */
    public static Builder on(String relation) {
        return new Builder(relation);
    }

    private static String requireRelation(String relation) {
        if (relation == null || relation.isBlank()) {
            throw new IllegalArgumentException("relation must name a table, got \"" + relation + "\"");
        }
        return relation;
    }

    /** A builder holding this job's values, to derive a variant (e.g. the same job in another mode). */
    public Builder toBuilder() {
        TrainSpecBuilder spec = TrainSpec.builder();
        arguments.forEach(spec::option);
        return new Builder(relation).label(label).features(features).modelName(modelName)
                .validation(validationRelation).mode(mode).spec(spec);
    }

    @Override
    public String toString() {
        return "TrainJob[relation=" + relation + ", label=" + label + ", features=" + features + ", model_name="
                + modelName + ", validation_relation=" + validationRelation + ", mode=" + mode + ", " + arguments
                + "]";
    }

    /** Builds a {@link TrainJob}; setters return the builder. */
    public static final class Builder {
        private final String relation;
        private String label = "label";
        private String features = "features";
        private String modelName;
        private String validationRelation;
        private TrainMode mode = TrainMode.AUTO;
        private TrainSpecBuilder spec = TrainSpec.builder();

        private Builder(String relation) {
            this.relation = requireRelation(relation);
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

        /**
         * The hyper-parameters: every {@code train_sgd} argument set on {@code spec} (model, shuffle, epochs,
         * learning_rate, ..., and {@code option("dimension", n)} for sparse data); unset ones take the engine's
         * defaults. Replaces the arguments set so far; the builder's arguments are copied, later changes to it do
         * not reach this job.
         */
        public Builder spec(TrainSpecBuilder spec) {
            this.spec = TrainSpec.builder();
            spec.options().forEach(this::argument);
            return this;
        }

        /**
         * One hyper-parameter by its SQL name, on this job's spec ({@link TrainSpecBuilder#option}); null removes
         * it (engine default).
         */
        public Builder argument(String name, Object value) {
            String key = Objects.requireNonNull(name, "argument name").strip().toLowerCase(Locale.ROOT);
            if (OWN.contains(key)) {
                throw new IllegalArgumentException("argument \"" + key + "\" has its own setter on TrainJob.Builder");
            }
            spec.option(key, value);
            return this;
        }

        public TrainJob build() {
            return new TrainJob(relation, label, features, modelName, validationRelation, mode, spec.options());
        }
    }
}
