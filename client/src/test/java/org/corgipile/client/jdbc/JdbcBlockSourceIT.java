package org.corgipile.client.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.sql.DataSource;

import org.corgipile.client.CorgiPileException;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.TrainingException;
import org.corgipile.operators.TupleBuffer;
import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reads real heap pages of the harness cluster and compares them with what SQL says is in the table. */
@PostgresTest
class JdbcBlockSourceIT {
    private static final int ROWS = 3000;
    private static final int DIM = 8;

    @BeforeAll
    static void createTables(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE dense (id int, label int, features float8[])");
            s.execute("INSERT INTO dense SELECT g, g % 2, ARRAY(SELECT g * 0.001 + k FROM generate_series(1, "
                    + DIM + ") k) FROM generate_series(1, " + ROWS + ") g");
            // gaps: dead line pointers inside pages and whole empty pages must not confuse the reader
            s.execute("DELETE FROM dense WHERE id % 7 = 0 OR id BETWEEN 1000 AND 1400");
            s.execute("VACUUM dense");
            s.execute("CREATE TABLE snap AS SELECT * FROM dense WHERE id < 1000");
            s.execute("CREATE TABLE typed (y real, r real[], i int[], b boolean, x1 numeric, x2 smallint)");
            s.execute("INSERT INTO typed SELECT g / 4.0, ARRAY[g, -g]::real[], ARRAY[g, 2 * g], g % 2 = 0, "
                    + "g * 1.5, g FROM generate_series(1, 50) g");
            s.execute("CREATE TABLE sparse (label float8, k int[], v float8[])");
            s.execute("INSERT INTO sparse VALUES (1, '{0,5}', '{1.5,2.5}'), (0, '{}', '{}'), "
                    + "(1, '{9}', '{-1}'), (0, NULL, '{1}'), (NULL, '{3,4}', '{1,2}')");
            s.execute("CREATE TABLE nulls (label int, features float8[])");
            s.execute("INSERT INTO nulls VALUES (1, '{1,2}'), (NULL, '{3,4,5}'), (0, NULL), (NULL, NULL), "
                    + "(0, '{7,8}')");
            s.execute("CREATE TABLE null_element (label int, features float8[])");
            s.execute("INSERT INTO null_element VALUES (1, '{1,2}'), (0, '{5,NULL}')");
            s.execute("CREATE TABLE ragged (label int, features float8[])");
            s.execute("INSERT INTO ragged VALUES (1, '{1,2}'), (0, '{1,2,3}')");
            s.execute("CREATE TABLE nan (label int, features float8[])");
            s.execute("INSERT INTO nan VALUES (1, '{1,2}'), (0, '{NaN,2}')");
            s.execute("CREATE TABLE empty (label int, features float8[])");
            s.execute("CREATE VIEW dense_view AS SELECT * FROM dense");
            s.execute("CREATE TABLE texty (label text, features text[])");
        }
    }

    private record Row(long id, double label, double[] features) {
    }

    private static List<Row> sqlRows(Connection c, String sql) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Double[] f = (Double[]) rs.getArray(4).getArray();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                rows.add(new Row(rs.getLong(1) << 16 | rs.getLong(2), rs.getDouble(3), d));
            }
        }
        return rows;
    }

    private static List<Row> bufferRows(TupleBuffer b) {
        List<Row> rows = new ArrayList<>();
        int d = b.shape().dimension();
        for (int i = 0; i < b.size(); i++) {
            double[] f = new double[d];
            System.arraycopy(b.dense(), i * d, f, 0, d);
            rows.add(new Row(b.id(i), b.label(i), f));
        }
        return rows;
    }

    @Test
    void readsExactlyTheRowsOfTheTableInPageOrderWithCtidIds(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            JdbcBlockSource.beginSnapshot(c);
            RelationColumns rel = RelationColumns.resolve(c, "dense", "label", "features");
            JdbcBlockSource src = JdbcBlockSource.open(c, rel);
            assertEquals(FeatureShape.dense(DIM), src.shape());
            long pages;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_relation_size('dense') / 8192, "
                         + "max((ctid::text::point)[0]) + 1 FROM dense")) {
                rs.next();
                pages = rs.getLong(1);
                assertEquals(pages, rs.getLong(2), "the last page holds rows");
            }
            assertEquals(pages, src.pageCount());
            assertTrue(pages > 20, "the table spans many pages: " + pages);

            TupleBuffer all = new TupleBuffer(src.shape(), 64);
            int read = 0;
            for (long p = 0; p < pages; p += 3) {          // odd block size: ranges end mid-table
                read += src.readPages(p, 3, all);
            }
            List<Row> expected = sqlRows(c, "SELECT (ctid::text::point)[0]::bigint, (ctid::text::point)[1]::bigint,"
                    + " label, features FROM dense ORDER BY dense.ctid");
            assertEquals(expected.size(), read);
            List<Row> actual = bufferRows(all);
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i).id(), actual.get(i).id(), "id of row " + i);
                assertEquals(expected.get(i).label(), actual.get(i).label(), "label of row " + i);
                assertArrayEquals(expected.get(i).features(), actual.get(i).features(), "features of row " + i);
            }
            assertEquals(2229, expected.size(), "rows left after the deletes");
            assertEquals(0, src.skippedTuples());
            c.rollback();
        }
    }

    @Test
    void rangeQueryIsATidRangeScan(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            RelationColumns rel = RelationColumns.resolve(c, "dense", "label", "features");
            JdbcBlockSource src = JdbcBlockSource.open(c, rel);
            StringBuilder plan = new StringBuilder();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("EXPLAIN " + src.rangeQuery(4, 9))) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertTrue(plan.toString().startsWith("Tid Range Scan on dense"), plan.toString());
            assertTrue(plan.toString().contains("'(4,0)'::tid") && plan.toString().contains("'(9,0)'::tid"),
                    plan.toString());
        }
    }

    @Test
    void pagesPastTheEndAreIgnoredAndSingleRangesReadOnlyTheirPages(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            JdbcBlockSource src = JdbcBlockSource.open(c,
                    RelationColumns.resolve(c, "dense", "label", "features"));
            TupleBuffer b = new TupleBuffer(src.shape(), 16);
            assertEquals(0, src.readPages(src.pageCount(), 100, b));
            int n = src.readPages(2, 1, b);
            assertTrue(n > 0);
            for (int i = 0; i < b.size(); i++) {
                assertEquals(2, b.id(i) >>> 16, "every tuple comes from page 2");
            }
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM dense WHERE (ctid::text::point)[0] = 2")) {
                rs.next();
                assertEquals(rs.getInt(1), n);
            }
            int last = src.readPages(src.pageCount() - 1, 50, b);
            assertTrue(last > 0, "the last page is read even when the range runs past the end");
        }
    }

    @Test
    void everyEpochSeesTheSnapshotItStartedWith(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Connection writer = ds.getConnection()) {
            JdbcBlockSource.beginSnapshot(c);
            JdbcBlockSource src = JdbcBlockSource.open(c,
                    RelationColumns.resolve(c, "snap", "label", "features"));
            TupleBuffer b = new TupleBuffer(src.shape(), 16);
            int first = src.readPages(0, (int) src.pageCount(), b);
            try (Statement s = writer.createStatement()) {
                s.execute("DELETE FROM snap WHERE id <= 10");
                s.execute("INSERT INTO snap SELECT -id, 1, features FROM snap WHERE id BETWEEN 11 AND 500");
            }
            b.clear();
            // the table changed for others, but this transaction still sees the rows of its snapshot
            int second = src.readPages(0, (int) src.pageCount() + 10, b);
            assertEquals(first, second);
            assertEquals(1L, b.id(0), "the deleted first row is still visible in the snapshot");
            c.rollback();
        }
    }

    @Test
    void decodesRealIntNumericAndBooleanColumns(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            JdbcBlockSource real = JdbcBlockSource.open(c,
                    RelationColumns.resolve(c, "typed", "y", "r"));
            TupleBuffer b = new TupleBuffer(real.shape(), 16);
            assertEquals(50, real.readPages(0, 10, b));
            assertEquals(0.25, b.label(0));
            assertArrayEquals(new double[] {1, -1, 2, -2}, Arrays.copyOf(b.dense(), 4));

            JdbcBlockSource ints = JdbcBlockSource.open(c,
                    RelationColumns.resolve(c, "typed", "b", "i"));
            b = new TupleBuffer(ints.shape(), 16);
            ints.readPages(0, 10, b);
            assertEquals(0.0, b.label(0));
            assertEquals(1.0, b.label(1));
            assertArrayEquals(new double[] {3, 6}, Arrays.copyOfRange(b.dense(), 4, 6));

            JdbcBlockSource cols = JdbcBlockSource.open(c,
                    RelationColumns.resolve(c, "typed", "y", "x1, x2"));
            assertEquals(FeatureShape.dense(2), cols.shape());
            b = new TupleBuffer(cols.shape(), 16);
            cols.readPages(0, 10, b);
            assertArrayEquals(new double[] {1.5, 1, 3.0, 2}, Arrays.copyOf(b.dense(), 4));
        }
    }

    @Test
    void decodesSparseIndexValuePairsAndSkipsNulls(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            JdbcBlockSource src = JdbcBlockSource.open(c,
                    RelationColumns.resolve(c, "sparse", "label", "k, v"));
            assertEquals(FeatureShape.sparse(10), src.shape(), "dimension is max(index) + 1");
            TupleBuffer b = new TupleBuffer(src.shape(), 4);
            assertEquals(3, src.readPages(0, 1, b));
            assertEquals(2, src.skippedTuples(), "a NULL index array and a NULL label are skipped");
            assertEquals(2, b.rowEnd(0) - b.rowStart(0));
            assertEquals(5, b.indices()[b.rowStart(0) + 1]);
            assertEquals(2.5, b.values()[b.rowStart(0) + 1]);
            assertEquals(0, b.rowEnd(1) - b.rowStart(1), "an empty vector is a tuple with no non-zeros");
            assertEquals(9, b.indices()[b.rowStart(2)]);
            assertEquals(-1.0, b.values()[b.rowStart(2)]);
            assertEquals(3L, b.id(2), "line pointers are 1-based: the third row of page 0 is (0,3)");
        }
    }

    @Test
    void rowsWithNullsAreSkippedAndCounted(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            JdbcBlockSource src = JdbcBlockSource.open(c,
                    RelationColumns.resolve(c, "nulls", "label", "features"));
            TupleBuffer b = new TupleBuffer(src.shape(), 4);
            assertEquals(2, src.readPages(0, 1, b));
            assertEquals(3, src.skippedTuples(), "NULL label (even with a ragged array) or NULL features: skipped");
            src.readPages(0, 1, new TupleBuffer(src.shape(), 4));
            assertEquals(3, src.skippedTuples(), "reading the page again (next epoch) counts each row once");
            assertEquals(1L, b.id(0));
            assertEquals(5L, b.id(1));
            assertArrayEquals(new double[] {1, 2, 7, 8}, Arrays.copyOf(b.dense(), 4));
        }
    }

    @Test
    void badDataIsAnErrorNamingTheRowWithTheExtensionsSqlstate(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            SQLException e = readError(c, "ragged");
            assertEquals("22000", e.getSQLState());
            assertEquals("features \"features\" of tuple (0,2) of relation \"ragged\" have 3 elements; expected 2 like "
                    + "the first tuple", e.getMessage());

            e = readError(c, "nan");
            assertEquals("22000", e.getSQLState());
            assertEquals("features \"features\" of tuple (0,2) of relation \"nan\" contain NaN or Infinity", e.getMessage());

            e = readError(c, "null_element");
            assertEquals("22004", e.getSQLState());
            assertEquals("features \"features\" of tuple (0,2) of relation \"null_element\" contain a NULL "
                    + "element", e.getMessage());
            // the connection is still usable after an error in the middle of a COPY
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
    }

    private static SQLException readError(Connection c, String table) throws SQLException {
        JdbcBlockSource src = JdbcBlockSource.open(c, RelationColumns.resolve(c, table, "label", "features"));
        return new CorgiPileException(assertThrows(TrainingException.class,
                () -> src.readPages(0, 1, new TupleBuffer(src.shape(), 4))));
    }

    @Test
    void badArgumentsFailLikeInTheExtension(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            assertState("42P01", null, () -> RelationColumns.resolve(c, "no_such_table", "label", "features"));
            assertState("42703", "label column \"nope\" of relation \"dense\" does not exist",
                    () -> RelationColumns.resolve(c, "dense", "nope", "features"));
            assertState("42703", "features column \"Features\" of relation \"dense\" does not exist",
                    () -> RelationColumns.resolve(c, "dense", "label", "Features"));
            assertState("42809", "\"dense_view\" is not a table or materialized view",
                    () -> RelationColumns.resolve(c, "dense_view", "label", "features"));
            assertState("42804", "label column \"label\" of relation \"texty\" has type text",
                    () -> RelationColumns.resolve(c, "texty", "label", "features"));
            assertState("42804", "features \"id, features\" of relation \"dense\" are not a supported feature type",
                    () -> RelationColumns.resolve(c, "dense", "label", "id, features"));
            assertState("22023", null, () -> RelationColumns.resolve(c, "dense", "label", "features,"));
            RelationColumns empty = RelationColumns.resolve(c, "empty", "label", "features");
            assertState("22000", "relation \"empty\" has no rows with a non-NULL label and features",
                    () -> empty.detectShape(c, 0));
            assertFalse(c.isClosed());
        }
    }

    private interface SqlCall {
        void run() throws SQLException;
    }

    private static void assertState(String state, String message, SqlCall call) {
        SQLException e = assertThrows(SQLException.class, call::run);
        assertEquals(state, e.getSQLState(), e.getMessage());
        if (message != null) {
            assertEquals(message, e.getMessage());
        }
    }
}
