package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.corgipile.cluster.LocalCluster;
import org.corgipile.testsupport.TestClusters;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TOAST read-ahead of random block order ({@link ToastRanges}, the natives {@code readerToastBlock} and
 * {@code readerWillNeed} on the TOAST relation) on tables whose features are stored out of line, in storage order
 * and not, with dead and vacuumed values, and on tables that have a TOAST relation but scalar features. A private
 * cluster, so that its server log shows whether a backend died. What the hint saves is measured by the bench
 * (docs/in-database.md, "TOAST values in random block order").
 */
class ToastReadAheadIT {
    private static final int ROWS = 600;
    private static LocalCluster cluster;
    private static TestDatabase db;
    private static Connection session;

    @BeforeAll
    static void setUp() throws SQLException {
        cluster = TestClusters.start(java.util.List.of());
        db = TestDatabase.withExtension(cluster, "toast");
        session = db.connect();
        try (Statement s = session.createStatement()) {
            s.execute("SET client_min_messages = warning");
        }
        // 800 random float8 (6.4 kB, incompressible): every value out of line, in insertion order
        TestTables.clustered(session, "toasted", ROWS, 800, 0.3);
    }

    @AfterAll
    static void tearDown() throws SQLException {
        try {
            db.close();
            assertFalse(cluster.logTail(2000).contains("terminated by signal"), "no backend crashed:\n"
                    + cluster.logTail(60));
        } finally {
            cluster.close();
        }
    }

