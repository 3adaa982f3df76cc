package org.corgipile.datasets;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

import org.corgipile.datasets.format.FileFormat;
import org.corgipile.datasets.format.ImportOptions;
import org.corgipile.datasets.generate.DenseTeacherGenerator;
import org.corgipile.cluster.LocalCluster;

/**
 * Loading benchmark (not a test): N higgs-like rows through the loader versus plain server-side {@code COPY} of
 * the same rows from a file. Prints one line per variant with rows/s and MB/s.
 *
 * <pre>
 * mvn -B -q -o -pl datasets test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.corgipile.datasets.LoadBenchmark -Dexec.args="--rows 1000000"
 * </pre>
 * Without {@code --url JDBC} it starts a private throwaway cluster ({@link LocalCluster}, which runs
 * with {@code fsync=off}; every variant pays the same). With {@code --url} the database user must be allowed to
 * {@code COPY FROM} a server file ({@code pg_read_server_files}) and the server must see {@code --dir}.
 *
 * <p>Variants: (1) loader, generator -> binary COPY, natural layout; (2) loader with clustered layout (adds the
 * sort and rewrite); (3) loader importing a LIBSVM file of the same rows (two parses + binary COPY); (4) plain
 * {@code COPY FROM 'file'} of the same rows as PostgreSQL text; (5) plain {@code COPY FROM 'file' (FORMAT binary)}
 * of the same bytes the loader sends. MB/s is measured on the bytes each variant feeds PostgreSQL: the binary COPY
 * stream for (1)-(3) and (5), the text file for (4).
 */
public final class LoadBenchmark {
    private LoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long rows = 1_000_000;
        String url = null;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Long.parseLong(args[++i]);
                case "--url" -> url = args[++i];
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --rows N, --url JDBC, --dir DIR)");
            }
        }
        Path work = Files.createTempDirectory(dir, "corgipile-loadbench-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        LocalCluster cluster = url == null ? LocalCluster.start(List.of("shared_buffers = 256MB", "max_wal_size = 4GB")) : null;
        try (Connection c = url != null ? DriverManager.getConnection(url) : cluster.connect("postgres")) {
            System.out.printf(Locale.ROOT, "# %d higgs-like rows (28 float8 features), PostgreSQL %s, %d cores%n",
                    rows, version(c), Runtime.getRuntime().availableProcessors());
            Path text = work.resolve("higgs.txt");
            Path binary = work.resolve("higgs.bin");
            Path svm = work.resolve("higgs.svm");
            writeFiles(rows, text, binary, svm);
            for (int rep = 0; rep < 2; rep++) {
                System.out.println("# round " + (rep + 1));
                report("loader: generator -> binary COPY (natural)", DatasetLoader.load(c, "higgs-like",
                        LoadOptions.defaults().rows(rows).table("b_loader").replace(true)));
                report("loader: generator -> binary COPY (clustered)", DatasetLoader.load(c, "higgs-like",
                        LoadOptions.defaults().rows(rows).layout(Layout.CLUSTERED).table("b_clustered").replace(true)));
                report("loader: LIBSVM file -> binary COPY (natural)", DatasetLoader.importFile(c, svm,
                        ImportOptions.of(FileFormat.LIBSVM).kind(FeatureKind.DENSE), LoadOptions.defaults()
                                .table("b_svm").replace(true)));
                plainCopy(c, "plain COPY FROM text file", "b_text", text, "", rows);
                plainCopy(c, "plain COPY FROM binary file", "b_binary", binary, " (FORMAT binary)", rows);
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            for (String f : new String[] {"higgs.txt", "higgs.bin", "higgs.svm"}) {
                Files.deleteIfExists(work.resolve(f));
            }
            Files.deleteIfExists(work);
        }
    }

    /** The same rows the loader generates, as PostgreSQL text COPY, binary COPY and LIBSVM files. */
    private static void writeFiles(long rows, Path text, Path binary, Path svm) throws IOException {
        DenseTeacherGenerator g = new DenseTeacherGenerator("higgs-like", 28, rows, 0.30, LoadOptions.DEFAULT_SEED);
        Record r = new Record();
        try (Writer t = new BufferedWriter(Files.newBufferedWriter(text), 1 << 20);
             Writer s = new BufferedWriter(Files.newBufferedWriter(svm), 1 << 20);
             DataOutputStream b = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(binary), 1 << 20))) {
            b.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
            b.writeInt(0);
            b.writeInt(0);
            StringBuilder line = new StringBuilder(1024);
            StringBuilder sline = new StringBuilder(1024);
            for (long id = 1; g.next(r); id++) {
                line.setLength(0);
                sline.setLength(0);
                line.append(id).append('\t').append((int) r.label).append("\t{");
                sline.append((int) r.label);
                b.writeShort(3);
                b.writeInt(8);
                b.writeLong(id);
                b.writeInt(4);
                b.writeInt((int) r.label);
                b.writeInt(20 + 12 * 28);
                b.writeInt(1);
                b.writeInt(0);
                b.writeInt(701);
                b.writeInt(28);
                b.writeInt(1);
                for (int j = 0; j < 28; j++) {
                    line.append(j == 0 ? "" : ",").append(r.dense[j]);
                    sline.append(' ').append(j + 1).append(':').append(r.dense[j]);
                    b.writeInt(8);
                    b.writeDouble(r.dense[j]);
                }
                t.append(line).append("}\n");
                s.append(sline).append('\n');
                r.clear();
            }
            b.writeShort(-1);
        }
        System.out.printf(Locale.ROOT, "# files: text %.1f MB, binary %.1f MB, libsvm %.1f MB%n", Files.size(text) / 1e6,
                Files.size(binary) / 1e6, Files.size(svm) / 1e6);
    }

    private static void plainCopy(Connection c, String what, String table, Path file, String format, long rows)
            throws SQLException, IOException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        long t0 = System.nanoTime();
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + table);
            st.execute("CREATE TABLE " + table + " (id bigint NOT NULL, label int NOT NULL, features float8[] NOT NULL)");
            long n = st.executeUpdate("COPY " + table + " FROM '" + file.toAbsolutePath() + "'" + format);
            c.commit();
            if (n != rows) {
                throw new IllegalStateException(what + " loaded " + n + " rows, expected " + rows);
            }
        } finally {
            c.setAutoCommit(auto);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        line(what, rows, Files.size(file), s);
    }

    private static void report(String what, LoadReport r) {
        line(what, r.rows(), r.bytes(), r.seconds());
    }

    private static void line(String what, long rows, long bytes, double seconds) {
        System.out.printf(Locale.ROOT, "%-48s %8.2f s %10.0f rows/s %7.1f MB/s%n", what, seconds, rows / seconds,
                bytes / 1e6 / seconds);
    }

    private static String version(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); var rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
