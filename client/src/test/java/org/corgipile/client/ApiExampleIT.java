package org.corgipile.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import javax.sql.DataSource;

import org.corgipile.operators.EpochStats;
import org.corgipile.operators.TrainSpec;
import org.corgipile.testsupport.PostgresTest;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The Java example of docs/client.md, as written there (only the URL and the table come from the harness). */
@PostgresTest
class ApiExampleIT {
    @Test
    void theDocumentedExampleRuns(TestDatabase db, DataSource harness) throws Exception {
        ClusteredTable.create(harness, "higgs_train", 10_000, 0.42);
        ClusteredTable.create(harness, "higgs_test", 2_000, -0.17);
        String url = db.jdbcUrl();
        StringBuilder printed = new StringBuilder();

        // ---- docs/client.md "Java API" from here
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url);                                   // e.g. jdbc:postgresql://db.example.com/analytics?user=me
        CorgiPile cp = CorgiPile.connect(ds);
        cp.install();                                     // only needed without the extension; a no-op afterwards

        TrainJob job = TrainJob.on("higgs_train")
                .label("label").features("features")
                .spec(TrainSpec.builder().model("logistic").shuffle("corgipile").epochs(3).learningRate(0.05)
                        .blockSize(1).bufferSize(0.2).seed(42))
                .modelName("higgs_lr").validation("higgs_test")
                .mode(TrainMode.AUTO)                     // server with the extension, else client
                .build();
        TrainingRun run = cp.train(job, new TrainingListener() {
            @Override
            public void epochFinished(EpochStats e) {
                printed.append(String.format("epoch %d: loss %.4f, accuracy %.4f%n", e.epoch(), e.loss(),
                        e.accuracy()));
            }
        });
        double label = run.model().predict(0.3, 0.9, -0.2, 0.1, 0.0, 0.5, -0.7, 0.2);
        Map<String, Double> metrics = cp.model("higgs_lr").evaluate("higgs_test", "label", "features");
        String json = cp.exportJson("higgs_lr");
        // ---- to here

        assertEquals(TrainMode.CLIENT, run.mode());
        assertEquals(3, printed.toString().lines().count(), printed.toString());
        assertEquals(1.0, label, "0.3 + 2*0.9 + 0.2 + 0.05 - 0.2 > 0");
        assertEquals(run.last().validationAccuracy(), metrics.get("accuracy"), 1e-9);
        assertTrue(json.contains("\"name\" : \"higgs_lr\""), json);
    }
}
