package org.corgipile.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.corgipile.client.Json;
import org.corgipile.client.ModelInfo;
import org.junit.jupiter.api.Test;

/** The models list says which epoch's model is stored: with early stopping the best one, not the last. */
class KeptEpochTest {
    private static ModelInfo model(String metricsJson) throws Exception {
        ObjectNode row = Json.MAPPER.createObjectNode();
        row.set("metrics", Json.MAPPER.readTree(metricsJson));
        return new ModelInfo("m", "logistic", "t", null, Map.of(), row);
    }

    @Test
    void lastEpochWithoutEarlyStopping() throws Exception {
        assertEquals("10", ModelsCommand.keptEpoch(model("{\"epoch\": 10, \"accuracy\": 0.9}")));
    }

    @Test
    void bestEpochAndWhetherTrainingStoppedEarly() throws Exception {
        assertEquals("4 of 7 (stopped early)", ModelsCommand.keptEpoch(model(
                "{\"epoch\": 4, \"kept_epoch\": 4, \"epochs_run\": 7, \"stopped_early\": true}")));
        assertEquals("9 of 10 (best)", ModelsCommand.keptEpoch(model(
                "{\"epoch\": 9, \"kept_epoch\": 9, \"epochs_run\": 10, \"stopped_early\": false}")));
    }

    @Test
    void nothingForARowWithoutMetrics() throws Exception {
        assertEquals("", ModelsCommand.keptEpoch(model("{}")));
    }
}
