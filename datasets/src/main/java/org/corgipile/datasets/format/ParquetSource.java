package org.corgipile.datasets.format;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import org.corgipile.datasets.FeatureKind;
import org.corgipile.datasets.InputFormatException;
import org.corgipile.datasets.LabelType;
import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.TableShape;
import org.duckdb.DuckDBDriver;

/**
 * Parquet files, read through an in-process, in-memory DuckDB ({@code read_parquet}).
 *
 * <p>Why DuckDB: parquet-java's reader needs Hadoop's {@code Configuration} and its codecs implement Hadoop's
 * {@code CompressionCodec}, so reading a zstd file (what Polars and DuckDB write by default) drags in the Hadoop
 * client; Arrow's JNI dataset module is not published for the Arrow version this project pins. DuckDB's JDBC
 * driver is one maintained jar with its native library for Linux, macOS and Windows, and reads every parquet
 * encoding and codec.
 *
 * <p>Columns are interpreted as in {@link ArrowSource}: a label column ({@code --label-column}, {@code label}, else
 * the first), an optional {@code id} (BIGINT), then {@code features} (a list) for a dense table, {@code indices}
 * and {@code vals} (lists) for a sparse one, or else every other numeric column (integers, floats, decimals,
 * booleans, dates as days since 1970, timestamps as seconds since 1970 read as UTC) as one feature; other columns
 * (strings) are skipped. Rows come in file order.
 */
public final class ParquetSource implements RecordSource {
    private final String name;
    private final Connection duck;
    private final ResultSet rs;
    private final TableShape shape;
    private final long rows;
    private final int labelCol;
    private final int idCol;
    private final int[] featureCols;
    private final int featuresCol;
    private final int indicesCol;
    private final int valsCol;
    private final boolean forceIntLabel;
    private final List<String> featureNames = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private long record;
    /** Per column (1-based): dates and timestamps need conversion to numbers, others are read with getDouble. */
    private final boolean[] temporal;
    /** Length of the first dense list, which every later row must match. */
    private int denseLength = -1;

