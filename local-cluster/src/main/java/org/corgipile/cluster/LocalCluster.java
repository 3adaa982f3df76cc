package org.corgipile.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL 15 cluster on this machine, the one component that starts servers in Java: the tests' clusters (through
 * test-support's {@code PostgresExtension}), the benchmark's per-profile servers ({@code BenchServer} adds the device
 * profile), the scale-out benchmark's N servers, and the launcher's local cluster ({@code ./corgipile db}) and its
 * {@code ./corgipile cluster up N} servers ({@link #persistent}, through {@link LocalClusterCli}) all are
 * LocalClusters.
 *
 * <p>A throwaway cluster: initdb into a temporary directory (one the cluster's OS user can reach, see
 * {@link #parentFor}), a free loopback port, {@code fsync=off},
 * started with pg_ctl and removed on {@link #close()}.
 *
 * <p>PostgreSQL refuses to run as root. When the JVM runs as root, every server command runs through
 * {@code runuser} as the OS user {@value #DEFAULT_OS_USER} (created by {@code ./corgipile setup}; override with the
 * environment variable {@code CORGIPILE_PG_OS_USER}); the data directory is handed to that user.
 *
 * <p>Binaries come from {@code CORGIPILE_PG_BIN}, else {@code /usr/lib/postgresql/15/bin}.
 */
public final class LocalCluster implements AutoCloseable {
    public static final String DEFAULT_OS_USER = "corgipile";
    public static final String SUPERUSER = "postgres";

    private final Path baseDir;
    private final Path dataDir;
    private final Path logFile;
    private final int port;
    private final String osUser;   // null when not running as root
    private final Path binDir;
    private final Map<String, String> environment;
    private final boolean throwaway;
    private boolean running;

    private LocalCluster(Path baseDir, int port, String osUser, Path binDir, Map<String, String> environment,
                         boolean throwaway) {
        this.throwaway = throwaway;
        this.environment = Map.copyOf(environment);
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.logFile = baseDir.resolve("server.log");
        this.port = port;
        this.osUser = osUser;
        this.binDir = binDir;
    }

    /** Creates and starts a new cluster with the given extra {@code postgresql.conf} lines. */
    public static LocalCluster start(List<String> extraConf) {
        return start(extraConf, Map.of());
    }

    /**
     * Like {@link #start(List)}, with extra environment variables for the server (the postmaster, hence every
     * backend, inherits them; e.g. {@code OCL_ICD_VENDORS} to simulate a machine without OpenCL). They apply to
     * every later {@link #start()} too.
     */
    public static LocalCluster start(List<String> extraConf, Map<String, String> environment) {
        Path bin = binaries();
        String osUser = osUser();
        try {
            Path base = Files.createTempDirectory(parentFor(osUser), "corgipile-pg-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            LocalCluster c = new LocalCluster(base, freePort(), osUser, bin, environment, true);
            handTo(base, osUser);
            c.init(THROWAWAY_CONF, extraConf);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The lasting cluster in {@code home} (data in {@code home/data}, sockets in {@code home/run}, log
     * {@code home/server.log}), as the launcher keeps its local cluster ({@code ./corgipile db}) and its shard servers
     * ({@code ./corgipile cluster up N}): created with initdb on first use (listening on {@code port}; later the port
     * its configuration remembers), started when it is not running. {@link #close()} leaves it as it is;
     * {@link #stop()} stops it, {@link #destroy()} removes it.
     */
    public static LocalCluster persistent(Path home, int port) {
        if (exists(home)) {
            LocalCluster c = existing(home);
            if (!c.running) {
                c.start();
            }
            return c;
        }
        LocalCluster c = new LocalCluster(home, port, osUser(), binaries(), Map.of(), false);
        try {
            Files.createDirectories(home.getParent());
            if (!Files.isDirectory(home)) {
                Files.createDirectory(home,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            handTo(home, c.osUser);
            c.run(Duration.ofSeconds(30), "mkdir", "-p", "-m", "0700", c.dataDir.toString(),
                    home.resolve("run").toString());
            c.init(List.of("shared_buffers = 256MB", "unix_socket_directories = '" + home.resolve("run") + "'"),
                    List.of());
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code home} holds a cluster (initdb has run there). */
    public static boolean exists(Path home) {
        return Files.exists(home.resolve("data").resolve("PG_VERSION"));
    }

    /**
     * The cluster in {@code home} as it is, running or not (for {@link #start()}, {@link #stop()},
     * {@link #destroy()}): its port is the running server's, else the one its configuration remembers.
     */
    public static LocalCluster existing(Path home) {
        try {
            Path data = home.resolve("data");
            LocalCluster c = new LocalCluster(home, confPort(data, 0), osUser(), binaries(), Map.of(), false);
            c.running = c.status();
            int pidPort = c.running ? postmasterPort(data) : 0;
            return pidPort > 0 && pidPort != c.port ? c.withPort(pidPort) : c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This handle with another port (the configuration is not changed: see {@link #moveTo}). */
    private LocalCluster withPort(int newPort) {
        LocalCluster c = new LocalCluster(baseDir, newPort, osUser, binDir, environment, throwaway);
        c.running = running;
        return c;
    }

    /**
     * Moves a stopped cluster to {@code newPort} (the configuration remembers it) and returns its handle; the
     * launcher's {@code db start} with another {@code CORGIPILE_PORT}.
     */
    public LocalCluster moveTo(int newPort) {
        if (running) {
            throw new IllegalStateException("the cluster in " + baseDir + " is running on port " + port
                    + "; stop it before moving it to port " + newPort);
        }
        appendConf(List.of("port = " + newPort));
        return withPort(newPort);
    }

    /**
     * The first port from {@code from} that is free on 127.0.0.1 and that no cluster in {@code claimedBy} (their
     * {@code data/postgresql.conf}) remembers, so that a stopped cluster keeps its port.
     */
    public static int firstFreePort(int from, List<Path> claimedBy) {
        java.util.Set<Integer> claimed = new java.util.HashSet<>();
        for (Path dir : claimedBy) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> homes = Files.list(dir)) {
                for (Path home : (Iterable<Path>) homes::iterator) {
                    if (exists(home)) {
                        claimed.add(confPort(home.resolve("data"), 0));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (int p = from; p < 65536; p++) {
            if (!claimed.contains(p) && bindable(p)) {
                return p;
            }
        }
        throw new IllegalStateException("no free port from " + from);
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The port of the running postmaster (line 4 of postmaster.pid), 0 when it cannot be read. */
    private static int postmasterPort(Path data) {
        try {
            List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            return lines.size() >= 4 ? Integer.parseInt(lines.get(3).strip()) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** The last {@code port = N} of the cluster's configuration, else {@code otherwise}. */
    private static int confPort(Path data, int otherwise) throws IOException {
        int port = otherwise;
        for (String file : List.of("postgresql.conf", "postgresql.auto.conf")) {
            Path f = data.resolve(file);
            if (Files.exists(f)) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    java.util.regex.Matcher m = PORT_LINE.matcher(line);
                    if (m.find()) {
                        port = Integer.parseInt(m.group(1));
                    }
                }
            }
        }
        return port;
    }

    private static final java.util.regex.Pattern PORT_LINE =
            java.util.regex.Pattern.compile("^\\s*port\\s*=\\s*'?(\\d+)");

    /** Settings of a throwaway cluster: durability off (its data dies with it), its sockets in its directory. */
    private static final List<String> THROWAWAY_CONF = List.of("fsync = off", "synchronous_commit = off",
            "full_page_writes = off", "max_connections = 40", "shared_buffers = 128MB");

    private static Path binaries() {
        Path bin = Path.of(System.getenv().getOrDefault("CORGIPILE_PG_BIN", "/usr/lib/postgresql/15/bin"));
        if (!Files.isExecutable(bin.resolve("initdb"))) {
            throw new IllegalStateException("PostgreSQL 15 binaries not found in " + bin
                    + "; run ./corgipile setup (or set CORGIPILE_PG_BIN)");
        }
        return bin;
    }

    /** The OS user the server runs as when the JVM runs as root (PostgreSQL refuses root); null otherwise. */
    private static String osUser() {
        boolean root = "root".equals(System.getProperty("user.name"));
        return root ? System.getenv().getOrDefault("CORGIPILE_PG_OS_USER", DEFAULT_OS_USER) : null;
    }

    private static void handTo(Path dir, String osUser) throws IOException {
        if (osUser == null) {
            return;
        }
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        try {
            Files.setOwner(dir, users.lookupPrincipalByName(osUser));
        } catch (IOException e) {
            throw new IllegalStateException("running as root but OS user '" + osUser
                    + "' does not exist; run ./corgipile setup (it creates it) or set CORGIPILE_PG_OS_USER", e);
        }
    }

    /**
     * The directory for a new cluster: {@code java.io.tmpdir}, unless the cluster runs as another OS user who cannot
     * traverse it (a private TMPDIR under a 0700 home); then {@code /tmp}.
     */
    static Path parentFor(String osUser) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        return osUser == null || traversableByOthers(tmp) ? tmp : Path.of("/tmp");
    }

    static boolean traversableByOthers(Path dir) {
        try {
            for (Path p = dir.toRealPath(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private void init(List<String> modeConf, List<String> extraConf) throws IOException {
        run(Duration.ofMinutes(2), bin("initdb"), "-D", dataDir.toString(), "-U", SUPERUSER, "--auth=trust",
                "--encoding=UTF8", "--locale=C", "--no-sync");
        List<String> conf = new ArrayList<>(List.of(
                "port = " + port,
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = '" + baseDir + "'",
                "log_min_messages = warning",
                "log_line_prefix = '%m [%p] %e '"));
        conf.addAll(modeConf);
        conf.addAll(extraConf);
        appendConf(conf);
        start();
    }

    /** Starts the server (after {@link #stop()}); waits until it accepts connections. */
    public void start() {
        run(Duration.ofMinutes(1), bin("pg_ctl"), "-D", dataDir.toString(), "-l", logFile.toString(), "-w",
                "-t", "60", "start");
        running = true;
    }

    /** Stops the server with a fast shutdown. */
    public void stop() {
        if (running) {
            run(Duration.ofMinutes(1), bin("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "stop");
            running = false;
        }
    }

    /** Stops the server the way a crash would: immediate shutdown, backends quit without cleanup. */
    public void kill() {
        if (running) {
            run(Duration.ofMinutes(1), bin("pg_ctl"), "-D", dataDir.toString(), "-m", "immediate", "-w", "stop");
            running = false;
        }
    }

    /** Appends lines to postgresql.conf and reloads the configuration. */
    public void reconfigure(String... lines) {
        appendConf(List.of(lines));
        run(Duration.ofSeconds(30), bin("pg_ctl"), "-D", dataDir.toString(), "reload");
    }

    /** Appends lines to postgresql.conf, as the OS user that owns the cluster (it owns the file). */
    private void appendConf(List<String> lines) {
        try {
            Path tmp = Files.createTempFile("corgipile-conf", ".conf");
            Files.writeString(tmp, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
            tmp.toFile().setReadable(true, false);
            run(Duration.ofSeconds(30), "sh", "-c", "cat '" + tmp + "' >> '" + dataDir.resolve("postgresql.conf") + "'");
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** Whether the server runs (as far as this handle knows: checked when it was made, updated by its methods). */
    public boolean isRunning() {
        return running;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + SUPERUSER;
    }

    public DataSource dataSource(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName(database);
        ds.setUser(SUPERUSER);
        return ds;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database));
    }

    /** Creates a database (dropping one of that name first) and returns its name. */
    public String createDatabase(String name) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
            return name;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Dumps database {@code from} with pg_dump (custom format) and restores it with pg_restore into a new database
     * {@code to} (dropped first when it exists), as an administrator moving a database would; fails on any error.
     */
    public void dumpAndRestore(String from, String to) {
        Path dump = baseDir.resolve(from + ".dump");
        String[] connection = {"-h", "127.0.0.1", "-p", String.valueOf(port), "-U", SUPERUSER};
        List<String> cmd = new ArrayList<>(List.of(bin("pg_dump"), "-Fc", "-f", dump.toString(), "-d", from));
        cmd.addAll(List.of(connection));
        run(Duration.ofMinutes(2), cmd.toArray(String[]::new));
        createDatabase(to);
        cmd = new ArrayList<>(List.of(bin("pg_restore"), "--exit-on-error", "-d", to));
        cmd.addAll(List.of(connection));
        cmd.add(dump.toString());
        run(Duration.ofMinutes(2), cmd.toArray(String[]::new));
    }

    /** True when the corgipile extension's control file is installed in this PostgreSQL installation. */
    public boolean extensionAvailable() {
        try (Connection c = connect("postgres"); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT 1 FROM pg_available_extensions WHERE name = 'corgipile'")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    /** The last {@code lines} lines of the server log (empty when there is none yet). */
    public String logTail(int lines) {
        try {
            if (!Files.exists(logFile)) {
                return "";
            }
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    /** Whether the server is running (pg_ctl status). */
    private boolean status() {
        if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
            return false;
        }
        try {
            run(Duration.ofSeconds(30), bin("pg_ctl"), "-D", dataDir.toString(), "status");
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Stops the server and removes its directory. */
    public void destroy() {
        try {
            stop();
        } finally {
            deleteTree(baseDir);
        }
    }

    /** A throwaway cluster is {@link #destroy() destroyed}; a {@link #persistent} one is left as it is. */
    @Override
    public void close() {
        if (throwaway) {
            destroy();
        }
    }

    private String bin(String name) {
        return binDir.resolve(name).toString();
    }

    private void run(Duration timeout, String... command) {
        List<String> cmd = new ArrayList<>();
        if (osUser != null) {
            cmd.addAll(List.of("runuser", "-u", osUser, "--"));
        }
        if (!environment.isEmpty()) {
            cmd.add("env");
            environment.forEach((k, v) -> cmd.add(k + "=" + v));
        }
        cmd.addAll(List.of(command));
        try {
            Path out = Files.createTempFile("corgipile-cmd", ".out");
            Process p = new ProcessBuilder(cmd).directory(baseDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String output = Files.readString(out);
            Files.deleteIfExists(out);
            if (!done) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", cmd) + "\n" + output);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("failed (exit " + p.exitValue() + "): " + String.join(" ", cmd)
                        + "\n" + output + "\n--- server log ---\n" + logTail(40));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover temp directory must not fail a test run
        }
    }
}
