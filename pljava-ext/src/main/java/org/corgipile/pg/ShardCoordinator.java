package org.corgipile.pg;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.corgipile.operators.DataProfile;
import org.corgipile.operators.EarlyStopping;
import org.corgipile.operators.EpochNotice;
import org.corgipile.operators.EpochStats;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.InvalidSpecException;
import org.corgipile.operators.ShardEpoch;
import org.corgipile.operators.TrainResult;
import org.corgipile.operators.TrainOptions;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainedModel;
import org.corgipile.operators.TrainingException;
import org.corgipile.operators.TrainingSample;
import org.corgipile.operators.TupleBuffer;
import org.corgipile.operators.Version;

/**
 * The coordinator's arithmetic for training over partitions on several servers ({@code corgipile.train_sharded}
 * runs the rounds over dblink; this class keeps the state between rounds as JSON). The defaults are one server's:
 * <ul>
 *   <li>{@code shard_start}: resolves the spec once (so every server gets the same seed; buffer_memory and
 *       device_block only when the call gave them: otherwise each server resolves its own, see
 *       {@link #SERVER_SIZES}) and plans the rounds: a profile round before epoch 1 when the
 *       features may be standardised (dense, standardize not off) or softmax/mlp must infer their classes;</li>
 *   <li>{@code shard_merge}: folds one round's replies into the state. Profile: the servers' {@link DataProfile}s
 *       combined weighted by rows into the whole table's mean and deviation (sent to every server, so all
 *       standardise identically, and stored with the model) and class count, standardize resolved as on one
 *       server (dense: on). Train: the SGD iterates averaged weighted by the tuples each server trained on (where
 *       the next epoch continues), and so are the epochs' models (with {@code average}, each server's mean
 *       iterate: the averaged iterate of the whole epoch); tuples summed, each server's seconds and bytes read from
 *       its device; under the default metrics the averaged model's accuracy on the pooled training sample (the
 *       servers' parts in epoch 1, see {@link #samples}). Evaluate: the loss, accuracy, rmse and mae of the averaged
 *       model, weighted by tuples;</li>
 *   <li>{@code shard_epoch_end}: the validation relation (on the coordinator), {@link EarlyStopping} on the
 *       averaged model's losses (validation loss, else training loss; the best epoch's model kept, {@code stop}
 *       set when patience ran out), the epoch's NOTICE;</li>
 *   <li>{@code shard_finish}: the state as {@code train_sgd}'s result (the same JSON as {@link TrainFunction}).</li>
 * </ul>
 * State: {@code {"spec", "rounds": the next epoch's rounds, "model": catalog-row-like model with "iterate" (and in
 * epoch 1 "sample_shares"), "best_model", "stop", "epochs": [...], "skipped_tuples", "profile_seconds",
 * "profile_device_read_bytes", "sample": the key of the pooled training sample ({@link #POOLS})}}.
 * Read through {@link Args} only ({@link #state}): a state or reply that a direct call of {@code corgipile._invoke}
 * malformed is 22023 naming the field, with {@link #HINT}.
 */
final class ShardCoordinator {
    /**
     * Sizes a server resolves itself when the call does not give them, as {@code train_sgd} on that server would:
     * its {@code corgipile.buffer_memory} and the device block of its own disk (one server may be on an hdd, the
     * next on an ssd); the epoch log's {@code server_sizes} records what each server used.
     */
    private static final List<String> SERVER_SIZES = List.of("buffer_memory", "device_block");

