package org.corgipile.pg;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.LongSupplier;

import org.corgipile.operators.BlockSource;
import org.corgipile.operators.EpochListener;
import org.corgipile.operators.EpochNotice;
import org.corgipile.operators.EpochStats;
import org.corgipile.operators.Sizing;
import org.corgipile.operators.TrainOptions;
import org.corgipile.operators.TrainResult;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainedModel;
import org.corgipile.operators.Trainer;
import org.corgipile.operators.TrainingProgress;
import org.corgipile.operators.Version;

/**
 * The Java half of {@code train_sgd}: opens heap readers on the training (and validation) relation, runs
 * {@link Trainer} on the backend's main thread, reports progress (a NOTICE per epoch, the live state in
 * pg_stat_activity, see {@link LiveActivity}), and answers the model and the epoch log as JSON. Before it,
 * {@link TrainArguments} resolved the arguments; the SQL half ({@code corgipile.train}) claims the model name,
 * prepares shuffle_once's copy and writes the catalog row in the caller's transaction.
 */
final class TrainFunction {

    private TrainFunction() {
    }

    static Map<String, Object> run(Args args) {
        Map<String, Object> options = new LinkedHashMap<>(args.object("spec"));
        // shuffle_once: corgipile.train already made the shuffled copy (corgipile.shuffle_once_copy); read it in
        // storage order.
        boolean shuffleOnce = "shuffle_once".equals(String.valueOf(options.get("shuffle")).toLowerCase(Locale.ROOT));
        if (shuffleOnce) {
            options.put("shuffle", "none");
        }
        String relationName = args.string("relation_name", "?");
        String label = args.string("label");
        String features = args.string("features");
        int dimension = TrainOptions.dimension(args.raw("dimension"));
        double prepSeconds = args.doubleValue("prep_seconds", 0);

        TrainSpec spec;
        Map<String, Object> storage;
        TrainResult result;
        Progress progress;
        long skipped;
        try (GpuNotices notices = GpuNotices.attach();
             // shuffle_once: every error of the reader (C and Java) names the user's relation, marked as the copy
             RelationSource train = RelationSource.open(args, "relation", label, features, dimension,
                     shuffleOnce ? BlockSource.shuffledCopyOf(quoted(relationName)) : null);
             RelationSource validation = args.has("validation")
                     ? RelationSource.open(args, "validation", label, features,
                             train.shape().sparse() ? train.shape().dimension() : 0)
                     : null) {
            storage = DeviceSizing.resolve(args, options, train.pageCount());
            spec = TrainSpec.fromOptions(options);
            LiveActivity activity = new LiveActivity(args, relationName, spec, shuffleOnce ? "shuffle_once"
                    : spec.shuffle(), train);
            train.onCheckInterrupts(activity::tick);
            if (validation != null) {
                validation.onCheckInterrupts(activity::tick);
            }
            progress = new Progress(spec, notices, activity);
            try {
                result = Trainer.train(spec, train, validation, progress, null, warmStart(args, spec));
            } finally {
                Natives.keepJvmSignals(); // OpenCL's compiler may have replaced them (Natives.keepJvmSignals)
            }
            skipped = train.skippedTuples();
            notices.drain();
        }
        if (skipped > 0) {
            Natives.message(0, "skipped " + skipped + " rows with a NULL label or NULL features");
        }

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", modelJson(result.model()));
        Map<String, Object> specMap = new LinkedHashMap<>(result.spec().toMap());
        specMap.put("shuffle", shuffleOnce ? "shuffle_once" : spec.shuffle());
        if (storage != null) {
            specMap.put("storage", storage);
        }
        out.put("spec", specMap);
        List<Map<String, Object>> epochs = new ArrayList<>();
        String device = String.valueOf(result.model().params().getOrDefault("device", spec.device()));
        for (EpochStats raw : result.epochs()) {
            EpochStats e = shuffleOnce && raw.epoch() == 1
                    ? raw.withPreparation(EpochStats.SHUFFLE_ONCE_SECONDS, prepSeconds) : raw;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", e.epoch());
            row.put("loss", e.loss());
            row.put("accuracy", e.accuracy());
            row.put("validation_loss", e.validationLoss());
            row.put("validation_accuracy", e.validationAccuracy());
            row.put("learning_rate", e.learningRate());
            row.put("seconds", e.seconds());
            row.put("tuples", e.tuples());
            row.put("device", device);
            if (e.extra() != null) {
                e.extra().forEach(row::putIfAbsent);
            }
            if (e.epoch() == 1 && storage != null && storage.get("probe_seconds") != null) {
                // the storage probe before the sizes (once per session): paid before epoch 1 like the profile pass
                row.put("probe_seconds", storage.get("probe_seconds"));
            }
            Long deviceBytes = progress.deviceBytes.perEpoch.get(e.epoch());
            if (deviceBytes != null) {
                row.put("device_read_bytes", deviceBytes);
            }
            Long deviceRequests = progress.deviceRequests.perEpoch.get(e.epoch());
            if (deviceRequests != null) {
                row.put("device_read_requests", deviceRequests);
            }
            epochs.add(row);
        }
        out.put("epochs", epochs);
        // the catalog's metrics are the kept epoch's: with early stopping the best epoch, not the last one
        out.put("metrics", epochs.isEmpty() ? Map.of()
                : result.keptMetrics(e -> new LinkedHashMap<>(epochs.get(e.epoch() - 1))));
        String note = result.earlyStopNote();
        if (note != null) {
            Natives.message(0, note);
        }
        out.put("skipped_tuples", skipped);
        out.put("corgipile_version", Version.CURRENT);
        return out;
    }

