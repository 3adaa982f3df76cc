package org.corgipile.pg;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.corgipile.operators.TrainOptions;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainingException;

/**
 * {@code train_sgd}'s arguments, resolved once, before anything is read or claimed: the named hyper-parameters
 * (NULL: not given), then the {@code options} jsonb over them (it also carries the rarer arguments: schedule, decay,
 * l1, early_stop_patience, standardize, hidden, classes, train_metrics, overwrite, dimension), validated by the
 * operators' one parser ({@link TrainOptions}) exactly as the training will validate them, and the model name
 * checked. The SQL side ({@code corgipile.train}) only does what needs SQL with the answer: claim the name with
 * {@code overwrite}, copy for shuffle_once, train with {@code spec} and {@code dimension}, store the row.
 *
 * <p>The answered {@code spec} holds the arguments as given (not resolved), and the seed: defaults that depend on
 * the session (the GUC corgipile.buffer_memory) or on the data (block and buffer sizes, standardize) are filled in by
 * the training itself.
 */
final class TrainArguments {
    private TrainArguments() {
    }

    /** The arguments whose NULL means "derive it" (the reference says so); any other NULL is an error. */
    static final Set<String> DERIVED = Set.of("learning_rate", "block_size", "buffer_size", "seed");

    static Map<String, Object> run(Args args) {
        Map<String, Object> given = new LinkedHashMap<>(args.object("arguments"));
        given.putAll(args.object("options"));
        // a NULL epochs (say, from a subquery that found nothing), named or in options (which override), or a JSON
        // null l1 or warm_start must not train with the default instead
        Set<String> nulls = new TreeSet<>();
        given.forEach((key, value) -> {
            if (value == null && TrainSpec.KEYS.contains(key) && !DERIVED.contains(key)) {
                nulls.add(key);
            }
        });
        if (!nulls.isEmpty()) {
            throw new TrainingException(TrainingException.NULL_VALUE_NOT_ALLOWED, String.join(", ", nulls)
                    + " must not be NULL", "Leave an argument out for its default; NULL derives learning_rate, "
                    + "block_size, buffer_size and seed.");
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        args.object("arguments").forEach((key, value) -> {
            if (value != null) {
                spec.put(key, value);
            }
        });
        spec.putAll(args.object("options"));
        String modelName = args.string("model_name", null);
        if (modelName != null) {
            int length = modelName.codePointCount(0, modelName.length());
            if (length < 1 || length > 200) {
                throw new TrainingException(TrainingException.INVALID_PARAMETER_VALUE,
                        "model_name must have 1 to 200 characters, got " + length,
                        "Choose a shorter (or a non-empty) model_name.");
            }
        }
        int dimension = TrainOptions.dimension(spec.remove("dimension"));
        TrainSpec resolved = TrainOptions.parse(spec);
        // the run's seed, drawn here when not given: shuffle_once's copy and the training use the same one
        spec.put("seed", resolved.seed());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("spec", spec);
        out.put("dimension", dimension == 0 ? null : dimension);
        out.put("overwrite", resolved.overwrite());
        out.put("shuffle", resolved.shuffle());
        return out;
    }
}
