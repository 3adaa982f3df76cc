package org.corgipile.pg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.corgipile.operators.EpochListener;
import org.corgipile.operators.EpochStats;
import org.corgipile.operators.TrainResult;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainedModel;
import org.corgipile.operators.Trainer;

/**
 * The Java half of {@code train_sgd}: opens heap readers on the training (and validation) relation, runs
 * {@link Trainer} on the backend's main thread, reports progress (a NOTICE per epoch, the current epoch in
 * pg_stat_activity), and answers the model and the epoch log as JSON. The PL/pgSQL half validates the model name,
 * prepares shuffle_once's copy and writes the catalog row in the caller's transaction.
 */
final class TrainFunction {
    static final String VERSION = "0.2.0";

    private TrainFunction() {
    }

    static Map<String, Object> run(Args args) {
        Map<String, Object> options = new LinkedHashMap<>(args.object("spec"));
        // shuffle_once: the PL/pgSQL wrapper already copied the data in random order; read the copy in storage order.
        boolean explicitBuffer = options.get("buffer_size") != null;
        boolean shuffleOnce = "shuffle_once".equals(String.valueOf(options.get("shuffle")).toLowerCase(Locale.ROOT));
        if (shuffleOnce) {
            options.put("shuffle", "none");
        }
        TrainSpec spec = TrainSpec.fromOptions(options);
        String relationName = args.string("relation_name", "?");
        String label = args.string("label");
        String features = args.string("features");
        int dimension = args.intValue("dimension", 0);
        if (dimension < 0) {
            throw new SqlError(SqlError.INVALID_PARAMETER_VALUE, "dimension must be at least 1, got " + dimension,
                    "dimension is the number of features of sparse data (indices are 0-based).");
        }
        double prepSeconds = args.doubleValue("prep_seconds", 0);
        String shuffleName = shuffleOnce ? "shuffle_once" : spec.shuffle();

        TrainResult result;
        Progress progress;
        long skipped;
        try (GpuNotices notices = GpuNotices.attach();
             RelationSource train = RelationSource.open(args, "relation", label, features, dimension);
             RelationSource validation = args.has("validation")
                     ? RelationSource.open(args, "validation", label, features,
                             train.shape().sparse() ? train.shape().dimension() : 0)
                     : null) {
            if (validation != null && validation.shape().dimension() != train.shape().dimension()) {
                throw new SqlError(SqlError.DATA_EXCEPTION, "validation_relation has " + validation.shape().dimension()
                        + " features but the training relation has " + train.shape().dimension(), null);
            }
            if (explicitBuffer) {
                checkBufferHoldsABlock(spec, train.pageCount());
            }
            progress = new Progress(relationName, spec, shuffleName, notices);
            result = Trainer.train(spec, train, validation, progress);
            skipped = train.skippedTuples();
            notices.drain();
        }
        if (skipped > 0) {
            Natives.message(0, "skipped " + skipped + " rows with a NULL label or NULL features");
        }

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", modelJson(result.model()));
        Map<String, Object> specMap = new LinkedHashMap<>(spec.toMap());
        specMap.put("shuffle", shuffleName);
        out.put("spec", specMap);
        List<Map<String, Object>> epochs = new ArrayList<>();
        String device = String.valueOf(result.model().params().getOrDefault("device", spec.device()));
        for (EpochStats e : result.epochs()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", e.epoch());
            row.put("loss", e.loss());
            row.put("accuracy", e.accuracy());
            row.put("validation_loss", e.validationLoss());
            row.put("validation_accuracy", e.validationAccuracy());
            row.put("learning_rate", e.learningRate());
            row.put("seconds", e.seconds() + (e.epoch() == 1 ? prepSeconds : 0));
            row.put("tuples", e.tuples());
            row.put("device", device);
            if (e.extra() != null) {
                e.extra().forEach(row::putIfAbsent);
            }
            Long deviceBytes = progress.deviceBytes.get(e.epoch());
            if (deviceBytes != null) {
                row.put("device_read_bytes", deviceBytes);
            }
            if (shuffleOnce && e.epoch() == 1) {
                row.put("shuffle_once_seconds", prepSeconds);
            }
            epochs.add(row);
        }
        out.put("epochs", epochs);
        out.put("metrics", epochs.isEmpty() ? Map.of() : epochs.get(epochs.size() - 1));
        out.put("skipped_tuples", skipped);
        out.put("corgipile_version", VERSION);
        return out;
    }

