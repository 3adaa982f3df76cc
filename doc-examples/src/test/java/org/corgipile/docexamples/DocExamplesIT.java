package org.corgipile.docexamples;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.corgipile.bench.BenchCli;
import org.corgipile.cli.CorgipileCli;
import org.corgipile.datasets.cli.DatasetCli;
import org.corgipile.cluster.LocalCluster;
import org.corgipile.testsupport.TestClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/**
 * Runs the examples of README.md and docs/*.md, so a renamed table, option, function or class breaks the build with
 * the file and line of the example. Each Markdown file gets a fresh database of a throwaway cluster with the
 * extension installed; its blocks run in document order (see {@link DocBlock} for the markers):
 * <ul>
 *   <li>{@code sql}: through psql (check: EXPLAIN in a rolled-back transaction);</li>
 *   <li>{@code sh}/{@code bash}: {@code ./corgipile} lines through the launcher with {@code CORGIPILE_URL} set to
 *       that database and a scratch working directory (check: parsed by the CLI's picocli model); the launcher's own
 *       commands ({@code setup}, {@code demo}, {@code test}, {@code db ...}) must be in its help ({@code db psql} runs
 *       psql on that database); other programs (mvn, make, java) are checked: the repository paths, Maven modules
 *       and org.corgipile classes they name must exist;</li>
 *   <li>{@code java}: compiled as the body of a method whose parameters are the {@code // given: Type name, ...}
 *       line (dataSource, conn and url are provided when it runs), then run;</li>
 *   <li>blocks without a language (transcripts, output): their {@code $ } lines are CLI lines, checked.</li>
 * </ul>
 */
class DocExamplesIT {
    private static final Path ROOT = findRoot();
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern CLASS_NAME = Pattern.compile("org\\.corgipile(\\.[a-z0-9_]+)*\\.[A-Z][A-Za-z0-9_]*");

    private static LocalCluster cluster;
    private static String launcherHelp;

    private final List<String> failures = new ArrayList<>();
    private final Map<String, int[]> counts = new TreeMap<>();   // file -> sql, cli, java, illustrative

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = TestClusters.start(List.of());
        assertTrue(cluster.extensionAvailable(), "the corgipile extension is not installed in this PostgreSQL; "
                + "run ./corgipile setup (or make install it into $CORGIPILE_PG_BIN's installation)");
        launcherHelp = run(List.of(ROOT.resolve("corgipile").toString(), "help"), Map.of(), ROOT).output;
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyExampleOfTheDocsRuns() throws Exception {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        for (Path file : files) {
            runFile(file);
        }
        StringBuilder summary = new StringBuilder("examples (sql blocks, cli lines, java snippets, illustrative):");
        counts.forEach((f, c) -> summary.append(String.format("%n  %-18s %3d %3d %3d %3d", f, c[0], c[1], c[2], c[3])));
        System.out.println(summary);
        if (!failures.isEmpty()) {
            fail(failures.size() + " documented example(s) failed:\n" + String.join("\n\n", failures));
        }
    }

