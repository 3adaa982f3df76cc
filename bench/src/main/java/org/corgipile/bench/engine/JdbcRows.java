package org.corgipile.bench.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Streams {@code (label, features)} rows of a query through a server-side cursor (fetch size {@value #FETCH}) so
 * that a large table never sits in client memory. The connection must not be in auto-commit mode.
 */
final class JdbcRows {
    static final int FETCH = 4096;

    private JdbcRows() {
    }

    static long stream(Connection c, String sql, RowSink sink, Object... params) throws SQLException {
        long n = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(FETCH);
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(rs.getDouble(1), parseArray(rs.getString(2)));
                    n++;
                }
            }
        }
        return n;
    }

    /** Runs a statement whose result is ignored (e.g. {@code SELECT setseed(?)}). */
    static void execute(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        }
    }

    /**
     * Parses PostgreSQL's text form of a one-dimensional float8[] ({@code {1.5,-2,3e-05}}). PgJDBC switches a
     * statement executed often to binary transfer, and its text rendering of a binary array quotes every element
     * ({@code {"1.5","-2"}}), so quotes around elements are accepted.
     */
    static double[] parseArray(String text) {
        if (text == null) {
            throw new IllegalArgumentException("features must not be NULL");
        }
        int len = text.length();
        if (len < 2 || text.charAt(0) != '{' || text.charAt(len - 1) != '}') {
            throw new IllegalArgumentException("features must be a one-dimensional float8[], got '"
                    + (len > 40 ? text.substring(0, 40) + "..." : text) + "'");
        }
        if (len == 2) {
            return new double[0];
        }
        int count = 1;
        for (int i = 1; i < len - 1; i++) {
            if (text.charAt(i) == ',') {
                count++;
            }
        }
        double[] out = new double[count];
        int start = 1;
        int k = 0;
        for (int i = 1; i < len; i++) {
            char ch = text.charAt(i);
            if (ch == ',' || i == len - 1) {
                int a = start;
                int b = i;
                if (b - a >= 2 && text.charAt(a) == '"' && text.charAt(b - 1) == '"') {
                    a++;
                    b--;
                }
                out[k++] = Double.parseDouble(text.substring(a, b));
                start = i + 1;
            }
        }
        return out;
    }
}
