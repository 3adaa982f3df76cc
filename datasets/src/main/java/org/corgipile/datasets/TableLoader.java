package org.corgipile.datasets;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

import org.corgipile.datasets.copy.BinaryCopyWriter;
import org.postgresql.PGConnection;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Streams a {@link RecordSource} into PostgreSQL and lays the rows out physically.
 *
 * <p>Everything happens in one transaction: rows go by binary COPY ({@code FREEZE}, allowed because the staging
 * table is created in the same transaction, so later scans need not set hint bits) into a staging table
 * {@code <table>__staging}; then the staging table is either renamed (natural layout, no split: no second copy) or
 * copied with {@code INSERT ... SELECT ... ORDER BY} into the final table(s) in the requested order. Any error --
 * a malformed record halfway through a file, a lost connection, a cancel -- rolls the transaction back, so no
 * half-loaded table is ever visible and an existing table being replaced stays intact.
 *
 * <p>The split and the shuffled order use {@code hashint8extended(id, seed)}: deterministic for a seed, independent
 * of the server's {@code random()} state, and computed by the server without shipping data back.
 */
public final class TableLoader {
    /** Progress bar updates every this many rows (updating per row costs more than encoding a small row). */
    private static final int PROGRESS_STEP = 4096;
    /** Test rows are those whose hash, masked to 20 bits, falls below {@code fraction * 2^20}. */
    private static final int SPLIT_BITS = 20;

    private TableLoader() {
    }