    private void runFile(Path file) throws Exception {
        String name = file.getFileName().toString();
        String db = cluster.createDatabase("doc_" + name.replaceAll("\\W", "_").toLowerCase());
        String plain = cluster.createDatabase(db + "_plain");
        Path work = Files.createTempDirectory("corgipile-doc-" + name);
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("PLAIN", cluster.jdbcUrl(plain));
        vars.put("EXT", cluster.jdbcUrl(db));
        Context ctx = new Context(name, db, work, vars);
        int[] c = counts.computeIfAbsent(name, k -> new int[4]);
        for (DocBlock b : DocBlock.parse(file)) {
            try {
                switch (b.language()) {
                    case "sql" -> {
                        c[b.mode() == DocBlock.Mode.ILLUSTRATIVE ? 3 : 0]++;
                        sql(ctx, b);
                    }
                    case "sh", "bash", "shell" -> {
                        if (b.mode() == DocBlock.Mode.ILLUSTRATIVE) {
                            c[3]++;
                            continue;
                        }
                        for (ShellLine l : ShellLine.commands(b.lines(), vars)) {
                            c[1]++;
                            command(ctx, b, l, b.mode());
                        }
                    }
                    case "java" -> {
                        c[b.mode() == DocBlock.Mode.ILLUSTRATIVE ? 3 : 2]++;
                        if (b.mode() != DocBlock.Mode.ILLUSTRATIVE) {
                            JavaSnippet.compileAndRun(b, b.mode() == DocBlock.Mode.RUN ? ctx.values(cluster) : null);
                        }
                    }
                    case "xml" -> mavenCoordinates(b);
                    case "", "text", "console" -> {
                        for (ShellLine l : transcriptCommands(b, vars)) {
                            c[1]++;
                            command(ctx, b, l, DocBlock.Mode.CHECK);
                        }
                    }
                    default -> failures.add(b.where() + ": code block in language '" + b.language()
                            + "': the runner knows sql, sh, bash, java, xml, text (or none)");
                }
            } catch (ExampleFailure e) {
                failures.add(e.getMessage());
            } catch (Exception e) {
                failures.add(b.where() + ": " + e);
            }
        }
    }

    /** The {@code $ corgipile ...} lines of a transcript, with their continuation lines. */
    private static List<ShellLine> transcriptCommands(DocBlock b, Map<String, String> vars) {
        List<ShellLine> out = new ArrayList<>();
        List<String> lines = b.lines();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("$ ")) {
                continue;
            }
            StringBuilder cmd = new StringBuilder(lines.get(i).substring(2));
            int start = i;
            while (cmd.toString().stripTrailing().endsWith("\\") && i + 1 < lines.size()) {
                String s = cmd.toString().stripTrailing();
                cmd.setLength(0);
                cmd.append(s, 0, s.length() - 1).append(' ').append(lines.get(++i));
            }
            out.add(ShellLine.split(start, cmd.toString(), vars));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ Maven

    private static final Pattern CORGIPILE_DEPENDENCY = Pattern.compile(
            "<groupId>org\\.corgipile</groupId>\\s*<artifactId>([^<]+)</artifactId>\\s*<version>([^<]+)</version>");
    private static final Pattern ARTIFACT_ID = Pattern.compile("</parent>.*?<artifactId>([^<]+)</artifactId>",
            Pattern.DOTALL);

