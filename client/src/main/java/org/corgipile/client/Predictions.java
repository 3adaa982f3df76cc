package org.corgipile.client;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

import javax.sql.DataSource;

import org.corgipile.client.jdbc.RelationColumns;
import org.corgipile.client.jdbc.RelationColumns.QueryFeatures;
import org.corgipile.operators.TrainingException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Batch prediction over a query: {@code SELECT q.*, prediction FROM (query) q}.
 *
 * <p>When the database has the extension, {@code sgd_predict} computes the prediction in the server and a target
 * table is filled by one {@code CREATE TABLE ... AS}. Otherwise the model is restored from the catalog into this JVM
 * ({@link ClientModels}); rows are read once, predicted here, and, for a target table, written back by
 * {@code COPY FROM STDIN} into a table created with the query's column types.
 *
 * <p>Features are read as training reads them ({@link RelationColumns#queryFeatures}): a numeric below double
 * precision is 0, one beyond it training's error (22003) naming the column and the row of the query. That error is
 * raised here, so a query with numeric features is predicted here also when the database has the extension (the same
 * model arithmetic as {@code sgd_predict}'s).
 */
public final class Predictions {
    private static final int COPY_CHUNK = 1 << 20;

    /** Receives predicted rows in query order. */
    public interface RowSink {
        /** Called once before the rows, with the output column names (the query's, then {@code prediction}). */
        default void header(List<String> columns) throws IOException {
        }

        /**
         * As {@link #header(List)}, with each column's PostgreSQL type name ({@code int4}, {@code _float8}, ...);
         * {@code prediction} is {@code float8}.
         */
        default void header(List<String> columns, List<String> pgTypes) throws IOException {
            header(columns);
        }

        /** One row: column values as PostgreSQL prints them (null for NULL), then the prediction. */
        void row(List<String> values, double prediction) throws IOException;
    }

    private Predictions() {
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    static long intoTable(DataSource ds, String model, String query, String featuresColumn, String target,
                          boolean replace, boolean proba) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                ModelCatalog.id(c, model);      // 42704 before anything: sgd_predict is only called per row
                QueryFeatures features = RelationColumns.queryFeatures(c, subquery(query), featuresColumn);
                if (replace) {
                    try (Statement s = c.createStatement()) {
                        s.execute("DROP TABLE IF EXISTS " + target);
                    }
                }
                long n = inServer(c, features) ? serverIntoTable(c, model, query, features.expression(), target,
                        proba) : clientIntoTable(c, model, query, features, target, proba);
                c.commit();
                return n;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Whether {@code sgd_predict} predicts: with the extension, for features without a numeric column. */
    private static boolean inServer(Connection c, QueryFeatures features) throws SQLException {
        return !features.hasNumeric() && CorgiPile.hasExtension(c);
    }

    private static long serverIntoTable(Connection c, String model, String query, String features,
                                        String target, boolean proba) throws SQLException {
        try (Statement s = c.createStatement()) {
            return s.executeUpdate("CREATE TABLE " + target + " AS SELECT q.*, " + function(proba) + "("
                    + literal(model) + ", " + features + ") AS " + column(proba) + " FROM " + subquery(query));
        }
    }

    private static long clientIntoTable(Connection c, String model, String query, QueryFeatures features,
                                        String target, boolean proba) throws SQLException {
        ToDoubleFunction<double[]> m = ClientModels.predictor(c, model, proba);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + target + " AS SELECT q.*, NULL::float8 AS " + column(proba) + " FROM "
                    + subquery(query) + " WITH NO DATA");
        }
        StringBuilder copy = new StringBuilder();
        long[] n = new long[1];
        CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
        String copySql = "COPY " + target + " FROM STDIN";
        eachRow(c, m, query, features, column(proba), new RowSink() {
            @Override
            public void row(List<String> values, double prediction) throws IOException {
                for (String v : values) {
                    copy.append(v == null ? "\\N" : escape(v)).append('\t');
                }
                copy.append(Double.isNaN(prediction) ? "\\N" : String.valueOf(prediction)).append('\n');
                n[0]++;
                if (copy.length() > COPY_CHUNK) {
                    flush(cm, copySql, copy);
                }
            }
        });
        try {
            flush(cm, copySql, copy);
        } catch (IOException e) {
            throw new SQLException("writing predictions into " + target + " failed: " + e.getMessage(),
                    TrainingException.IO_ERROR, e);
        }
        return n[0];
    }

    /** Sends the buffered rows with one COPY (between fetches of the open cursor on the same connection). */
    private static void flush(CopyManager cm, String copySql, StringBuilder rows) throws IOException {
        if (rows.length() == 0) {
            return;
        }
        try {
            cm.copyIn(copySql, new StringReader(rows.toString()));
        } catch (SQLException e) {
            throw new IOException(e.getMessage(), e);
        }
        rows.setLength(0);
    }

    private static String escape(String v) {
        StringBuilder b = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            switch (ch) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    /**
     * The user's query as the subquery {@code q}, written as in psql: a trailing semicolon is dropped, and the
     * closing parenthesis goes on its own line so that a closing {@code -- comment} does not swallow it.
     */
    static String subquery(String query) {
        String q = query.strip();
        while (q.endsWith(";")) {
            q = q.substring(0, q.length() - 1).strip();
        }
        return "(" + q + "\n) AS q";
    }

    /** The output column: {@code prediction}, or {@code probability} (of the positive class) with proba. */
    static String column(boolean proba) {
        return proba ? "probability" : "prediction";
    }

    private static String function(boolean proba) {
        return proba ? "sgd_predict_proba" : "sgd_predict";
    }

    static long stream(DataSource ds, String model, String query, String featuresColumn, RowSink sink,
                       boolean proba) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);             // lets the driver fetch in chunks instead of all rows at once
            try {
                ModelCatalog.id(c, model);      // an unknown model is an error also for a query without rows
                QueryFeatures features = RelationColumns.queryFeatures(c, subquery(query), featuresColumn);
                if (inServer(c, features)) {
                    return serverStream(c, model, query, features.expression(), sink, proba);
                }
                return eachRow(c, ClientModels.predictor(c, model, proba), query, features, column(proba), sink);
            } finally {
                c.rollback();
            }
        }
    }

    private static long serverStream(Connection c, String model, String query, String features, RowSink sink,
                                     boolean proba) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT q.*, " + function(proba) + "(?, " + features + ") AS "
                + column(proba) + " FROM " + subquery(query))) {
            ps.setString(1, model);
            return streamRows(ps, sink, column(proba), (rs, column) -> {
                double p = rs.getDouble(column);
                return rs.wasNull() ? Double.NaN : p;
            });
        }
    }

    private static long eachRow(Connection c, ToDoubleFunction<double[]> m, String query, QueryFeatures features,
                                String output, RowSink sink) throws SQLException {
        long[] row = new long[1];
        try (PreparedStatement ps = c.prepareStatement("SELECT q.*, " + features.expression()
                + " AS corgipile_features FROM " + subquery(query))) {
            return streamRows(ps, sink, output, (rs, column) -> {
                row[0]++;
                Array a = rs.getArray(column);
                double p = Double.NaN;
                if (a != null) {                 // NULL features: a NULL prediction, as sgd_predict
                    Object array = a.getArray();
                    if (!(array instanceof Double[] boxed)) {   // a multi-dimensional array: Double[][] ...
                        throw new CorgiPileException(TrainingException.ARRAY_SUBSCRIPT_ERROR,
                                "features must be a one-dimensional array, not "
                                        + (array.getClass().getName().lastIndexOf('[') + 1) + "-dimensional",
                                "Pass one feature vector per call, e.g. '{1.5, 2}'.", null);
                    }
                    double[] x = new double[boxed.length];
                    for (int i = 0; i < x.length; i++) {
                        if (boxed[i] == null) {         // sgd_predict's error (the SQL function's text)
                            throw new CorgiPileException(TrainingException.NULL_VALUE_NOT_ALLOWED,
                                    "features must not contain NULL elements",
                                    "Replace missing values before predicting, e.g. with coalesce.", null);
                        }
                        x[i] = boxed[i];
                    }
                    features.check(x, row[0]);
                    p = m.applyAsDouble(x);
                }
                return p;
            });
        }
    }

    /** Turns the extra last column of a prediction query's row into that row's prediction. */
    @FunctionalInterface
    private interface LastColumn {
        double prediction(ResultSet rs, int column) throws SQLException;
    }

    /**
     * Runs a query whose last column carries the prediction (or what it is computed from) and hands every row to
     * {@code sink}: the other columns as text, then the prediction. Returns the number of rows.
     */
    private static long streamRows(PreparedStatement ps, RowSink sink, String output, LastColumn last)
            throws SQLException {
        ps.setFetchSize(1000);
        try (ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            int cols = md.getColumnCount() - 1;
            header(sink, md, cols, output);
            long n = 0;
            while (rs.next()) {
                List<String> values = new ArrayList<>(cols);
                for (int i = 1; i <= cols; i++) {
                    values.add(rs.getString(i));
                }
                emit(sink, values, last.prediction(rs, cols + 1));
                n++;
            }
            return n;
        }
    }

    private static void header(RowSink sink, ResultSetMetaData md, int cols, String output) throws SQLException {
        List<String> names = new ArrayList<>(cols + 1);
        List<String> types = new ArrayList<>(cols + 1);
        for (int i = 1; i <= cols; i++) {
            names.add(md.getColumnLabel(i));
            types.add(md.getColumnTypeName(i));
        }
        names.add(output);
        types.add("float8");
        try {
            sink.header(names, types);
        } catch (IOException e) {
            throw new SQLException("writing predictions failed: " + e.getMessage(), TrainingException.IO_ERROR, e);
        }
    }

    private static void emit(RowSink sink, List<String> values, double prediction) throws SQLException {
        try {
            sink.row(values, prediction);
        } catch (IOException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            throw new SQLException("writing predictions failed: " + e.getMessage(), TrainingException.IO_ERROR, e);
        }
    }
}
