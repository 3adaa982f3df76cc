package org.corgipile.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.corgipile.datasets.format.FileFormat;
import org.corgipile.datasets.format.IdxSourceTestAccess;
import org.corgipile.datasets.format.ImportOptions;
import org.corgipile.datasets.generate.DenseTeacherGenerator;
import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input names file, line/record and reason, and leaves the database as it was: no new table, no staging
 * table, and a table being replaced keeps its old rows -- including when the error surfaces halfway through the
 * COPY (the idx and Arrow paths have no pre-scan).
 */
@PostgresTest
class MalformedInputIT {
    private final DataSource ds;

    @TempDir
    Path dir;

    MalformedInputIT(DataSource ds) {
        this.ds = ds;
    }

    @Test
    void badLibsvmTokenLeavesNoTable() throws Exception {
        Path f = dir.resolve("bad.svm");
        Files.writeString(f, "1 1:1\n0 1:1 2:oops\n");
        try (Connection c = ds.getConnection()) {
            InputFormatException e = assertThrows(InputFormatException.class, () -> DatasetLoader.importFile(c, f,
                    ImportOptions.of(FileFormat.LIBSVM), LoadOptions.defaults().table("bad_svm")));
            assertEquals("bad.svm: line 2: bad feature value in '2:oops' (expected a finite number)", e.getMessage());
            assertNoTables(c, "bad_svm");
        }
    }

    @Test
    void raggedCsvRowLeavesNoTable() throws Exception {
        Path f = dir.resolve("ragged.csv");
        Files.writeString(f, "label,a,b\n1,2,3\n0,2\n");
        try (Connection c = ds.getConnection()) {
            InputFormatException e = assertThrows(InputFormatException.class, () -> DatasetLoader.importFile(c, f,
                    ImportOptions.of(FileFormat.CSV), LoadOptions.defaults().table("ragged")));
            assertEquals("ragged.csv: line 3: 2 fields, expected 3 (as in the first line)", e.getMessage());
            assertNoTables(c, "ragged");
        }
    }

    /** An input without rows (here a libsvm file of blank lines, which has no pre-scan check) made an empty table. */
    @Test
    void inputWithoutRowsLeavesNoTable() throws Exception {
        Path f = dir.resolve("blank.svm");
        Files.writeString(f, "\n\n");
        try (Connection c = ds.getConnection()) {
            InputFormatException e = assertThrows(InputFormatException.class, () -> DatasetLoader.importFile(c, f,
                    ImportOptions.of(FileFormat.LIBSVM), LoadOptions.defaults().table("blank_svm")));
            assertEquals("blank.svm: end of input: no rows to load", e.getMessage());
            assertNoTables(c, "blank_svm");
        }
    }

    @Test
    void truncatedIdxMidCopyRollsBackAndKeepsTheOldTable() throws Exception {
        Path img = dir.resolve("t-images-idx3-ubyte");
        IdxSourceTestAccess.writeTruncatedIdx(img, dir.resolve("t-labels-idx1-ubyte"), 6);
        try (Connection c = ds.getConnection()) {
            TableLoader.load(c, new DenseTeacherGenerator("old", 3, 10, 0.1, 1), "keep_me", LoadOptions.defaults());
            InputFormatException e = assertThrows(InputFormatException.class, () -> DatasetLoader.importFile(c, img,
                    ImportOptions.of(FileFormat.IDX), LoadOptions.defaults().table("keep_me").replace(true)
                            .testFraction(0.5)));
            assertEquals("t-images-idx3-ubyte: record 5: file is truncated (header announces 6 images of 4 bytes)",
                    e.getMessage());
            assertEquals(10, count(c, "keep_me"), "the replaced table must survive a failed load");
            assertFalse(exists(c, "keep_me_test"));
            assertFalse(exists(c, "keep_me__staging"));
            assertTrue(c.getAutoCommit(), "the loader restores the connection's auto-commit mode");
        }
    }

