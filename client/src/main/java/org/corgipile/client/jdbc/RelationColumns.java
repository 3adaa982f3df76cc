package org.corgipile.client.jdbc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.corgipile.client.CorgiPileException;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.FeaturesArgument;
import org.corgipile.operators.TrainOptions;
import org.corgipile.operators.TrainingException;
import org.corgipile.operators.TupleBuffer;

/**
 * A training relation resolved against the catalog: its qualified name, the label and feature columns checked for
 * existence and type, the feature layout, and the select list that casts the columns to the two types the binary
 * decoder reads ({@code float8} and {@code float8[]} / {@code int4[]}).
 *
 * <p>The rules and SQLSTATEs are those of the extension's heap reader, so a bad argument fails the same way in
 * both training modes: tables and materialized views only (42809; partitioned tables and tables with inheritance
 * children 0A000 in client mode, which reads one heap), numeric or boolean label (42804), features as one numeric
 * array, numeric scalar columns, or an integer array plus a numeric array for sparse data (42804), unknown columns
 * 42703.
 *
 * <p>Casting on the server keeps one decoder for every column type ({@code real[]}, {@code int[]},
 * {@code numeric}, {@code boolean} labels...) and costs far less than the network transfer it precedes. A numeric
 * cast fails where the heap reader reads a value (below or beyond double precision): {@link #exactSelectList}
 * converts numeric columns as the reader does, for the reads where the casts failed ({@link #toFloat8}). Unlike
 * the in-database reader, reading through SQL applies row-level security policies instead of refusing the table.
 */
public final class RelationColumns {
    private static final List<String> INTEGER_TYPES = List.of("smallint", "integer", "bigint");

    private final long oid;
    private final String qualifiedName;
    private final String shown;
    private final String label;
    private final FeatureColumns features;
    private final String selectList;
    private final String exactSelectList;
    private final String nonNull;
    /** Label then feature columns: name and whether it is numeric (a scalar, or the element type of an array). */
    private final List<Column> columns;

    private RelationColumns(long oid, String qualifiedName, String shown, String label, FeatureColumns features,
                            String selectList, String exactSelectList, String nonNull, List<Column> columns) {
        this.oid = oid;
        this.qualifiedName = qualifiedName;
        this.shown = shown;
        this.columns = columns;
        this.label = label;
        this.features = features;
        this.selectList = selectList;
        this.exactSelectList = exactSelectList;
        this.nonNull = nonNull;
    }