    private static long outOfLinePages(String table) throws SQLException {
        try (Statement s = session.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_relation_size(reltoastrelid) / 8192 FROM pg_class "
                     + "WHERE oid = '" + table + "'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every epoch of every random-order strategy reads every row (the hint never changes what is read). */
    private static void trainsEveryRow(String table, String features) throws SQLException {
        for (String shuffle : new String[] {"block_only", "corgipile"}) {
            try (Statement s = session.createStatement();
                 ResultSet rs = s.executeQuery("SELECT tuples, loss FROM train_sgd('" + table + "', 'label', '"
                         + features + "', shuffle => '" + shuffle + "', epochs => 2, block_size => 1, seed => 7)")) {
                int epochs = 0;
                while (rs.next()) {
                    epochs++;
                    assertEquals(ROWS, rs.getLong(1), shuffle + " epoch " + epochs + " of " + table);
                    assertTrue(Double.isFinite(rs.getDouble(2)));
                }
                assertEquals(2, epochs);
            }
        }
    }

    @Test
    void outOfLineFeaturesInStorageOrderTrainInRandomBlockOrder() throws SQLException {
        assertTrue(outOfLinePages("toasted") >= ROWS, "every value is stored out of line");
        trainsEveryRow("toasted", "features");
    }

    @Test
    void deadAndVacuumedValuesLeaveTheProbeWithoutChunksAndTheMapOutOfOrder() throws SQLException {
        try (Statement s = session.createStatement()) {
            s.execute("CREATE TABLE rewritten AS SELECT * FROM toasted");
            // new values appended at the end of the TOAST relation, old ones dead; then some of them vacuumed away
            s.execute("UPDATE rewritten SET features = array_append(features[1:799], 0.5) WHERE id % 3 = 0");
            s.execute("DELETE FROM rewritten WHERE id % 3 = 1");
            s.execute("INSERT INTO rewritten SELECT id + 100000, label, features FROM toasted WHERE id % 3 = 1");
            s.execute("VACUUM rewritten");
        }
        trainsEveryRow("rewritten", "features");
    }

    @Test
    void sparseValuesStoredOutOfLine() throws SQLException {
        try (Statement s = session.createStatement()) {
            s.execute("CREATE TABLE sparse_toasted AS SELECT id, label, ARRAY(SELECT generate_series(0, 799)) AS idx, "
                    + "features AS val FROM toasted ORDER BY id");
        }
        trainsEveryRow("sparse_toasted", "idx, val");
    }

    @Test
    void scalarFeaturesOfATableWithATOASTRelationAreNotProbedAsPointers() throws SQLException {
        try (Statement s = session.createStatement()) {
            // a text column gives the table a TOAST relation; its float8 features are passed by value
            s.execute("CREATE TABLE scalar_columns (label int, a float8, b float8, note text)");
            s.execute("ALTER TABLE scalar_columns ALTER note SET STORAGE EXTERNAL");
            s.execute("INSERT INTO scalar_columns SELECT label, features[1], features[2], repeat(md5(id::text), 200) "
                    + "FROM toasted ORDER BY id");
        }
        assertTrue(outOfLinePages("scalar_columns") > 0, "the notes are stored out of line");
        trainsEveryRow("scalar_columns", "a, b");
    }

    /**
     * Bug: from the second epoch a block's TOAST range comes from the first out-of-line value of its first page, so
     * a block whose first page holds none (inline rows, or only dead ones) got the interpolated range, a quarter
     * wider on each side, in every epoch (24 of Fashion-MNIST's 76 blocks of 127 pages on the emulated hdd). Here
     * the first page of every 4-page block is empty: every range of epoch 2 must be exact (the server log's summary
     * of the reader, one line per training call). Epoch 1 announces every block, each range at most once
     * interpolated; epoch 2 announces fewer on this warm table ({@link CachedRanges}: after 32 ranges in a row found
     * cached only every 8th block), and any interpolated one among them would push the count above the blocks.
     */
    @Test
    void blocksWhoseFirstPageHasNoOutOfLineValueGetExactToastRanges() throws SQLException {
        long pages;
        try (Statement s = session.createStatement()) {
            s.execute("CREATE TABLE gaps (id int, label int, features float8[], pad text)");
            s.execute("ALTER TABLE gaps ALTER pad SET STORAGE PLAIN");   // ~1 kB inline: 7 rows per heap page
            s.execute("INSERT INTO gaps SELECT id, label, features, (SELECT string_agg(md5(id::text || k), '') "
                    + "FROM generate_series(1, 31) k) FROM toasted ORDER BY label, id");
            s.execute("DELETE FROM gaps WHERE (ctid::text::point)[0]::int % 4 = 0");
            s.execute("VACUUM gaps");
            try (ResultSet rs = s.executeQuery("SELECT pg_relation_size('gaps') / 8192")) {
                rs.next();
                pages = rs.getLong(1);
            }
            assertTrue(pages >= 40, pages + " heap pages");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM train_sgd('gaps', 'label', 'features', "
                    + "shuffle => 'corgipile', epochs => 2, block_size => 4, seed => 7)")) {
                rs.next();
                assertEquals(2, rs.getInt(1));
            }
        }
        String summary = null;
        for (String line : cluster.logTail(4000).split("\n")) {
            if (line.contains("read-ahead of \"gaps\"")) {
                summary = line;
            }
        }
        assertTrue(summary != null, "no read-ahead summary in the server log:\n" + cluster.logTail(20));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) exact and (\\d+) interpolated").matcher(summary);
        assertTrue(m.find(), summary);
        long blocks = (pages + 3) / 4;
        assertTrue(Long.parseLong(m.group(1)) >= 1 && Long.parseLong(m.group(2)) <= blocks,
                "every range of epoch 2 is exact (" + blocks + " blocks, interpolated in epoch 1 at most): " + summary);
    }

