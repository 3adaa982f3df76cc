package org.corgipile.client;

import java.lang.reflect.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.corgipile.operators.EpochNotice;
import org.corgipile.operators.EpochStats;
import org.corgipile.operators.TrainingException;

/**
 * Server mode: {@code SELECT * FROM train_sgd(...)} of the corgipile extension, with named arguments.
 *
 * <p>The call is built from the function's own signature, read from {@code pg_proc}: every hyper-parameter the
 * function declares is passed as a named argument, cast to the declared type; the others go into its
 * {@code options jsonb}. So the client neither duplicates the extension's defaults nor breaks when the extension
 * gains an argument, and an argument neither side knows is rejected by the server with its own message.
 *
 * <p>Progress comes through the structured channel, not through NOTICE text: the statement runs on a worker
 * thread while the calling thread reads the training backend's row of {@code corgipile.training_progress} (and the
 * finished epochs of its activity object, {@code corgipile.activity_json}) on a second connection every 100 ms.
 * Finished epochs become {@link TrainingListener#epochFinished} in order as they appear; the running epoch's tuples
 * done / total become {@link TrainingListener#epochProgress}. Epochs the channel did not show (no progress view on
 * an old server, a training faster than the polls, a sharded table) are reported from the result rows at the end,
 * still in order. Other NOTICEs (sizes chosen, rows skipped, early stopping) are forwarded as
 * {@link TrainingListener#message}: PgJDBC stores them on the statement as they arrive (a volatile field, readable
 * from another thread); the per-epoch NOTICE for psql users ({@link EpochNotice}) is not forwarded.
 */
final class ServerTrainer {
    private static final ObjectMapper JSON = Json.MAPPER;

    private final DataSource dataSource;