    /**
     * Resolves {@code relation} (any text {@code regclass} accepts, e.g. {@code higgs} or {@code "My Schema".t}),
     * the label column and the feature columns ({@link FeaturesArgument#names}).
     *
     * @throws SQLException naming the argument: 42P01 unknown relation, 42809 not a table, 42703 unknown column,
     *                      42804 column of a wrong type
     */
    public static RelationColumns resolve(Connection c, String relation, String label, String features)
            throws SQLException {
        List<String> names;
        try {
            names = FeaturesArgument.names(features);
        } catch (TrainingException e) {
            throw new CorgiPileException(e);
        }
        long oid;
        String qualified;
        String name;        // as the server's errors name a relation, like PostgreSQL's own: relname, no schema
        String kind;
        boolean children;   // inheritance children: a query on the table reads them too, at the same TIDs
        try (PreparedStatement ps = c.prepareStatement("SELECT c.oid, c.oid::regclass::text, c.relname, c.relkind, "
                + "EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = c.oid) FROM pg_class c "
                + "WHERE c.oid = ?::regclass")) {
            ps.setString(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                oid = rs.getLong(1);
                qualified = rs.getString(2);
                name = rs.getString(3);
                kind = rs.getString(4);
                children = rs.getBoolean(5);
            }
        }
        if ("p".equals(kind)) {
            throw new CorgiPileException(TrainingException.FEATURE_NOT_SUPPORTED, "\"" + name
                    + "\" is a partitioned table", "Train on one partition, or on a table made with CREATE TABLE ... "
                    + "AS SELECT.", null);
        }
        if (children) {
            // the TID range scans of the table would mix its children's rows in
            throw new CorgiPileException(TrainingException.FEATURE_NOT_SUPPORTED, "\"" + name
                    + "\" has inheritance children", "Client mode reads one heap: train it in the server, which "
                    + "reads the table and its children, or on a table made with CREATE TABLE ... AS SELECT.", null);
        }
        if (!"r".equals(kind) && !"m".equals(kind)) {
            throw new CorgiPileException(TrainingException.WRONG_OBJECT_TYPE, "\"" + name
                    + "\" is not a table or materialized view", "corgipile reads heap blocks; views, indexes, "
                    + "sequences and foreign tables have none. Materialize the data first: CREATE TABLE ... AS "
                    + "SELECT ...", null);
        }
        Column labelCol = column(c, oid, name, label, "label");
        if (!"B".equals(labelCol.category) && !isNumeric(labelCol.type)) {
            throw new CorgiPileException(TrainingException.DATATYPE_MISMATCH, "label column \"" + label
                    + "\" of relation \"" + name + "\" has type " + labelCol.type, "The label must be smallint, "
                    + "integer, bigint, real, double precision, numeric or boolean.", null);
        }
        List<Column> cols = new ArrayList<>();
        for (String n : names) {
            cols.add(column(c, oid, name, n, "features"));
        }
        long arrays = cols.stream().filter(col -> col.elementType != null).count();
        FeatureColumns layout;
        if (cols.size() == 1 && arrays == 1 && isNumeric(cols.get(0).elementType)) {
            layout = new FeatureColumns(FeatureColumns.Layout.ARRAY, names);
        } else if (cols.size() == 2 && arrays == 2 && INTEGER_TYPES.contains(cols.get(0).elementType)
                && isNumeric(cols.get(1).elementType)) {
            layout = new FeatureColumns(FeatureColumns.Layout.SPARSE, names);
        } else if (arrays == 0 && cols.stream().allMatch(col -> isNumeric(col.type) || "B".equals(col.category))) {
            layout = new FeatureColumns(FeatureColumns.Layout.COLUMNS, names);
        } else {
            throw new CorgiPileException(TrainingException.DATATYPE_MISMATCH, "features \"" + features
                    + "\" of relation \"" + name + "\" are not a supported feature type", "Use one float8[], real[], "
                    + "integer[], bigint[], smallint[] or numeric[] column; a comma-separated list of numeric "
                    + "columns; or \"indices, values\" with an integer[] and a float8[] column for sparse features.",
                    null);
        }
        List<String> nonNull = new ArrayList<>();
        nonNull.add(SqlNames.quote(label) + " IS NOT NULL");
        for (String n : names) {
            nonNull.add(SqlNames.quote(n) + " IS NOT NULL");
        }
        List<Column> columns = new ArrayList<>();
        columns.add(labelCol);
        columns.addAll(cols);
        return new RelationColumns(oid, qualified, "\"" + name + "\"", label, layout,
                selectList(columns, layout.layout(), false), selectList(columns, layout.layout(), true),
                String.join(" AND ", nonNull), columns);
    }

    /** The select list of {@link #selectList()}; {@code exact}: numeric columns by {@link #toFloat8}, not casts. */
    private static String selectList(List<Column> columns, FeatureColumns.Layout layout, boolean exact) {
        List<String> features = new ArrayList<>();
        for (Column col : columns.subList(1, columns.size())) {
            features.add(toFloat8(col, exact));
        }
        String featureExpr = switch (layout) {
            case ARRAY -> features.get(0);
            case SPARSE -> SqlNames.quote(columns.get(1).name) + "::int4[], " + features.get(1);
            case COLUMNS -> "ARRAY[" + String.join(", ", features) + "]::float8[]";
        };
        return "ctid, " + toFloat8(columns.get(0), exact) + ", " + featureExpr;
    }

    /** The relation's OID. */
    public long oid() {
        return oid;
    }

