package org.corgipile.client;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Models from the catalog, used in this JVM (prediction and evaluation without the extension). */
final class ClientModels {
    private ClientModels() {
    }

    static ToDoubleFunction<double[]> predictor(Connection c, String name) throws SQLException {
        ModelCatalog.get(c, name);
        throw new CorgiPileException(CorgiPileException.FEATURE_NOT_SUPPORTED,
                "client-side prediction needs the operators engine, not merged yet");
    }

    static Map<String, Double> evaluate(Connection c, String model, String relation, String label, String features)
            throws SQLException {
        ModelCatalog.get(c, model);
        throw new CorgiPileException(CorgiPileException.FEATURE_NOT_SUPPORTED,
                "client-side evaluation needs the operators engine, not merged yet");
    }
}