    /** Loads {@code source} into {@code table} (and {@code table_test}) as {@code options} say. */
    public static LoadReport load(Connection conn, RecordSource source, String table, LoadOptions options)
            throws IOException, SQLException {
        long t0 = System.nanoTime();
        TableShape shape = source.shape();
        String testTable = options.testFraction() > 0 ? table + "_test" : null;
        String staging = table + "__staging";
        boolean autoCommit = conn.getAutoCommit();
        conn.setAutoCommit(false);
        BinaryCopyWriter writer = null;
        try (Statement st = conn.createStatement()) {
            for (String t : testTable == null ? new String[] {table} : new String[] {table, testTable}) {
                if (exists(conn, t)) {
                    if (!options.replace()) {
                        throw new IllegalArgumentException("table " + t + " already exists; pass --replace "
                                + "(LoadOptions.replace(true)) to overwrite it");
                    }
                    st.execute("DROP TABLE " + t);
                }
            }
            if (lz4Available(conn)) {
                // Rows wider than ~2 kB (784 pixels, 2000 epsilon features) are compressed by TOAST on the way in;
                // lz4 does that several times faster than the default pglz, and decompresses faster for training.
                st.execute("SET LOCAL default_toast_compression = 'lz4'");
            }
            st.execute("DROP TABLE IF EXISTS " + staging);
            st.execute("CREATE TABLE " + staging + " (" + shape.columnsSql() + ")");
            String copySql = "COPY " + staging + " (" + shape.columnNamesSql() + ") FROM STDIN (FORMAT binary, FREEZE)";
            writer = new BinaryCopyWriter(conn.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql), shape);
            long rows = stream(source, writer, options);
            if (rows == 0) {
                // An empty table is never what an import meant (train_sgd would refuse it later, further from the
                // cause): every format ends here, also those without a pre-scan.
                throw new InputFormatException(source.name(), "end of input", "no rows to load");
            }
            long bytes = writer.bytesSent();
            long serverRows = writer.finish();
            if (serverRows != rows) {
                throw new SQLException("COPY reported " + serverRows + " rows but " + rows + " were sent");
            }
            long testRows = 0;
            // A parallel INSERT ... SELECT could interleave rows; one process keeps the requested order exactly.
            st.execute("SET LOCAL max_parallel_workers_per_gather = 0");
            if (testTable == null && options.layout() == Layout.NATURAL) {
                st.execute("ALTER TABLE " + staging + " RENAME TO " + unqualified(table));
            } else {
                String order = switch (options.layout()) {
                    case CLUSTERED -> " ORDER BY label, id";
                    case SHUFFLED -> " ORDER BY hashint8extended(id, " + options.seed() + "), id";
                    case NATURAL -> "";
                };
                String isTest = testTable == null ? "false" : String.format(Locale.ROOT,
                        "(hashint8extended(id, %d) & %d) < %d", ~options.seed(), (1 << SPLIT_BITS) - 1,
                        Math.round(options.testFraction() * (1 << SPLIT_BITS)));
                String cols = shape.columnNamesSql();
                st.execute("CREATE TABLE " + table + " (" + shape.columnsSql() + ")");
                st.execute("INSERT INTO " + table + " SELECT " + cols + " FROM " + staging + " WHERE NOT " + isTest + order);
                if (testTable != null) {
                    st.execute("CREATE TABLE " + testTable + " (" + shape.columnsSql() + ")");
                    testRows = st.executeUpdate("INSERT INTO " + testTable + " SELECT " + cols + " FROM " + staging
                            + " WHERE " + isTest + order);
                }
                st.execute("DROP TABLE " + staging);
            }
            comment(st, table, source, options, "train");
            if (testTable != null) {
                comment(st, testTable, source, options, "test");
            }
            conn.commit();
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new LoadReport(table, testTable, rows, testRows, bytes, seconds, source.bestAccuracy(),
                    source.labelMapping());
        } catch (IOException | SQLException | RuntimeException e) {
            if (writer != null) {
                writer.cancel();
            }
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(autoCommit);
        }
    }

    private static long stream(RecordSource source, BinaryCopyWriter writer, LoadOptions options)
            throws IOException, SQLException {
        Record r = new Record();
        long n = 0;
        try (ProgressBar pb = options.progress() ? progressBar(source) : null) {
            while (true) {
                r.clear();
                if (!source.next(r)) {
                    break;
                }
                n++;
                writer.write(r.id != Record.NO_ID ? r.id : n, r);
                if (pb != null && (n % PROGRESS_STEP) == 0) {
                    pb.stepTo(n);
                }
            }
            if (pb != null) {
                pb.stepTo(n);
                if (pb.getMax() < 0) {
                    pb.maxHint(n);
                }
            }
        }
        return n;
    }

    private static ProgressBar progressBar(RecordSource source) {
        return new ProgressBarBuilder().setTaskName(source.name()).setInitialMax(source.expectedRows())
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setUnit(" rows", 1).showSpeed()
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).continuousUpdate().build();
    }

    /** Records where the table came from, so {@code \d+} in psql tells a user what they are looking at. */
    private static void comment(Statement st, String table, RecordSource source, LoadOptions o, String part)
            throws SQLException {
        String text = String.format(Locale.ROOT, "corgipile dataset %s (%s part, layout %s, seed %d%s)",
                source.name(), part, o.layout().cliName(), o.seed(),
                Double.isNaN(source.bestAccuracy()) ? ""
                        : String.format(Locale.ROOT, ", best achievable accuracy %.4f", source.bestAccuracy()));
        st.execute("COMMENT ON TABLE " + table + " IS '" + text.replace("'", "''") + "'");
        List<String> names = source.featureColumns();
        if (!names.isEmpty() && source.shape().kind() == FeatureKind.DENSE) {
            st.execute("COMMENT ON COLUMN " + table + ".features IS '" + featureNamesJson(names).replace("'", "''") + "'");
        }
    }

    /**
     * The comment of an imported table's {@code features} column: {@code {"feature_names": ["a", "b", ...]}}, the
     * file's names of features[1], features[2], ... (read back with {@code col_description}).
     */
    static String featureNamesJson(List<String> names) {
        StringBuilder sb = new StringBuilder("{\"feature_names\": [");
        for (int i = 0; i < names.size(); i++) {
            sb.append(i == 0 ? "\"" : ", \"");
            for (char ch : names.get(i).toCharArray()) {
                switch (ch) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    default -> {
                        if (ch < 0x20) {
                            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                        } else {
                            sb.append(ch);
                        }
                    }
                }
            }
            sb.append('"');
        }
        return sb.append("]}").toString();
    }

    private static boolean lz4Available(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    static boolean exists(Connection conn, String table) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static String unqualified(String table) {
        int dot = table.indexOf('.');
        return dot < 0 ? table : table.substring(dot + 1);
    }
}