    ServerTrainer(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Input arguments of {@code train_sgd}, name to SQL type, in declaration order. */
    static Map<String, String> signature(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT p.proargnames, p.proargmodes::text[],
                       ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) WITH ORDINALITY AS a(t, i)
                             ORDER BY i)
                FROM pg_proc p
                WHERE p.proname = 'train_sgd' AND pg_function_is_visible(p.oid)
                ORDER BY p.pronargs DESC LIMIT 1""");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new CorgiPileException(TrainingException.UNDEFINED_FUNCTION,
                        "function train_sgd does not exist in this database",
                        "install the extension with CREATE EXTENSION corgipile, or train with mode client", null);
            }
            String[] names = (String[]) rs.getArray(1).getArray();
            String[] modes = rs.getArray(2) == null ? null : (String[]) rs.getArray(2).getArray();
            String[] types = (String[]) rs.getArray(3).getArray();
            Map<String, String> args = new LinkedHashMap<>();
            int in = 0;
            for (int i = 0; i < names.length; i++) {
                String mode = modes == null ? "i" : modes[i];
                if (mode.equals("i") || mode.equals("b") || mode.equals("v")) {
                    args.put(names[i], types[in++]);
                }
            }
            return args;
        }
    }

    List<EpochStats> train(TrainJob job, TrainingListener listener) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            Map<String, String> sig = signature(c);
            Map<String, Object> named = new LinkedHashMap<>();
            named.put("relation", job.relation());
            named.put("label", job.label());
            named.put("features", job.features());
            if (job.modelName() != null) {
                named.put("model_name", job.modelName());
            }
            if (job.validationRelation() != null) {
                named.put("validation_relation", job.validationRelation());
            }
            Map<String, Object> options = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : job.arguments().entrySet()) {
                if (sig.containsKey(e.getKey()) && !e.getKey().equals("options")
                        && castable(e.getValue(), sig.get(e.getKey()))) {
                    named.put(e.getKey(), e.getValue());
                } else {
                    options.put(e.getKey(), e.getValue());
                }
            }
            if (!options.isEmpty()) {
                if (!sig.containsKey("options")) {
                    throw new CorgiPileException(TrainingException.INVALID_PARAMETER_VALUE,
                            "train_sgd of this server has no argument " + String.join(", ", options.keySet()),
                            "its arguments are " + String.join(", ", sig.keySet()), null);
                }
                named.put("options", json(options));
            }
            StringBuilder sql = new StringBuilder("SELECT * FROM train_sgd(");
            List<String> values = new ArrayList<>();
            for (Map.Entry<String, Object> e : named.entrySet()) {
                String type = sig.get(e.getKey());
                if (type == null) {
                    throw new CorgiPileException(TrainingException.UNDEFINED_FUNCTION,
                            "train_sgd of this server has no argument "
                            + e.getKey(), "its arguments are " + String.join(", ", sig.keySet()), null);
                }
                if (!values.isEmpty()) {
                    sql.append(", ");
                }
                sql.append(e.getKey()).append(" => ?::").append(type);
                values.add(sqlText(e.getValue()));
            }
            sql.append(')');
            Object epochs = job.arguments().get("epochs");
            listener.started(TrainMode.SERVER, epochs instanceof Number n ? n.intValue() : 0);
            try (LiveProgress live = LiveProgress.open(dataSource, c)) {
                return execute(c, sql.toString(), values, listener, live);
            }
        }
    }

    private static List<EpochStats> execute(Connection c, String sql, List<String> values, TrainingListener listener,
                                            LiveProgress live) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < values.size(); i++) {
            ps.setString(i + 1, values.get(i));
        }
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "corgipile-train_sgd");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<List<EpochStats>> result = worker.submit(() -> {
                try (ResultSet rs = ps.executeQuery()) {
                    return epochRows(rs);
                }
            });
            int seen = 0;
            while (true) {
                try {
                    List<EpochStats> rows = result.get(100, TimeUnit.MILLISECONDS);
                    forwardNotices(ps, seen, listener);
                    for (EpochStats s : rows) {
                        if (s.epoch() > live.announced()) {
                            listener.epochFinished(s);
                        }
                    }
                    return rows;
                } catch (TimeoutException e) {
                    seen = forwardNotices(ps, seen, listener);
                    live.poll(listener);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof SQLException s) {
                        throw s;
                    }
                    throw new SQLException("train_sgd failed: " + e.getCause(),
                            TrainingException.INTERNAL_ERROR, e.getCause());
                } catch (InterruptedException e) {
                    ps.cancel();
                    Thread.currentThread().interrupt();
                    throw new SQLException("training interrupted; the server was asked to cancel it",
                            TrainingException.QUERY_CANCELED, e);
                }
            }
        } finally {
            worker.shutdownNow();
            ps.close();
        }
    }

    /** Forwards notices after the first {@code seen} ones, but the epoch lines; returns the new count. */
    private static int forwardNotices(PreparedStatement ps, int seen, TrainingListener listener) throws SQLException {
        SQLWarning w = ps.getWarnings();
        int i = 0;
        for (; w != null; w = w.getNextWarning(), i++) {
            String text = w.getMessage() == null ? "" : w.getMessage();
            if (i >= seen && !EpochNotice.isEpochLine(text)) {
                listener.message(text);
            }
        }
        return Math.max(seen, i);
    }

    /**
     * The training backend's row of {@code corgipile.training_progress} and the finished epochs of its activity
     * object, read on a connection of its own (the training connection is busy). Absent (a no-op) when the server's
     * extension has no such view; a failing poll only stops the polling, never the training.
     */
    static final class LiveProgress implements AutoCloseable {
        private Connection connection;
        private PreparedStatement query;
        /** Epochs 1 .. announced were reported to the listener. */
        private int announced;

        private LiveProgress(Connection connection, PreparedStatement query) {
            this.connection = connection;
            this.query = query;
        }

        static LiveProgress open(DataSource dataSource, Connection training) throws SQLException {
            int pid;
            try (Statement s = training.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_backend_pid(), "
                         + "to_regclass('corgipile.training_progress') IS NOT NULL")) {
                rs.next();
                pid = rs.getInt(1);
                if (!rs.getBoolean(2)) {
                    return new LiveProgress(null, null);
                }
            }
            Connection c = null;
            try {
                c = dataSource.getConnection();
                c.setAutoCommit(true);
                PreparedStatement q = c.prepareStatement("SELECT p.epoch, p.tuples_done, p.tuples_total, "
                        + "(corgipile.activity_json(a.query)->'log')::text FROM corgipile.training_progress p "
                        + "JOIN pg_stat_activity a ON a.pid = p.pid WHERE p.pid = " + pid);
                return new LiveProgress(c, q);
            } catch (SQLException e) {
                if (c != null) {
                    c.close();
                }
                return new LiveProgress(null, null);              // progress is a nicety: train without it
            }
        }

        /** Epochs 1 .. this one were reported to the listener. */
        int announced() {
            return announced;
        }

        /**
         * Reports the finished epochs the training backend shows, in order from the first not yet reported (an
         * epoch that already left the activity object's log waits for the result rows, and so do those after it),
         * then the running epoch's progress once every epoch before it was reported.
         */
        void poll(TrainingListener listener) {
            if (query == null) {
                return;
            }
            try (ResultSet rs = query.executeQuery()) {
                if (rs.next()) {
                    int epoch = rs.getInt(1);
                    long done = rs.getLong(2);
                    long total = rs.getLong(3);
                    boolean noTotal = rs.wasNull();
                    String log = rs.getString(4);
                    if (log != null) {
                        for (JsonNode e : JSON.readTree(log)) {
                            if (e.get(0).asInt() == announced + 1) {
                                listener.epochFinished(logged(e));
                                announced++;
                            }
                        }
                    }
                    if (!noTotal && total > 0 && epoch == announced + 1) {
                        listener.epochProgress(epoch, Math.min(done, total), total);
                    }
                }
            } catch (SQLException | JsonProcessingException e) {
                close();
            }
        }

        /** An entry of the activity log: [epoch, loss, accuracy, validation loss/accuracy, lr, seconds, tuples]. */
        private static EpochStats logged(JsonNode e) {
            return new EpochStats(e.get(0).asInt(), number(e.get(1)), number(e.get(2)), number(e.get(3)),
                    number(e.get(4)), number(e.get(5)), number(e.get(6)), e.get(7).asLong(), Map.of());
        }

        private static double number(JsonNode v) {
            return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
        }

        @Override
        public void close() {
            query = null;
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // nothing to do: the connection only read progress
                }
                connection = null;
            }
        }
    }

    /** Maps {@code train_sgd} rows to {@link EpochStats}; unknown numeric columns go to {@code extra}. */
    static List<EpochStats> epochRows(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<EpochStats> out = new ArrayList<>();
        while (rs.next()) {
            Map<String, Double> extra = new LinkedHashMap<>();
            int epoch = 0;
            long tuples = 0;
            double loss = Double.NaN;
            double acc = Double.NaN;
            double vloss = Double.NaN;
            double vacc = Double.NaN;
            double lr = Double.NaN;
            double secs = Double.NaN;
            for (int i = 1; i <= md.getColumnCount(); i++) {
                String name = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
                switch (name) {
                    case "epoch" -> epoch = rs.getInt(i);
                    case "tuples" -> tuples = rs.getLong(i);
                    case "loss" -> loss = dbl(rs, i);
                    case "accuracy" -> acc = dbl(rs, i);
                    case "validation_loss" -> vloss = dbl(rs, i);
                    case "validation_accuracy" -> vacc = dbl(rs, i);
                    case "learning_rate" -> lr = dbl(rs, i);
                    case "seconds" -> secs = dbl(rs, i);
                    default -> {
                        if (isNumeric(md.getColumnType(i))) {
                            extra.put(name, dbl(rs, i));
                        }
                    }
                }
            }
            out.add(new EpochStats(epoch, loss, acc, vloss, vacc, lr, secs, tuples, extra));
        }
        return out;
    }

    private static boolean isNumeric(int sqlType) {
        return switch (sqlType) {
            case Types.DOUBLE, Types.REAL, Types.FLOAT, Types.NUMERIC, Types.DECIMAL, Types.INTEGER, Types.BIGINT,
                 Types.SMALLINT -> true;
            default -> false;
        };
    }

    private static double dbl(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? Double.NaN : v;
    }

    /**
     * Whether {@code v} goes to a named argument of SQL type {@code type} through the cast: a number for a number
     * (an integral one for an integer type), text for text. Any other value (text for a number, a fraction for an
     * integer, a number for text) goes into options, where the engine's parser refuses it as client mode does, with
     * 22023 naming the argument; the cast failed with 22P02 "invalid input syntax for type integer" naming none.
     */
    static boolean castable(Object v, String type) {
        if (v == null) {
            return true;
        }
        return switch (type) {
            case "integer", "bigint", "smallint" -> v instanceof Long || v instanceof Integer || v instanceof Short
                    || v instanceof Byte;
            case "double precision", "real" -> v instanceof Number;
            case "text" -> v instanceof CharSequence;
            default -> true;
        };
    }

    /** The text form PostgreSQL's input functions accept: arrays as {@code {a,b}}, the rest via toString. */
    static String sqlText(Object v) {
        if (v == null) {
            return null;
        }
        if (v.getClass().isArray()) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                parts.add(String.valueOf(Array.get(v, i)));
            }
            return "{" + String.join(",", parts) + "}";
        }
        if (v instanceof Collection<?> col) {
            return sqlText(col.toArray());
        }
        return v.toString();
    }

    private static String json(Map<String, Object> options) throws SQLException {
        try {
            return JSON.writeValueAsString(options);
        } catch (JsonProcessingException e) {
            throw new CorgiPileException(TrainingException.INVALID_PARAMETER_VALUE,
                    "options: cannot write as JSON: " + e.getOriginalMessage());
        }
    }
}