    public ParquetSource(Path file, ImportOptions options) throws IOException {
        this.name = file.getFileName().toString();
        String from = "read_parquet('" + file.toAbsolutePath().toString().replace("'", "''") + "')";
        try {
            this.duck = new DuckDBDriver().connect("jdbc:duckdb:", new Properties());
        } catch (SQLException e) {
            throw new IOException("cannot start the embedded DuckDB that reads parquet: " + e.getMessage(), e);
        }
        try {
            Statement st = duck.createStatement();
            try (ResultSet c = st.executeQuery("SELECT count(*) FROM " + from)) {
                c.next();
                this.rows = c.getLong(1);
            }
            this.rs = st.executeQuery("SELECT * FROM " + from);
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            List<String> names = new ArrayList<>();
            this.temporal = new boolean[n + 1];
            for (int i = 1; i <= n; i++) {
                names.add(md.getColumnName(i));
                int t = md.getColumnType(i);
                temporal[i] = t == Types.DATE || t == Types.TIMESTAMP || t == Types.BOOLEAN;
            }
            this.labelCol = pickLabel(names, options.labelColumn()) + 1;
            if (!isNumeric(md.getColumnType(labelCol))) {
                throw new InputFormatException(name, "schema", "label column '" + names.get(labelCol - 1)
                        + "' has type " + md.getColumnTypeName(labelCol) + "; expected a number");
            }
            LabelType lt = options.labelType() != null ? options.labelType()
                    : isInteger(md.getColumnType(labelCol)) ? LabelType.INT : LabelType.FLOAT8;
            this.forceIntLabel = lt == LabelType.INT;
            this.idCol = names.indexOf("id") + 1 > 0 && md.getColumnType(names.indexOf("id") + 1) == Types.BIGINT
                    ? names.indexOf("id") + 1 : 0;
            int f = names.indexOf("features") + 1;
            int ix = names.indexOf("indices") + 1;
            int vs = names.indexOf("vals") + 1;
            if (f > 0 && md.getColumnType(f) == Types.ARRAY) {
                this.featuresCol = f;
                this.indicesCol = 0;
                this.valsCol = 0;
                this.featureCols = null;
                this.shape = TableShape.dense(lt, 0);
            } else if (ix > 0 && vs > 0 && md.getColumnType(ix) == Types.ARRAY && md.getColumnType(vs) == Types.ARRAY) {
                this.featuresCol = 0;
                this.indicesCol = ix;
                this.valsCol = vs;
                this.featureCols = null;
                this.shape = TableShape.sparse(lt, 0);
            } else {
                if (options.kind() == FeatureKind.SPARSE) {
                    throw new InputFormatException(name, "schema", "a sparse table needs list columns 'indices' "
                            + "and 'vals'");
                }
                List<Integer> cols = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    if (i == labelCol || i == idCol) {
                        continue;
                    }
                    if (isNumeric(md.getColumnType(i))) {
                        cols.add(i);
                        featureNames.add(names.get(i - 1));
                    } else {
                        skipped.add(names.get(i - 1));
                    }
                }
                this.featureCols = cols.stream().mapToInt(Integer::intValue).toArray();
                this.featuresCol = 0;
                this.indicesCol = 0;
                this.valsCol = 0;
                this.shape = TableShape.dense(lt, featureCols.length);
            }
        } catch (SQLException e) {
            closeQuietly();
            throw new InputFormatException(name, "file", "not a readable parquet file (" + firstLine(e) + ")", e);
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    private static String firstLine(SQLException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private int pickLabel(List<String> names, String requested) throws InputFormatException {
        if (requested != null) {
            int i = names.indexOf(requested);
            if (i < 0) {
                throw new InputFormatException(name, "schema", "no label column '" + requested + "'; columns are "
                        + names);
            }
            return i;
        }
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).toLowerCase(Locale.ROOT).equals("label")) {
                return i;
            }
        }
        return 0;
    }

    private static boolean isInteger(int t) {
        return t == Types.TINYINT || t == Types.SMALLINT || t == Types.INTEGER || t == Types.BIGINT
                || t == Types.BOOLEAN;
    }

    private static boolean isNumeric(int t) {
        return isInteger(t) || t == Types.FLOAT || t == Types.REAL || t == Types.DOUBLE || t == Types.DECIMAL
                || t == Types.NUMERIC || t == Types.DATE || t == Types.TIMESTAMP;
    }

    /** Feature column names, in feature order (for column-per-feature files). */
    @Override
    public List<String> featureColumns() {
        return List.copyOf(featureNames);
    }

    /** Non-numeric columns that were not loaded. */
    public List<String> skippedColumns() {
        return List.copyOf(skipped);
    }

    @Override
    public TableShape shape() {
        return shape;
    }

    @Override
    public long expectedRows() {
        return rows;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean next(Record r) throws IOException {
        try {
            if (!rs.next()) {
                return false;
            }
            record++;
            double y = number(labelCol, "label");
            if (forceIntLabel && (y != Math.rint(y) || Math.abs(y) > Integer.MAX_VALUE)) {
                throw new InputFormatException(name, "record " + record, "label " + y + " is not an integer "
                        + "(use --label-type float8 for regression)");
            }
            r.label = y + 0.0;
            if (idCol > 0) {
                long id = rs.getLong(idCol);
                r.id = rs.wasNull() ? Record.NO_ID : id;
            }
            if (featureCols != null) {
                double[] d = r.dense(featureCols.length);
                for (int i = 0; i < featureCols.length; i++) {
                    d[i] = number(featureCols[i], featureNames.get(i));
                }
            } else if (featuresCol > 0) {
                Object[] a = array(featuresCol, "features");
                if (denseLength >= 0 && a.length != denseLength) {
                    throw new InputFormatException(name, "record " + record, "features has " + a.length
                            + " values, expected " + denseLength + " (as in the first row)");
                }
                denseLength = a.length;
                double[] d = r.dense(a.length);
                for (int i = 0; i < a.length; i++) {
                    d[i] = element(a[i], "features");
                }
            } else {
                Object[] ix = array(indicesCol, "indices");
                Object[] vs = array(valsCol, "vals");
                if (ix.length != vs.length) {
                    throw new InputFormatException(name, "record " + record, "indices and vals differ in length");
                }
                for (int i = 0; i < ix.length; i++) {
                    r.addSparse((int) element(ix[i], "indices"), element(vs[i], "vals"));
                }
            }
            return true;
        } catch (SQLException e) {
            throw new InputFormatException(name, "record " + (record + 1), "unreadable (" + firstLine(e) + ")", e);
        }
    }

    private double number(int col, String what) throws SQLException, InputFormatException {
        if (!temporal[col]) {
            // typed getter: no boxing on the hot path (3M flights x 3 columns)
            double v = rs.getDouble(col);
            if (rs.wasNull()) {
                throw new InputFormatException(name, "record " + record, "column '" + what + "' is null");
            }
            return v;
        }
        Object o = rs.getObject(col);
        if (o == null) {
            throw new InputFormatException(name, "record " + record, "column '" + what + "' is null");
        }
        if (o instanceof java.sql.Timestamp t) {
            return t.toLocalDateTime().toEpochSecond(java.time.ZoneOffset.UTC);
        }
        if (o instanceof java.time.LocalDateTime t) {
            return t.toEpochSecond(java.time.ZoneOffset.UTC);
        }
        if (o instanceof Date d) {
            return d.toLocalDate().toEpochDay();
        }
        if (o instanceof java.time.LocalDate d) {
            return d.toEpochDay();
        }
        if (o instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return ((Number) o).doubleValue();
    }

    private Object[] array(int col, String what) throws SQLException, InputFormatException {
        Array a = rs.getArray(col);
        if (a == null) {
            throw new InputFormatException(name, "record " + record, "column '" + what + "' is null");
        }
        return (Object[]) a.getArray();
    }

    private double element(Object o, String what) throws InputFormatException {
        if (!(o instanceof Number n)) {
            throw new InputFormatException(name, "record " + record, "column '" + what + "' holds "
                    + (o == null ? "a null" : "a non-number") + " element");
        }
        return n.doubleValue();
    }

    private void closeQuietly() {
        try {
            duck.close();
        } catch (SQLException ignored) {
            // nothing to save: the source failed to open
        }
    }

    @Override
    public void close() throws IOException {
        try {
            duck.close();
        } catch (SQLException e) {
            throw new IOException("closing the embedded DuckDB: " + e.getMessage(), e);
        }
    }
}