    /** The relation as {@code regclass} prints it: quoted and schema-qualified where needed, safe to splice. */
    public String qualifiedName() {
        return qualifiedName;
    }

    /**
     * The relation as errors name it in both training modes, like PostgreSQL's own errors ({@code column "x" of
     * relation "t"}): its name in double quotes, without the schema.
     */
    public String shown() {
        return shown;
    }

    /** This relation, its errors naming it as {@code shown} (shuffle_once's copy: the user's relation, marked). */
    public RelationColumns shownAs(String shown) {
        return new RelationColumns(oid, qualifiedName, shown, label, features, selectList, exactSelectList, nonNull,
                columns);
    }

    /**
     * The error for a bad value of tuple {@code (page,offset)}, worded as the extension's heap reader words it:
     * {@code features "f" of tuple (0,2) of relation "t" contain NaN or Infinity}. {@code role}: "label",
     * "features" or "sparse features"; {@code column}: the column (or, sparse, the features argument).
     */
    public TrainingException tupleError(String state, String role, String column, long page, int offset,
                                        String problem, String hint) {
        return new TrainingException(state, role + " \"" + column + "\" of tuple (" + page + "," + offset
                + ") of relation " + shown + " " + problem, hint);
    }

    public String label() {
        return label;
    }

    public FeatureColumns features() {
        return features;
    }

    /**
     * {@code ctid, <label as float8>, <features as float8[]>} or, sparse, {@code ..., <int4[]>, <float8[]>}: casts,
     * which fail on a numeric below or beyond double precision, naming no row ({@link #exactSelectList}).
     */
    public String selectList() {
        return selectList;
    }

    /**
     * {@link #selectList()} with numeric columns converted as the heap reader converts them ({@link #toFloat8}):
     * slower than their casts (twice the server's time to read a numeric[] table), so a reader turns to it where
     * a cast failed. The same as {@link #selectList()} when no column is numeric.
     */
    public String exactSelectList() {
        return exactSelectList;
    }

    /** Whether a column (the label, a feature column or its elements) is numeric: the casts may fail. */
    public boolean hasNumeric() {
        return !selectList.equals(exactSelectList);
    }

