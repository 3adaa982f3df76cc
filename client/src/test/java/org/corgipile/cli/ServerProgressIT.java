package org.corgipile.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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
import org.corgipile.client.TrainingListener;
import org.corgipile.client.TrainingRun;
import org.corgipile.operators.EpochStats;
import org.corgipile.operators.TrainSpec;
import org.corgipile.testsupport.PostgresTest;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

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
                    + "\\d\\.\\d{4}, accuracy \\d\\.\\d{4}, \\d+\\.\\d{2} s").matcher(r.err());
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

    /**
     * Progress comes through the structured channel (corgipile.training_progress and its activity object), not by
     * parsing NOTICE text: with the NOTICEs switched off for the session, every epoch is still reported, in order,
     * with the numbers of the result rows, and while the training runs (the bar of a later epoch moved after it).
     */
    @Test
    void serverModeProgressNeedsNoNotices(TestDatabase db) throws SQLException {
        PGSimpleDataSource quiet = new PGSimpleDataSource();
        quiet.setUrl(db.jdbcUrl());
        quiet.setOptions("-c client_min_messages=warning");
        List<String> events = new ArrayList<>();
        List<EpochStats> finished = new ArrayList<>();
        TrainingRun run = CorgiPile.connect(quiet).train(TrainJob.on("progress_cli").mode(TrainMode.SERVER)
                .spec(TrainSpec.builder().model("mlp").option("hidden", List.of(256)).epochs(3).blockSize(1)
                        .seed(6).trainMetrics("pass"))
                .build(), new TrainingListener() {
                    @Override
                    public void epochProgress(int epoch, long done, long total) {
                        if (done > 0 && done < total) {
                            events.add("progress " + epoch);
                        }
                    }

                    @Override
                    public void epochFinished(EpochStats s) {
                        events.add("finished " + s.epoch());
                        finished.add(s);
                    }

                    @Override
                    public void message(String text) {
                        events.add("message " + text);
                    }
                });
        assertEquals(List.of(1, 2, 3), finished.stream().map(EpochStats::epoch).toList(), events.toString());
        for (int i = 0; i < 3; i++) {
            EpochStats row = run.epochs().get(i);
            assertEquals(row.loss(), finished.get(i).loss(), 1e-5 * Math.max(1, row.loss()), events.toString());
            assertEquals(row.accuracy(), finished.get(i).accuracy(), 1e-6, events.toString());
            assertEquals(row.tuples(), finished.get(i).tuples());
        }
        assertTrue(events.stream().noneMatch(e -> e.startsWith("message")), "no NOTICE reached the client: " + events);
        assertTrue(events.indexOf("finished 1") >= 0
                && events.lastIndexOf("progress 3") > events.indexOf("finished 1"),
                "epoch 1 was reported while the training ran, before epoch 3 moved: " + events);
    }
}