    /** A dependency block names an artifact this build makes, at this build's version. */
    private static void mavenCoordinates(DocBlock b) throws IOException {
        String root = Files.readString(ROOT.resolve("pom.xml"));
        Matcher v = Pattern.compile("<artifactId>corgipile-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(root);
        String version = v.find() ? v.group(1) : "?";
        List<String> artifacts = new ArrayList<>();
        Matcher mod = Pattern.compile("<module>([^<]+)</module>").matcher(root);
        while (mod.find()) {
            Matcher a = ARTIFACT_ID.matcher(Files.readString(ROOT.resolve(mod.group(1)).resolve("pom.xml")));
            if (a.find()) {
                artifacts.add(a.group(1));
            }
        }
        Matcher d = CORGIPILE_DEPENDENCY.matcher(b.text());
        while (d.find()) {
            if (!artifacts.contains(d.group(1)) || !d.group(2).equals(version)) {
                throw new ExampleFailure(b.where() + ": org.corgipile:" + d.group(1) + ":" + d.group(2)
                        + " is not an artifact of this build (" + artifacts + " at " + version + ")");
            }
        }
    }

    // -------------------------------------------------------------------------------------------------- SQL

    private static final Pattern PSQL_LOCATION = Pattern.compile("psql:[^:\\s]+:(\\d+):");

    private void sql(Context ctx, DocBlock b) throws Exception {
        if (b.mode() == DocBlock.Mode.ILLUSTRATIVE) {
            return;
        }
        List<String> lines = new ArrayList<>(b.lines());
        List<String> args = new ArrayList<>(psql(ctx.db));
        if (b.mode() == DocBlock.Mode.CHECK) {
            // EXPLAIN plans every SELECT without running it: names of functions, arguments, tables and columns
            boolean atStart = true;
            for (int i = 0; i < lines.size(); i++) {
                String s = lines.get(i).strip();
                if (atStart && !s.isEmpty() && !s.startsWith("--")) {
                    if (s.regionMatches(true, 0, "SELECT", 0, 6) || s.regionMatches(true, 0, "WITH", 0, 4)) {
                        lines.set(i, "EXPLAIN " + lines.get(i));
                    }
                    atStart = false;
                }
                if (s.endsWith(";")) {
                    atStart = true;
                }
            }
            args.addAll(List.of("-c", "BEGIN"));
        }
        Path f = Files.writeString(ctx.work.resolve("block.sql"), String.join("\n", lines) + "\n");
        args.addAll(List.of("-f", f.toString()));
        if (b.mode() == DocBlock.Mode.CHECK) {
            args.addAll(List.of("-c", "ROLLBACK"));
        }
        Result r = run(args, Map.of(), ctx.work);
        if (r.exit != 0) {
            Matcher m = PSQL_LOCATION.matcher(r.output);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(
                        ctx.file + ":" + (b.line() + Integer.parseInt(m.group(1)) - 1) + ":"));
            }
            m.appendTail(out);
            throw new ExampleFailure(b.where() + ": SQL block failed" + (b.mode() == DocBlock.Mode.CHECK
                    ? " (checked with EXPLAIN)" : "") + ":\n" + out.toString().strip());
        }
    }

    private static List<String> psql(String db) {
        return new ArrayList<>(List.of(pgBin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                "-p", String.valueOf(cluster.port()), "-U", LocalCluster.SUPERUSER, "-d", db));
    }

    private static String pgBin(String name) {
        return Path.of(System.getenv().getOrDefault("CORGIPILE_PG_BIN", "/usr/lib/postgresql/15/bin"))
                .resolve(name).toString();
    }

    // -------------------------------------------------------------------------------------------------- CLI

    private void command(Context ctx, DocBlock b, ShellLine l, DocBlock.Mode mode) throws Exception {
        String where = b.where(l.index());
        List<String> w = l.words();
        if (w.isEmpty()) {
            return;
        }
        String program = w.get(0);
        if (program.equals("./corgipile") || program.equals("corgipile")) {
            launcher(ctx, where, l, w.subList(1, w.size()), mode);
        } else {
            foreign(where, l);
        }
    }

    private void launcher(Context ctx, String where, ShellLine l, List<String> args, DocBlock.Mode mode)
            throws Exception {
        String cmd = args.isEmpty() ? "help" : args.get(0);
        switch (cmd) {
            case "train", "models", "evaluate", "predict", "install", "export", "dataset", "bench" -> {
                if (mode == DocBlock.Mode.RUN) {
                    Map<String, String> env = new LinkedHashMap<>();
                    env.put("CORGIPILE_URL", cluster.jdbcUrl(ctx.db));
                    for (String e : l.env()) {
                        env.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
                    }
                    List<String> full = new ArrayList<>(List.of(ROOT.resolve("corgipile").toString()));
                    full.addAll(args);
                    Result r = run(full, env, ctx.work);
                    if (r.exit != 0) {
                        throw new ExampleFailure(where + ": `" + l + "` exited with " + r.exit + ":\n"
                                + tail(r.output, 30));
                    }
                } else {
                    parse(where, l, cmd, args);
                }
            }
            case "db" -> {
                String sub = args.size() > 1 ? args.get(1) : "status";
                if (!launcherHelp.matches("(?s).*db [a-z|]*\\b" + Pattern.quote(sub) + "\\b.*")) {
                    throw new ExampleFailure(where + ": `" + l + "`: the launcher has no `db " + sub + "`");
                }
                if (sub.equals("psql") && mode == DocBlock.Mode.RUN) {
                    List<String> full = psql(ctx.db);
                    full.addAll(args.subList(2, args.size()));
                    Result r = run(full, Map.of(), ctx.work);
                    if (r.exit != 0) {
                        throw new ExampleFailure(where + ": `" + l + "` exited with " + r.exit + ":\n"
                                + tail(r.output, 30));
                    }
                }
            }
            default -> {
                // setup, demo, test, help: run by CI itself (./corgipile test), checked against the launcher's help
                if (!launcherHelp.contains("./corgipile " + cmd) && !cmd.equals("help")) {
                    throw new ExampleFailure(where + ": `" + l + "`: the launcher has no command '" + cmd + "'");
                }
            }
        }
    }

    /** Parses a Java command line with the CLI's own picocli model (unknown commands and options fail). */
    private static void parse(String where, ShellLine l, String cmd, List<String> args) {
        String[] rest = args.subList(1, args.size()).toArray(String[]::new);
        try {
            switch (cmd) {
                case "dataset" -> new CommandLine(new DatasetCli()).parseArgs(rest);
                case "bench" -> BenchCli.commandLine(rest, new PrintStream(new ByteArrayOutputStream()))
                        .parseArgs(rest);
                default -> CorgipileCli.commandLine().parseArgs(args.toArray(String[]::new));
            }
        } catch (CommandLine.ParameterException e) {
            throw new ExampleFailure(where + ": `" + l + "` does not parse: " + e.getMessage());
        }
    }

    /** mvn, make, java, ...: the repository paths, Maven modules and org.corgipile classes a line names exist. */
    private static void foreign(String where, ShellLine l) {
        List<String> w = l.words();
        for (int i = 0; i < w.size(); i++) {
            String word = w.get(i);
            List<String> parts = new ArrayList<>(List.of(word));
            if (word.matches("-?-?[A-Za-z_.]+=.*")) {
                parts.add(word.substring(word.indexOf('=') + 1));
            }
            if ((word.equals("-pl") || word.equals("-C")) && i + 1 < w.size()) {
                for (String m : w.get(i + 1).split(",")) {
                    if (!Files.isDirectory(ROOT.resolve(m))) {
                        throw new ExampleFailure(where + ": `" + l + "`: no module or directory " + m);
                    }
                }
            }
            for (String p : parts) {
                for (String piece : p.split(":")) {
                    Matcher cls = CLASS_NAME.matcher(piece);
                    if (cls.matches() && !sourceExists(piece)) {
                        throw new ExampleFailure(where + ": `" + l + "`: no class " + piece + " in this repository");
                    }
                    int slash = piece.indexOf('/');
                    if (slash > 0 && !piece.startsWith("/") && Files.isDirectory(ROOT.resolve(piece.substring(0, slash)))
                            && !Files.exists(ROOT.resolve(piece))) {
                        throw new ExampleFailure(where + ": `" + l + "`: " + piece + " does not exist (after the build)");
                    }
                }
            }
        }
    }

    private static boolean sourceExists(String className) {
        String rel = className.replace('.', '/') + ".java";
        try (Stream<Path> modules = Files.list(ROOT)) {
            return modules.anyMatch(m -> Files.exists(m.resolve("src/main/java").resolve(rel))
                    || Files.exists(m.resolve("src/test/java").resolve(rel)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------- plumbing

    record Context(String file, String db, Path work, Map<String, String> vars) {
        Map<String, Object> values(LocalCluster cluster) throws SQLException {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("dataSource", cluster.dataSource(db));
            Connection conn = cluster.connect(db);
            v.put("conn", conn);
            v.put("url", cluster.jdbcUrl(db));
            return v;
        }
    }

    record Result(int exit, String output) {
    }

    static final class ExampleFailure extends RuntimeException {
        ExampleFailure(String message) {
            super(message);
        }
    }

    private static Result run(List<String> command, Map<String, String> env, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("corgipile-doc", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(CLI_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new ExampleFailure("timed out after " + CLI_TIMEOUT + ": " + String.join(" ", command));
        }
        String output = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);   // binary COPY output too
        Files.deleteIfExists(out);
        return new Result(p.exitValue(), output);
    }

    private static String tail(String s, int lines) {
        String[] all = s.split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }

    private static Path findRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("corgipile")) && Files.exists(p.resolve("README.md"))) {
                return p;
            }
        }
        throw new IllegalStateException("the repository root (with ./corgipile) is not above " + Path.of("").toAbsolutePath());
    }
}
