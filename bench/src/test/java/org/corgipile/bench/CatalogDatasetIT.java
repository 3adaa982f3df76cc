package org.corgipile.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.corgipile.bench.report.ResultFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A generator of the datasets module runs through the benchmark: loaded in the layout, with its test split. */
class CatalogDatasetIT {
    @TempDir
    Path out;

    @Test
    void higgsLikeLoadsClusteredWithATestSplitAndTrains() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit = BenchCli.run(new String[] {"--profiles", "memory", "--datasets", "higgs-like", "--layouts",
            "clustered", "--rows", "3000", "--strategies", "none,shuffle_once", "--epochs", "1", "--engine",
            "in-db", "--probe-pages", "10", "--out", out.toString()},
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String log = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, log);
        JsonNode table = new ObjectMapper().readTree(out.resolve(ResultFiles.JSON).toFile()).get("profiles").get(0)
                .get("tables").get(0);
        assertEquals("higgs-like", table.get("dataset").asText());
        assertEquals("higgs_like_clustered", table.get("table").asText());
        assertEquals("higgs_like_clustered_test", table.get("testTable").asText());
        long rows = table.get("rows").asLong();
        long testRows = table.get("testRows").asLong();
        assertTrue(Math.abs(rows - 3000) <= 30 && Math.abs(testRows - 300) <= 30, rows + " + " + testRows);
        for (JsonNode s : table.get("strategies")) {
            assertTrue(s.get("error").isNull(), s.toString());
            assertEquals(1, s.get("epochs").size());
        }
    }

    /** The real set of the matrix where storage order stays behind: 784 pixels per row, stored out of line. */
    @Test
    void fashionMnistBinaryCountsItsOutOfLineFeaturesInTheTableSize() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit = BenchCli.run(new String[] {"--profiles", "memory", "--datasets", "fashion-mnist-binary",
            "--layouts", "clustered", "--rows", "2000", "--strategies", "corgipile", "--epochs", "1", "--engine",
            "in-db", "--probe-pages", "10", "--out", out.toString()},
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String log = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, log);
        JsonNode table = new ObjectMapper().readTree(out.resolve(ResultFiles.JSON).toFile()).get("profiles").get(0)
                .get("tables").get(0);
        assertEquals("fashion_mnist_binary_clustered", table.get("table").asText());
        // 784 float8 per row: compressed in line, or out of line in the TOAST relation (about 40% of the bytes),
        // which training reads too and the page-cache budget must count
        assertTrue(table.get("bytes").asLong() > 1.3 * table.get("pages").asLong() * 8192L, table.toString());
        JsonNode s = table.get("strategies").get(0);
        assertTrue(s.get("error").isNull(), s.toString());
        assertTrue(s.get("epochs").get(0).get("testAccuracy").asDouble() > 0.85, s.toString());
    }
}