    /**
     * CorgiPile's tuple buffer holds whole blocks: a buffer_size fraction below one block is a mistake (the buffer
     * would silently be one block). Only checked when buffer_size was given: the default (10% of the table, at
     * least one block) must work on small tables.
     */
    private static void checkBufferHoldsABlock(TrainSpec spec, long pageCount) {
        if (!spec.shuffle().equals("corgipile") || !spec.bufferIsFraction() || pageCount == 0) {
            return;
        }
        long block = Math.min(spec.blockSize(), pageCount);
        double bufferPages = spec.bufferSize() * pageCount;
        if (bufferPages < block) {
            throw new SqlError(SqlError.INVALID_PARAMETER_VALUE, String.format(Locale.ROOT,
                    "buffer_size %s is %.1f pages of the relation's %d, smaller than one block of %d pages",
                    spec.bufferSize(), bufferPages, pageCount, block),
                    String.format(Locale.ROOT, "Use buffer_size >= %.6f, or a smaller block_size.",
                            (double) block / pageCount));
        }
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
     * Progress on the backend's main thread: pg_stat_activity shows the epoch, a NOTICE reports each one. Also
     * counts each epoch's bytes read from the storage device by this backend ({@code read_bytes} of
     * {@code /proc/self/io}: reads the page cache served are not in it), so a benchmark can show that a cold epoch
     * read one table from the device; absent where the kernel does not offer the file.
     */
    private static final class Progress implements EpochListener {
        private static final Path PROC_IO = Path.of("/proc/self/io");
        private final String relation;
        private final TrainSpec spec;
        private final String shuffle;
        private final GpuNotices notices;
        final Map<Integer, Long> deviceBytes = new HashMap<>();
        private long readBytesAtStart = -1;

        Progress(String relation, TrainSpec spec, String shuffle, GpuNotices notices) {
            this.relation = relation;
            this.spec = spec;
            this.shuffle = shuffle;
            this.notices = notices;
        }

        @Override
        public void epochStarted(int epoch, int epochs) {
            readBytesAtStart = readBytes();
            notices.drain();
            Natives.reportActivity(String.format(Locale.ROOT, "corgipile train_sgd: epoch %d/%d on %s (%s, %s)",
                    epoch, epochs, relation, spec.model(), shuffle));
        }

        @Override
        public void epochFinished(EpochStats s) {
            long now = readBytes();
            if (now >= 0 && readBytesAtStart >= 0) {
                deviceBytes.put(s.epoch(), now - readBytesAtStart);
            }
            notices.drain();
            Natives.message(0, String.format(Locale.ROOT, "epoch %d/%d: loss %s, accuracy %s, %.3f s, %d tuples",
                    s.epoch(), spec.epochs(), fmt(s.loss()), fmt(s.accuracy()), s.seconds(), s.tuples()));
        }

        /** The backend's {@code read_bytes} so far, or -1 when unknown. */
        private static long readBytes() {
            try {
                for (String line : Files.readAllLines(PROC_IO)) {
                    if (line.startsWith("read_bytes:")) {
                        return Long.parseLong(line.substring("read_bytes:".length()).trim());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no /proc (not Linux) or no permission: the epoch rows just lack device_read_bytes
            }
            return -1;
        }

        private static String fmt(double v) {
            return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.6f", v);
        }
    }
}
