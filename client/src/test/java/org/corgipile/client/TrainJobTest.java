package org.corgipile.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.corgipile.client.jdbc.FeatureColumns;
import org.corgipile.operators.TrainSpec;
import org.junit.jupiter.api.Test;

class TrainJobTest {
    @Test
    void keepsArgumentsBySqlNameInTheOrderSetAndNullMeansDefault() {
        TrainJob s = TrainJob.on("t").spec(TrainSpec.builder().epochs(5).learningRate(0.01).option("L2", 0.1)
                .shuffle("none").option("decay", 0.9).option("decay", null)).build();
        assertEquals(Map.of("epochs", 5, "learning_rate", 0.01, "l2", 0.1, "shuffle", "none"), s.arguments());
        assertEquals(List.of("epochs", "learning_rate", "l2", "shuffle"), List.copyOf(s.arguments().keySet()));
        assertEquals("label", s.label());
        assertEquals("features", s.features());
        assertEquals(TrainMode.AUTO, s.mode());
        TrainJob client = s.toBuilder().mode(TrainMode.CLIENT).build();
        assertEquals(s.arguments(), client.arguments());
        assertEquals(TrainMode.CLIENT, client.mode());
    }

    @Test
    void rejectsWhatItOwnsWithTheArgumentsName() {
        assertEquals("relation must name a table, got \"  \"",
                assertThrows(IllegalArgumentException.class, () -> TrainJob.on("  ")).getMessage());
        assertEquals("argument \"model_name\" has its own setter on TrainJob.Builder",
                assertThrows(IllegalArgumentException.class,
                        () -> TrainJob.on("t").argument("model_name", "x")).getMessage());
        assertEquals("argument \"validation_relation\" has its own setter on TrainJob.Builder",
                assertThrows(IllegalArgumentException.class,
                        () -> TrainJob.on("t").spec(TrainSpec.builder().option("validation_relation", "v")))
                        .getMessage());
        assertEquals("mode must be one of auto, server, client, got \"gpu\"",
                assertThrows(IllegalArgumentException.class, () -> TrainMode.parse("gpu")).getMessage());
        assertEquals(TrainMode.SERVER, TrainMode.parse(" Server "));
    }

    @Test
    void featureListsSplitOnCommasAndRejectEmptyNames() {
        assertEquals(List.of("x1", "x 2", "X3"), FeatureColumns.names("x1, x 2 ,X3"));
        assertEquals(List.of("features"), FeatureColumns.names("features"));
        assertThrows(IllegalArgumentException.class, () -> FeatureColumns.names("a,,b"));
        assertThrows(IllegalArgumentException.class, () -> FeatureColumns.names(" "));
    }

    @Test
    void serverArgumentsAreSentInPostgresTextForm() {
        assertEquals("{64,32}", ServerTrainer.sqlText(List.of(64, 32)));
        assertEquals("{1,2}", ServerTrainer.sqlText(new int[] {1, 2}));
        assertEquals("0.05", ServerTrainer.sqlText(0.05));
        assertEquals("true", ServerTrainer.sqlText(Boolean.TRUE));
    }
}