    /**
     * regclass text ({@code t}, {@code s.t}, {@code s."My T"}) as every error names a relation, like PostgreSQL's own:
     * its name without the schema, in double quotes ({@code "t"}, {@code "My T"}); a list of them as train_epoch gets
     * it ({@code s.a, "b"}) each so ({@code "a", "b"}).
     */
    static String quoted(String relationNames) {
        StringJoiner names = new StringJoiner(", ");
        StringBuilder name = new StringBuilder();
        boolean inQuotes = false;
        for (int i = 0, n = relationNames.length(); i < n; i++) {
            char c = relationNames.charAt(i);
            if (c == '"' && inQuotes && i + 1 < n && relationNames.charAt(i + 1) == '"') {
                name.append(c);     // "" is one quote inside a quoted identifier
                i++;
            } else if (c == '"') {
                inQuotes = !inQuotes;
            } else if (inQuotes || c != '.' && c != ',') {
                name.append(c);
            } else {
                if (c == ',') {     // the next relation of a list, after ", "
                    names.add("\"" + name + "\"");
                    i += i + 1 < n && relationNames.charAt(i + 1) == ' ' ? 1 : 0;
                }
                name.setLength(0);  // a schema's name before a dot: the relation's follows
            }
        }
        return names.add("\"" + name + "\"").toString();
    }

    /**
     * The model {@code warm_start} names, as train_sgd looked it up in the catalog (corgipile.model_id, so the
     * caller's rights apply) and passed it: {@code warm_start_model}, the model's row.
     */
    private static TrainedModel warmStart(Args args, TrainSpec spec) {
        if (spec.warmStart() == null) {
            return null;
        }
        if (!args.has("warm_start_model")) {
            throw new IllegalStateException("train_sgd did not pass the row of warm_start model " + spec.warmStart());
        }
        return ModelCache.restore(new Args(args.object("warm_start_model")));
    }

    static Map<String, Object> modelJson(TrainedModel m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("type", m.type());
        o.put("dimension", m.dimension());
        o.put("parameters", m.parameters());
        o.put("mean", m.mean());
        o.put("std", m.std());
        o.put("params", m.params());
        return o;
    }

