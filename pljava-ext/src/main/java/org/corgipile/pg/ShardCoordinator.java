package org.corgipile.pg;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.corgipile.operators.TrainingException;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainedModel;
import org.corgipile.operators.Version;

/**
 * The coordinator's arithmetic for training over partitions on several servers ({@code corgipile.train_sharded}
 * runs the rounds over dblink; this class keeps the state between rounds as JSON):
 * <ul>
 *   <li>{@code shard_start}: resolves the spec once (so every server gets the same seed) and refuses what sharded
 *       training does not do;</li>
 *   <li>{@code shard_merge}: folds one round's replies into the state: after a training round the parameters
 *       averaged weighted by the tuples each server trained on, the tuples summed, each server's seconds; after
 *       an evaluation round the loss, accuracy, rmse and mae of the averaged model, weighted by tuples;</li>
 *   <li>{@code shard_finish}: the state as {@code train_sgd}'s result (the same JSON as {@link TrainFunction}).</li>
 * </ul>
 * State: {@code {"spec", "model": catalog-row-like model or null, "epochs": [...], "skipped_tuples"}}.
 */
final class ShardCoordinator {
    private ShardCoordinator() {
    }

    static Map<String, Object> start(Args args) {
        TrainSpec spec = TrainSpec.fromOptions(args.object("spec"));
        if (spec.standardize()) {
            throw new TrainingException("0A000",
                    "standardize => true is not supported when partitions are on other servers",
                    "Standardize the features before loading them, or train on one server.");
        }
        if (spec.earlyStopPatience() > 0) {
            throw new TrainingException("0A000",
                    "early_stop_patience is not supported when partitions are on other servers",
                    null);
        }
        if ((spec.model().equals("softmax") || spec.model().equals("mlp")) && spec.classes() == 0) {
            throw new TrainingException(TrainingException.INVALID_PARAMETER_VALUE, "model " + spec.model()
                    + " needs classes => K when partitions are on other servers",
                    "Pass options => '{\"classes\": K}' with K the number of classes.");
        }
        if (!spec.device().equals("cpu")) {
            throw new TrainingException("0A000",
                    "device => '" + spec.device() + "' is not supported when partitions are "
                    + "on other servers", "Use device => 'cpu'.");
        }
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("spec", spec.toMap());
        state.put("model", null);
        state.put("epochs", new ArrayList<>());
        state.put("skipped_tuples", 0L);
        return state;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Args args) {
        Args state = new Args(args.object("state"));
        Map<String, Object> out = new LinkedHashMap<>(args.object("state"));
        TrainSpec spec = TrainSpec.fromOptions(state.object("spec"));
        int epoch = args.intValue("epoch", 0);
        List<Object> replies = (List<Object>) args.raw("replies");
        List<Object> epochs = new ArrayList<>((List<Object>) state.raw("epochs"));
        Map<String, Object> servers = new LinkedHashMap<>();
        if (args.string("kind").equals("train")) {
            double[] sum = null;
            long tuples = 0;
            double lossSum = 0;
            int dimension = 0;
            long skipped = 0;
            boolean minusOne = false;
            for (Object o : replies) {
                Args reply = new Args((Map<String, Object>) o);
                String server = reply.string("server");
                Args r = new Args(reply.object("reply"));
                double[] p = r.doubles("parameters");
                long n = r.longValue("tuples");
                int d = r.intValue("dimension", 0);
                if (sum == null) {
                    sum = new double[p.length];
                    dimension = d;
                } else if (p.length != sum.length || d != dimension) {
                    throw new TrainingException(TrainingException.DATA_EXCEPTION,
                            "servers disagree on the features: " + server
                            + " has " + d + " (" + p.length + " parameters), another " + dimension + " ("
                            + sum.length + ")", "Every partition's features must have the same length.");
                }
                for (int i = 0; i < p.length; i++) {
                    sum[i] += n * p[i];
                }
                tuples += n;
                lossSum += n * r.doubleValue("running_loss", 0);
                skipped += r.longValue("skipped_tuples");
                minusOne |= "-1/+1".equals(r.string("label_encoding", "0/1"));
                servers.put(server, r.doubleValue("seconds", 0));
            }
            if (tuples == 0) {
                throw new TrainingException(TrainingException.DATA_EXCEPTION,
                        "the partitions have no rows with a non-NULL label and "
                        + "features", "Load data into the partitions first.");
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] /= tuples;
            }
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("label_encoding", minusOne ? "-1/+1" : "0/1");
            if (spec.classes() > 0) {
                params.put("classes", spec.classes());
            }
            if (spec.hidden() != null) {
                params.put("hidden", state.object("spec").get("hidden"));
            }
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("model_type", spec.model());
            model.put("dimension", dimension);
            model.put("parameters", sum);
            model.put("feature_mean", null);
            model.put("feature_std", null);
            model.put("params", params);
            out.put("model", model);
            out.put("skipped_tuples", Math.max(skipped, state.longValue("skipped_tuples")));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", epoch);
            row.put("loss", lossSum / tuples);
            row.put("accuracy", null);
            row.put("learning_rate", spec.learningRate(epoch));
            row.put("seconds", args.doubleValue("seconds", 0));
            row.put("tuples", tuples);
            row.put("running_loss", lossSum / tuples);
            row.put("servers", servers);
            epochs.add(row);
        } else {
            Map<String, Double> sums = new LinkedHashMap<>();
            long tuples = 0;
            for (Object o : replies) {
                Args reply = new Args((Map<String, Object>) o);
                Map<String, Object> metrics = new Args(reply.object("reply")).object("metrics");
                long n = ((Number) metrics.get("tuples")).longValue();
                tuples += n;
                for (String k : List.of("loss", "accuracy", "mae")) {
                    if (metrics.get(k) instanceof Number v) {
                        sums.merge(k, n * v.doubleValue(), Double::sum);
                    }
                }
                if (metrics.get("rmse") instanceof Number v) {
                    sums.merge("rmse", n * v.doubleValue() * v.doubleValue(), Double::sum);
                }
            }
            Map<String, Object> row = new LinkedHashMap<>((Map<String, Object>) epochs.get(epochs.size() - 1));
            for (Map.Entry<String, Double> e : sums.entrySet()) {
                double mean = tuples == 0 ? Double.NaN : e.getValue() / tuples;
                row.put(e.getKey(), e.getKey().equals("rmse") ? Math.sqrt(mean) : mean);
            }
            row.put("eval_seconds", args.doubleValue("seconds", 0));
            epochs.set(epochs.size() - 1, row);
        }
        out.put("epochs", epochs);
        return out;
    }

    /**
     * {@code shard_epoch_end}: the averaged model's metrics on the validation relation (local to the coordinator,
     * optional), then the epoch's NOTICE with each server's seconds.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> epochEnd(Args args) {
        Args state = new Args(args.object("state"));
        Map<String, Object> out = new LinkedHashMap<>(args.object("state"));
        TrainSpec spec = TrainSpec.fromOptions(state.object("spec"));
        List<Object> epochs = new ArrayList<>((List<Object>) state.raw("epochs"));
        Map<String, Object> row = new LinkedHashMap<>((Map<String, Object>) epochs.get(epochs.size() - 1));
        if (args.has("validation")) {
            TrainedModel model = ModelCache.restore(new Args(state.object("model")));
            long t0 = System.nanoTime();
            try (RelationSource src = RelationSource.open(args, "validation", args.string("label"),
                    args.string("features"), model.dimension())) {
                model.evaluate(src).forEach((k, v) -> {
                    if (!k.equals("tuples")) {
                        row.put("validation_" + k, v);
                    }
                });
            }
            row.merge("eval_seconds", (System.nanoTime() - t0) / 1e9,
                    (a, b) -> ((Number) a).doubleValue() + ((Number) b).doubleValue());
        }
        epochs.set(epochs.size() - 1, row);
        out.put("epochs", epochs);
        Natives.message(0, String.format(Locale.ROOT, "epoch %d/%d: loss %s, accuracy %s, %.3f s, %d tuples "
                + "(servers: %s)", ((Number) row.get("epoch")).intValue(), spec.epochs(), fmt(row.get("loss")),
                fmt(row.get("accuracy")), ((Number) row.get("seconds")).doubleValue(),
                ((Number) row.get("tuples")).longValue(), describeServers((Map<String, Object>) row.get("servers"))));
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> finish(Args args) {
        Args state = new Args(args.object("state"));
        Args model = new Args(state.object("model"));
        TrainedModel trained = ModelCache.restore(model);
        Map<String, Object> params = new LinkedHashMap<>(trained.params());
        params.put("device", "cpu");
        trained = TrainedModel.restore(trained.type(), trained.dimension(), trained.parameters(), null, null, params);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", TrainFunction.modelJson(trained));
        out.put("spec", state.object("spec"));
        List<Object> epochs = new ArrayList<>();
        for (Object o : (List<Object>) state.raw("epochs")) {
            Map<String, Object> row = new LinkedHashMap<>((Map<String, Object>) o);
            row.putIfAbsent("validation_loss", null);
            row.putIfAbsent("validation_accuracy", null);
            row.put("device", "cpu");
            epochs.add(row);
        }
        out.put("epochs", epochs);
        out.put("metrics", epochs.isEmpty() ? Map.of() : epochs.get(epochs.size() - 1));
        out.put("skipped_tuples", state.longValue("skipped_tuples"));
        out.put("corgipile_version", Version.CURRENT);
        return out;
    }

    private static String fmt(Object v) {
        return v instanceof Number n && !Double.isNaN(n.doubleValue())
                ? String.format(Locale.ROOT, "%.6f", n.doubleValue()) : "n/a";
    }

    /** "s1 0.810 s, s2 0.790 s" for the NOTICE of an epoch. */
    static String describeServers(Map<String, Object> servers) {
        List<String> parts = new ArrayList<>();
        servers.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s %.3f s", k, ((Number) v).doubleValue())));
        return String.join(", ", parts);
    }
}
