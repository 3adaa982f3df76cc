package org.corgipile.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 * ({@link org.corgipile.operators.TrainOptions}). An argument set on the job ({@link Builder#argument}) wins over the
 * spec's, whichever was set first. This class checks only what it owns; ranges are checked once, by the engine, with
 * messages naming the argument.
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
        /** The last {@link #spec}'s arguments. */
        private TrainSpecBuilder spec = TrainSpec.builder();
        /** What {@link #argument} set (non-null values) and cleared (null), over the spec's at {@link #build()}. */
        private final TrainSpecBuilder set = TrainSpec.builder();
        private final Set<String> cleared = new LinkedHashSet<>();

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
         * defaults. The order of the calls does not matter: an {@link #argument} set on this builder, before or
         * after {@code spec}, wins over the spec's value for that name; a second {@code spec} replaces the first.
         * The spec's arguments are copied, later changes to it do not reach this job.
         */
        public Builder spec(TrainSpecBuilder spec) {
            TrainSpecBuilder copy = TrainSpec.builder();
            spec.options().forEach((name, value) -> copy.option(key(name), value));
            this.spec = copy;
            return this;
        }

        /**
         * One hyper-parameter by its SQL name ({@link TrainSpecBuilder#option}); it wins over the {@link #spec}'s
         * value, whichever was set first. Null removes it (engine default), the spec's value too.
         */
        public Builder argument(String name, Object value) {
            String key = key(name);
            set.option(key, value);
            if (value == null) {
                cleared.add(key);
            } else {
                cleared.remove(key);
            }
            return this;
        }

        private static String key(String name) {
            String key = Objects.requireNonNull(name, "argument name").strip().toLowerCase(Locale.ROOT);
            if (OWN.contains(key)) {
                throw new IllegalArgumentException("argument \"" + key + "\" has its own setter on TrainJob.Builder");
            }
            return key;
        }

        public TrainJob build() {
            TrainSpecBuilder arguments = TrainSpec.builder();
            spec.options().forEach(arguments::option);
            cleared.forEach(key -> arguments.option(key, null));
            set.options().forEach(arguments::option);
            return new TrainJob(relation, label, features, modelName, validationRelation, mode, arguments.options());
        }
    }
}
