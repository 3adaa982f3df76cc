package org.corgipile.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.corgipile.operators.TrainSpec;

/**
 * Bug: client-side prediction and export read a query's features with {@code ::float8} casts, so a numeric below
 * double precision (1e-400) failed with PostgreSQL's bare 22003 where training reads it as 0, and one beyond it
 * (1e400) with the same bare error where training names the column. Predictions now read features as training does,
 * with the extension (sgd_predict) and without it: a numeric table predicts as its float8 twin, one beyond double
 * precision is training's 22003 naming the column and the row of the query. {@code prefix} keeps the tables of the
 * two callers (ServerVsClientIT, ClientModeIT) apart.
 */
final class NumericPredictions {
    private NumericPredictions() {
    }

    static void predictAsTrainingReads(DataSource ds, TrainMode mode, String prefix) throws SQLException {
        String values = "SELECT i, ARRAY[i %% 7 - 3, CASE WHEN i %% 3 = 0 THEN %1$s ELSE 0.5 END, i %% 2] AS features, "
                + "i %% 7 - 3 AS a, CASE WHEN i %% 3 = 1 THEN -%1$s ELSE 0.25 END AS b FROM generate_series(1, 30) i";
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + prefix + "_train AS SELECT (i % 7 - 3) * 0.5 + i % 2 AS label, "
                    + "ARRAY[i % 7 - 3, i % 3, i % 2]::float8[] AS features, (i % 7 - 3)::float8 AS a, "
                    + "(i % 3)::float8 AS b FROM generate_series(1, 60) i");
            s.execute("CREATE TABLE " + prefix + "_numeric AS SELECT i, features::numeric[], a::numeric, b::numeric "
                    + "FROM (" + String.format(values, "1e-400") + ") v");
            s.execute("CREATE TABLE " + prefix + "_float8 AS SELECT i, features::float8[], a::float8, b::float8 "
                    + "FROM (" + String.format(values, "0") + ") v");
            s.execute("CREATE TABLE " + prefix + "_huge AS SELECT i, ARRAY[i, CASE WHEN i = 4 THEN 1e400 ELSE 1 END, "
                    + "1]::numeric[] AS features, i::numeric AS a, CASE WHEN i = 4 THEN -1e400 ELSE 1 END::numeric "
                    + "AS b FROM generate_series(1, 10) i");
        }
        CorgiPile cp = CorgiPile.connect(ds);
        for (String features : List.of("features", "a, b")) {
            String model = prefix + "_" + features.replace(", ", "_");
            cp.train(TrainJob.on(prefix + "_train").mode(mode).features(features).modelName(model)
                    .spec(TrainSpec.builder().model("linear").shuffle("none").epochs(2).seed(1)).build());
            List<Double> twin = stream(cp, model, prefix + "_float8", features);
            assertEquals(30, twin.size());
            assertEquals(twin, stream(cp, model, prefix + "_numeric", features),
                    features + ": the numeric query predicts as its float8 twin");
            assertEquals(30, cp.predictInto(model, "SELECT i, " + features + " FROM " + prefix + "_numeric", features,
                    model + "_into"));
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT prediction FROM " + model + "_into ORDER BY i")) {
                List<Double> into = new ArrayList<>();
                while (rs.next()) {
                    into.add(rs.getDouble(1));
                }
                assertEquals(twin, into, features + ": predicted into a table as its float8 twin");
            }
            CorgiPileException e = assertThrows(CorgiPileException.class,
                    () -> stream(cp, model, prefix + "_huge", features));
            assertEquals("22003", e.getSQLState(), e.getMessage());
            assertEquals("features \"" + (features.equals("features") ? "features" : "b") + "\" of row 4 of the "
                    + "query contain a numeric beyond the range of double precision", e.getMessage());
            assertEquals("Double precision holds magnitudes up to about 1e308: rescale those values first, e.g. into "
                    + "a new table.", e.hint());
        }
    }

    private static List<Double> stream(CorgiPile cp, String model, String table, String features)
            throws SQLException {
        List<Double> out = new ArrayList<>();
        cp.predict(model, "SELECT i, " + features + " FROM " + table + " ORDER BY i", features,
                new Predictions.RowSink() {
                    @Override
                    public void row(List<String> values, double prediction) {
                        out.add(prediction);
                    }
                });
        return out;
    }
}
