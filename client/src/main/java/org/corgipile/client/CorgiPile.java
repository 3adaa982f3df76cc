package org.corgipile.client;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;

import org.corgipile.datasets.ArrowExport;
import org.corgipile.operators.TrainingException;
import org.corgipile.operators.Version;
import org.corgipile.sql.Migrations;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;


/**
 * The Java API of corgipile: train, list, predict, evaluate and export models stored in a PostgreSQL database.
 *
 * <pre>{@code
 * CorgiPile cp = CorgiPile.connect(dataSource);
 * TrainingRun run = cp.train(TrainJob.on("higgs_like").spec(TrainSpec.builder().model("logistic").epochs(10))
 *         .modelName("higgs_lr").validation("higgs_like_test").build());
 * run.epochs().forEach(e -> System.out.println(e.epoch() + " " + e.loss() + " " + e.accuracy()));
 * double p = run.model().predict(0.3, 1.2, ...);
 * Map<String, Double> metrics = run.model().evaluate("higgs_like_test", "label", "features");
 * }</pre>
 *
 * <p>Every method takes a connection from the {@link DataSource} and gives it back before returning; a
 * {@code CorgiPile} holds no connection and is safe to share between threads. Every failure is a
 * {@link SQLException} with a PostgreSQL SQLSTATE, whether the server or the client detected it.
 */
public final class CorgiPile {
    /**
     * Version recorded with every model this client stores ({@code corgipile.models.corgipile_version}): the
     * extension's, {@link Version#CURRENT}.
     */
    public static final String VERSION = Version.CURRENT;

    private final DataSource dataSource;