    /**
     * Progress on the backend's main thread: a NOTICE per epoch, and {@link LiveActivity} in pg_stat_activity (what
     * {@code corgipile.training_progress} and {@code sgd_training_info} read from other sessions), refreshed on
     * every interrupt check of the sources (before every block, every ~50 ms while waiting for the compute thread).
     * Also counts each epoch's bytes read from the storage device by this backend ({@link DeviceReads}), so a
     * benchmark can show that a cold epoch read one table from the device; absent where the kernel does not offer
     * them. Where the backend sits in a blkio group (the benchmark's emulated devices), also the epoch's read
     * requests, counted the same way (the next epoch's first buffer, read ahead, belongs to the next epoch).
     */
    private static final class Progress implements EpochListener {
        private final TrainSpec spec;
        private final GpuNotices notices;
        private final LiveActivity activity;
        final EpochCounter deviceBytes = new EpochCounter(DeviceReads::soFar);
        /** The blkio group's request counter file, null outside such a group (then no requests are counted). */
        private final String requestsFile = DeviceReads.requestsFile();
        final EpochCounter deviceRequests = new EpochCounter(() -> DeviceReads.requestsSoFar(requestsFile));

        Progress(TrainSpec spec, GpuNotices notices, LiveActivity activity) {
            this.spec = spec;
            this.notices = notices;
            this.activity = activity;
        }

        @Override
        public void progressAvailable(TrainingProgress progress) {
            activity.attach(progress);
        }

        @Override
        public void sized(Sizing sizing) {
            Natives.message(0, sizing.describe());
        }

        @Override
        public void derived(String description) {
            Natives.message(0, description);
        }

        @Override
        public void epochStarted(int epoch, int epochs) {
            Natives.keepJvmSignals(); // before SGD runs: an OpenCL gradient was compiled before epoch 1
            deviceBytes.epochStarted();
            deviceRequests.epochStarted();
            notices.drain();
            activity.publish();
        }

        @Override
        public void epochFinished(EpochStats s) {
            deviceBytes.epochFinished(s.epoch());
            deviceRequests.epochFinished(s.epoch());
            notices.drain();
            // the next epochStarted publishes the row with the new epoch number right after this, unless this was
            // the last epoch (or early stopping may make it so): one activity text per epoch instead of two
            activity.epochFinished(s, s.epoch() >= spec.epochs() || spec.earlyStopPatience() > 0);
            Natives.message(0, EpochNotice.text(s, spec.epochs()));
        }

        @Override
        public void readAhead(int epoch, boolean done) {
            deviceBytes.readAhead(done);
            deviceRequests.readAhead(done);
        }
    }

    /**
     * One device counter (bytes read, read requests) per epoch: its growth from the epoch's start to its end, where
     * the next epoch's first buffer, read ahead during this one, is the next epoch's. Absent for an epoch where the
     * counter is unknown (-1).
     */
    private static final class EpochCounter {
        final Map<Integer, Long> perEpoch = new HashMap<>();
        private final LongSupplier soFar;
        private long atStart = -1;
        /** This epoch's first buffer, read ahead during the epoch before (-1: unknown). */
        private long aheadIn;
        /** Read ahead during this epoch for the next one (-1: unknown), and where that began. */
        private long aheadOut;
        private long aheadStart = -1;

        EpochCounter(LongSupplier soFar) {
            this.soFar = soFar;
        }

        void epochStarted() {
            atStart = soFar.getAsLong();
            aheadIn = aheadOut;
            aheadOut = 0;
        }

        void epochFinished(int epoch) {
            long n = since(atStart);
            if (n >= 0 && aheadIn >= 0 && aheadOut >= 0) {
                perEpoch.put(epoch, n - aheadOut + aheadIn);
            }
        }

        void readAhead(boolean done) {
            if (!done) {
                aheadStart = soFar.getAsLong();
            } else {
                aheadOut = since(aheadStart);
            }
        }

        private long since(long before) {
            long now = soFar.getAsLong();
            return now < 0 || before < 0 ? -1 : now - before;
        }
    }
}
