package org.corgipile.docexamples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.corgipile.cluster.LocalCluster;
import org.corgipile.testsupport.TestClusters;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * examples/maven-client, a Maven project outside the reactor that depends on org.corgipile:corgipile-client from the
 * local repository (installed by ./corgipile setup): it builds (its enforcer requires one version of every
 * dependency), its class path is small and free of the optional parts (Arrow, DuckDB, Aparapi, the CLI's picocli),
 * and it trains and predicts against a database with the extension (server mode) and one without (client mode).
 */
class MavenClientIT {
    private static final Path PROJECT = findProject();
    private static final Pattern VERSIONED_JAR = Pattern.compile(".*/([^/]+)/([^/]+)/\\1-\\2\\.jar");

    @Test
    void sampleProjectBuildsWithFewDependenciesAndTrainsInBothModes() throws Exception {
        List<String> mvn = new ArrayList<>(List.of("mvn", "-B", "-ntp", "-q", "-f", PROJECT.resolve("pom.xml").toString()));
        String repo = localRepository();
        if (repo != null) {
            mvn.add("-Dmaven.repo.local=" + repo);
        }
        mvn.addAll(List.of("clean", "package", "dependency:build-classpath", "-Dmdep.outputFile=target/cp.txt",
                "dependency:tree", "-DoutputFile=target/tree.txt"));
        String out = run(mvn, PROJECT);
        String tree = Files.readString(PROJECT.resolve("target/tree.txt"));
        List<String> jars = List.of(Files.readString(PROJECT.resolve("target/cp.txt")).strip().split(File.pathSeparator));
        long bytes = 0;
        Set<String> jackson = new TreeSet<>();
        for (String j : jars) {
            bytes += Files.size(Path.of(j));
            Matcher m = VERSIONED_JAR.matcher(j.replace('\\', '/'));
            if (j.contains("/com/fasterxml/jackson/") && m.matches()) {
                jackson.add(m.group(2));
            }
        }
        System.out.printf("examples/maven-client: %d jars, %.1f MB%n%s%n", jars.size(), bytes / 1e6, tree);
        for (String banned : List.of("duckdb", "arrow", "aparapi", "scala-library", "picocli", "netty", "jline")) {
            assertTrue(jars.stream().noneMatch(j -> j.contains(banned)), banned + " is on the class path:\n" + tree);
        }
        assertEquals(1, jackson.size(), "one Jackson version: " + jackson);
        assertTrue(bytes < 15_000_000, "runtime class path " + bytes + " bytes:\n" + tree + out);

        String cp = PROJECT.resolve("target/classes") + File.pathSeparator + String.join(File.pathSeparator, jars);
        try (LocalCluster cluster = TestClusters.start(List.of());
             TestDatabase plain = TestDatabase.plain(cluster, "sample_plain");
             TestDatabase ext = TestDatabase.withExtension(cluster, "sample_ext")) {
            for (String[] db : new String[][] {{plain.jdbcUrl(), "CLIENT"}, {ext.jdbcUrl(), "SERVER"}}) {
                String o = run(List.of(javaBin(), "-cp", cp, "com.example.TrainAndPredict", db[0]), PROJECT);
                assertTrue(o.contains("trained in mode " + db[1].toLowerCase(java.util.Locale.ROOT)), o);
                Matcher acc = Pattern.compile("test accuracy ([0-9.]+)").matcher(o);
                assertTrue(acc.find() && Double.parseDouble(acc.group(1)) > 0.9, o);
                assertTrue(o.contains("unknown model: SQLSTATE 42704"), o);
            }
        }
    }

    private static String run(List<String> command, Path dir) throws Exception {
        Path log = Files.createTempFile("corgipile-maven-client", ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done && p.exitValue() == 0, String.join(" ", command) + " failed:\n" + out);
        return out;
    }

    /** The local Maven repository this build uses (the sample resolves corgipile-client from it). */
    private static String localRepository() {
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String n = e.replace('\\', '/');
            int i = n.indexOf("/info/picocli/picocli/");
            if (i > 0) {
                return n.substring(0, i);
            }
        }
        return System.getProperty("maven.repo.local");
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path findProject() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("examples/maven-client/pom.xml"))) {
                return p.resolve("examples/maven-client");
            }
        }
        throw new IllegalStateException("examples/maven-client not found above " + Path.of("").toAbsolutePath());
    }
}
