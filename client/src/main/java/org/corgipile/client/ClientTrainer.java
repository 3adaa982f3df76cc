package org.corgipile.client;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.corgipile.client.jdbc.JdbcBlockSource;
import org.corgipile.client.jdbc.RelationColumns;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.EpochListener;
import org.corgipile.operators.EpochStats;
import org.corgipile.operators.ForwardingBlockSource;
import org.corgipile.operators.Sizing;
import org.corgipile.operators.TrainOptions;
import org.corgipile.operators.TrainResult;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainedModel;
import org.corgipile.operators.Trainer;
import org.corgipile.operators.TrainingException;
import org.corgipile.operators.TupleBuffer;

/**
 * Client mode: the same {@link Trainer} the extension runs, reading the relation over JDBC through
 * {@link JdbcBlockSource}, and the model written into the same catalog row layout as {@code train_sgd} writes
 * (with {@code trained_in = 'client'}), so {@code sgd_predict}, {@code corgipile.sql_predict} and
 * {@code sgd_evaluate} work on it.
 *
 * <p>One connection, one {@code REPEATABLE READ} transaction for everything: the catalog checks, every epoch's reads
 * (the same snapshot each epoch, as in the server), the validation passes and the model row. A failure rolls the
 * transaction back, so a failed training leaves no row — the server's guarantee, kept on the client.
 */
final class ClientTrainer {
    /** What the training produced: per-epoch statistics and the stored model's name (null when not stored). */
    record Result(List<EpochStats> epochs, String modelName) {
    }

    private final DataSource dataSource;

    ClientTrainer(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Result train(TrainJob job, TrainingListener listener) throws SQLException {
        Map<String, Object> options = new LinkedHashMap<>(job.arguments());
        Object dimension = options.remove("dimension");
        int sparseDimension = Errors.call(() -> TrainOptions.dimension(dimension));
        TrainSpec engineSpec = Errors.call(() -> TrainOptions.parse(options));
        try (Connection c = dataSource.getConnection()) {
            JdbcBlockSource.beginSnapshot(c);
            try {
                Result r = train(c, job, engineSpec, sparseDimension, listener);
                c.commit();
                return r;
            } catch (SQLException | RuntimeException | Error e) {
                // The original failure wins: after an OutOfMemoryError in the middle of a COPY, the rollback fails
                // too ("canceling statement due to user request") and must not replace it.
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        }
    }

    private Result train(Connection c, TrainJob job, TrainSpec engineSpec,
                         int sparseDimension, TrainingListener listener) throws SQLException {
        String name = job.modelName();
        if (name != null) {
            claimName(c, name, engineSpec.overwrite());
        }
        RelationColumns rel = RelationColumns.resolve(c, job.relation(), job.label(), job.features());
        // shuffle_once: the server's one shuffled copy (corgipile.shuffle_once_copy, the extension's too), read in
        // storage order, its errors naming the user's relation as train_sgd's do; its time is part of epoch 1
        boolean shuffleOnce = engineSpec.shuffle().equals("shuffle_once");
        RelationColumns read = rel;
        TrainSpec trainSpec = engineSpec;
        double prepSeconds = 0;
        if (shuffleOnce) {
            long t0 = System.nanoTime();
            read = RelationColumns.resolve(c, shuffleOnceCopy(c, rel, job, engineSpec.seed()), job.label(),
                    job.features()).shownAs(BlockSource.shuffledCopyOf(rel.shown()));
            prepSeconds = (System.nanoTime() - t0) / 1e9;
            trainSpec = engineSpec.with("shuffle", "none");
        }
        JdbcBlockSource trainSource = JdbcBlockSource.open(c, read, read.detectShape(c, sparseDimension));
        JdbcBlockSource validationSource = job.validationRelation() == null ? null : JdbcBlockSource.open(c,
                RelationColumns.resolve(c, job.validationRelation(), job.label(), job.features()),
                trainSource.shape());
        Progress progress = new Progress(listener, trainSource, validationSource,
                engineSpec.trainMetrics().equals("pass"));
        listener.started(TrainMode.CLIENT, engineSpec.epochs());
        // warm_start: the stored model, looked up like every model (corgipile.model_id: the caller's rights apply)
        TrainedModel warm = engineSpec.warmStart() == null ? null : ClientModels.restore(c, engineSpec.warmStart());
        TrainSpec spec = trainSpec;
        TrainResult result = Errors.call(() -> Trainer.train(spec, progress.wrap(trainSource),
                validationSource == null ? null : progress.wrap(validationSource), progress, null, warm));
        if (shuffleOnce) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE " + read.qualifiedName());
            }
            List<EpochStats> epochs = new ArrayList<>(result.epochs());
            if (!epochs.isEmpty()) {
                epochs.set(0, epochs.get(0).withPreparation(EpochStats.SHUFFLE_ONCE_SECONDS, prepSeconds));
            }
            result = new TrainResult(result.model(), epochs, result.spec(), result.sizing());
        }
        String note = result.earlyStopNote();
        if (note != null) {
            listener.message(note);
        }
        long skipped = trainSource.skippedTuples();
        if (skipped > 0) {
            listener.message(skipped + " rows of " + rel.qualifiedName()
                    + " were skipped because their label or features are NULL");
        }
        if (name != null) {
            store(c, name, job, rel, engineSpec, result);
        }
        return new Result(result.epochs(), name);
    }

