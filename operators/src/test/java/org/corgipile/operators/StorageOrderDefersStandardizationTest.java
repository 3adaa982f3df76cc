package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.corgipile.operators.model.Model;
import org.corgipile.operators.strategy.ShuffleStrategy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13 (the warm reading thread): the strategies without a tuple shuffle ({@code none}, {@code block_only})
 * leave the standardisation of their chunks to {@link Sgd#consume} on the compute thread instead of writing it into
 * every row on the reading thread, where it was ~12% of {@code none}'s reading thread (the thread that bounds its
 * warm epoch). The chunk leaves the reading thread as read; SGD sees exactly the doubles of the in-place
 * standardisation, so the model is bit for bit the one of before.
 */
class StorageOrderDefersStandardizationTest {
    private static final int D = 6;
    private static final double[] MEAN = {0.5, -2, 3.25, 0, 10, -0.125};
    private static final double[] STD = {2, 0.3, 7, 1, 0.01, 3};

    private static InMemoryBlockSource source() {
        InMemoryBlockSource src = new InMemoryBlockSource(FeatureShape.dense(D), 7);
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 900; i++) {
            double[] x = new double[D];
            for (int k = 0; k < D; k++) {
                x[k] = r.nextGaussian() * STD[k] + MEAN[k] + (i < 450 ? 1 : -1);
            }
            src.addDense(i < 450 ? 1 : 0, x);
        }
        return src;
    }

    private static InputGuard guard() {
        return new InputGuard("logistic", Model.Kind.BINARY, 1, D, MEAN, STD);
    }

    /** SGD over every chunk the strategy hands out in one epoch; the chunks' features as SGD saw them in seen. */
    private static double[] train(ShuffleStrategy strategy, double[] seen) {
        TrainSpec spec = TrainSpec.builder().model("logistic").learningRate(0.05).seed(3).build();
        Model model = Model.create("logistic", D, 2, null);
        double[] params = new double[model.parameterCount()];
        model.initialize(params, 7);
        Sgd sgd = new Sgd(model, model, spec);
        sgd.open(params);
        strategy.open(source(), new ShuffleStrategy.Config(4, 0.2, 3, guard()));
        strategy.rescan(1);
        TupleBuffer buf = new TupleBuffer(FeatureShape.dense(D), 16);
        int at = 0;
        while (strategy.nextBuffer(buf)) {
            sgd.consume(buf);
            System.arraycopy(buf.dense(), 0, seen, at, buf.size() * D);
            at += buf.size() * D;
        }
        strategy.close();
        assertEquals(seen.length, at);
        return sgd.model().clone();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "block_only"})
    void sgdSeesTheInPlaceStandardisationAndTheModelIsUnchanged(String name) {
        // what the reading thread hands over: the features as read, the standardisation pending
        ShuffleStrategy strategy = ShuffleStrategy.named(name);
        strategy.open(source(), new ShuffleStrategy.Config(4, 0.2, 3, guard()));
        strategy.rescan(1);
        TupleBuffer raw = new TupleBuffer(FeatureShape.dense(D), 16);
        assertTrue(strategy.nextBuffer(raw));
        strategy.close();
        assertTrue(raw.standardizationDeferrable(), "the chunk's standardisation is left to its consumer");
        double[] asRead = Arrays.copyOf(raw.dense(), raw.size() * D);

        // the same rows through the same guard with the standardisation written in place (the former reading thread)
        double[] want = new double[asRead.length];
        for (int i = 0; i < want.length; i++) {
            want[i] = (asRead[i] - MEAN[i % D]) * (1 / STD[i % D]);
        }
        assertNotEquals(Arrays.toString(want), Arrays.toString(asRead), "the reading thread did not standardise");

        double[] seen = new double[900 * D];
        double[] deferred = train(ShuffleStrategy.named(name), seen);
        assertArrayEquals(want, Arrays.copyOf(seen, want.length), "SGD saw the in-place standardisation's doubles");

        // the model of a training whose chunks were standardised on the reading thread, before consume
        double[] inPlaceSeen = new double[900 * D];
        double[] inPlace = train(new ReadThreadStandardizing(ShuffleStrategy.named(name)), inPlaceSeen);
        assertArrayEquals(inPlaceSeen, seen, "the same doubles, chunk by chunk");
        assertArrayEquals(inPlace, deferred, name + ": the same model bit for bit");
    }

    /** The former behaviour: a chunk's pending standardisation applied on the reading thread, in nextBuffer. */
    private record ReadThreadStandardizing(ShuffleStrategy inner) implements ShuffleStrategy {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public void open(BlockSource source, Config config) {
            inner.open(source, config);
        }

        @Override
        public void rescan(int epoch) {
            inner.rescan(epoch);
        }

        @Override
        public boolean nextBuffer(TupleBuffer out) {
            boolean filled = inner.nextBuffer(out);
            out.settle();
            return filled;
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
