package com.example;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import org.corgipile.client.CorgiPile;
import org.corgipile.client.CorgiPileException;
import org.corgipile.client.TrainMode;
import org.corgipile.client.TrainJob;
import org.corgipile.client.TrainingRun;
import org.corgipile.operators.TrainSpec;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Trains a logistic regression on a table of this database (created here: 20,000 rows, 8 features, stored sorted by
 * label), predicts one row and evaluates on a held-out table: in the database when it has the corgipile extension,
 * else in this JVM over JDBC. Usage: TrainAndPredict JDBC_URL
 */
public final class TrainAndPredict {
    public static void main(String[] args) throws SQLException {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(args[0]);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS sample_train, sample_test");
            s.execute("SELECT setseed(0.5)");
            s.execute("CREATE TABLE sample_train AS SELECT i AS id, (w > 0)::int AS label, x AS features FROM ("
                    + " SELECT i, x, x[1] + 0.5 * x[2] - x[3] AS w FROM ("
                    + "  SELECT i, ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 8) WHERE i > 0) AS x"
                    + "  FROM generate_series(1, 22000) i) r) t ORDER BY label, id");
            s.execute("CREATE TABLE sample_test AS SELECT * FROM sample_train WHERE id % 11 = 0");
            s.execute("DELETE FROM sample_train WHERE id % 11 = 0");
        }
        CorgiPile cp = CorgiPile.connect(ds);
        cp.install();   // the catalog, when the database has no extension; a no-op otherwise
        TrainingRun run = cp.train(TrainJob.on("sample_train")
                .spec(TrainSpec.builder().model("logistic").epochs(3).learningRate(0.1).blockSize(4).seed(7)
                        .overwrite(true))
                .modelName("sample_lr").mode(TrainMode.AUTO).build());
        System.out.println("trained in mode " + run.mode() + ", last epoch accuracy " + run.last().accuracy());
        double p = run.model().predict(0.9, 0.0, -0.5, 0, 0, 0, 0, 0);
        System.out.println("prediction for (0.9, 0, -0.5, 0...): " + p);
        Map<String, Double> metrics = cp.evaluate("sample_lr", "sample_test", "label", "features");
        System.out.println("test accuracy " + metrics.get("accuracy"));
        try {
            cp.model("no_such_model");
        } catch (CorgiPileException e) {
            System.out.println("unknown model: SQLSTATE " + e.getSQLState() + ", " + e.getMessage());
        }
    }
}
