package org.corgipile.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.corgipile.testsupport.PostgresTest;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * Client mode (issue 11): a Java OutOfMemoryError escaped picocli as a stack trace with exit code 1, the code of a
 * usage error. The CLI runs as its own process (the shaded jar, as ./corgipile runs it) with a small heap, training
 * with a buffer of the whole table (a given buffer_size is not capped; epoch_shuffle now refuses a table larger than
 * the heap before loading it, with SQLSTATE 53200).
 */
@PostgresTest
class ClientOutOfMemoryIT {
    @Test
    void outOfMemoryInClientModeIsOneLineWithItsOwnExitCode(TestDatabase db) throws Exception {
        Path jar = Path.of("target", "corgipile-cli.jar");
        assertTrue(Files.exists(jar), "the shaded CLI jar is built in the package phase: " + jar.toAbsolutePath());
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE wide AS SELECT i % 2 AS label, ARRAY(SELECT random() FROM generate_series(1, 200) "
                    + "WHERE i > 0) AS features FROM generate_series(1, 30000) i");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx32m", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-cp", jar.toString(), "org.corgipile.cli.CorgipileCli", "train", "wide", "--url", db.jdbcUrl(),
                "--mode", "client", "--buffer-size", "1.0", "--epochs", "1", "--no-progress"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the CLI ends");
        assertEquals(ExitCodes.OUT_OF_MEMORY, p.exitValue(), err);
        assertTrue(err.startsWith("corgipile: error: Java heap exhausted in the client (maximum heap "), err);
        assertTrue(err.contains("corgipile: hint: give the client more heap (JAVA_TOOL_OPTIONS=-Xmx4g)"), err);
        assertFalse(err.contains("\tat "), "no stack trace without --verbose: " + err);
        assertEquals(2, err.strip().lines().count(), err);
    }
}
