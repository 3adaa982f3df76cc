package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.TrainingException;
import org.corgipile.operators.TupleBuffer;
import org.junit.jupiter.api.Test;

/** The coordinator's arithmetic of sharded training, on the JSON the servers send back. */
class ShardCoordinatorTest {

    private static Map<String, Object> start(String spec) {
        return roundTrip(ShardCoordinator.start(new Args(Json.parseObject("{\"spec\": " + spec + "}"))));
    }

    /** One merge, its result round-tripped through JSON as between the calls of corgipile.train_sharded. */
    private static Map<String, Object> merge(Map<String, Object> state, String kind, String replies) {
        return merge(state, kind, 1, replies);
    }

    private static Map<String, Object> merge(Map<String, Object> state, String kind, int epoch, String replies) {
        return roundTrip(ShardCoordinator.merge(new Args(Json.parseObject("{\"state\": " + Json.write(state)
                + ", \"kind\": \"" + kind + "\", \"epoch\": " + epoch + ", \"started\": "
                + (System.currentTimeMillis() / 1000.0 - 2.5) + ", \"replies\": "
                + replies + "}"))));
    }

    /** {@link #reply} with a part of the training sample: {@code rows} rows of label {@code label}, x = (label, i). */
    private static String reply(String server, long tuples, int rows, int label) {
        TupleBuffer b = new TupleBuffer(FeatureShape.dense(2), rows);
        for (int i = 0; i < rows; i++) {
            b.addDense(label, i, new double[] {label, i}, 0);
        }
        return reply(server, "[0, 0, 1]", "[0, 0, 1]", tuples, 1).replace("\"seconds\"",
                "\"sample\": " + Json.write(ShardCoordinator.sampleJson(b)) + ", \"seconds\"");
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
        // from the round's start (2.5 s before the call) to the merge, not a number the caller measured
        assertTrue(((Number) epoch.get("seconds")).doubleValue() >= 2.5, "seconds " + epoch.get("seconds"));
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

    /**
     * Bug: a sharded table's training accuracy under the default metrics was NULL. Now epoch 1 asks every shard for
     * its share of the sample (here no profile round: equal shares), pools the parts in proportion to the rows each
     * shard trained on, and measures every epoch's averaged model on the pool. s1 trained on 30,000 rows (label 1),
     * s2 on 10,000 (label 0), each sent 2,000: the pool is 750 + 250 rows (1,000: one in a hundred of 40,000), so a
     * model that predicts 1 everywhere is 75% right, as on the whole table; a pool of the parts as sent would say 50%.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aShardedTablesTrainingAccuracyUnderTheDefaultMetricsIsMeasuredOnAProportionalPool() {
        Map<String, Object> state = start("{\"model\": \"logistic\", \"epochs\": 2, \"seed\": 3, "
                + "\"standardize\": false}");
        Map<String, Object> shares = (Map<String, Object>) ((Map<String, Object>) state.get("model"))
                .get("sample_shares");
        assertEquals(Map.of("0", 1.0), shares, "no servers named: one shard");
        state = merge(state, "train", "[" + reply("s1", 30_000, 2_000, 1) + ", " + reply("s2", 10_000, 2_000, 0)
                + "]");
        assertNull(((Map<String, Object>) state.get("model")).get("sample_shares"), "asked in epoch 1 only");
        Map<String, Object> epoch = (Map<String, Object>) ((List<Object>) state.get("epochs")).get(0);
        assertEquals(0.75, ((Number) epoch.get("accuracy")).doubleValue(), 1e-12);
        assertEquals(1_000L, ((Number) epoch.get("sample_tuples")).longValue());
        TupleBuffer pool = ShardCoordinator.pool((String) state.get("sample")).rows();
        assertEquals(1_000, pool.size());
        assertEquals(749.0, pool.dense()[749 * 2 + 1], "s1's first 750 rows, then s2's first 250");
        assertEquals(0.0, pool.label(750));
        // epoch 2: no parts sent, the pool kept in the state measures the new averaged model (x0 > 0: all right)
        state = merge(state, "train", 2, "[" + reply("s1", "[0, 0, 0]", "[1, 0, -0.5]", 30_000, 1) + ", "
                + reply("s2", "[0, 0, 0]", "[1, 0, -0.5]", 10_000, 1) + "]");
        epoch = (Map<String, Object>) ((List<Object>) state.get("epochs")).get(1);
        assertEquals(1.0, ((Number) epoch.get("accuracy")).doubleValue(), 1e-12);

        // a shard that trained on rows but sent no part (an older server): no uniform pool, no accuracy
        Map<String, Object> old = merge(start("{\"model\": \"logistic\", \"seed\": 3, \"standardize\": false}"),
                "train", "[" + reply("s1", 30_000, 2_000, 1) + ", " + reply("s2", "[0, 0, 1]", "[0, 0, 1]", 100, 1)
                + "]");
        assertNull(((Map<String, Object>) ((List<Object>) old.get("epochs")).get(0)).get("accuracy"));
        // train_metrics pass and linear ask for no sample
        assertNull(((Map<String, Object>) start("{\"model\": \"linear\", \"standardize\": false}").get("model"))
                .get("sample_shares"));
        assertNull(((Map<String, Object>) start("{\"model\": \"svm\", \"standardize\": false, "
                + "\"train_metrics\": \"pass\"}").get("model")).get("sample_shares"));
    }

    /**
     * The profile round's rows (as each shard estimates them) give each shard its share of the sample, of the rows
     * the pool will need.
     */
    @Test
    @SuppressWarnings("unchecked")
    void eachShardsShareOfTheSampleFollowsItsRowsInTheProfile() {
        Map<String, Object> state = start("{\"model\": \"logistic\", \"seed\": 3}");
        state = merge(state, "profile", "[" + profile("local", 1_000, "[1, 5]", "[2, 0]", 1)
                .replace("\"sparse\"", "\"shard\": 0, \"sparse\"") + ", " + profile("s1", 3_000, "[1, 5]",
                "[2, 0]", 1).replace("\"sparse\"", "\"shard\": 1, \"sparse\"") + "]");
        Map<String, Object> shares = (Map<String, Object>) ((Map<String, Object>) state.get("model"))
                .get("sample_shares");
        // 4,000 rows: a pool of 1,000 rows, and the shards are asked for 1,500 of the 10,000 (the rows are estimates)
        assertEquals(0.25 * 0.15, ((Number) shares.get("0")).doubleValue(), 1e-12);
        assertEquals(0.75 * 0.15, ((Number) shares.get("1")).doubleValue(), 1e-12);
        // a million rows: a pool of 10,000 rows, the whole sample
        state = merge(start("{\"model\": \"logistic\", \"seed\": 3}"), "profile", "[" + profile("s1", 250_000,
                "[1, 5]", "[2, 0]", 1).replace("\"sparse\"", "\"shard\": 1, \"sparse\"") + ", " + profile("s2",
                750_000, "[1, 5]", "[2, 0]", 1).replace("\"sparse\"", "\"shard\": 2, \"sparse\"") + "]");
        shares = (Map<String, Object>) ((Map<String, Object>) state.get("model")).get("sample_shares");
        assertEquals(0.25, ((Number) shares.get("1")).doubleValue(), 1e-12);
        assertEquals(0.75, ((Number) shares.get("2")).doubleValue(), 1e-12);
    }

    /**
     * A part of the sample travels as JSON: dense rows row-major, sparse rows as row ends, indices and values; the
     * doubles packed (base64 of little-endian doubles), every bit kept.
     */
    @Test
    void sampleRowsTravelAsJsonUnchanged() {
        TupleBuffer sparse = new TupleBuffer(FeatureShape.sparse(100), 4);
        sparse.addSparse(1, 0, new int[] {3, 70}, new double[] {0.1, -2.5e-300}, 0, 2);
        sparse.addSparse(-1, 1, new int[0], new double[0], 0, 0);
        sparse.addSparse(1, 2, new int[] {99}, new double[] {1.0 / 3}, 0, 1);
        TupleBuffer back = ShardCoordinator.sampleRows(new Args(Json.parseObject(Json.write(
                ShardCoordinator.sampleJson(sparse)))));
        assertEquals(3, back.size());
        assertTrue(back.shape().sparse());
        assertEquals(-1.0, back.label(1));
        assertEquals(0, back.rowEnd(1) - back.rowStart(1));
        assertEquals(70, back.indices()[back.rowStart(0) + 1]);
        assertEquals(-2.5e-300, back.values()[back.rowStart(0) + 1]);
        assertEquals(1.0 / 3, back.values()[back.rowStart(2)], "bit for bit");
        Map<String, Object> bad = Json.parseObject(Json.write(ShardCoordinator.sampleJson(sparse)));
        bad.put("row_ends", List.of(2, 1, 3));
        assertEquals("22023", assertThrows(TrainingException.class, () -> ShardCoordinator.sampleRows(
                new Args(bad))).sqlState());

        TupleBuffer dense = new TupleBuffer(FeatureShape.dense(3), 2);
        dense.addDense(1, 0, new double[] {Math.PI, -0.0, Double.MIN_VALUE}, 0);
        dense.addDense(0, 1, new double[] {Double.NaN, 1e308, -1.0 / 3}, 0);
        Map<String, Object> json = Json.parseObject(Json.write(ShardCoordinator.sampleJson(dense)));
        assertTrue(json.get("features") instanceof String, "packed, not a list of numbers");
        back = ShardCoordinator.sampleRows(new Args(json));
        assertEquals(2, back.size());
        assertEquals(0.0, back.label(1));
        assertArrayEquals(new double[] {Math.PI, -0.0, Double.MIN_VALUE, Double.NaN, 1e308, -1.0 / 3},
                java.util.Arrays.copyOf(back.dense(), 6), "bit for bit");
    }

    /** A malformed packed part of the sample is 22023 naming the field, not a Java exception. */
    @Test
    void aMalformedPackedSampleIs22023NamingTheField() {
        TupleBuffer dense = new TupleBuffer(FeatureShape.dense(3), 2);
        dense.addDense(1, 0, new double[] {1, 2, 3}, 0);
        dense.addDense(0, 1, new double[] {4, 5, 6}, 0);
        String good = Json.write(ShardCoordinator.sampleJson(dense));
        Map<String, Object> json = Json.parseObject(good);
        String features = (String) json.get("features");
        for (Object badFeatures : List.of("not base64!", features.substring(0, features.length() - 4),
                List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0), Json.pack(new double[5], 0, 5))) {
            Map<String, Object> bad = Json.parseObject(good);
            bad.put("features", badFeatures);
            TrainingException e = assertThrows(TrainingException.class, () -> ShardCoordinator.sampleRows(
                    new Args(Map.of("sample", bad)).args("sample")));
            assertEquals("22023", e.sqlState(), e.getMessage());
            assertTrue(e.getMessage().startsWith("sample.features must be base64 of"), e.getMessage());
        }
        Map<String, Object> bad = Json.parseObject(good);
        bad.put("labels", "AAAA");
        TrainingException e = assertThrows(TrainingException.class, () -> ShardCoordinator.sampleRows(
                new Args(Map.of("sample", bad)).args("sample")));
        assertEquals("22023", e.sqlState());
        assertTrue(e.getMessage().startsWith("sample.labels must be base64 of little-endian doubles"), e.getMessage());
    }

    /**
     * Bug: a sharded round's seconds were measured by the coordinator's SQL before the round's replies went through
     * jsonb, text and this call's parse, so that part of the round (a large part in epoch 1, with the accuracy
     * sample's parts) was in no epoch's seconds, only in the call's. The merge now counts from the round's start.
     */
    @Test
    void aRoundsSecondsRunFromItsStartToTheMergeAndAMissingStartIs22023() {
        Map<String, Object> state = start("{\"model\": \"logistic\", \"epochs\": 1, \"standardize\": false}");
        TrainingException e = assertThrows(TrainingException.class, () -> ShardCoordinator.merge(new Args(
                Json.parseObject("{\"state\": " + Json.write(state) + ", \"kind\": \"train\", \"epoch\": 1, "
                        + "\"seconds\": 2.5, \"replies\": [" + reply("s1", "[1, 2, 3]", "[0, 0, 0]", 100, 1.5)
                        + "]}"))));
        assertEquals("22023", e.sqlState(), e.getMessage());
        assertTrue(e.getMessage().startsWith("missing argument started (the round's start in seconds since 1970)"),
                e.getMessage());
    }
}
