package org.corgipile.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.corgipile.client.ClusteredTable;
import org.corgipile.client.CorgiPile;
import org.corgipile.client.TrainJob;
import org.corgipile.client.TrainMode;
import org.corgipile.operators.TrainSpec;
import org.corgipile.testsupport.PostgresTest;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bug: {@code java -cp corgipile-cli.jar ... export} without {@code --add-opens=java.base/java.nio=ALL-UNNAMED}
 * printed two stack traces (Arrow's static initializer). It must be one error line naming the JVM option.
 */
@PostgresTest
class ExportWithoutAddOpensIT {
    @TempDir
    Path dir;

    @Test
    void arrowExportWithoutAddOpensIsOneLine(TestDatabase db, DataSource ds) throws Exception {
        ClusteredTable.create(ds, "t", 500, 0.3);
        CorgiPile cp = CorgiPile.connect(ds);
        cp.install();
        cp.train(TrainJob.on("t").mode(TrainMode.CLIENT).spec(TrainSpec.builder().epochs(1)).modelName("m").build());
        for (List<String> args : List.of(
                List.of("export", "predictions", "m", "-q", "SELECT id, features FROM t", "-o",
                        dir.resolve("p.arrow").toString()),
                List.of("export", "table", "t", "-o", dir.resolve("t.arrow").toString()))) {
            List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-cp", System.getProperty("java.class.path"), CorgipileCli.class.getName()));
            cmd.addAll(args);
            cmd.addAll(List.of("--url", db.jdbcUrl()));
            Path log = dir.resolve("log.txt");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(p.waitFor(2, TimeUnit.MINUTES));
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertFalse(out.contains("\tat "), "no stack trace:\n" + out);
            assertTrue(out.startsWith("corgipile: error: Arrow export needs the JVM option "
                    + "--add-opens=java.base/java.nio=ALL-UNNAMED"), out);
            assertTrue(out.contains("corgipile: hint: the ./corgipile launcher passes it"), out);
            // 0A000, exit 3 as corgipile dataset's Arrow import/export without the option (UnsupportedOperationException)
            assertEquals(ExitCodes.INVALID_INPUT, p.exitValue(), out);
            assertFalse(new File(args.get(args.size() - 1)).exists(), "no file written");
        }
    }
}
