package org.corgipile.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import javax.sql.DataSource;

import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.corgipile.datasets.format.FileFormat;
import org.corgipile.datasets.format.ImportOptions;
import org.corgipile.datasets.format.Sources;
import org.corgipile.datasets.format.Sources.Row;
import org.corgipile.datasets.generate.CriteoLikeGenerator;
import org.corgipile.datasets.generate.DenseTeacherGenerator;
import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * file -> table -> Arrow export -> compare, for every format and both table shapes. Values are compared exactly:
 * binary COPY carries IEEE doubles unchanged, so any difference is a bug, not rounding.
 */
@PostgresTest
class RoundTripIT {
    private final DataSource ds;

    @TempDir
    Path dir;

    RoundTripIT(DataSource ds) {
        this.ds = ds;
    }

    private List<Row> roundTrip(Path file, ImportOptions format, String table) throws Exception {
        try (Connection c = ds.getConnection()) {
            LoadReport r = DatasetLoader.importFile(c, file, format, LoadOptions.defaults().table(table));
            Path out = dir.resolve(table + ".arrow");
            assertEquals(r.rows(), ArrowExport.export(c, table, out));
            return ArrowFiles.readSortedById(out);
        }
    }

    @Test
    void libsvmDense() throws Exception {
        Random rnd = new Random(1);
        StringBuilder sb = new StringBuilder();
        List<double[]> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            double[] x = new double[6];
            sb.append(i % 2 == 0 ? "+1" : "-1");
            for (int j = 0; j < 6; j++) {
                if (rnd.nextInt(3) > 0) {
                    x[j] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(20) - 10);
                    sb.append(' ').append(j + 1).append(':').append(x[j]); // Double.toString round-trips exactly
                }
            }
            sb.append('\n');
            expected.add(x);
        }
        Path f = dir.resolve("dense.svm");
        Files.writeString(f, sb);
        List<Row> rows = roundTrip(f, ImportOptions.of(FileFormat.LIBSVM).dimension(6), "rt_libsvm_dense");
        assertEquals(300, rows.size());
        for (int i = 0; i < 300; i++) {
            assertEquals(i + 1, rows.get(i).id());
            assertEquals(i % 2 == 0 ? 1 : 0, rows.get(i).label());
            assertArrayEquals(expected.get(i), rows.get(i).dense());
        }
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT label, features FROM rt_libsvm_dense WHERE id = 3")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
            assertEquals("integer", typeOf(c, "rt_libsvm_dense", "label"));
            Array a = rs.getArray(2);
            assertArrayEquals(expected.get(2), toDoubles((Object[]) a.getArray()));
        }
    }

    @Test
    void libsvmSparseGzipped() throws Exception {
        Path f = dir.resolve("sparse.svm.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write("1.5 3:1 70000:-2.5\n-0.25 1:4\n2 \n".getBytes(StandardCharsets.UTF_8));
        }
        List<Row> rows = roundTrip(f, ImportOptions.of(FileFormat.LIBSVM), "rt_libsvm_sparse");
        assertEquals(3, rows.size());
        assertArrayEquals(new int[] {2, 69999}, rows.get(0).indices());
        assertArrayEquals(new double[] {1, -2.5}, rows.get(0).values());
        assertEquals(-0.25, rows.get(1).label());
        assertEquals(0, rows.get(2).indices().length, "a row without features has empty arrays");
        try (Connection c = ds.getConnection()) {
            assertEquals("double precision", typeOf(c, "rt_libsvm_sparse", "label"));
            assertEquals("integer[]", typeOf(c, "rt_libsvm_sparse", "indices"));
        }
    }

    @Test
    void csv() throws Exception {
        Path f = dir.resolve("data.csv");
        Files.writeString(f, "a,b,label\n0.1,-7,2\n1e300,4.9E-324,0\n3,4,1\n");
        List<Row> rows = roundTrip(f, ImportOptions.of(FileFormat.CSV), "rt_csv");
        assertEquals(List.of(2.0, 0.0, 1.0), rows.stream().map(Row::label).toList());
        assertArrayEquals(new double[] {1e300, 4.9E-324}, rows.get(1).dense());
    }

    @Test
    void idxGzipped() throws Exception {
        Path img = dir.resolve("train-images-idx3-ubyte.gz");
        org.corgipile.datasets.format.IdxSourceTestAccess.writeIdx(img, dir.resolve("train-labels-idx1-ubyte.gz"), 7);
        List<Row> rows = roundTrip(img, ImportOptions.of(FileFormat.IDX), "rt_idx");
        assertEquals(7, rows.size());
        assertEquals(6 % 3, rows.get(6).label());
        assertArrayEquals(new double[] {60 / 255.0, 120 / 255.0, 180 / 255.0, 240 / 255.0}, rows.get(6).dense());
    }

    @Test
    void arrowStreamWithScalarColumns() throws Exception {
        Path f = dir.resolve("flights.arrows");
        Schema schema = new Schema(List.of(
                new Field("delay", FieldType.nullable(new ArrowType.Int(16, true)), null),
                new Field("carrier", FieldType.nullable(new ArrowType.Utf8()), null),
                new Field("time", FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)), null)));
        try (RootAllocator alloc = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
             FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             ArrowStreamWriter w = new ArrowStreamWriter(root, null, ch)) {
            w.start();
            for (int batch = 0; batch < 2; batch++) {
                root.allocateNew();
                for (int i = 0; i < 3; i++) {
                    ((SmallIntVector) root.getVector("delay")).setSafe(i, batch * 3 + i - 2);
                    ((VarCharVector) root.getVector("carrier")).setSafe(i, "AA".getBytes(StandardCharsets.UTF_8));
                    ((Float4Vector) root.getVector("time")).setSafe(i, 0.5f * (batch * 3 + i));
                }
                root.setRowCount(3);
                w.writeBatch();
            }
            w.end();
        }
        List<Row> rows = roundTrip(f, ImportOptions.of(FileFormat.ARROW).labelColumn("delay"), "rt_arrow_scalars");
        assertEquals(6, rows.size());
        assertEquals(List.of(-2.0, -1.0, 0.0, 1.0, 2.0, 3.0), rows.stream().map(Row::label).toList());
        assertArrayEquals(new double[] {2.5}, rows.get(5).dense(), "the string column is skipped, time kept");
        assertEquals("{\"feature_names\": [\"time\"]}", featuresComment("rt_arrow_scalars"));
    }

    /** Bug: a parquet file whose ids start at 0 got id 1 for its row 0 (0 meant "no id"), duplicating id 1. */
    @Test
    void parquetIdsStartingAtZeroAreKept() throws Exception {
        Path f = dir.resolve("zero.parquet");
        duckdb("COPY (SELECT i::BIGINT AS id, (i % 2)::INT AS label, [i * 1.0]::DOUBLE[] AS features "
                + "FROM range(0, 5) r(i)) TO '" + f + "' (FORMAT parquet)");
        List<Row> rows = roundTrip(f, ImportOptions.of(FileFormat.PARQUET), "rt_parquet_zero");
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), rows.stream().map(Row::id).toList());
        assertArrayEquals(new double[] {0.0}, rows.get(0).dense());
    }

    /** Bug: a label column of ones only (one class of a binary problem) was mapped to 0. */
    @Test
    void allOnesLabelColumnStaysOne() throws Exception {
        Path csv = dir.resolve("ones.csv");
        Files.writeString(csv, "x,label\n0.5,1\n-0.5,1\n");
        assertEquals(List.of(1.0, 1.0), roundTrip(csv, ImportOptions.of(FileFormat.CSV), "rt_ones_csv")
                .stream().map(Row::label).toList());
        Path svm = dir.resolve("ones.txt");
        Files.writeString(svm, "+1 1:0.5\n+1 2:0.25\n");
        assertEquals(List.of(1.0, 1.0), roundTrip(svm, ImportOptions.of(FileFormat.LIBSVM), "rt_ones_svm")
                .stream().map(Row::label).toList());
        Path zeros = dir.resolve("zeros.csv");
        Files.writeString(zeros, "x,label\n0.5,0\n");
        assertEquals(List.of(0.0), roundTrip(zeros, ImportOptions.of(FileFormat.CSV), "rt_zeros_csv")
                .stream().map(Row::label).toList());
    }

    /** Column names of CSV, parquet and Arrow files are kept in the comment of the features column. */
    @Test
    void columnNamesAreKeptInTheFeaturesComment() throws Exception {
        Path csv = dir.resolve("named.csv");
        Files.writeString(csv, "height,label,\"we\"\"ird\"\n1.5,1,2\n2.5,0,3\n");
        roundTrip(csv, ImportOptions.of(FileFormat.CSV), "rt_named_csv");
        assertEquals("{\"feature_names\": [\"height\", \"we\\\"ird\"]}", featuresComment("rt_named_csv"));
        Path parquet = dir.resolve("named.parquet");
        duckdb("COPY (SELECT i::INT AS label, i * 0.5 AS distance, i::DOUBLE AS hour FROM range(0, 4) r(i)) TO '"
                + parquet + "' (FORMAT parquet)");
        roundTrip(parquet, ImportOptions.of(FileFormat.PARQUET).labelColumn("label"), "rt_named_parquet");
        assertEquals("{\"feature_names\": [\"distance\", \"hour\"]}", featuresComment("rt_named_parquet"));
        Path noHeader = dir.resolve("plain.txt");
        Files.writeString(noHeader, "1 1:0.5\n0 2:0.25\n");
        roundTrip(noHeader, ImportOptions.of(FileFormat.LIBSVM), "rt_unnamed");
        assertEquals(null, featuresComment("rt_unnamed"), "LIBSVM has no names");
    }

    private String featuresComment(String table) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT col_description('" + table + "'::regclass, attnum) FROM pg_attribute WHERE attrelid = '"
                        + table + "'::regclass AND attname = 'features'")) {
            return rs.next() ? rs.getString(1) : "(no features column)";
        }
    }

    /** Writes a parquet file with an embedded DuckDB (the same engine that reads it, but a different code path). */
    private static void duckdb(String sql) throws SQLException {
        try (Connection d = new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:", new java.util.Properties());
             Statement st = d.createStatement()) {
            st.execute(sql);
        }
    }

    @Test
    void parquetScalarColumnsWithStringsDatesAndTimestamps() throws Exception {
        Path f = dir.resolve("flights.parquet");
        duckdb("COPY (SELECT i::BIGINT AS delay, 'AA' AS carrier, (i * 0.5)::FLOAT AS t, "
                + "DATE '1970-01-03' + i::INT AS d, TIMESTAMP '1970-01-01 00:01:00' AS ts "
                + "FROM range(-2, 4) r(i)) TO '" + f + "' (FORMAT parquet, COMPRESSION zstd)");
        List<Row> rows = roundTrip(f, ImportOptions.of(FileFormat.PARQUET).labelColumn("delay"), "rt_parquet");
        assertEquals(List.of(-2.0, -1.0, 0.0, 1.0, 2.0, 3.0), rows.stream().map(Row::label).toList());
        assertArrayEquals(new double[] {1.5, 5, 60}, rows.get(5).dense(), "time, date as days, timestamp as seconds");
        try (Connection c = ds.getConnection()) {
            assertEquals("integer", typeOf(c, "rt_parquet", "label"));
        }
    }

    @Test
    void parquetListColumnsDenseAndSparse() throws Exception {
        Path dense = dir.resolve("dense.parquet");
        duckdb("COPY (SELECT i::BIGINT * 10 AS id, (i % 2)::INT AS label, [i * 0.25, -i, 1e-300]::DOUBLE[] AS features "
                + "FROM range(1, 2001) r(i)) TO '" + dense + "' (FORMAT parquet)");
        List<Row> rows = roundTrip(dense, ImportOptions.of(FileFormat.PARQUET), "rt_parquet_dense");
        assertEquals(2000, rows.size());
        assertEquals(20, rows.get(1).id(), "ids in the file are kept");
        assertArrayEquals(new double[] {0.5, -2, 1e-300}, rows.get(1).dense());
        Path sparse = dir.resolve("sparse.parquet");
        duckdb("COPY (SELECT i::BIGINT AS id, 0.5 * i AS label, [i, 999999]::INT[] AS indices, [1.5, -i]::DOUBLE[] AS vals "
                + "FROM range(1, 4) r(i)) TO '" + sparse + "' (FORMAT parquet)");
        rows = roundTrip(sparse, ImportOptions.of(FileFormat.PARQUET), "rt_parquet_sparse");
        assertArrayEquals(new int[] {3, 999999}, rows.get(2).indices());
        assertArrayEquals(new double[] {1.5, -3}, rows.get(2).values());
        assertEquals(1.5, rows.get(2).label());
    }

    @Test
    void generatedDenseExportsAndReimportsUnchanged() throws Exception {
        List<Row> generated = Sources.drain(new DenseTeacherGenerator("g", 5, 500, 0.2, 9));
        try (Connection c = ds.getConnection()) {
            TableLoader.load(c, new DenseTeacherGenerator("g", 5, 500, 0.2, 9), "rt_gen",
                    LoadOptions.defaults().layout(Layout.CLUSTERED));
            Path out = dir.resolve("gen.arrow");
            ArrowExport.export(c, "rt_gen", out);
            List<Row> exported = ArrowFiles.readSortedById(out);
            for (int i = 0; i < generated.size(); i++) {
                assertEquals(generated.get(i).label(), exported.get(i).label());
                assertArrayEquals(generated.get(i).dense(), exported.get(i).dense());
            }
            // the exported file is itself importable (file -> table -> export -> compare again)
            List<Row> again = roundTrip(out, ImportOptions.of(FileFormat.ARROW), "rt_gen_again");
            assertSameRows(exported, again);
        }
    }

    @Test
    void generatedSparseExportsAndReimportsUnchanged() throws Exception {
        List<Row> generated = Sources.drain(new CriteoLikeGenerator("c", 300, 0.2, 5));
        try (Connection c = ds.getConnection()) {
            TableLoader.load(c, new CriteoLikeGenerator("c", 300, 0.2, 5), "rt_criteo", LoadOptions.defaults());
            Path out = dir.resolve("criteo.arrow");
            ArrowExport.export(c, "rt_criteo", out);
            List<Row> exported = ArrowFiles.readSortedById(out);
            assertEquals(300, exported.size());
            for (int i = 0; i < generated.size(); i++) {
                assertArrayEquals(generated.get(i).indices(), exported.get(i).indices());
                assertArrayEquals(generated.get(i).values(), exported.get(i).values());
            }
            List<Row> again = roundTrip(out, ImportOptions.of(FileFormat.ARROW), "rt_criteo_again");
            assertSameRows(exported, again);
        }
    }

    /** Row-by-row comparison with array contents (records compare arrays by reference). */
    static void assertSameRows(List<Row> expected, List<Row> actual) {
        assertEquals(expected.size(), actual.size(), "row count");
        for (int i = 0; i < expected.size(); i++) {
            Row e = expected.get(i);
            Row a = actual.get(i);
            String at = "row " + i + " (id " + e.id() + ")";
            assertEquals(e.id(), a.id(), at);
            assertEquals(e.label(), a.label(), at);
            assertArrayEquals(e.dense(), a.dense(), at);
            assertArrayEquals(e.indices(), a.indices(), at);
            assertArrayEquals(e.values(), a.values(), at);
        }
    }

    static String typeOf(Connection c, String table, String column) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" + table
                        + "'::regclass AND attname = '" + column + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static double[] toDoubles(Object[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = (Double) a[i];
        }
        return d;
    }
}
