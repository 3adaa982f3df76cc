package org.corgipile.client.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.corgipile.client.CorgiPileException;
import org.corgipile.operators.FeatureShape;

/**
 * A training relation resolved against the catalog: its qualified name, the label and feature columns checked for
 * existence and type, and the select list that casts them to the two types the binary decoder reads
 * ({@code float8} and {@code float8[]} / {@code int4[]}).
 *
 * <p>Casting on the server keeps one decoder for every column type ({@code real[]}, {@code int[]},
 * {@code numeric}, {@code boolean} labels...) and costs far less than the network transfer it precedes.
 *
 * <p>Only relations with heap storage can be read by TID ranges: tables and materialized views. Views, indexes,
 * foreign and partitioned tables are refused with a message saying so.
 */
public final class RelationColumns {
    private final long oid;
    private final String qualifiedName;
    private final String label;
    private final FeatureColumns features;
    private final String selectList;

    private RelationColumns(long oid, String qualifiedName, String label, FeatureColumns features, String selectList) {
        this.oid = oid;
        this.qualifiedName = qualifiedName;
        this.label = label;
        this.features = features;
        this.selectList = selectList;
    }

    /**
     * Resolves {@code relation} (any text {@code regclass} accepts, e.g. {@code higgs} or {@code "My Schema".t}),
     * the label column and the feature columns.
     *
     * @throws SQLException naming the argument: 42P01 unknown relation, 42809 not a table, 42703 unknown column,
     *                      42804 column of a wrong type
     */
    public static RelationColumns resolve(Connection c, String relation, String label, FeatureColumns features)
            throws SQLException {
        long oid;
        String name;
        String kind;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT c.oid, c.oid::regclass::text, c.relkind FROM pg_class c WHERE c.oid = ?::regclass")) {
            ps.setString(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                oid = rs.getLong(1);
                name = rs.getString(2);
                kind = rs.getString(3);
            }
        }
        if (!"r".equals(kind) && !"m".equals(kind)) {
            throw new CorgiPileException(CorgiPileException.WRONG_OBJECT_TYPE, "relation: " + name + " is " + describeKind(kind)
                    + "; client-side training reads heap pages, so it needs a table or a materialized view");
        }
        String labelColumn = SqlNames.fold(label, "label");
        String labelExpr = labelExpression(c, oid, name, labelColumn);
        String featureExpr = switch (features.layout()) {
            case DENSE -> {
                Column col = column(c, oid, name, features.columns().get(0), "features");
                requireNumericArray(col, name, "features");
                yield SqlNames.quote(col.name) + "::float8[]";
            }
            case COLUMNS -> {
                List<String> parts = new ArrayList<>();
                for (String f : features.columns()) {
                    Column col = column(c, oid, name, f, "features");
                    if (!"N".equals(col.category)) {
                        throw new CorgiPileException(CorgiPileException.DATATYPE_MISMATCH, "features: column " + col.name + " of " + name
                                + " is " + col.type + "; a list of feature columns must be numeric scalars");
                    }
                    parts.add(SqlNames.quote(col.name));
                }
                yield "ARRAY[" + String.join(", ", parts) + "]::float8[]";
            }
            case SPARSE -> {
                Column idx = column(c, oid, name, features.columns().get(0), "features");
                Column val = column(c, oid, name, features.columns().get(1), "features");
                if (!"A".equals(idx.category) || !List.of("smallint", "integer", "bigint").contains(idx.elementType)) {
                    throw new CorgiPileException(CorgiPileException.DATATYPE_MISMATCH, "features: the sparse index column " + idx.name + " of "
                            + name + " is " + idx.type + "; it must be smallint[], integer[] or bigint[]");
                }
                requireNumericArray(val, name, "features");
                yield SqlNames.quote(idx.name) + "::int4[], " + SqlNames.quote(val.name) + "::float8[]";
            }
        };
        return new RelationColumns(oid, name, labelColumn, features,
                "ctid, " + labelExpr + ", " + featureExpr);
    }

    /** The relation's OID. */
    public long oid() {
        return oid;
    }

    /** The relation as {@code regclass} prints it: quoted and schema-qualified where needed, safe to splice. */
    public String qualifiedName() {
        return qualifiedName;
    }

    public String label() {
        return label;
    }

    public FeatureColumns features() {
        return features;
    }

    /** {@code ctid, <label as float8>, <features as float8[]>} or, sparse, {@code ..., <int4[]>, <float8[]>}. */
    public String selectList() {
        return selectList;
    }

    /**
     * The feature shape read from the data under the current snapshot: the length of the first non-NULL dense
     * vector, or for sparse data {@code max(index) + 1} (a full scan of the index column).
     *
     * @throws SQLException 22000 when the relation has no row to take the dimension from
     */
    public FeatureShape detectShape(Connection c) throws SQLException {
        String sql = switch (features.layout()) {
            case DENSE -> "SELECT cardinality(" + SqlNames.quote(features.columns().get(0)) + ") FROM "
                    + qualifiedName + " WHERE " + SqlNames.quote(features.columns().get(0)) + " IS NOT NULL LIMIT 1";
            case COLUMNS -> "SELECT " + features.columns().size() + " FROM " + qualifiedName + " LIMIT 1";
            case SPARSE -> "SELECT max(i) + 1 FROM " + qualifiedName + ", unnest("
                    + SqlNames.quote(features.columns().get(0)) + ") AS i";
        };
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            long d = rs.next() ? rs.getLong(1) : 0;
            if (d < 1) {
                throw new CorgiPileException(CorgiPileException.DATA_EXCEPTION, "relation: " + qualifiedName
                        + " has no rows with features to train on (it is empty or every feature value is NULL)");
            }
            if (d > Integer.MAX_VALUE) {
                throw new CorgiPileException(CorgiPileException.INVALID_PARAMETER_VALUE, "features: dimension " + d + " of " + qualifiedName
                        + " exceeds the maximum of " + Integer.MAX_VALUE);
            }
            return features.layout() == FeatureColumns.Layout.SPARSE ? FeatureShape.sparse((int) d)
                    : FeatureShape.dense((int) d);
        }
    }

    private static String labelExpression(Connection c, long oid, String relation, String labelColumn)
            throws SQLException {
        Column col = column(c, oid, relation, labelColumn, "label");
        String quoted = SqlNames.quote(col.name);
        if ("B".equals(col.category)) {
            return quoted + "::int::float8";
        }
        if (!"N".equals(col.category)) {
            throw new CorgiPileException(CorgiPileException.DATATYPE_MISMATCH, "label: column " + col.name + " of " + relation + " is " + col.type
                    + "; the label must be numeric (or boolean)");
        }
        return quoted + "::float8";
    }

    private static void requireNumericArray(Column col, String relation, String argument)
            throws CorgiPileException {
        if (!"A".equals(col.category) || !"N".equals(col.elementCategory)) {
            throw new CorgiPileException(CorgiPileException.DATATYPE_MISMATCH, argument + ": column " + col.name + " of " + relation + " is "
                    + col.type + "; it must be a numeric array such as float8[], real[] or integer[]");
        }
    }

    private record Column(String name, String type, String category, String elementType, String elementCategory) {
    }

    private static Column column(Connection c, long oid, String relation, String name, String argument)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typcategory,
                       format_type(e.oid, NULL), e.typcategory
                FROM pg_attribute a
                JOIN pg_type t ON t.oid = a.atttypid
                LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
                WHERE a.attrelid = ? AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped""")) {
            ps.setLong(1, oid);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new CorgiPileException(CorgiPileException.UNDEFINED_COLUMN, argument + ": column " + SqlNames.quote(name)
                            + " does not exist in " + relation);
                }
                return new Column(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5));
            }
        }
    }

    private static String describeKind(String kind) {
        return switch (kind) {
            case "v" -> "a view";
            case "i", "I" -> "an index";
            case "S" -> "a sequence";
            case "f" -> "a foreign table";
            case "p" -> "a partitioned table (train on one of its partitions)";
            case "c" -> "a composite type";
            case "t" -> "a TOAST table";
            default -> "of kind '" + kind + "'";
        };
    }
}
