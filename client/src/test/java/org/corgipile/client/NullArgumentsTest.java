package org.corgipile.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The Java-side arguments of {@link CorgiPile}'s methods follow {@link CorgiPile#connect}: null is a
 * NullPointerException naming the argument, before any connection. (Names sent to SQL — model, relation,
 * columns — are the server's to refuse: 22004.)
 */
class NullArgumentsTest {
    /** Unconnectable on purpose: a null check that came after the connection would fail differently. */
    private final CorgiPile cp = CorgiPile.connect(new PGSimpleDataSource());

    private static void npeNaming(String argument, Executable call) {
        assertEquals(argument, assertThrows(NullPointerException.class, call).getMessage());
    }

    /**
     * Bug: resolve(null) returned null; predictInto with a null query was a SQL syntax error (42601) at "null";
     * predict(model, null) failed with the JDK's message about an internal variable "v".
     */
    @Test
    void nullJavaArgumentsAreNullPointerExceptionsNamingTheArgument() {
        Predictions.RowSink sink = (values, prediction) -> { };
        npeNaming("mode", () -> cp.resolve(null));
        npeNaming("job", () -> cp.train(null));
        npeNaming("listener", () -> cp.train(TrainJob.on("t").build(), null));
        npeNaming("features", () -> cp.predict("m", (double[]) null));
        npeNaming("query", () -> cp.predictInto("m", null, "features", "t"));
        npeNaming("featuresColumn", () -> cp.predictInto("m", "SELECT 1", null, "t"));
        npeNaming("targetTable", () -> cp.predictInto("m", "SELECT 1", "features", null));
        npeNaming("query", () -> cp.predict("m", null, "features", sink));
        npeNaming("sink", () -> cp.predict("m", "SELECT 1", "features", null));
        npeNaming("file", () -> cp.exportPredictions("m", "SELECT 1", "features", null));
        npeNaming("file", () -> cp.exportTable("t", (Path) null));
    }
}
