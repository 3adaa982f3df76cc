package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.corgipile.testsupport.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Early stopping reports what it keeps (issue 12): with {@code early_stop_patience} the stored model is the best
 * epoch's, and the catalog's {@code metrics} (kept_epoch, epochs_run, stopped_early and that epoch's numbers),
 * {@code params.best_epoch}, {@code spec} and a NOTICE say which epoch was kept and that training stopped early.
 *
 * <p>The validation relation has the training relation's labels flipped, so the better the model fits the
 * training rows the higher its validation loss: the best epoch is the first one, and with patience 2 training stops
 * after epoch 3 of 20. That holds for any seed and block order, so the test cannot pass by luck.
 */
@PostgresTest(extension = true)
class EarlyStoppingIT {
    @BeforeAll
    static void tables(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            s.execute("DROP TABLE IF EXISTS es_train, es_flipped");
            s.execute("SELECT setseed(0.5)");
            s.execute("CREATE TABLE es_train AS SELECT (x > 0)::int AS label, ARRAY[x, random() - 0.5] AS features "
                    + "FROM (SELECT random() * 2 - 1 AS x FROM generate_series(1, 4000)) r");
            s.execute("CREATE TABLE es_flipped AS SELECT 1 - label AS label, features FROM es_train LIMIT 1000");
            s.execute("DELETE FROM corgipile.models WHERE name = 'es_model'");
        }
    }

    @Test
    void theCatalogSaysWhichEpochWasKeptAndThatTrainingStoppedEarly(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = notice");
            List<Double> validationLoss = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT epoch, validation_loss FROM train_sgd('es_train', 'label', "
                    + "'features', epochs => 20, seed => 7, validation_relation => 'es_flipped', "
                    + "model_name => 'es_model', options => '{\"early_stop_patience\": 2}') ORDER BY epoch")) {
                while (rs.next()) {
                    assertEquals(validationLoss.size() + 1, rs.getInt(1));
                    validationLoss.add(rs.getDouble(2));
                }
            }
            // the flipped labels make every epoch worse than the first: stopped after 1 + patience epochs
            assertEquals(3, validationLoss.size(), validationLoss::toString);
            assertTrue(validationLoss.get(1) > validationLoss.get(0) && validationLoss.get(2) > validationLoss.get(0),
                    validationLoss::toString);
            String note = null;
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                if (w.getMessage().startsWith("early stopping")) {
                    note = w.getMessage();
                }
            }
            assertTrue(note != null && note.startsWith("early stopping: no lower loss for 2 epochs, stopped after "
                    + "epoch 3 of 20; the model kept is epoch 1's (validation loss "), String.valueOf(note));

            try (ResultSet rs = s.executeQuery("SELECT (metrics->>'kept_epoch')::int, (metrics->>'epochs_run')::int, "
                    + "(metrics->>'stopped_early')::boolean, (metrics->>'epoch')::int, "
                    + "(metrics->>'validation_loss')::float8, (params->>'best_epoch')::int, "
                    + "(spec->>'early_stop_patience')::int, (spec->>'epochs')::int, jsonb_array_length(epoch_log) "
                    + "FROM corgipile.models WHERE name = 'es_model'")) {
                assertTrue(rs.next(), "the model is stored");
                assertEquals(1, rs.getInt(1), "metrics.kept_epoch");
                assertEquals(3, rs.getInt(2), "metrics.epochs_run");
                assertTrue(rs.getBoolean(3), "metrics.stopped_early");
                assertEquals(1, rs.getInt(4), "the metrics are the kept epoch's");
                assertEquals(validationLoss.get(0), rs.getDouble(5), 1e-12, "the kept epoch's validation loss");
                assertEquals(1, rs.getInt(6), "params.best_epoch");
                assertEquals(2, rs.getInt(7), "spec.early_stop_patience");
                assertEquals(20, rs.getInt(8), "spec.epochs is what was asked");
                assertEquals(3, rs.getInt(9), "the epoch log has every epoch that ran");
            }
            // the stored parameters are epoch 1's: evaluating them gives epoch 1's validation loss, not epoch 3's
            try (ResultSet rs = s.executeQuery("SELECT value FROM sgd_evaluate('es_model', 'es_flipped', 'label', "
                    + "'features') WHERE metric = 'loss'")) {
                assertTrue(rs.next());
                assertEquals(validationLoss.get(0), rs.getDouble(1), 1e-9);
            }
        }
    }

    @Test
    void withoutEarlyStoppingTheMetricsSayNothingAboutIt(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = warning");
            s.execute("SELECT count(*) FROM train_sgd('es_train', 'label', 'features', epochs => 2, seed => 7, "
                    + "model_name => 'es_plain', options => '{\"overwrite\": true}')");
            try (ResultSet rs = s.executeQuery("SELECT metrics ? 'kept_epoch', metrics ? 'stopped_early', "
                    + "(metrics->>'epoch')::int, params ? 'best_epoch' FROM corgipile.models WHERE name = 'es_plain'")) {
                assertTrue(rs.next());
                assertFalse(rs.getBoolean(1));
                assertFalse(rs.getBoolean(2));
                assertEquals(2, rs.getInt(3), "the last epoch's metrics");
                assertFalse(rs.getBoolean(4));
            }
        }
    }
}
