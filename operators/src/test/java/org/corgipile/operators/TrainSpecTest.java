package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrainSpecTest {
    /** The one rule of "is this a classifier" agrees with every model's kind (a new regression model must say so). */
    @Test
    void aSpecIsAClassifierExactlyWhenItsModelIsNotARegression() {
        for (String type : TrainSpec.MODELS) {
            TrainSpec spec = TrainSpec.fromOptions(Map.of("model", type));
            org.corgipile.operators.model.Model model = org.corgipile.operators.model.Model.create(type, 3, 3,
                    new int[] {4});
            assertEquals(model.kind() != org.corgipile.operators.model.Model.Kind.REGRESSION, spec.classifier(), type);
        }
        assertFalse(TrainSpec.fromOptions(Map.of("model", "linear")).classifier());
    }

    @Test
    void defaultsAreFilledInAndTheSeedIsRecorded() {
        TrainSpec spec = TrainSpec.fromOptions(Map.of());
        Map<String, Object> m = spec.toMap();
        assertEquals(TrainSpec.KEYS, List.copyOf(m.keySet()));
        assertEquals("logistic", m.get("model"));
        assertEquals("corgipile", m.get("shuffle"));
        assertEquals(10, m.get("epochs"));
        assertNull(m.get("learning_rate"), "derived from the features at training time (withDataDefaults)");
        assertEquals("exponential", m.get("schedule"));
        assertEquals(0.95, m.get("decay"));
        assertEquals(1, m.get("batch_size"));
        assertNull(m.get("block_size"), "derived from the table at training time (Sizing)");
        assertNull(m.get("buffer_size"), "derived from the table at training time (Sizing)");
        assertEquals(64L << 20, m.get("buffer_memory"));
        assertEquals("cpu", m.get("device"));
        assertEquals("running", m.get("train_metrics"));
        assertNotNull(m.get("seed"));
        // the resolved map reproduces the same spec, seed included
        assertEquals(spec, TrainSpec.fromOptions(m));
        assertEquals(spec.seed(), TrainSpec.fromOptions(m).seed());
    }

    @Test
    void theDefaultLearningRateFollowsTheWidthOfDenseRows() {
        assertEquals(0.01, TrainSpec.defaultLearningRate("logistic", FeatureShape.dense(28)));
        assertEquals(0.01, TrainSpec.defaultLearningRate("logistic", FeatureShape.dense(100)));
        assertEquals(0.0013, TrainSpec.defaultLearningRate("logistic", FeatureShape.dense(784)));
        assertEquals(0.0005, TrainSpec.defaultLearningRate("logistic", FeatureShape.dense(2000)));
        assertEquals(0.01, TrainSpec.defaultLearningRate("logistic", FeatureShape.sparse(1_000_000)));
        assertEquals(0.0013, TrainSpec.defaultLearningRate("softmax", FeatureShape.dense(784)));
        assertEquals(0.01, TrainSpec.defaultLearningRate("mlp", FeatureShape.dense(784)));
        assertEquals("learning_rate 0.01 (derived: mlp); standardize on (dense features)", TrainSpec.fromOptions(
                Map.of("model", "mlp")).describeDataDefaults(FeatureShape.dense(784)));
        TrainSpec spec = TrainSpec.fromOptions(Map.of("seed", 1));
        TrainSpec wide = spec.withDataDefaults(FeatureShape.dense(784));
        assertEquals(0.0013, wide.toMap().get("learning_rate"));
        assertEquals(0.0013 * 0.95, wide.learningRate(2), 1e-15);
        assertEquals(true, wide.toMap().get("standardize"));
        assertEquals("learning_rate 0.0013 (derived: min(0.01, 1/784 features)); standardize on (dense features)",
                spec.describeDataDefaults(FeatureShape.dense(784)));
        // explicit arguments win and are not described
        TrainSpec given = TrainSpec.fromOptions(Map.of("seed", 1, "learning_rate", 0.1, "standardize", false));
        assertEquals(0.1, given.withDataDefaults(FeatureShape.dense(784)).learningRate());
        assertNull(given.describeDataDefaults(FeatureShape.dense(784)));
    }

    @Test
    void sqlStyleValuesAreAccepted() {
        Map<String, Object> o = new HashMap<>();
        o.put("MODEL", "MLP");
        o.put("epochs", 3L);
        o.put("learning_rate", new BigDecimal("0.05"));
        o.put("hidden", "{32,16}");
        o.put("standardize", "true");
        o.put("seed", "42");
        o.put("buffer_size", 5000);
        o.put("l2", null);
        TrainSpec spec = TrainSpec.fromOptions(o);
        assertEquals("mlp", spec.model());
        assertEquals(3, spec.epochs());
        assertEquals(0.05, spec.learningRate());
        assertEquals(List.of(32, 16), spec.toMap().get("hidden"));
        assertTrue(spec.standardize());
        assertEquals(42, spec.seed());
        assertFalse(spec.bufferIsFraction());
        assertEquals(5000, spec.bufferSize());
        assertEquals(0.0, spec.l2());
        assertEquals(0, spec.classes(), "inferred from the data");
        assertNull(spec.toMap().get("classes"));
    }

    @Test
    void schedulesFollowTheirFormula() {
        TrainSpec exp = TrainSpec.builder().learningRate(0.2).decay(0.5).build();
        assertEquals(0.2, exp.learningRate(1));
        assertEquals(0.05, exp.learningRate(3), 1e-15);
        TrainSpec inv = TrainSpec.builder().learningRate(0.2).schedule("inverse").decay(2).build();
        assertEquals(0.2 / 5, inv.learningRate(3), 1e-15);
        TrainSpec c = TrainSpec.builder().learningRate(0.2).schedule("constant").build();
        assertEquals(0.2, c.learningRate(7));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "epochs|0|epochs must be between 1 and 100000, got 0",
        "epochs|2.5|epochs must be an integer between 1 and 100000, got \"2.5\"",
        "epochs|ten|epochs must be an integer between 1 and 100000, got \"ten\"",
        "learning_rate|0|learning_rate must be in (0, 1000000], got 0",
        "learning_rate|-1|learning_rate must be in (0, 1000000], got -1",
        "learning_rate|NaN|learning_rate must be a number in (0, 1000000], got NaN",
        "decay|1.5|decay must be in (0, 1], got 1.5",
        "l2|-0.1|l2 must be in [0, 1000000], got -0.1",
        "l1|-1|l1 must be in [0, 1000000], got -1",
        "batch_size|0|batch_size must be between 1 and 1048576, got 0",
        "block_size|0|block_size must be between 1 and 1073741824, got 0",
        "buffer_size|0|buffer_size must be a fraction in (0, 1] of the table or a tuple count between 2 and 2147483647, got 0",
        "buffer_size|1.5|buffer_size must be a fraction in (0, 1] of the table or a tuple count between 2 and 2147483647, got 1.5",
        "early_stop_patience|-1|early_stop_patience must be between 0 and 1000, got -1",
        "shuffle|random|shuffle must be one of corgipile, block_only, none, shuffle_once, epoch_shuffle, sliding_window, mrs, got \"random\"",
        "model|tree|model must be one of logistic, svm, linear, softmax, mlp, got \"tree\"",
        "schedule|step|schedule must be one of constant, exponential, inverse, got \"step\"",
        "device|tpu|device must be one of cpu, gpu, auto, got \"tpu\"",
        "standardize|maybe|standardize must be a boolean (true or false), got \"maybe\"",
        "train_metrics|both|train_metrics must be one of pass, running, got \"both\"",
    })
    void outOfRangeValuesNameTheArgumentAndRange(String key, String value, String message) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> TrainSpec.fromOptions(Map.of(key, value)));
        assertEquals(message, e.getMessage());
        assertEquals("22023", e.sqlState());
    }

    /**
     * The hints of block_size and class_weights go with every error about them, whichever check finds it: the range,
     * the conversion of a string or a number, the type (a null weight and a list's size are checked by
     * classWeights itself).
     */
    @Test
    void everyErrorAboutBlockSizeOrClassWeightsCarriesItsHint() {
        String blockSize = "block_size counts 8 kB heap pages; a block_size above the table's pages reads the table "
                + "as one block. Leave it out to derive it from the table.";
        for (Object v : new Object[] {0, 1L << 31, "x", 1.5, true, new java.math.BigInteger("99999999999999999999")}) {
            InvalidSpecException e = assertThrows(InvalidSpecException.class,
                    () -> TrainSpec.fromOptions(Map.of("block_size", v)), String.valueOf(v));
            assertTrue(e.getMessage().startsWith("block_size must be "), e.getMessage());
            assertEquals(blockSize, e.hint(), String.valueOf(v));
        }
        String classWeights = "For example [1, 5] to count each positive row of a binary model five times.";
        List<Object> nullWeight = new java.util.ArrayList<>(List.of(1));
        nullWeight.add(null);
        for (Object v : new Object[] {List.of(1), "[1, x]", "[1, NaN]", List.of(1, Double.POSITIVE_INFINITY),
                List.of(1, true), 7, nullWeight}) {
            InvalidSpecException e = assertThrows(InvalidSpecException.class,
                    () -> TrainSpec.fromOptions(Map.of("class_weights", v)), String.valueOf(v));
            assertTrue(e.getMessage().startsWith("class_weights must be "), e.getMessage());
            assertEquals(classWeights, e.hint(), String.valueOf(v));
        }
    }

    @Test
    void wrongTypesAndCombinationsAreRefused() {
        assertEquals("epochs must be an integer between 1 and 100000, got a boolean",
                assertThrows(InvalidSpecException.class, () -> TrainSpec.fromOptions(Map.of("epochs", true)))
                        .getMessage());
        assertEquals("model must be a text value (one of logistic, svm, linear, softmax, mlp), got a number",
                assertThrows(InvalidSpecException.class, () -> TrainSpec.fromOptions(Map.of("model", 3)))
                        .getMessage());
        assertEquals("epochs must be an integer between 1 and 100000, got 2.5",
                assertThrows(InvalidSpecException.class, () -> TrainSpec.fromOptions(Map.of("epochs", 2.5)))
                        .getMessage());
        assertEquals(4, TrainSpec.fromOptions(Map.of("epochs", 4.0)).epochs());
        InvalidSpecException unknown = assertThrows(InvalidSpecException.class,
                () -> TrainSpec.fromOptions(Map.of("epoch", 3)));
        assertEquals("unknown training argument \"epoch\"", unknown.getMessage());
        assertTrue(unknown.hint().contains("epochs"));
        assertEquals("hidden only applies to model mlp (model is logistic)",
                assertThrows(InvalidSpecException.class, () -> TrainSpec.fromOptions(Map.of("hidden", "8")))
                        .getMessage());
        assertEquals("hidden must be a list of 1 or 2 layer widths, each between 1 and 16384, got 3 layers",
                assertThrows(InvalidSpecException.class,
                        () -> TrainSpec.fromOptions(Map.of("model", "mlp", "hidden", List.of(4, 4, 4)))).getMessage());
        assertEquals("hidden must be a list of 1 or 2 layer widths, each between 1 and 16384, got 0",
                assertThrows(InvalidSpecException.class,
                        () -> TrainSpec.fromOptions(Map.of("model", "mlp", "hidden", new int[] {0}))).getMessage());
        assertEquals("classes must be 2 for model logistic, got 3",
                assertThrows(InvalidSpecException.class,
                        () -> TrainSpec.fromOptions(Map.of("classes", 3))).getMessage());
        assertEquals("classes does not apply to model linear (regression)",
                assertThrows(InvalidSpecException.class,
                        () -> TrainSpec.fromOptions(Map.of("model", "linear", "classes", 3))).getMessage());
        assertEquals("classes must be an integer between 2 and 65536, got 1",
                assertThrows(InvalidSpecException.class,
                        () -> TrainSpec.fromOptions(Map.of("model", "softmax", "classes", 1))).getMessage());
        // inverse scaling allows decay above 1
        assertEquals(3.0, TrainSpec.builder().schedule("inverse").decay(3).build().decay());
    }

    @Test
    void withChangesOneArgumentAndKeepsTheSeed() {
        TrainSpec a = TrainSpec.builder().seed(9).model("mlp").hidden(8).build();
        TrainSpec b = a.with("shuffle", "none");
        assertEquals("none", b.shuffle());
        assertEquals(9, b.seed());
        assertEquals(List.of(8), b.toMap().get("hidden"));
        TrainSpec c = a.with("model", "svm");
        assertNull(c.hidden());
    }

    /** Bug: dimension was parsed twice, the server accepting 0 and the client refusing it with another message. */
    @Test
    void dimensionOfSparseDataIsCheckedInOnePlace() {
        assertEquals(0, TrainOptions.dimension(null));
        assertEquals(3, TrainOptions.dimension("3"));
        assertEquals(100, TrainOptions.dimension(100L));
        for (Object bad : List.of(0, -3, "many", 2.5, 1L << 40)) {
            InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> TrainOptions.dimension(bad));
            assertTrue(e.getMessage().startsWith("dimension must be an integer between 1 and 1073741823, got "),
                    e.getMessage());
            assertEquals("22023", e.sqlState());
        }
    }

    @Test
    void epochNoticesAreRecognisedNotParsed() {
        EpochStats s = new EpochStats(3, 0.45, Double.NaN, Double.NaN, Double.NaN, 0.01, 0.4171, 200_000, Map.of());
        String text = EpochNotice.text(s, 10);
        assertEquals("epoch 3/10: loss 0.450000, 0.417 s, 200000 tuples", text);
        assertTrue(EpochNotice.isEpochLine(text));
        assertTrue(EpochNotice.isEpochLine(text + " (servers: s1 0.210 s)"), "the sharded coordinator's line");
        assertFalse(EpochNotice.isEpochLine("block_size 16 pages (derived), buffer_size ..."));
        assertFalse(EpochNotice.isEpochLine("skipped 7 rows with a NULL label or NULL features"));
    }

    /** Under the default running metrics every epoch's NOTICE said "accuracy n/a", as if something had failed. */
    @Test
    void anEpochNoticeNamesAnAccuracyOnlyWhenTheEpochMeasuredOne() {
        EpochStats running = new EpochStats(1, 0.5, Double.NaN, Double.NaN, Double.NaN, 0.01, 0.2, 1000, Map.of());
        assertFalse(EpochNotice.text(running, 2).contains("accuracy"), EpochNotice.text(running, 2));
        EpochStats pass = new EpochStats(1, 0.5, 0.9133501, Double.NaN, Double.NaN, 0.01, 0.2, 1000, Map.of());
        assertEquals("epoch 1/2: loss 0.500000, accuracy 0.913350, 0.200 s, 1000 tuples", EpochNotice.text(pass, 2));
    }
}