    /**
     * shuffle_once's copy of the label and feature columns, made by the database's own
     * {@code corgipile.shuffle_once_copy} (a temporary table of this transaction's session); its name.
     */
    private static String shuffleOnceCopy(Connection c, RelationColumns rel, TrainJob job, long seed)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regprocedure("
                + "'corgipile.shuffle_once_copy(regclass,text,text,bigint,text)') IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || !rs.getBoolean(1)) {
                throw new CorgiPileException(TrainingException.OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "shuffle_once in client mode needs corgipile's SQL functions "
                        + "in this database (corgipile.shuffle_once_copy)", "Install or update them: `corgipile "
                        + "install --url ...` (Flyway migrations) or ALTER EXTENSION corgipile UPDATE.", null);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT corgipile.shuffle_once_copy(?::oid::regclass, ?, ?, ?)::text")) {
            ps.setLong(1, rel.oid());
            ps.setString(2, job.label());
            ps.setString(3, job.features());
            ps.setLong(4, seed);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /**
     * Claims the model name before training, as {@code train_sgd} does, through the catalog's own function
     * {@code corgipile.model_write_owner}: a lock on the name for the rest of the transaction, 42710 when it exists
     * (without overwrite), 42501 when it belongs to another role.
     */
    private static void claimName(Connection c, String name, boolean overwrite) throws SQLException {
        if (name.isEmpty() || name.length() > 200) {
            throw new CorgiPileException(TrainingException.INVALID_PARAMETER_VALUE,
                    "model_name must have 1 to 200 characters, got " + name.length(),
                    "Choose a shorter (or a non-empty) model_name.", null);
        }
        ModelCatalog.requireWriter(c);
        try (PreparedStatement ps = c.prepareStatement("SELECT owner FROM corgipile.model_write_owner(?, ?)")) {
            ps.setString(1, name);
            ps.setBoolean(2, overwrite);
            ps.executeQuery().close();
        } catch (SQLException e) {
            throw catalogError(e);
        }
    }

    /** The server's error without JDBC's "ERROR:" and context; the client's own words for overwrite. */
    private static CorgiPileException catalogError(SQLException e) {
        CorgiPileException x = CorgiPileException.of(e);
        if (TrainingException.DUPLICATE_OBJECT.equals(x.getSQLState()) && x.hint() != null
                && x.hint().contains("overwrite")) {
            return new CorgiPileException(x.getSQLState(), x.getMessage(),
                    "Choose another model_name, or pass overwrite => true to replace it.", e);
        }
        return x;
    }

    /**
     * Stores the model through the catalog's one writer, {@code corgipile.store_model} (the function
     * {@code train_sgd} calls): the row's columns as one JSON object; owner, version and kept versions are the
     * writer's.
     */
    private static void store(Connection c, String name, TrainJob job, RelationColumns rel,
                              TrainSpec engineSpec, TrainResult result) throws SQLException {
        TrainedModel m = result.model();
        ObjectNode row = Json.MAPPER.createObjectNode();
        row.put("model_type", m.type());
        row.put("dimension", m.dimension());
        row.set("parameters", Json.MAPPER.valueToTree(m.parameters()));
        row.set("feature_mean", Json.MAPPER.valueToTree(m.mean()));
        row.set("feature_std", Json.MAPPER.valueToTree(m.std()));
        row.set("params", Json.MAPPER.valueToTree(m.params()));
        Map<String, Object> specMap = result.spec().toMap();
        specMap.put("shuffle", engineSpec.shuffle());        // shuffle_once trained over its copy with none
        if (rel.features().layout() == org.corgipile.client.jdbc.FeatureColumns.Layout.SPARSE) {
            specMap.put("dimension", m.dimension());
        }
        row.set("spec", Json.MAPPER.valueToTree(specMap));
        row.put("seed", engineSpec.seed());
        row.put("source_relation", rel.qualifiedName());
        row.put("label_column", job.label());
        row.put("features_column", job.features());
        ArrayNode log = epochLog(result.epochs(), String.valueOf(m.params().getOrDefault("device",
                engineSpec.device())));
        row.set("epoch_log", log);
        // the kept epoch's metrics: with early stopping the best epoch, not the last one
        row.set("metrics", Json.MAPPER.valueToTree(log.isEmpty() ? Map.of() : result.keptMetrics(e ->
                Json.MAPPER.convertValue(log.get(e.epoch() - 1),
                        new TypeReference<LinkedHashMap<String, Object>>() { }))));
        row.put("trained_in", "client");
        row.put("corgipile_version", CorgiPile.VERSION);
        try (PreparedStatement ps = c.prepareStatement("SELECT corgipile.store_model(?, ?, ?::jsonb)")) {
            ps.setString(1, name);
            ps.setBoolean(2, engineSpec.overwrite());
            ps.setString(3, json(row));
            ps.executeQuery().close();
        } catch (SQLException e) {
            throw catalogError(e);
        }
    }

    /**
     * One JSON object per epoch, in the layout {@code train_sgd} stores: the epoch's statistics, the device, every
     * extra metric; NaN as null (JSON has no NaN).
     */
    static ArrayNode epochLog(List<EpochStats> epochs, String device) {
        ArrayNode log = Json.MAPPER.createArrayNode();
        for (EpochStats e : epochs) {
            ObjectNode o = log.addObject();
            o.put("epoch", e.epoch());
            put(o, "loss", e.loss());
            put(o, "accuracy", e.accuracy());
            put(o, "validation_loss", e.validationLoss());
            put(o, "validation_accuracy", e.validationAccuracy());
            put(o, "learning_rate", e.learningRate());
            put(o, "seconds", e.seconds());
            o.put("tuples", e.tuples());
            o.put("device", device);
            if (e.extra() != null) {
                e.extra().forEach((k, v) -> put(o, k, v));
            }
        }
        return log;
    }

    private static void put(ObjectNode o, String key, Double v) {
        if (v == null || !Double.isFinite(v)) {
            o.putNull(key);
        } else {
            o.put(key, v.doubleValue());
        }
    }

    private static String json(Object o) throws SQLException {
        try {
            return Json.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new CorgiPileException(TrainingException.INTERNAL_ERROR,
                    "cannot write JSON: " + e.getOriginalMessage());
        }
    }

    static Double[] box(double[] v) {
        Double[] b = new Double[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return b;
    }

    /**
     * Bridges the engine's callbacks to a {@link TrainingListener} and counts pages read during an epoch, so the
     * listener can draw progress inside an epoch: the training pass, the metrics pass (train_metrics = pass) and
     * the validation pass together are the epoch's work.
     */
    private static final class Progress implements EpochListener {
        private final TrainingListener listener;
        private final long total;
        private int epoch;
        private long done;

        Progress(TrainingListener listener, BlockSource train, BlockSource validation, boolean metricsPass) {
            this.listener = listener;
            this.total = Math.max(1, train.pageCount() * (metricsPass ? 2 : 1)
                    + (validation == null ? 0 : validation.pageCount()));
        }

        BlockSource wrap(BlockSource source) {
            return new ForwardingBlockSource(source) {
                @Override
                public int readPages(long firstPage, int pages, TupleBuffer into) {
                    int n = source.readPages(firstPage, pages, into);
                    if (epoch > 0) {
                        done = Math.min(total, done + Math.max(0, Math.min(pages, source.pageCount() - firstPage)));
                        listener.epochProgress(epoch, done, total);
                    }
                    return n;
                }

                @Override
                public void checkInterrupts() {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new TrainingException(TrainingException.QUERY_CANCELED,
                                "canceling training: the client thread was interrupted", null);
                    }
                }
            };
        }

        @Override
        public void sized(Sizing sizing) {
            listener.message(sizing.describe());
        }

        @Override
        public void derived(String description) {
            listener.message(description);
        }

        @Override
        public void epochStarted(int e, int epochs) {
            epoch = e;
            done = 0;
            listener.epochProgress(e, 0, total);
        }

        @Override
        public void epochFinished(EpochStats stats) {
            listener.epochProgress(stats.epoch(), total, total);
            listener.epochFinished(stats);
        }
    }
}