    private CorgiPile(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public static CorgiPile connect(DataSource dataSource) {
        return new CorgiPile(Objects.requireNonNull(dataSource, "dataSource"));
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** True when {@code CREATE EXTENSION corgipile} has run in this database. */
    public boolean hasExtension() throws SQLException {
        return Errors.call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return hasExtension(c);
            }
        });
    }

    /** {@link TrainMode#AUTO} resolved against this database. */
    public TrainMode resolve(TrainMode mode) throws SQLException {
        Objects.requireNonNull(mode, "mode");
        return Errors.call(() -> {
            return mode != TrainMode.AUTO ? mode : hasExtension() ? TrainMode.SERVER : TrainMode.CLIENT;
        });
    }

    /** Trains without progress reporting. */
    public TrainingRun train(TrainJob job) throws SQLException {
        Objects.requireNonNull(job, "job");
        return Errors.call(() -> {
            return train(job, TrainingListener.NONE);
        });
    }

    /**
     * Trains {@code job} in its mode and, when it has a model name, stores the model in {@code corgipile.models}
     * (like {@code train_sgd}, a job without {@code model_name} trains and reports but stores nothing, and the run's
     * {@link TrainingRun#model()} is null). The model row is written in the training's own transaction: a failed
     * training stores nothing.
     */
    public TrainingRun train(TrainJob job, TrainingListener listener) throws SQLException {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(listener, "listener");
        return Errors.call(() -> {
            TrainMode mode = resolve(job.mode());
            List<org.corgipile.operators.EpochStats> epochs;
            String name;
            if (mode == TrainMode.SERVER) {
                if (!hasExtension()) {
                    throw new CorgiPileException(TrainingException.FEATURE_NOT_SUPPORTED,
                            "mode server needs the corgipile extension, which this database does not have",
                            "run CREATE EXTENSION corgipile (it must be installed on the server), or use mode client",
                            null);
                }
                epochs = new ServerTrainer(dataSource).train(job, listener);
                name = job.modelName();
            } else {
                ClientTrainer.Result r = new ClientTrainer(dataSource).train(job, listener);
                epochs = r.epochs();
                name = r.modelName();
            }
            return new TrainingRun(name == null ? null : new ModelHandle(this, name), epochs, mode);
        });
    }

    /**
     * Creates or upgrades corgipile's SQL objects (schema {@code corgipile}, the models catalog, the SQL functions)
     * with the project's Flyway migrations ({@link Migrations}), for databases without the extension. Idempotent:
     * a second call applies nothing. A database with the extension already has these objects from
     * {@code CREATE EXTENSION}; it is left alone ({@link InstallResult#extension()}).
     */
    public InstallResult install() throws SQLException {
        return Errors.call(() -> {
            if (hasExtension()) {
                return new InstallResult(0, null, null, true);
            }
            try {
                // a non-empty schema (an application's) is baselined at version 0: see Migrations
                MigrateResult r = Migrations.flyway(dataSource).migrate();
                return new InstallResult(r.migrationsExecuted, r.initialSchemaVersion, r.targetSchemaVersion, false);
            } catch (FlywayException e) {
                SQLException cause = e.getCause() instanceof SQLException s ? s : null;
                throw new CorgiPileException(cause != null && cause.getSQLState() != null ? cause.getSQLState()
                        : TrainingException.SYSTEM_ERROR,
                        "installing corgipile's SQL objects failed: " + e.getMessage().strip(), null, e);
            }
        });
    }

    /** Every stored model, by name; {@link ModelInfo#row()} without the parameter vectors ({@link #model} has them). */
    public List<ModelInfo> models() throws SQLException {
        return Errors.call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return ModelCatalog.list(c);
            }
        });
    }

    /**
     * The trainings running right now in any session whose activity this role may see
     * ({@code corgipile.training_progress}): epoch, tuples done / total within the epoch, running loss, elapsed.
     */
    public List<LiveTraining> trainingProgress() throws SQLException {
        return Errors.call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return Introspection.progress(c);
            }
        });
    }

    /** Drops the stored model {@code name} ({@code sgd_drop_model}): 42704 when there is none, 42501 if not the owner. */
    public void dropModel(String name) throws SQLException {
        Errors.call(() -> {
            try (Connection c = dataSource.getConnection()) {
                Introspection.drop(c, name);
                return null;
            }
        });
    }

    List<org.corgipile.operators.EpochStats> trainingInfo(String name) throws SQLException {
        return Errors.call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return Introspection.trainingInfo(c, name);
            }
        });
    }

    List<ModelVersion> versions(String name) throws SQLException {
        return Errors.call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return Introspection.versions(c, name);
            }
        });
    }

    int restore(String name, int version) throws SQLException {
        return Errors.call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return Introspection.restore(c, name, version);
            }
        });
    }

    int dropVersions(String name, int keep) throws SQLException {
        return Errors.call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return Introspection.dropVersions(c, name, keep);
            }
        });
    }

    List<FeatureWeight> weights(String name) throws SQLException {
        return Errors.call(() -> {
            try (Connection c = dataSource.getConnection()) {
                return Introspection.weights(c, name);
            }
        });
    }

    /** A handle on the stored model {@code name}; 42704 when it does not exist. */
    public ModelHandle model(String name) throws SQLException {
        return Errors.call(() -> {
            info(name);
            return new ModelHandle(this, name);
        });
    }

    ModelInfo info(String name) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return ModelCatalog.get(c, name);
        }
    }

    /** The catalog row of model {@code name} as pretty-printed JSON. */
    public String exportJson(String name) throws SQLException {
        return Errors.call(() -> {
            try {
                return ModelCatalog.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(info(name).row());
            } catch (JsonProcessingException e) {
                throw new CorgiPileException(TrainingException.INTERNAL_ERROR,
                        "cannot write model " + name + " as JSON: " + e.getMessage());
            }
        });
    }

    /** Prediction for one dense feature vector. */
    public double predict(String model, double[] features) throws SQLException {
        Objects.requireNonNull(features, "features");
        return Errors.call(() -> {
            try (Connection c = dataSource.getConnection()) {
                if (hasExtension(c)) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT sgd_predict(?, ?::float8[])")) {
                        ps.setString(1, model);
                        ps.setArray(2, c.createArrayOf("float8", box(features)));
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            return rs.getDouble(1);
                        }
                    }
                }
                return ClientModels.predictor(c, model).applyAsDouble(features);
            }
        });
    }

    /**
     * Metrics of {@code model} over {@code relation}: in the server by {@code sgd_evaluate} when the database has
     * the extension, else in this JVM over the same JDBC reader as client-mode training.
     */
    public Map<String, Double> evaluate(String model, String relation, String label, String features)
            throws SQLException {
        return Errors.call(() -> {
            try (Connection c = dataSource.getConnection()) {
                if (hasExtension(c)) {
                    Map<String, Double> out = new LinkedHashMap<>();
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT metric, value FROM sgd_evaluate(?, ?::regclass, ?, ?)")) {
                        ps.setString(1, model);
                        ps.setString(2, relation);
                        ps.setString(3, label);
                        ps.setString(4, features);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                double v = rs.getDouble(2);
                                out.put(rs.getString(1), rs.wasNull() ? Double.NaN : v);
                            }
                        }
                    }
                    return out;
                }
                return ClientModels.evaluate(c, model, relation, label, features);
            }
        });
    }

    /**
     * Predicts for every row of {@code query}, whose column {@code featuresColumn} holds the features, and writes
     * {@code query}'s columns plus {@code prediction} into the new table {@code targetTable}.
     *
     * @return rows written
     */
    public long predictInto(String model, String query, String featuresColumn, String targetTable)
            throws SQLException {
        return predictInto(model, query, featuresColumn, targetTable, false);
    }

    /** Like {@link #predictInto(String, String, String, String)}; {@code replace} drops an existing table first. */
    public long predictInto(String model, String query, String featuresColumn, String targetTable, boolean replace)
            throws SQLException {
        return predictInto(model, query, featuresColumn, targetTable, replace, false);
    }

    /**
     * Like {@link #predictInto(String, String, String, String, boolean)}; with {@code probability}, the column is
     * {@code probability} (of the positive class: logistic, binary mlp; NULL for other models) instead of
     * {@code prediction}. {@code featuresColumn} is one array column or a column list ({@code "x1, x2"}).
     */
    public long predictInto(String model, String query, String featuresColumn, String targetTable, boolean replace,
                            boolean probability) throws SQLException {
        requireQuery(query, featuresColumn);
        Objects.requireNonNull(targetTable, "targetTable");
        return Errors.call(() -> {
            return Predictions.intoTable(dataSource, model, query, featuresColumn, targetTable, replace, probability);
        });
    }

    /**
     * Predicts for every row of {@code query} and hands each row (its columns plus {@code prediction}) to
     * {@code sink}, in query order.
     *
     * @return rows predicted
     */
    public long predict(String model, String query, String featuresColumn, Predictions.RowSink sink)
            throws SQLException {
        return predict(model, query, featuresColumn, sink, false);
    }

    /** Like {@link #predict(String, String, String, Predictions.RowSink)}, streaming probabilities when asked. */
    public long predict(String model, String query, String featuresColumn, Predictions.RowSink sink,
                        boolean probability) throws SQLException {
        requireQuery(query, featuresColumn);
        Objects.requireNonNull(sink, "sink");
        return Errors.call(() -> {
            return Predictions.stream(dataSource, model, query, featuresColumn, sink, probability);
        });
    }

    /**
     * True when the database has the extension. The migrations alone also create {@code train_sgd},
     * {@code sgd_predict} and {@code sgd_evaluate} (so SQL written against them is valid everywhere), but without the
     * extension they raise feature_not_supported: the extension, not the function, decides where work runs.
     */
    /**
     * Predicts for every row of {@code query} and writes the rows with their prediction to the Arrow IPC file
     * {@code file} (overwritten), typed for pandas/polars (see {@link ArrowPredictionWriter}).
     *
     * @return rows written
     */
    public long exportPredictions(String model, String query, String featuresColumn, Path file) throws SQLException {
        requireQuery(query, featuresColumn);
        Objects.requireNonNull(file, "file");
        return Errors.call(() -> {
            requireArrow();
            try (ArrowPredictionWriter w = new ArrowPredictionWriter(file)) {
                Predictions.stream(dataSource, model, query, featuresColumn, w, false);
                w.finish();
                return w.rows();
            } catch (IOException e) {
                throw CorgiPileException.cannotWrite(file, e);
            } catch (SQLException e) {
                // the writer's failures reach here through Predictions, wrapped (58030)
                if (e.getCause() instanceof IOException io && TrainingException.IO_ERROR.equals(e.getSQLState())) {
                    throw CorgiPileException.cannotWrite(file, io);
                }
                throw e;
            }
        });
    }

    /**
     * Writes the dataset table {@code table} ({@code id, label, features} or {@code id, label, indices, vals}, the
     * layout of the datasets loaders) to the Arrow IPC file {@code file}, in storage order.
     *
     * @return rows written
     */
    public long exportTable(String table, Path file) throws SQLException {
        Objects.requireNonNull(file, "file");
        return Errors.call(() -> {
            requireArrow();
            try (Connection c = dataSource.getConnection()) {
                return ArrowExport.export(c, table, file);
            } catch (IOException e) {
                throw CorgiPileException.cannotWrite(file, e);
            } catch (IllegalArgumentException e) {
                throw new CorgiPileException(TrainingException.INVALID_PARAMETER_VALUE, e.getMessage(), null, e);
            }
        });
    }

    /** The Java-side arguments of the prediction methods: null is an NPE naming them, as in {@link #connect}. */
    private static void requireQuery(String query, String featuresColumn) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(featuresColumn, "featuresColumn");
    }

    static boolean hasExtension(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'corgipile')")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static Double[] box(double[] v) {
        Double[] b = new Double[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return b;
    }

    /** Arrow export needs org.corgipile:corgipile-datasets (Apache Arrow), an optional dependency of the client. */
    private static void requireArrow() throws CorgiPileException {
        try {
            Class.forName("org.apache.arrow.vector.VectorSchemaRoot", false, CorgiPile.class.getClassLoader());
            Class.forName("org.corgipile.datasets.ArrowExport", false, CorgiPile.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new CorgiPileException(TrainingException.FEATURE_NOT_SUPPORTED,
                    "Arrow export needs Apache Arrow and corgipile's datasets module on the class path",
                    "add the dependency org.corgipile:corgipile-datasets next to corgipile-client", e);
        }
        if (!org.corgipile.datasets.ArrowRuntime.usable()) {
            throw new CorgiPileException(TrainingException.FEATURE_NOT_SUPPORTED,
                    "Arrow export needs the JVM option " + org.corgipile.datasets.ArrowRuntime.JVM_OPTION,
                    "the ./corgipile launcher passes it; with java -cp or java -jar, add it before -cp / -jar", null);
        }
    }
}