    /**
     * The pooled training samples of this backend's sharded trainings, by the key their state holds
     * ({@code "sample"}): kept here rather than in the state, which travels as JSON through every round (a pool of
     * 10,000 rows of 28 features is 3 MB of JSON even packed, {@link #sampleJson}). A training
     * runs in one backend, so every round of it finds its pool; {@code shard_finish} drops it, and one that failed
     * is dropped when two newer ones are kept (a backend runs one training at a time).
     */
    private static final Map<String, Pool> POOLS = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pool> eldest) {
            return size() > 2;
        }
    };
    private static long pools;

    /** A pooled sample: its rows and the {@link TrainingSample} that measures on them. */
    record Pool(TupleBuffer rows, TrainingSample sample) {
    }

    /** The hint of a malformed state or reply. */
    static final String HINT = "The state is what the previous round of corgipile.train_sharded returned, and the "
            + "replies are the servers' corgipile.train_epoch results: train over foreign partitions with train_sgd.";

    private ShardCoordinator() {
    }

    /** The one reader of a coordinator state (JSON): its fields are named state.&lt;key&gt; in errors, with HINT. */
    private static Args state(Object state) {
        return new Args(Collections.singletonMap("state", state)).withHint(HINT).args("state");
    }

    static Map<String, Object> start(Args args) {
        Map<String, Object> options = new LinkedHashMap<>(args.object("spec"));
        TrainSpec spec = TrainOptions.parse(options);
        if (!spec.device().equals("cpu")) {
            throw new TrainingException(TrainingException.FEATURE_NOT_SUPPORTED,
                    "device => '" + spec.device() + "' is not supported when partitions are "
                    + "on other servers", "Use device => 'cpu'.");
        }
        if (spec.warmStart() != null) {
            throw new TrainingException(TrainingException.FEATURE_NOT_SUPPORTED,
                    "warm_start is not supported when partitions are on other servers",
                    "Train without warm_start, or on one server.");
        }
        boolean profile = !Boolean.FALSE.equals(spec.standardizeGiven()) || needsClasses(spec);
        Map<String, Object> state = new LinkedHashMap<>();
        Map<String, Object> specMap = spec.toMap();
        for (String size : SERVER_SIZES) {
            // not given: each server resolves it for its own share, memory and disk (DeviceSizing.resolve)
            if (options.get(size) == null) {
                specMap.put(size, null);
            }
        }
        state.put("spec", specMap);
        state.put("label", args.string("label", "?"));
        state.put("rounds", rounds(spec, profile));
        Map<String, Object> first = profile ? null : model(spec, spec.classes(), null);
        if (first != null && samples(spec)) {
            // no profile round, so no row counts yet: an equal share for every shard (the servers and the
            // coordinator's own partitions), the pool in proportion is then taken from what they kept
            int shards = args.intValue("servers", 0) + 1;
            Map<String, Object> shares = new LinkedHashMap<>();
            for (int shard = 0; shard < shards; shard++) {
                shares.put(String.valueOf(shard), 1.0 / shards);
            }
            first.put("sample_shares", shares);
        }
        state.put("model", first);
        state.put("epochs", new ArrayList<>());
        state.put("skipped_tuples", 0L);
        state.put("stop", false);
        if (args.has("relation")) {
            long now = System.currentTimeMillis();
            Map<String, Object> activity = new LinkedHashMap<>();
            activity.put("relid", args.longValue("relation"));
            activity.put("relation", args.string("relation_name", "?"));
            activity.put("model_name", args.string("model_name", null));
            activity.put("limit", Math.max(100, args.intValue("activity_limit", 1024)) - 1);
            activity.put("servers", args.intValue("servers", 0));
            activity.put("started", now);
            activity.put("epoch_started", now);
            state.put("activity", activity);
            publish(state, profile ? "profile" : "train", 1, false);
        }
        return state;
    }

    /**
     * The coordinator's row in {@code corgipile.training_progress} (and {@code sgd_training_info}): the same text
     * in its pg_stat_activity as one server's training ({@link LiveActivity#text}), published whenever the Java
     * half runs, i.e. between rounds, naming what runs next ({@code phase}: profile, train, evaluate on the
     * servers, validate on the coordinator, finish), the epochs finished so far, and {@code servers}. The tuples
     * done within a round are the servers' and not known here (NULL). Not published without {@code activity} in
     * the state (the arithmetic's unit tests).
     */
    private static void publish(Map<String, Object> state, String phase, int epoch, boolean epochStarts) {
        publish(state, phase, epoch, epochStarts, true);
    }

    /** @param kept shown beyond this call (between rounds); false: until it returns (the last call) */
    private static void publish(Map<String, Object> state, String phase, int epoch, boolean epochStarts,
                                boolean kept) {
        Args s = state(state);
        if (!s.has("activity")) {
            return;
        }
        Args given = s.args("activity");
        Map<String, Object> a = new LinkedHashMap<>(given.asMap());
        if (epochStarts) {
            a.put("epoch_started", System.currentTimeMillis());
        }
        state.put("activity", a);
        TrainSpec spec = TrainOptions.parse(s.object("spec"));
        List<Args> epochs = s.objects("epochs");
        // rows made as LiveActivity.text reads them: it reads the newest that fit, not all epochs done
        List<List<Object>> log = new AbstractList<>() {
            @Override
            public List<Object> get(int i) {
                Args e = epochs.get(i);
                return Arrays.asList(e.intValue("epoch", 0), LiveActivity.round(e.doubleValue("loss", Double.NaN)),
                        LiveActivity.round(e.doubleValue("accuracy", Double.NaN)),
                        LiveActivity.round(e.doubleValue("validation_loss", Double.NaN)),
                        LiveActivity.round(e.doubleValue("validation_accuracy", Double.NaN)),
                        LiveActivity.round(e.doubleValue("learning_rate", Double.NaN)),
                        LiveActivity.round(e.doubleValue("seconds", Double.NaN)), e.longValue("tuples"));
            }

            @Override
            public int size() {
                return epochs.size();
            }
        };
        long total = log.isEmpty() ? -1 : (Long) log.get(log.size() - 1).get(7);
        int limit = given.intValue("limit", 1023);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("relid", a.get("relid"));
        o.put("model", spec.model());
        o.put("shuffle", spec.shuffle());
        o.put("phase", phase);
        o.put("epoch", epoch);
        o.put("epochs", spec.epochs());
        o.put("tuples", null);
        o.put("total", total);
        o.put("loss", log.isEmpty() ? null : log.get(log.size() - 1).get(1));
        o.put("lr", LiveActivity.round(spec.learningRate(Math.max(1, epoch))));
        o.put("started", a.get("started"));
        o.put("epoch_started", a.get("epoch_started"));
        o.put("servers", a.get("servers"));
        o.put("log_from", log.isEmpty() ? 1 : log.get(0).get(0));
        o.put("log", log);
        o.put("relation", a.get("relation"));
        o.put("model_name", a.get("model_name"));
        String text = LiveActivity.text(String.valueOf(a.get("relation")), spec.model() + ", " + spec.shuffle() + ", "
                + a.get("servers") + " servers", o, log, limit);
        if (kept) {
            Natives.reportActivityKept(text);
        } else {
            Natives.reportActivity(text);
        }
    }

    private static boolean needsClasses(TrainSpec spec) {
        return spec.classes() == 0 && (spec.model().equals("softmax") || spec.model().equals("mlp"));
    }

    /**
     * Whether the epochs' training accuracy comes from a sample of the table (the default metrics of a classifier):
     * every shard keeps its share of one {@link TrainingSample} in epoch 1 (the model's {@code sample_shares}, by
     * shard number, from the profile round's rows or equal without one) and sends it with its round; the
     * coordinator pools the shares in proportion to the rows each shard trained on ({@link TrainingSample#apportion})
     * and measures every epoch's averaged model on the pool, as one server measures its model on its sample.
     */
    private static boolean samples(TrainSpec spec) {
        return spec.trainMetrics().equals("running") && spec.classifier();
    }

    /**
     * Rows of a training sample as JSON (a shard's reply): the labels, and the features row-major ({@code features},
     * dense) or as {@code row_ends}, {@code indices} and {@code values} (sparse). The doubles (labels, features,
     * values) are packed ({@link Json#pack}): as lists of JSON numbers, 10,000 rows of 28 features were 5.5 MB that
     * jsonb, dblink and the coordinator's JVM each parsed and printed as numbers (docs/scale-out.md, "One epoch").
     */
    static Map<String, Object> sampleJson(TupleBuffer rows) {
        FeatureShape shape = rows.shape();
        int n = rows.size();
        double[] labels = new double[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rows.label(i);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dimension", shape.dimension());
        out.put("sparse", shape.sparse());
        out.put("labels", Json.pack(labels, 0, n));
        if (!shape.sparse()) {
            out.put("features", Json.pack(rows.dense(), 0, n * shape.dimension()));
        } else {
            int[] ends = new int[n];
            int start = n == 0 ? 0 : rows.rowStart(0);
            for (int i = 0; i < n; i++) {
                ends[i] = rows.rowEnd(i) - start;
            }
            int nnz = n == 0 ? 0 : ends[n - 1];
            out.put("row_ends", ends);
            out.put("indices", Arrays.copyOfRange(rows.indices(), start, start + nnz));
            out.put("values", Json.pack(rows.values(), start, start + nnz));
        }
        return out;
    }

    /** The rows of {@link #sampleJson}; a malformed one is 22023 naming the field. */
    static TupleBuffer sampleRows(Args sample) {
        int dimension = sample.intValue("dimension", 0);
        if (dimension < 1) {
            throw sample.malformed("dimension", "a positive integer");
        }
        boolean sparse = Boolean.TRUE.equals(sample.raw("sparse"));
        double[] labels = sample.packedDoubles("labels");
        if (labels == null) {
            throw sample.malformed("labels", "base64 of little-endian doubles");
        }
        int n = labels.length;
        TupleBuffer rows = new TupleBuffer(sparse ? FeatureShape.sparse(dimension) : FeatureShape.dense(dimension),
                Math.max(1, n));
        if (!sparse) {
            double[] features = sample.packedDoubles("features");
            if (features == null || features.length != (long) n * dimension) {
                throw sample.malformed("features", "base64 of " + n + " x " + dimension + " little-endian doubles");
            }
            for (int i = 0; i < n; i++) {
                rows.addDense(labels[i], i, features, i * dimension);
            }
            return rows;
        }
        double[] ends = sample.doubles("row_ends");
        double[] indices = sample.doubles("indices");
        double[] values = sample.packedDoubles("values");
        if (ends == null || ends.length != n) {
            throw sample.malformed("row_ends", "a list of " + n + " row ends");
        }
        if (indices == null || values == null || indices.length != values.length
                || n > 0 && ends[n - 1] != indices.length) {
            throw sample.malformed("indices", "a list of " + (n == 0 ? 0 : (long) ends[n - 1])
                    + " indices, as many as values (base64 of little-endian doubles)");
        }
        int[] idx = new int[indices.length];
        for (int k = 0; k < idx.length; k++) {
            if (!(indices[k] >= 0 && indices[k] < dimension && indices[k] == Math.rint(indices[k]))) {
                throw sample.malformed("indices", "indices from 0 to " + (dimension - 1));
            }
            idx[k] = (int) indices[k];
        }
        int start = 0;
        for (int i = 0; i < n; i++) {
            int end = (int) ends[i];
            if (end < start || end != ends[i]) {
                throw sample.malformed("row_ends", "ascending row ends");
            }
            rows.addSparse(labels[i], i, idx, values, start, end - start);
            start = end;
        }
        return rows;
    }

    /**
     * The pool of a sharded table's training sample: from each part (a shard's rows in a random order), the first
     * {@link TrainingSample#apportion} rows for the rows it trained on; null when a shard that trained on rows sent
     * no part (the pool would not be uniform) or the pool is empty.
     */
    static TupleBuffer pool(List<TupleBuffer> parts, long[] tuples) {
        int[] kept = new int[parts.size()];
        long total = 0;
        for (int s = 0; s < kept.length; s++) {
            if (parts.get(s) == null) {
                if (tuples[s] > 0) {
                    return null;
                }
                continue;
            }
            kept[s] = parts.get(s).size();
            total += tuples[s];
        }
        int[] take = TrainingSample.apportion(tuples, kept, TrainingSample.toMeasure(total));
        TupleBuffer pool = null;
        for (int s = 0; s < take.length; s++) {
            for (int i = 0; i < take[s]; i++) {
                if (pool == null) {
                    pool = new TupleBuffer(parts.get(s).shape(), Arrays.stream(take).sum());
                }
                pool.addFrom(parts.get(s), i);
            }
        }
        return pool;
    }

    /** The rounds of an epoch: the profile (epoch 1 only), training, the evaluation pass with train_metrics pass. */
    private static List<String> rounds(TrainSpec spec, boolean profile) {
        List<String> rounds = new ArrayList<>();
        if (profile) {
            rounds.add("profile");
        }
        rounds.add("train");
        if (spec.trainMetrics().equals("pass")) {
            rounds.add("evaluate");
        }
        return rounds;
    }

    /** The model the servers get: no parameters yet (epoch 1 starts from the seed), standardisation, classes. */
    private static Map<String, Object> model(TrainSpec spec, int classes, DataProfile profile) {
        Map<String, Object> params = new LinkedHashMap<>();
        if (classes > 0) {
            params.put("classes", classes);
        }
        if (spec.hidden() != null) {
            params.put("hidden", spec.toMap().get("hidden"));
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("model_type", spec.model());
        model.put("dimension", null);
        model.put("parameters", null);
        model.put("iterate", null);
        model.put("feature_mean", profile == null ? null : profile.mean());
        model.put("feature_std", profile == null ? null : profile.std());
        model.put("params", params);
        return model;
    }

    static Map<String, Object> merge(Args call) {
        Args args = call.withHint(HINT);
        // the round's seconds: from its start (the coordinator's clock_timestamp() before it sent the round) to
        // now, so they include what the round's replies cost on the way here (jsonb to text, the parse of this call)
        double started = args.doubleValue("started", Double.NaN);
        if (!(started > 0)) {
            throw args.malformed("started", "the round's start in seconds since 1970");
        }
        double seconds = Math.max(0, System.currentTimeMillis() / 1000.0 - started);
        Args state = state(args.raw("state"));
        Map<String, Object> out = new LinkedHashMap<>(state.asMap());
        List<Args> replies = args.objects("replies");
        int epoch = args.intValue("epoch", 0);
        switch (args.string("kind")) {
            case "profile" -> {
                mergeProfile(state, replies, seconds, out);
                publish(out, "train", 1, true);
            }
            case "train" -> {
                mergeTrain(state, replies, epoch, seconds, out);
                publish(out, state.list("rounds").contains("evaluate") ? "evaluate" : "validate", epoch, false);
            }
            default -> {
                mergeEvaluation(state, replies, seconds, out);
                publish(out, "validate", epoch, false);
            }
        }
        return out;
    }

    private static void mergeProfile(Args state, List<Args> replies, double seconds, Map<String, Object> out) {
        Map<String, Object> specMap = new LinkedHashMap<>(state.object("spec"));
        TrainSpec spec = TrainOptions.parse(specMap);
        DataProfile all = null;
        boolean sparse = false;
        long skipped = 0;
        Map<String, Object> deviceBytes = new LinkedHashMap<>();
        // each shard's (estimated) rows, by the shard number its reply names: its share of the training sample
        Map<String, Long> shardRows = new LinkedHashMap<>();
        for (Args o : replies) {
            Args r = o.args("reply");
            if (r.has("device_read_bytes")) {
                deviceBytes.put(o.string("server"), r.longValue("device_read_bytes"));
            }
            sparse |= Boolean.TRUE.equals(r.raw("sparse"));
            skipped += r.longValue("skipped_tuples");
            if (!r.has("profile")) {
                continue;
            }
            Args p = r.args("profile");
            double[] exponents = p.doubles("m2_exponents");
            DataProfile one = DataProfile.of(p.longValue("tuples"), p.doubles("mean"), p.doubles("m2"),
                    exponents == null ? null : java.util.Arrays.stream(exponents).mapToInt(v -> (int) v).toArray(),
                    p.doubleValue("min_label", Double.NaN), p.doubleValue("max_label", Double.NaN),
                    Boolean.TRUE.equals(p.raw("integral_labels")));
            if (all != null && one.mean() != null && all.mean() != null && one.mean().length != all.mean().length) {
                throw new TrainingException(TrainingException.DATA_EXCEPTION, "servers disagree on the features: "
                        + o.string("server") + " has " + one.mean().length
                        + ", another " + all.mean().length, "Every partition's features must have the same length.");
            }
            all = all == null ? one : all.merge(one);
            if (r.has("shard")) {
                shardRows.merge(String.valueOf(r.intValue("shard", 0)), one.tuples(), Long::sum);
            }
        }
        if (all == null || all.tuples() == 0) {
            throw noRows();
        }
        boolean standardize = spec.standardizeGiven() != null ? spec.standardizeGiven() : !sparse;
        if (standardize && sparse) {
            throw new InvalidSpecException("standardize => true needs dense features; this relation's features "
                    + "are sparse", "Scale sparse features before loading them.");
        }
        specMap.put("standardize", standardize);
        if (specMap.get("learning_rate") == null && (sparse || all.mean() != null)) {
            // one server's rule (TrainSpec.defaultLearningRate), resolved once so every server and the stored
            // spec have the rate the rounds train with
            specMap.put("learning_rate", TrainSpec.defaultLearningRate(spec.model(), sparse
                    ? org.corgipile.operators.FeatureShape.sparse(1) : org.corgipile.operators.FeatureShape.dense(
                    all.mean().length)));
        }
        spec = TrainOptions.parse(specMap);
        out.put("spec", specMap);
        out.put("rounds", rounds(spec, false));
        Map<String, Object> model = model(spec, needsClasses(spec) ? all.classes(spec.model()) : spec.classes(),
                standardize ? all : null);
        if (samples(spec)) {
            long rows = all.tuples();
            // the pool needs TrainingSample.toMeasure(rows) rows of the sample's capacity (ROWS at most), one in a
            // hundred: ask for half as many again, as the rows are estimates (the pool is in proportion whatever
            // the shards kept, at worst smaller), so that fewer rows travel than the whole capacity
            double used = Math.min(1, 1.5 * TrainingSample.toMeasure(rows) / TrainingSample.ROWS);
            Map<String, Object> shares = new LinkedHashMap<>();
            // at least one row in TrainingSample.ROWS: a sampled profile may have seen no row of a small share
            shardRows.forEach((shard, n) -> shares.put(shard,
                    Math.min(1, Math.max(1.0 / TrainingSample.ROWS, used * n / rows))));
            model.put("sample_shares", shares);
        }
        out.put("model", model);
        out.put("skipped_tuples", skipped);
        out.put("profile_seconds", seconds);
        if (!deviceBytes.isEmpty()) {
            out.put("profile_device_read_bytes", deviceBytes);
        }
    }

    private static TrainingException noRows() {
        return new TrainingException(TrainingException.DATA_EXCEPTION,
                "the partitions have no rows with a non-NULL label and "
                + "features", "Load data into the partitions first.");
    }

    private static void mergeTrain(Args state, List<Args> replies, int epoch, double seconds,
                                   Map<String, Object> out) {
        TrainSpec spec = TrainOptions.parse(state.object("spec"));
        double[] iterate = null;
        double[] averaged = null;
        long tuples = 0;
        double lossSum = 0;
        int dimension = 0;
        long skipped = 0;
        boolean minusOne = false;
        java.util.Set<Double> oneLabels = new java.util.HashSet<>();
        // the shards' parts of the training sample (asked for in this round: the model sent had sample_shares)
        // (a state without a model is named below, after the replies are checked)
        boolean pooling = state.raw("model") instanceof Map<?, ?> m && m.containsKey("sample_shares");
        List<TupleBuffer> parts = new ArrayList<>();
        List<Long> partTuples = new ArrayList<>();
        Map<String, Object> servers = new LinkedHashMap<>();
        Map<String, Object> sizes = new LinkedHashMap<>();
        Map<String, Object> deviceBytes = new LinkedHashMap<>();
        for (Args reply : replies) {
            String server = reply.string("server");
            Args r = reply.args("reply");
            servers.put(server, r.doubleValue("seconds", 0));
            if (r.has("device_read_bytes")) {
                deviceBytes.put(server, r.longValue("device_read_bytes"));
            }
            skipped += r.longValue("skipped_tuples");
            long n = r.longValue("tuples");
            if (n == 0) {
                continue;
            }
            if (pooling) {
                parts.add(r.has("sample") ? sampleRows(r.args("sample")) : null);
                partTuples.add(n);
            }
            double[] p = r.doubles("parameters");
            if (p == null) {
                throw r.malformed("parameters", "a list of numbers");
            }
            double[] m = r.has("model") ? r.doubles("model") : p;
            if (m.length != p.length) {
                throw r.malformed("model", "a list of " + p.length + " numbers, as parameters");
            }
            int d = r.intValue("dimension", 0);
            if (iterate == null) {
                iterate = new double[p.length];
                averaged = new double[p.length];
                dimension = d;
            } else if (p.length != iterate.length || d != dimension) {
                throw new TrainingException(TrainingException.DATA_EXCEPTION,
                        "servers disagree on the features: " + server
                        + " has " + d + " (" + p.length + " parameters), another " + dimension + " ("
                        + iterate.length + ")", "Every partition's features must have the same length.");
            }
            for (int i = 0; i < p.length; i++) {
                iterate[i] += n * p[i];
                averaged[i] += n * m[i];
            }
            tuples += n;
            lossSum += n * r.doubleValue("running_loss", 0);
            minusOne |= "-1/+1".equals(r.string("label_encoding", "0/1"));
            // a server whose rows all had one label says which (a server's rows may be one class, the table's not)
            oneLabels.add(r.has("one_label") ? r.doubleValue("one_label", Double.NaN) : Double.NaN);
            if (epoch == 1 && r.has("block_size")) {
                Map<String, Object> used = new LinkedHashMap<>();
                for (String k : List.of("block_size", "buffer_size", "buffer_memory", "device_block", "storage")) {
                    if (r.has(k)) {
                        used.put(k, r.raw(k));
                    }
                }
                sizes.put(server, used);
            }
        }
        if (tuples == 0) {
            throw noRows();
        }
        if (epoch == 1 && spec.classifier() && oneLabels.size() == 1
                && !oneLabels.contains(Double.NaN)) {
            Args activity = state.has("activity") ? state.args("activity") : null;
            throw ShardEpoch.oneClass("label column \"" + state.string("label", "?") + "\" of relation "
                    + TrainFunction.quoted(activity == null ? "?" : activity.string("relation", "?")),
                    oneLabels.iterator().next(), spec.model());
        }
        for (int i = 0; i < iterate.length; i++) {
            iterate[i] /= tuples;
            averaged[i] /= tuples;
        }
        Args stateModel = state.args("model");
        Map<String, Object> model = new LinkedHashMap<>(stateModel.asMap());
        Map<String, Object> params = new LinkedHashMap<>(stateModel.object("params"));
        params.put("label_encoding", minusOne ? "-1/+1" : "0/1");
        model.put("params", params);
        model.put("dimension", dimension);
        model.put("parameters", averaged);
        model.put("iterate", iterate);
        model.remove("sample_shares");
        out.put("model", model);
        // the pool: made of this round's parts (epoch 1), else the one this backend keeps for the state's key
        Pool pool = null;
        if (pooling) {
            TupleBuffer rows = pool(parts, partTuples.stream().mapToLong(Long::longValue).toArray());
            if (rows != null) {
                pool = new Pool(rows, TrainingSample.of(rows, spec.seed()));
                String key = ++pools + "/" + System.nanoTime();
                POOLS.put(key, pool);
                out.put("sample", key);
            }
        } else if (state.has("sample")) {
            pool = POOLS.get(state.string("sample"));
        }
        out.put("skipped_tuples", Math.max(skipped, state.longValue("skipped_tuples")));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("epoch", epoch);
        row.put("loss", lossSum / tuples);
        row.put("accuracy", null);
        if (pool != null) {
            // the averaged model (the one evaluated and stored) on the pool, as one server on its sample
            TrainedModel averagedModel = TrainedModel.restore(spec.model(), dimension, averaged,
                    stateModel.doubles("feature_mean"), stateModel.doubles("feature_std"), params);
            row.put("accuracy", pool.sample().accuracy(averagedModel.model(), averaged, tuples));
            row.put("sample_tuples", pool.sample().measured(tuples));
        }
        row.put("learning_rate", spec.learningRate(epoch));
        row.put("seconds", seconds);
        row.put("tuples", tuples);
        row.put("running_loss", lossSum / tuples);
        row.put("servers", servers);
        if (!deviceBytes.isEmpty()) {
            // as one server's: the bytes read from the storage devices in the epoch, and each server's
            row.put("device_read_bytes", deviceBytes.values().stream().mapToLong(v -> ((Number) v).longValue()).sum());
            row.put("server_device_read_bytes", deviceBytes);
        }
        if (!sizes.isEmpty()) {
            row.put("server_sizes", sizes);
        }
        if (epoch == 1 && state.has("profile_seconds")) {
            row.put("profile_seconds", state.doubleValue("profile_seconds", 0));
        }
        if (epoch == 1 && state.has("profile_device_read_bytes")) {
            row.put("server_profile_device_read_bytes", state.object("profile_device_read_bytes"));
        }
        List<Object> epochs = new ArrayList<>(state.list("epochs"));
        epochs.add(row);
        out.put("epochs", epochs);
    }

    private static void mergeEvaluation(Args state, List<Args> replies, double seconds, Map<String, Object> out) {
        Map<String, Double> sums = new LinkedHashMap<>();
        long tuples = 0;
        for (Args reply : replies) {
            Args metrics = reply.args("reply").args("metrics");
            long n = metrics.longValue("tuples");
            tuples += n;
            for (String k : List.of("loss", "accuracy", "mae")) {
                if (metrics.raw(k) instanceof Number v) {
                    sums.merge(k, n * v.doubleValue(), Double::sum);
                }
            }
            if (metrics.raw("rmse") instanceof Number v) {
                sums.merge("rmse", n * v.doubleValue() * v.doubleValue(), Double::sum);
            }
        }
        List<Object> epochs = new ArrayList<>(state.list("epochs"));
        Map<String, Object> row = new LinkedHashMap<>(lastEpoch(state).asMap());
        for (Map.Entry<String, Double> e : sums.entrySet()) {
            double mean = tuples == 0 ? Double.NaN : e.getValue() / tuples;
            row.put(e.getKey(), e.getKey().equals("rmse") ? Math.sqrt(mean) : mean);
        }
        row.put("eval_seconds", seconds);
        epochs.set(epochs.size() - 1, row);
        out.put("epochs", epochs);
    }

    /**
     * {@code shard_epoch_end}: the averaged model's metrics on the validation relation (local to the coordinator,
     * optional), early stopping, then the epoch's NOTICE with each server's seconds.
     */
    static Map<String, Object> epochEnd(Args call) {
        Args args = call.withHint(HINT);
        Args state = state(args.raw("state"));
        Map<String, Object> out = new LinkedHashMap<>(state.asMap());
        TrainSpec spec = TrainOptions.parse(state.object("spec"));
        List<Object> epochs = new ArrayList<>(state.list("epochs"));
        Args last = lastEpoch(state);
        Map<String, Object> row = new LinkedHashMap<>(last.asMap());
        Args servers = last.args("servers");
        int epoch = last.intValue("epoch", 0);
        if (args.has("validation")) {
            TrainedModel model = ModelCache.restore(state.args("model"));
            long t0 = System.nanoTime();
            try (RelationSource src = RelationSource.open(args, "validation", args.string("label"),
                    args.string("features"), model.dimension())) {
                model.evaluate(src).forEach((k, v) -> {
                    if (!k.equals("tuples")) {
                        row.put("validation_" + k, v);
                    }
                });
            }
            row.put("eval_seconds", last.doubleValue("eval_seconds", 0) + (System.nanoTime() - t0) / 1e9);
        }
        epochs.set(epochs.size() - 1, row);
        out.put("epochs", epochs);
        if (spec.earlyStopPatience() > 0) {
            // the rule replayed over the epochs so far: the state stays plain JSON
            EarlyStopping stopping = new EarlyStopping(spec.earlyStopPatience());
            boolean improved = false;
            // this epoch's row as updated above (its validation metrics)
            List<Args> rows = new ArrayList<>(state.objects("epochs"));
            rows.set(rows.size() - 1, last.over(row));
            for (Args e : rows) {
                improved = stopping.observe(e.intValue("epoch", 0), e.doubleValue(args.has("validation")
                        ? "validation_loss" : "loss", Double.NaN));
            }
            if (improved) {
                Args stateModel = state.args("model");
                Map<String, Object> best = new LinkedHashMap<>(stateModel.asMap());
                best.remove("iterate");
                Map<String, Object> params = new LinkedHashMap<>(stateModel.object("params"));
                params.put("best_epoch", stopping.bestEpoch());
                best.put("params", params);
                out.put("best_model", best);
            }
            out.put("stop", stopping.exhausted());
        }
        Natives.message(0, EpochNotice.text(stats(last.over(row)), spec.epochs()) + " (servers: "
                + describeServers(servers) + ")");
        if (Boolean.TRUE.equals(out.get("stop")) || epoch >= spec.epochs()) {
            publish(out, "finish", epoch, false);
        } else {
            publish(out, "train", epoch + 1, true);
        }
        return out;
    }

    /** The pool of the state's key in this backend, or null. */
    static Pool pool(String key) {
        return POOLS.get(key);
    }

    static Map<String, Object> finish(Args call) {
        Args state = state(call.raw("state"));
        if (state.has("sample")) {
            POOLS.remove(state.string("sample"));
        }
        List<Args> done = state.objects("epochs");
        // the last publication ends with this call: the statement's own text is back in pg_stat_activity
        publish(new LinkedHashMap<>(state.asMap()), "finish",
                done.isEmpty() ? 0 : lastEpoch(state).intValue("epoch", 0), false, false);
        TrainSpec spec = TrainOptions.parse(state.object("spec"));
        Args kept = state.args(state.has("best_model") ? "best_model" : "model");
        TrainedModel trained = ModelCache.restore(kept);
        if (kept.has("params") && kept.args("params").has("best_epoch") && !done.isEmpty()) {
            // the epoch whose metrics the result keeps
            int best = kept.args("params").intValue("best_epoch", 0);
            if (best < 1 || best > done.size()) {
                throw kept.args("params").malformed("best_epoch", "an epoch of state.epochs, 1 to " + done.size());
            }
        }
        Map<String, Object> params = new LinkedHashMap<>(trained.params());
        params.put("device", "cpu");
        trained = TrainedModel.restore(trained.type(), trained.dimension(), trained.parameters(), trained.mean(),
                trained.std(), params);
        List<Map<String, Object>> epochs = new ArrayList<>();
        List<EpochStats> stats = new ArrayList<>();
        for (Args e : done) {
            if (e.intValue("epoch", 0) != epochs.size() + 1) {
                // the kept epoch's metrics are looked up by number
                throw e.malformed("epoch", (epochs.size() + 1) + " (the rows are epochs 1, 2, ... in order)");
            }
            Map<String, Object> row = new LinkedHashMap<>(e.asMap());
            row.putIfAbsent("validation_loss", null);
            row.putIfAbsent("validation_accuracy", null);
            row.put("device", "cpu");
            epochs.add(row);
            stats.add(stats(e));
        }
        // the same bookkeeping as one server's: the kept epoch's metrics, the early-stopping NOTICE
        TrainResult result = new TrainResult(trained, stats, spec, null);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", TrainFunction.modelJson(trained));
        out.put("spec", state.object("spec"));
        out.put("epochs", epochs);
        out.put("metrics", epochs.isEmpty() ? Map.of()
                : result.keptMetrics(e -> new LinkedHashMap<>(epochs.get(e.epoch() - 1))));
        String note = result.earlyStopNote();
        if (note != null) {
            Natives.message(0, note);
        }
        out.put("skipped_tuples", state.longValue("skipped_tuples"));
        out.put("corgipile_version", Version.CURRENT);
        return out;
    }

    /** The state's last epoch row (there is one after a round of training). */
    private static Args lastEpoch(Args state) {
        List<Args> epochs = state.objects("epochs");
        if (epochs.isEmpty()) {
            throw state.malformed("epochs", "a list ending with the epoch's row");
        }
        return epochs.get(epochs.size() - 1);
    }

    /** An epoch row of the state as the {@link EpochStats} one server reports. */
    private static EpochStats stats(Args e) {
        return new EpochStats(e.intValue("epoch", 0), e.doubleValue("loss", Double.NaN),
                e.doubleValue("accuracy", Double.NaN), e.doubleValue("validation_loss", Double.NaN),
                e.doubleValue("validation_accuracy", Double.NaN), e.doubleValue("learning_rate", Double.NaN),
                e.doubleValue("seconds", 0), e.longValue("tuples"), Map.of());
    }

    /** "s1 0.810 s, s2 0.790 s" for the NOTICE of an epoch. */
    private static String describeServers(Args servers) {
        List<String> parts = new ArrayList<>();
        servers.asMap().keySet().forEach(k -> parts.add(String.format(Locale.ROOT, "%s %.3f s", k,
                servers.doubleValue(k, Double.NaN))));
        return String.join(", ", parts);
    }
}