    /** The files of {@code table}'s heap and TOAST relation, and the training backend's pid. */
    private static Path[] files(String table) throws SQLException {
        try (Statement s = session.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('data_directory'), pg_relation_filepath(oid), "
                     + "pg_relation_filepath(reltoastrelid) FROM pg_class WHERE oid = '" + table + "'::regclass")) {
            rs.next();
            Path dir = Path.of(rs.getString(1));
            return new Path[] {dir.resolve(rs.getString(2)), dir.resolve(rs.getString(3))};
        }
    }

    /** Bytes the session's backend has read from storage so far (/proc/pid/io, as the bench measures writes). */
    private static long backendReadBytes() throws SQLException, IOException {
        long pid;
        try (Statement s = session.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            pid = rs.getLong(1);
        }
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
            if (line.startsWith("read_bytes:")) {
                return Long.parseLong(line.substring("read_bytes:".length()).trim());
            }
        }
        throw new IllegalStateException("no read_bytes in /proc/" + pid + "/io");
    }

    /** One random-order epoch of {@code table} in a single block: its heap and TOAST ranges are announced whole. */
    private static long readBytesOfOneBlockEpoch(String table) throws Exception {
        long pages;
        try (Statement s = session.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_relation_size('" + table + "') / 8192")) {
            rs.next();
            pages = rs.getLong(1);
        }
        long before = backendReadBytes();
        try (Statement s = session.createStatement();
             ResultSet rs = s.executeQuery("SELECT tuples FROM train_sgd('" + table + "', 'label', 'features', "
                     + "shuffle => 'corgipile', epochs => 1, block_size => " + pages + ", seed => 7)")) {
            rs.next();
            assertEquals(ROWS, rs.getLong(1));
        }
        return backendReadBytes() - before;
    }

    private static Path[] flushedFiles(String table) throws Exception {
        try (Statement s = session.createStatement()) {
            s.execute("CREATE TABLE " + table + " AS SELECT * FROM toasted ORDER BY id");
            s.execute("CHECKPOINT");    // clean pages: only clean pages can leave the page cache
        }
        Path[] files = files(table);
        Assumptions.assumeTrue(Files.isReadable(files[1]) && Files.isReadable(Path.of("/proc/self/io")),
                "the test reads the cluster's relation files and /proc/pid/io (run as root, like the bench)");
        return files;
    }

    /**
     * Bug: a block's range with a few pages already in the page cache (on Fashion-MNIST the TOAST pages of values
     * stored away from their block's run, read by another block shortly before) was read around them, one device
     * request per uncached piece: each such page cost a request on the emulated hdd. At most a quarter cached, the
     * range is now dropped from the page cache and read whole: here one page in 16 of the TOAST relation is cached
     * and the announcement still reads every page of it.
     */
    @Test
    void aRangeWithAFewCachedPagesIsReadWhole() throws Exception {
        Assumptions.assumeTrue(kernelHasCachestat(), "cachestat(2) needs Linux 6.5 (older kernels announce the "
                + "range as before, cached pages and all): " + System.getProperty("os.version"));
        Path[] files = flushedFiles("few_cached");
        // test clusters run with fsync off: written back first, the pages are clean and can leave the page cache
        run("sync", files[0].toString(), files[1].toString());
        for (Path f : files) {
            run("dd", "if=" + f, "iflag=nocache", "count=0", "status=none");
        }
        long toast = Files.size(files[1]);
        long heap = Files.size(files[0]);
        byte[] page = new byte[8192];
        try (RandomAccessFile raf = new RandomAccessFile(files[1].toFile(), "r")) {
            for (long at = 8 * 8192; at < toast; at += 16 * 8192) {
                raf.seek(at);
                raf.readFully(page);
            }
        }
        long read = readBytesOfOneBlockEpoch("few_cached");
        assertTrue(read >= heap + toast - toast / 32, "read " + read + " bytes; heap " + heap + " + TOAST " + toast
                + ", of which 1/16 was cached and must be read again with the rest");
    }

    /** Linux 6.5 or later (the server runs on this machine: the test reads its relation files). */
    private static boolean kernelHasCachestat() {
        java.util.regex.Matcher v = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)")
                .matcher(System.getProperty("os.version"));
        return System.getProperty("os.name").equals("Linux") && v.find()
                && Integer.parseInt(v.group(1)) * 1000 + Integer.parseInt(v.group(2)) >= 6005;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }

    /** The other side of the rule: a relation in the page cache (a warm table) is not dropped and read again. */
    @Test
    void aCachedRangeIsNotReadAgain() throws Exception {
        Path[] files = flushedFiles("all_cached");
        long toast = Files.size(files[1]);
        for (Path f : files) {
            Files.readAllBytes(f);
        }
        long read = readBytesOfOneBlockEpoch("all_cached");
        assertTrue(read < toast / 4, "read " + read + " bytes of a cached relation (TOAST " + toast + " bytes)");
    }
}
