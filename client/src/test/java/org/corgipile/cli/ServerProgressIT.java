package org.corgipile.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.corgipile.client.ClusteredTable;
import org.corgipile.client.CorgiPile;
import org.corgipile.client.TrainJob;
import org.corgipile.client.TrainMode;
import org.corgipile.client.TrainingRun;
import org.corgipile.operators.TrainSpec;
import org.corgipile.testsupport.PostgresTest;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CLI's progress in server mode: the bar follows {@code corgipile.training_progress} inside an epoch (tuples),
 * and every epoch gets its line (the bug: one fake "1/1" bar per epoch, and 2 to 4 of 6 epoch lines printed).
 */
@PostgresTest(extension = true)
class ServerProgressIT {
    private static String url;

    @BeforeAll
    static void setUp(TestDatabase db, DataSource ds) throws SQLException {
        url = db.jdbcUrl();
        ClusteredTable.create(ds, "progress_cli", 60_000, 0.21);
    }

    @Test
    void serverModePrintsEveryEpochLine() {
        CliIT.Run r = CliIT.cli("train", "progress_cli", "--mode", "server", "--epochs", "6", "--block-size", "1",
                "--seed", "4", "--url", url);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().startsWith("corgipile: training in server mode, 6 epochs\n"), r.err());
        for (int e = 1; e <= 6; e++) {
            Matcher line = Pattern.compile("(?m)^epoch " + e + "/6 100% \\[=+\\] 60000/60000 tuples .*loss "
                    + "\\d\\.\\d{4}, accuracy ").matcher(r.err());
            assertTrue(line.find(), "the line of epoch " + e + " in\n" + r.err());
        }
    }

    @Test
    void serverModeBarMovesWithinAnEpoch(DataSource ds) throws SQLException {
        StringWriter err = new StringWriter();
        EpochProgress bars = new EpochProgress(new PrintWriter(err, true), true);
        // An mlp: about a second per epoch here, so the 100 ms polls see the tuples advance.
        TrainingRun run = CorgiPile.connect(ds).train(TrainJob.on("progress_cli").mode(TrainMode.SERVER)
                .spec(TrainSpec.builder().model("mlp").option("hidden", java.util.List.of(256)).epochs(3).blockSize(1)
                        .seed(5).trainMetrics("running"))
                .build(), bars);
        assertEquals(3, run.epochs().size());
        Map<Integer, TreeSet<Long>> inside = new TreeMap<>();
        Matcher m = Pattern.compile("epoch (\\d)/3\\s+\\d+% \\[[^\\]]*\\]\\s+(\\d+)/(\\d+) tuples").matcher(err.toString());
        while (m.find()) {
            long done = Long.parseLong(m.group(2));
            if (done > 0 && done < Long.parseLong(m.group(3))) {
                inside.computeIfAbsent(Integer.parseInt(m.group(1)), e -> new TreeSet<>()).add(done);
            }
        }
        assertTrue(inside.values().stream().anyMatch(s -> s.size() >= 2),
                "the bar showed at least two positions strictly inside one epoch: " + inside + "\n" + err);
    }
}
