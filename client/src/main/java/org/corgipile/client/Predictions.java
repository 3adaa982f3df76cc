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

import org.corgipile.client.jdbc.SqlNames;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Batch prediction over a query: {@code SELECT q.*, prediction FROM (query) q}.
 *
 * <p>When the database has the extension, {@code sgd_predict} computes the prediction in the server and a target table is filled by one {@code CREATE TABLE ... AS}. Otherwise the model is
 * restored from the catalog into this JVM ({@link ClientModels}); rows are read once, predicted here, and, for a
 * target table, written back by {@code COPY FROM STDIN} into a table created with the query's column types.
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

    static long intoTable(DataSource ds, String model, String query, String featuresColumn, String target)
            throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                long n = CorgiPile.hasExtension(c) ? serverIntoTable(c, model, query, featuresColumn,
                        target) : clientIntoTable(c, model, query, featuresColumn, target);
                c.commit();
                return n;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static long serverIntoTable(Connection c, String model, String query, String featuresColumn,
                                        String target) throws SQLException {
        try (Statement s = c.createStatement()) {
            return s.executeUpdate("CREATE TABLE " + target + " AS SELECT q.*, sgd_predict(" + literal(model) + ", q."
                    + SqlNames.quote(featuresColumn) + "::float8[]) AS prediction FROM (" + query + ") AS q");
        }
    }

    private static long clientIntoTable(Connection c, String model, String query, String featuresColumn,
                                        String target) throws SQLException {
        ToDoubleFunction<double[]> m = ClientModels.predictor(c, model);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + target + " AS SELECT q.*, NULL::float8 AS prediction FROM (" + query
                    + ") AS q WITH NO DATA");
        }
        StringBuilder copy = new StringBuilder();
        long[] n = new long[1];
        CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
        String copySql = "COPY " + target + " FROM STDIN";
        eachRow(c, m, query, featuresColumn, new RowSink() {
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
            throw new SQLException("writing predictions into " + target + " failed: " + e.getMessage(), "58030", e);
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

    static long stream(DataSource ds, String model, String query, String featuresColumn, RowSink sink)
            throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);             // lets the driver fetch in chunks instead of all rows at once
            try {
                if (CorgiPile.hasExtension(c)) {
                    return serverStream(c, model, query, featuresColumn, sink);
                }
                return eachRow(c, ClientModels.predictor(c, model), query, featuresColumn, sink);
            } finally {
                c.rollback();
            }
        }
    }

    private static long serverStream(Connection c, String model, String query, String featuresColumn, RowSink sink)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT q.*, sgd_predict(?, q."
                + SqlNames.quote(featuresColumn) + "::float8[]) AS prediction FROM (" + query + ") AS q")) {
            ps.setString(1, model);
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                int cols = md.getColumnCount() - 1;
                header(sink, md, cols);
                long n = 0;
                while (rs.next()) {
                    List<String> values = new ArrayList<>(cols);
                    for (int i = 1; i <= cols; i++) {
                        values.add(rs.getString(i));
                    }
                    double p = rs.getDouble(cols + 1);
                    emit(sink, values, rs.wasNull() ? Double.NaN : p);
                    n++;
                }
                return n;
            }
        }
    }

    private static long eachRow(Connection c, ToDoubleFunction<double[]> m, String query, String featuresColumn, RowSink sink)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT q.*, q." + SqlNames.quote(featuresColumn)
                + "::float8[] AS corgipile_features FROM (" + query + ") AS q")) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                int cols = md.getColumnCount() - 1;
                header(sink, md, cols);
                long n = 0;
                while (rs.next()) {
                    List<String> values = new ArrayList<>(cols);
                    for (int i = 1; i <= cols; i++) {
                        values.add(rs.getString(i));
                    }
                    Array a = rs.getArray(cols + 1);
                    double p = Double.NaN;
                    if (a != null) {
                        Double[] boxed = (Double[]) a.getArray();
                        double[] x = new double[boxed.length];
                        boolean ok = true;
                        for (int i = 0; i < x.length; i++) {
                            ok &= boxed[i] != null;
                            x[i] = ok ? boxed[i] : 0;
                        }
                        if (ok) {
                            p = m.applyAsDouble(x);
                        }
                    }
                    emit(sink, values, p);
                    n++;
                }
                return n;
            }
        }
    }

    private static void header(RowSink sink, ResultSetMetaData md, int cols) throws SQLException {
        List<String> names = new ArrayList<>(cols + 1);
        List<String> types = new ArrayList<>(cols + 1);
        for (int i = 1; i <= cols; i++) {
            names.add(md.getColumnLabel(i));
            types.add(md.getColumnTypeName(i));
        }
        names.add("prediction");
        types.add("float8");
        try {
            sink.header(names, types);
        } catch (IOException e) {
            throw new SQLException("writing predictions failed: " + e.getMessage(), "58030", e);
        }
    }

    private static void emit(RowSink sink, List<String> values, double prediction) throws SQLException {
        try {
            sink.row(values, prediction);
        } catch (IOException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            throw new SQLException("writing predictions failed: " + e.getMessage(), "58030", e);
        }
    }
}
