package org.corgipile.bench.memory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.corgipile.bench.io.DeviceProfile;
import org.corgipile.bench.run.BenchServer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./corgipile bench memory}: the backend's peak resident memory (VmHWM of the PostgreSQL backend that ran
 * train_sgd, which holds the JVM) with the defaults, on a table and on the same table repeated {@code --factor}
 * times. With the buffer bounded by corgipile.buffer_memory rather than by the table, the two peaks should be within
 * about 10% of each other. Each measurement runs in a fresh backend (a new connection), one epoch of corgipile.
 *
 * <p>The server runs with PostgreSQL's default {@code shared_buffers} (128 MB). A backend's RSS also counts the
 * pages of shared buffers it touched: with a large {@code shared_buffers} (the bench's warm profile has 1 GB) a
 * table under a quarter of it is read through the whole buffer pool and adds its own size to the reading backend's
 * RSS, while a larger table is read through a small ring (PostgreSQL's bulk-read strategy), so the smaller table
 * showed the larger peak (318 MB vs 256 MB). With the default setting both tables use the ring, and the report
 * splits the resident memory at the end into private (JVM heap, buffers, code: RssAnon + RssFile) and shared pages.
 */
@Command(name = "memory", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Backend peak RSS of train_sgd with the defaults at 1x and Nx table size.",
        footer = {"", "Example:", "  ./corgipile bench memory --rows 400000 --factor 10"})
public final class BufferMemoryBench implements Callable<Integer> {
    @Option(names = "--rows", defaultValue = "400000", description = "rows of the 1x table, 18 dense features (default ${DEFAULT-VALUE})")
    long rows;

    @Option(names = "--factor", defaultValue = "10", description = "size of the large table in 1x tables (default ${DEFAULT-VALUE})")
    int factor;

    @Option(names = "--out", paramLabel = "FILE", description = "also write the Markdown table to FILE")
    Path out;

    private final String command;
    private final PrintStream log;

    public BufferMemoryBench(String command, PrintStream log) {
        this.command = command;
        this.log = log;
    }

    @Override
    public Integer call() throws SQLException, IOException {
        List<String> lines = new ArrayList<>();
        lines.add("Command: `" + command + "`\n");
        lines.add("| table | rows | size | block / buffer chosen | backend peak RSS (VmHWM) | at the end: private /"
                + " shared pages | JVM heap peak used | epoch seconds |");
        lines.add("|---|---|---|---|---|---|---|---|");
        long[] peaks = new long[2];
        DeviceProfile profile = new DeviceProfile("memory", false, 0, 0, "128MB");
        try (BenchServer server = BenchServer.start(profile, List.of())) {
            try (Connection c = server.connect(); Statement s = c.createStatement()) {
                s.execute("SELECT setseed(0.42)");
                s.execute("CREATE TABLE mem_1x AS SELECT i AS id, (i % 2) AS label, ARRAY(SELECT random() * k "
                        + "FROM generate_series(1, 18) k WHERE i > 0) AS features FROM generate_series(1, " + rows
                        + ") i");
                s.execute("CREATE TABLE mem_" + factor + "x AS SELECT * FROM mem_1x, generate_series(1, " + factor
                        + ") r ORDER BY r, id");
                s.execute("VACUUM (FREEZE, ANALYZE) mem_1x");
                s.execute("VACUUM (FREEZE, ANALYZE) mem_" + factor + "x");
            }
            String[] tables = {"mem_1x", "mem_" + factor + "x"};
            for (int t = 0; t < 2; t++) {
                try (Connection c = server.connect(); Statement s = c.createStatement()) {
                    s.execute("SET client_min_messages = notice");
                    long pid;
                    try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                        rs.next();
                        pid = rs.getLong(1);
                    }
                    double seconds;
                    try (ResultSet rs = s.executeQuery("SELECT seconds FROM train_sgd('" + tables[t]
                            + "', 'label', 'features', epochs => 1, seed => 1)")) {
                        rs.next();
                        seconds = rs.getDouble(1);
                    }
                    String sizing = "";
                    for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                        if (w.getMessage().startsWith("block_size")) {
                            sizing = w.getMessage();
                        }
                    }
                    peaks[t] = statusKb(pid, "VmHWM:");
                    long priv = statusKb(pid, "RssAnon:") + statusKb(pid, "RssFile:");
                    long shared = statusKb(pid, "RssShmem:");
                    long heapMb;
                    try (ResultSet rs = s.executeQuery("SELECT (corgipile.jvm_info()->>'peak_heap_mb')::bigint")) {
                        rs.next();
                        heapMb = rs.getLong(1);
                    }
                    String size;
                    long n;
                    try (ResultSet rs = s.executeQuery("SELECT pg_size_pretty(pg_relation_size('" + tables[t]
                            + "')), (SELECT count(*) FROM " + tables[t] + ")")) {
                        rs.next();
                        size = rs.getString(1);
                        n = rs.getLong(2);
                    }
                    lines.add(String.format(Locale.ROOT, "| %s | %d | %s | %s | %.1f MB | %.1f / %.1f MB | %d MB | %.2f |",
                            tables[t], n, size, sizing, peaks[t] / 1024.0, priv / 1024.0, shared / 1024.0, heapMb,
                            seconds));
                }
            }
        }
        lines.add(String.format(Locale.ROOT, "%nPeak RSS at %dx / 1x: %.3f", factor, (double) peaks[1] / peaks[0]));
        String md = String.join("\n", lines) + "\n";
        log.print(md);
        if (out != null) {
            Files.writeString(out, md);
        }
        return 0;
    }

    /** A kB field of a backend's /proc status (the bench runs on the database host), e.g. "VmHWM:". */
    private static long statusKb(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no " + field + " in /proc/" + pid + "/status");
    }
}
