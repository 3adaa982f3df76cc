package org.corgipile.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

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

    /**
     * Bug: spec(...) replaced every argument set before it, so {@code .argument("dimension", 10).spec(...)} trained
     * without the dimension, silently (it fooled ServerVsClientIT's bigint index case). Arguments set on the job win
     * over the spec's whether they come before or after it; a null set on the job clears the spec's value; a later
     * spec replaces an earlier spec, not the job's own arguments.
     */
    @Test
    void specDroppedTheArgumentsSetBeforeIt() {
        TrainJob before = TrainJob.on("t").argument("dimension", 10).argument("epochs", 7)
                .spec(TrainSpec.builder().epochs(3).seed(1)).build();
        TrainJob after = TrainJob.on("t").spec(TrainSpec.builder().epochs(3).seed(1))
                .argument("dimension", 10).argument("epochs", 7).build();
        assertEquals(Map.of("epochs", 7, "seed", 1L, "dimension", 10), before.arguments());
        assertEquals(before.arguments(), after.arguments());
        assertEquals(Map.of("seed", 1L), TrainJob.on("t").argument("epochs", null)
                .spec(TrainSpec.builder().epochs(3).seed(1)).build().arguments());
        assertEquals(Map.of("epochs", 7, "shuffle", "none"), TrainJob.on("t").argument("epochs", 7)
                .spec(TrainSpec.builder().seed(1)).spec(TrainSpec.builder().shuffle("none")).build().arguments());
        int[] hidden = {64};
        TrainJob.Builder job = TrainJob.on("t").argument("hidden", hidden);
        hidden[0] = 1;
        assertArrayEquals(new int[] {64}, (int[]) job.spec(TrainSpec.builder().model("mlp")).build()
                .arguments().get("hidden"));
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
    void serverArgumentsAreSentInPostgresTextForm() {
        assertEquals("{64,32}", ServerTrainer.sqlText(List.of(64, 32)));
        assertEquals("{1,2}", ServerTrainer.sqlText(new int[] {1, 2}));
        assertEquals("0.05", ServerTrainer.sqlText(0.05));
        assertEquals("true", ServerTrainer.sqlText(Boolean.TRUE));
    }
}