    /**
     * The feature shape read from the data under the current snapshot: the column count, the length of the first
     * array of a row with a label, or for sparse data {@code sparseDimension} when positive, else
     * {@code max(index) + 1} (a full scan of the index column).
     *
     * @throws SQLException 22000 when the relation has no row with a label and features
     */
    public FeatureShape detectShape(Connection c, int sparseDimension) throws SQLException {
        List<String> cols = features.columns();
        String sql = switch (features.layout()) {
            case ARRAY -> "SELECT cardinality(" + SqlNames.quote(cols.get(0)) + "), 1, " + CTID + " FROM "
                    + qualifiedName + " WHERE " + nonNull + " LIMIT 1";
            case COLUMNS -> "SELECT " + cols.size() + ", 1 FROM " + qualifiedName + " WHERE " + nonNull + " LIMIT 1";
            // a negative index counts as one beyond the largest dimension: indexOutside names its row
            case SPARSE -> "SELECT " + (sparseDimension > 0 ? "0"
                    : "(SELECT CASE WHEN min(corgipile_index.i) < 0 THEN " + (TrainOptions.MAX_DIMENSION + 1L)
                    + " ELSE coalesce(max(corgipile_index.i) + 1, 1) END FROM "
                    + qualifiedName + ", unnest(" + SqlNames.quote(cols.get(0)) + ") AS corgipile_index(i) WHERE "
                    + nonNull + ")")
                    + ", (SELECT count(*) FROM (SELECT FROM " + qualifiedName + " WHERE " + nonNull + " LIMIT 1) x)";
        };
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || rs.getLong(2) == 0) {
                throw new CorgiPileException(TrainingException.DATA_EXCEPTION, "relation " + shown
                        + " has no rows with a non-NULL label and features", "Load data first; rows whose label or "
                        + "features are NULL are skipped.", null);
            }
            long d = features.layout() == FeatureColumns.Layout.SPARSE && sparseDimension > 0 ? sparseDimension
                    : rs.getLong(1);
            if (d < 1) {
                throw emptyArray(rs.getLong(3), rs.getInt(4));
            }
            if (d > TrainOptions.MAX_DIMENSION) {
                throw indexOutside(c, "corgipile_index.i < 0 OR corgipile_index.i >= " + TrainOptions.MAX_DIMENSION,
                        TrainOptions.MAX_DIMENSION);
            }
            if (features.layout() == FeatureColumns.Layout.SPARSE && sparseDimension > 0
                    && "bigint".equals(columns.get(1).elementType)) {
                // beyond int4, the select list's ::int4[] cast would fail first, naming no row
                TrainingException e = indexOutside(c, "corgipile_index.i NOT BETWEEN -2147483648 AND "
                        + "2147483647", sparseDimension);
                if (e != null) {
                    throw e;
                }
            }
            return features.layout() == FeatureColumns.Layout.SPARSE ? FeatureShape.sparse((int) d)
                    : FeatureShape.dense((int) d);
        }
    }

    /** The error for the empty feature array of tuple (page,offset), as the heap reader words it. */
    public TrainingException emptyArray(long page, int offset) {
        return tupleError(TrainingException.DATA_EXCEPTION, "features", features.columns().get(0), page, offset,
                "are an empty array", "Every feature array needs at least one element: leave out the rows whose "
                        + "array is empty (cardinality 0).");
    }

    private static final String CTID = "(ctid::text::point)[0]::bigint AS corgipile_page, "
            + "(ctid::text::point)[1]::int AS corgipile_offset";

    /** The first row (storage order) with a sparse index meeting {@code condition}, as the server names it; or null. */
    private TrainingException indexOutside(Connection c, String condition, int dimension) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CTID + ", corgipile_index.i FROM " + qualifiedName
                + ", unnest(" + SqlNames.quote(features.columns().get(0)) + ") AS corgipile_index(i) WHERE " + nonNull
                + " AND (" + condition + ") ORDER BY ctid LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? TupleBuffer.sparseIndexOutside(rs.getDouble(3), rs.getLong(1) << 16 | rs.getLong(2),
                    features.columns().get(0), shown, dimension) : null;
        }
    }

    /** Magnitudes from which numeric's cast to float8 overflows: 2^1024 - 2^970, half an ulp above DBL_MAX. */
    private static final String FLOAT8_OVERFLOW = BigInteger.TWO.pow(1024).subtract(BigInteger.TWO.pow(970))
            .toString();
    /**
     * Magnitudes up to which a numeric rounds to 0 as a double: 2^-1075, half the smallest denormal, exactly (ties
     * round to the even 0); the cast fails on those.
     */
    private static final String FLOAT8_UNDERFLOW = BigDecimal.ONE.divide(BigDecimal.valueOf(2).pow(1075)).toString();

    /**
     * Column {@code col} as {@code float8} or {@code float8[]}: a cast, or with {@code exact} converted as the heap
     * reader converts it. The cast does that for every type but numeric, whose cast fails (22003 naming no row)
     * where the reader's conversion, strtod's, gives the nearest double: 0 below double precision (1e-400),
     * Infinity beyond it (1e400). So exactly, a numeric below is sent as +-0, one beyond as Infinity, and numeric's
     * own NaN and +-Infinity as NaN: both are errors, which {@link JdbcBlockSource} tells apart as rows are read
     * ({@link #notFinite}). A few comparisons per value, and a subquery per row for a numeric[] column: the exact
     * read of a numeric[] table takes the server twice the time of the cast's.
     */
    private static String toFloat8(Column col, boolean exact) {
        String q = SqlNames.quote(col.name);
        if ("B".equals(col.category)) {
            return q + "::int::float8";
        }
        if (exact && "numeric".equals(col.type)) {
            return numericToFloat8(q);
        }
        if (!exact || !"numeric".equals(col.elementType)) {
            return q + (col.elementType == null ? "::float8" : "::float8[]");
        }
        // element by element; an array of more dimensions is sent as one of as many, for the reader's error
        return "CASE WHEN array_ndims(" + q + ") > 1 THEN array_fill(0::float8, array_fill(1, ARRAY[array_ndims(" + q
                + ")])) WHEN " + q + " IS NOT NULL THEN ARRAY(SELECT " + numericToFloat8("corgipile_v.v")
                + " FROM unnest(" + q + ") AS corgipile_v(v)) END";
    }

    private static String numericToFloat8(String q) {
        return "CASE WHEN abs(" + q + ") <= " + FLOAT8_UNDERFLOW + " THEN sign(" + q + ")::float8 * 0 WHEN abs(" + q
                + ") < " + FLOAT8_OVERFLOW + " THEN " + q + "::float8 WHEN abs(" + q + ") < 'Infinity' THEN "
                + "'Infinity'::float8 WHEN " + q + " IS NOT NULL THEN 'NaN'::float8 END";
    }

    /** Whether the values of {@code column} (the label or a feature column, or its elements) are numeric. */
    boolean numeric(String column) {
        for (Column col : columns) {
            if (col.name.equals(column)) {
                return "numeric".equals(col.type) || "numeric".equals(col.elementType);
            }
        }
        return false;
    }

    /**
     * The heap reader's error for a value of {@code column} that is not finite as sent ({@link #toFloat8}): 22003
     * when {@code beyondDoublePrecision} (a numeric beyond double precision in the same check: the label, the
     * feature columns, or one feature array), else 22000 NaN or Infinity.
     */
    TrainingException notFinite(boolean isLabel, String column, boolean beyondDoublePrecision, long page,
                                int offset) {
        String problem = beyondDoublePrecision ? BEYOND : "NaN or Infinity";
        return tupleError(beyondDoublePrecision ? TrainingException.NUMERIC_VALUE_OUT_OF_RANGE
                        : TrainingException.DATA_EXCEPTION, isLabel ? "label" : "features", column, page, offset,
                (isLabel ? "is " : "contain ") + problem, beyondDoublePrecision ? BEYOND_HINT
                        : "Filter or fix those rows first, e.g. into a new table.");
    }

    private static final String BEYOND = "a numeric beyond the range of double precision";
    private static final String BEYOND_HINT = "Double precision holds magnitudes up to about 1e308: rescale those "
            + "values first, e.g. into a new table.";

    private static boolean isNumeric(String type) {
        return type != null && (INTEGER_TYPES.contains(type) || type.equals("real") || type.equals("double precision")
                || type.equals("numeric"));
    }

    private record Column(String name, String type, String category, String elementType) {
    }

    private static Column column(Connection c, long oid, String relation, String name, String role)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TYPE_OF + "(SELECT a.atttypid FROM pg_attribute a WHERE "
                + "a.attrelid = ? AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped)")) {
            ps.setLong(1, oid);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new CorgiPileException(TrainingException.UNDEFINED_COLUMN, role + " column \"" + name
                            + "\" of relation \"" + relation + "\" does not exist", "Name a column as \\d lists it "
                            + "(names are not case-folded here).", null);
                }
                return new Column(name, rs.getString(1), rs.getString(2), rs.getString(3));
            }
        }
    }

    /**
     * A type as the reader takes it, domains stripped: its name, its category and, for an array, its element type
     * ({@link Column}); of the type whose OID follows.
     */
    private static final String TYPE_OF = """
            SELECT format_type(bt.oid, NULL), bt.typcategory,
                   CASE WHEN bt.typcategory = 'A' THEN format_type(e.oid, NULL) END
            FROM pg_type t
            JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            LEFT JOIN pg_type e0 ON e0.oid = bt.typelem
            LEFT JOIN pg_type e ON e.oid = CASE WHEN e0.typtype = 'd' THEN e0.typbasetype ELSE e0.oid END
            WHERE t.oid = """;

    /**
     * The features of the rows of a query, for prediction, read as training reads a relation's: the columns
     * {@code features} (one array column or a column list, {@link FeaturesArgument#names}) of the query's rows
     * ({@code subquery}: the query as a subquery of the one that predicts) as one {@code float8[]} expression, a
     * numeric converted as {@link #exactSelectList} converts it (below double precision 0, beyond it Infinity, which
     * {@link QueryFeatures#check} turns into training's error), a boolean as 0/1.
     *
     * @throws SQLException 42703 unknown column, 42804 a column of another type, 0A000 sparse pairs (not predicted
     *                      row by row)
     */
    public static QueryFeatures queryFeatures(Connection c, String subquery, String features) throws SQLException {
        List<String> names;
        try {
            names = FeaturesArgument.names(features);
        } catch (TrainingException e) {
            throw new CorgiPileException(e);
        }
        List<String> types = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + String.join(", ", names.stream()
                .map(SqlNames::quote).toList()) + " FROM " + subquery)) {
            ResultSetMetaData md = ps.getMetaData();
            for (int i = 1; i <= names.size(); i++) {
                types.add(md.getColumnTypeName(i));
            }
        }
        List<String> columns = new ArrayList<>();
        List<Boolean> numeric = new ArrayList<>();
        boolean oneArray = false;
        Map<String, Column> byType = new HashMap<>();   // a list of columns has few types
        for (int i = 0; i < names.size(); i++) {
            Column type = byType.get(types.get(i));
            if (type == null) {
                try (PreparedStatement ps = c.prepareStatement(TYPE_OF + "?::regtype")) {
                    ps.setString(1, types.get(i));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        type = new Column(null, rs.getString(1), rs.getString(2), rs.getString(3));
                        byType.put(types.get(i), type);
                    }
                }
            }
            Column col = new Column(names.get(i), type.type, type.category, type.elementType);
            boolean array = col.elementType != null;
            if (array && names.size() > 1) {
                throw new CorgiPileException(TrainingException.FEATURE_NOT_SUPPORTED, "features \"" + features
                        + "\" are sparse (indices, values): they are not predicted row by row", "Score them with "
                        + "sgd_evaluate or evaluate (loss, accuracy, precision, recall, f1, auc).", null);
            }
            if (!(array ? isNumeric(col.elementType) : isNumeric(col.type) || "B".equals(col.category))) {
                throw new CorgiPileException(TrainingException.DATATYPE_MISMATCH, "feature column \"" + col.name
                        + "\" has type " + col.type + ", not a number or an array of numbers", "Features are "
                        + "smallint, integer, bigint, real, double precision, numeric or boolean columns, or one array "
                        + "of numbers.", null);
            }
            oneArray = array;
            columns.add(toFloat8(col, true));
            numeric.add("numeric".equals(array ? col.elementType : col.type));
        }
        String expression = oneArray ? columns.get(0) : "ARRAY[" + String.join(", ", columns) + "]::float8[]";
        return new QueryFeatures(expression, names, numeric);
    }

    /**
     * The features of a query's rows ({@link #queryFeatures}): {@code expression}, their {@code float8[]}; the
     * {@code columns} it reads and which of them are numeric.
     */
    public record QueryFeatures(String expression, List<String> columns, List<Boolean> numeric) {
        /** Whether a column is numeric: its values are read exactly, beyond double precision as Infinity. */
        public boolean hasNumeric() {
            return numeric.contains(true);
        }

        /**
         * Training's error for a numeric beyond double precision, naming the column and the row of the query
         * ({@code row}, from 1): {@code x} as {@link #expression} read it.
         */
        public void check(double[] x, long row) {
            for (int i = 0; i < x.length; i++) {
                int col = columns.size() == 1 ? 0 : i;
                if (Double.isInfinite(x[i]) && numeric.get(col)) {
                    throw new TrainingException(TrainingException.NUMERIC_VALUE_OUT_OF_RANGE, "features \""
                            + columns.get(col) + "\" of row " + row + " of the query contain " + BEYOND, BEYOND_HINT);
                }
            }
        }
    }
}
