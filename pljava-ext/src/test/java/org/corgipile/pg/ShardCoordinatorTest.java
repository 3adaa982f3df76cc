package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.corgipile.operators.TrainingException;
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

    private static String reply(String server, String params, String model, long tuples, double seconds) {
        return "{\"server\": \"" + server + "\", \"reply\": {\"parameters\": " + params + ", \"model\": " + model
                + ", \"dimension\": 2, \"tuples\": " + tuples + ", \"running_loss\": 0.5, \"label_encoding\": "
                + "\"0/1\", \"skipped_tuples\": 0, \"seconds\": " + seconds + "}}";
    }

    private static String profile(String server, long tuples, String mean, String m2, int maxLabel) {
        return "{\"server\": \"" + server + "\", \"reply\": {\"dimension\": 2, \"sparse\": false, \"skipped_tuples\": "
                + "0, \"profile\": {\"tuples\": " + tuples + ", \"mean\": " + mean + ", \"m2\": " + m2
                + ", \"min_label\": 0, \"max_label\": " + maxLabel + ", \"integral_labels\": true}}}";
    }

    /**
     * Bug: the coordinator fixed its own buffer_memory and device_block 0 in the spec it sends, so no server sized
     * its blocks for its own disk. Not given, they stay open for each server (DeviceSizing.resolve there), and the
     * epoch log records what each server used; given in the call, they go to every server.
     */
    @Test
    @SuppressWarnings("unchecked")
    void serversResolveBudgetAndDeviceBlockThemselvesUnlessTheCallGivesThem() {
        Map<String, Object> state = start("{\"model\": \"logistic\", \"seed\": 3, \"standardize\": false}");
        Map<String, Object> spec = (Map<String, Object>) state.get("spec");
        assertTrue(spec.containsKey("buffer_memory") && spec.get("buffer_memory") == null, spec::toString);
        assertTrue(spec.containsKey("device_block") && spec.get("device_block") == null, spec::toString);
        String hdd = reply("hdd", "[1, 2, 3]", "[1, 2, 3]", 100, 1.0).replace("\"seconds\"", "\"block_size\": 128, "
                + "\"buffer_size\": 0.5, \"buffer_memory\": 134217728, \"device_block\": 128, \"storage\": "
                + "{\"seek_bound\": true}, \"seconds\"");
        String ssd = reply("ssd", "[1, 2, 3]", "[1, 2, 3]", 100, 1.0).replace("\"seconds\"", "\"block_size\": 16, "
                + "\"buffer_size\": 0.5, \"buffer_memory\": 67108864, \"device_block\": 0, \"seconds\"");
        state = merge(state, "train", "[" + hdd + ", " + ssd + "]");
        Map<String, Object> epoch = (Map<String, Object>) ((List<Object>) state.get("epochs")).get(0);
        Map<String, Object> sizes = (Map<String, Object>) epoch.get("server_sizes");
        assertEquals(Map.of("block_size", 128L, "buffer_size", 0.5, "buffer_memory", 134217728L, "device_block", 128L,
                "storage", Map.of("seek_bound", true)), sizes.get("hdd"));
        assertEquals(Map.of("block_size", 16L, "buffer_size", 0.5, "buffer_memory", 67108864L, "device_block", 0L),
                sizes.get("ssd"));

        spec = (Map<String, Object>) start("{\"model\": \"logistic\", \"seed\": 3, \"buffer_memory\": 33554432, "
                + "\"device_block\": 64}").get("spec");
        assertEquals(33554432L, ((Number) spec.get("buffer_memory")).longValue(), "given: the same for every server");
        assertEquals(64L, ((Number) spec.get("device_block")).longValue());
    }

    @Test
    @SuppressWarnings("unchecked")
    void averagesIteratesAndModelsWeightedByRowsAndKeepsEachServersSeconds() {
        Map<String, Object> state = start("{\"model\": \"logistic\", \"epochs\": 2, \"seed\": 3, "
                + "\"standardize\": false}");
        assertEquals(List.of("train"), state.get("rounds"), "standardize off: no profile round");
        state = merge(state, "train", "[" + reply("s1", "[1, 2, 3]", "[0, 0, 0]", 100, 1.5) + ", "
                + reply("s2", "[4, 5, 6]", "[4, 4, 4]", 300, 0.5) + "]");
        Args model = new Args((Map<String, Object>) state.get("model"));
        assertArrayEquals(new double[] {3.25, 4.25, 5.25}, model.doubles("iterate"), 1e-12);
        assertArrayEquals(new double[] {3, 3, 3}, model.doubles("parameters"), 1e-12);
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
    @SuppressWarnings("unchecked")
    void theProfileRoundCombinesServersIntoTheWholeTablesStandardisationAndClasses() {
        // s1: x0 in {0, 2} (mean 1, m2 2), s2: x0 in {4, 6, 8} (mean 6, m2 8); all five: mean 4, m2 40, var 10
        Map<String, Object> state = start("{\"model\": \"softmax\", \"seed\": 3}");
        assertEquals(List.of("profile", "train"), state.get("rounds"));
        state = merge(state, "profile", "[" + profile("s1", 2, "[1, 5]", "[2, 0]", 1) + ", "
                + profile("s2", 3, "[6, 5]", "[8, 0]", 4) + "]");
        assertEquals(true, ((Map<String, Object>) state.get("spec")).get("standardize"), "dense: standardised");
        assertEquals(List.of("train"), state.get("rounds"));
        Args model = new Args((Map<String, Object>) state.get("model"));
        assertArrayEquals(new double[] {4, 5}, model.doubles("feature_mean"), 1e-12);
        assertArrayEquals(new double[] {Math.sqrt(10), 1}, model.doubles("feature_std"), 1e-12,
                "the whole table's deviation; a constant feature gets 1");
        assertEquals(5, ((Number) model.object("params").get("classes")).intValue(), "largest label 4 + 1");
        assertNull(model.raw("parameters"), "epoch 1 starts from the seed's model on every server");
    }

    @Test
    void serversThatDisagreeOnTheFeaturesAreAnError() {
        Map<String, Object> state = start("{\"model\": \"logistic\", \"standardize\": false}");
        String other = reply("s2", "[4, 5]", "[4, 5]", 300, 0.5).replace("\"dimension\": 2", "\"dimension\": 1");
        TrainingException e = assertThrows(TrainingException.class, () -> merge(state, "train", "["
                + reply("s1", "[1, 2, 3]", "[1, 2, 3]", 100, 1) + ", " + other + "]"));
        assertEquals(TrainingException.DATA_EXCEPTION, e.sqlState());
    }

    @Test
    void refusesTheGpu() {
        assertEquals("0A000", assertThrows(TrainingException.class, () -> start("{\"device\": \"gpu\"}")).sqlState());
    }
}
