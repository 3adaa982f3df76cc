package org.corgipile.datasets;

import java.util.Locale;

/**
 * SQL type of the label column: {@code int} for classification (0/1 binary, 0..K-1 multi-class), {@code float8} for
 * regression.
 */
public enum LabelType {
    INT("int"),
    FLOAT8("float8");

    private final String sql;

    LabelType(String sql) {
        this.sql = sql;
    }

    public String sql() {
        return sql;
    }

    /** Parses {@code int} or {@code float8} (case-insensitive). */
    public static LabelType parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "int", "int4", "integer" -> INT;
            case "float8", "double", "double precision" -> FLOAT8;
            default -> throw new IllegalArgumentException("label type must be int or float8, got '" + s + "'");
        };
    }
}
