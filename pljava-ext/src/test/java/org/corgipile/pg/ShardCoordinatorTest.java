package org.corgipile.pg;

import org.corgipile.operators.TrainingException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The coordinator's arithmetic of sharded training, on the JSON the servers send back. */
class ShardCoordinatorTest {

    private static Map<String, Object> start(String spec) {
        return roundTrip(ShardCoordinator.start(new Args(Json.parseObject("{\"spec\": " + spec + "}"))));
    }

    /** One merge, its result round-tripped through JSON as between the calls of corgipile.train_sharded. */
    private static Map<String, Object> merge(Map<String, Object> state, String kind, String replies) {
        return roundTrip(ShardCoordinator.merge(new Args(Json.parseObject("{\"state\": " + Json.write(state)
                + ", \"kind\": \"" + kind + "\", \"epoch\": 1, \"seconds\": 2.5, \"replies\": " + replies + "}"))));
    }

    private static Map<String, Object> roundTrip(Map<String, Object> m) {
        return Json.parseObject(Json.write(m));
    }

    private static String reply(String server, String params, long tuples, double seconds) {
        return "{\"server\": \"" + server + "\", \"reply\": {\"parameters\": " + params + ", \"dimension\": 2, "
                + "\"tuples\": " + tuples + ", \"running_loss\": 0.5, \"label_encoding\": \"0/1\", "
                + "\"skipped_tuples\": 0, \"seconds\": " + seconds + "}}";
    }

    @Test
    @SuppressWarnings("unchecked")
    void averagesParametersWeightedByRowsAndKeepsEachServersSeconds() {
        Map<String, Object> state = start("{\"model\": \"logistic\", \"epochs\": 2, \"seed\": 3}");
        state = merge(state, "train", "[" + reply("s1", "[1, 2, 3]", 100, 1.5) + ", "
                + reply("s2", "[4, 5, 6]", 300, 0.5) + "]");
        Args model = new Args((Map<String, Object>) state.get("model"));
        assertArrayEquals(new double[] {3.25, 4.25, 5.25}, model.doubles("parameters"), 1e-12);
        Map<String, Object> epoch = (Map<String, Object>) ((List<Object>) state.get("epochs")).get(0);
        assertEquals(400L, ((Number) epoch.get("tuples")).longValue());
        assertEquals(2.5, ((Number) epoch.get("seconds")).doubleValue());
        assertEquals(Map.of("s1", 1.5, "s2", 0.5), epoch.get("servers"));

        state = merge(state, "evaluate", "[{\"server\": \"s1\", \"reply\": {\"metrics\": {\"loss\": 0.2, "
                + "\"accuracy\": 0.9, \"tuples\": 100}}}, {\"server\": \"s2\", \"reply\": {\"metrics\": {\"loss\": "
                + "0.6, \"accuracy\": 0.7, \"tuples\": 300}}}]");
        epoch = (Map<String, Object>) ((List<Object>) state.get("epochs")).get(0);
        assertEquals(0.5, ((Number) epoch.get("loss")).doubleValue(), 1e-12);
        assertEquals(0.75, ((Number) epoch.get("accuracy")).doubleValue(), 1e-12);
    }

    @Test
    void serversThatDisagreeOnTheFeaturesAreAnError() {
        Map<String, Object> state = start("{\"model\": \"logistic\"}");
        String other = reply("s2", "[4, 5]", 300, 0.5).replace("\"dimension\": 2", "\"dimension\": 1");
        TrainingException e = assertThrows(TrainingException.class,
                () -> merge(state, "train", "[" + reply("s1", "[1, 2, 3]", 100, 1) + ", " + other + "]"));
        assertEquals(TrainingException.DATA_EXCEPTION, e.sqlState());
    }

    @Test
    void refusesWhatNeedsTheWholeTableOnOneServer() {
        assertEquals("0A000", assertThrows(TrainingException.class,
                () -> start("{\"standardize\": true}")).sqlState());
        assertEquals("0A000", assertThrows(TrainingException.class,
                () -> start("{\"early_stop_patience\": 2}")).sqlState());
        assertEquals(TrainingException.INVALID_PARAMETER_VALUE, assertThrows(TrainingException.class,
                () -> start("{\"model\": \"softmax\"}")).sqlState());
    }
}