    @Test
    void wrongIdxMagicNamesTheFile() throws Exception {
        Path img = dir.resolve("w-images-idx3-ubyte");
        Files.write(img, new byte[] {'G', 'I', 'F', '8', '9', 'a', 0, 0});
        Files.write(dir.resolve("w-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 0});
        try (Connection c = ds.getConnection()) {
            InputFormatException e = assertThrows(InputFormatException.class, () -> DatasetLoader.importFile(c, img,
                    ImportOptions.of(FileFormat.IDX), LoadOptions.defaults().table("wrong_magic")));
            assertEquals("w-images-idx3-ubyte: header: wrong idx magic 0x47494638 (expected 0x00000803: unsigned "
                    + "bytes, N dimensions)", e.getMessage());
            assertNoTables(c, "wrong_magic");
        }
    }

    @Test
    void truncatedArrowFileIsAnInputError() throws Exception {
        Path good = dir.resolve("good.arrow");
        try (Connection c = ds.getConnection()) {
            TableLoader.load(c, new DenseTeacherGenerator("g", 4, 2000, 0.1, 1), "arrow_src", LoadOptions.defaults());
            ArrowExport.export(c, "arrow_src", good);
            byte[] bytes = Files.readAllBytes(good);
            Path cut = dir.resolve("cut.arrow");
            Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            InputFormatException e = assertThrows(InputFormatException.class, () -> DatasetLoader.importFile(c, cut,
                    ImportOptions.of(FileFormat.ARROW), LoadOptions.defaults().table("cut")));
            assertEquals("cut.arrow", e.file());
            assertNoTables(c, "cut");
        }
    }

    @Test
    void truncatedParquetFileIsAnInputError() throws Exception {
        Path cut = dir.resolve("cut.parquet");
        Files.write(cut, "PAR1 not really a parquet file".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (Connection c = ds.getConnection()) {
            InputFormatException e = assertThrows(InputFormatException.class, () -> DatasetLoader.importFile(c, cut,
                    ImportOptions.of(FileFormat.PARQUET), LoadOptions.defaults().table("cut_parquet")));
            assertTrue(e.getMessage().startsWith("cut.parquet: file: not a readable parquet file ("), e.getMessage());
            assertNoTables(c, "cut_parquet");
        }
    }

    @Test
    void existingTableNeedsReplace() throws Exception {
        try (Connection c = ds.getConnection()) {
            TableLoader.load(c, new DenseTeacherGenerator("g", 2, 5, 0.1, 1), "twice", LoadOptions.defaults());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableLoader.load(c,
                    new DenseTeacherGenerator("g", 2, 7, 0.1, 1), "twice", LoadOptions.defaults()));
            assertEquals("table twice already exists; pass --replace (LoadOptions.replace(true)) to overwrite it",
                    e.getMessage());
            TableLoader.load(c, new DenseTeacherGenerator("g", 2, 7, 0.1, 1), "twice",
                    LoadOptions.defaults().replace(true));
            assertEquals(7, count(c, "twice"));
        }
    }

    @Test
    void optionsNameTheArgumentAndRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoadOptions.defaults().testFraction(1.0));
        assertEquals("test fraction must be in [0, 1), got 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LoadOptions.defaults().table("x; drop table y"));
        assertTrue(e.getMessage().startsWith("table must be an unquoted SQL name"), e.getMessage());
        assertEquals("t_2024_data_v2", LoadOptions.defaults().tableOr("2024-data.v2"), "file names become SQL names");
        assertEquals("fashion_mnist", LoadOptions.defaults().tableOr("fashion-mnist"));
        e = assertThrows(IllegalArgumentException.class, () -> Layout.parse("sorted"));
        assertEquals("layout must be one of clustered, shuffled, natural; got 'sorted'", e.getMessage());
    }

    private static void assertNoTables(Connection c, String table) throws SQLException {
        assertFalse(exists(c, table), table + " must not exist");
        assertFalse(exists(c, table + "__staging"), "no staging table may be left");
    }

    static boolean exists(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    static long count(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
