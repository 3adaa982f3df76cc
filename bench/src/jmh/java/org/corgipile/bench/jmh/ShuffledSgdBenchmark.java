package org.corgipile.bench.jmh;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.FisherYates;
import org.corgipile.operators.Sgd;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TupleBuffer;
import org.corgipile.operators.model.Model;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CorgiPile's compute thread per tuple, split: {@link #shuffled} is what it does with a buffer of the warm
 * benchmark's size (100,000 rows, half of the 200k-row table: 22 MB at d = 28) as {@code TupleShuffle} hands it
 * over — a pending tuple permutation and a pending standardisation — so {@code Sgd.consume} gathers the rows in
 * shuffled order (random reads of whole rows out of the large buffer), standardises each chunk and steps;
 * {@link #inOrder} is the steps alone over the same rows in storage order (what {@code none}'s compute thread does
 * per row; its rows were standardised by the reading thread). The difference is the gather and the
 * standardisation. The product's defaults: logistic, batch 1, averaging, learning_rate min(0.01, 1/d) (kept
 * constant). Compare with {@link SgdLoopBenchmark} (the step on 4,096 rows that stay in the cache) and
 * {@link TuplePermutationBenchmark}.
 *
 * <p>Run (from the repository root; build command as in {@link SgdLoopBenchmark}):
 * <pre>
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) org.openjdk.jmh.Main ShuffledSgdBenchmark \
 *      -f 1 -wi 3 -w 1s -i 5 -r 1s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ShuffledSgdBenchmark {
    private static final int TUPLES = 100_000;

    @Param({"18", "28"})
    public int d;

    /**
     * Rows per slice of the permutation ({@code FisherYates.permuteRuns}): 1, every row on its own (mini-batches,
     * wide rows); the shipped per-tuple SGD uses {@code TupleShuffle.sliceRows(d)}, 18 at d = 28 and 28 at d = 18
     * ({@code -p run=1,18}).
     */
    @Param({"1"})
    public int run;

    private TupleBuffer buffer;
    private double[] mean;
    private double[] invStd;
    private Sgd sgd;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(1);
        buffer = new TupleBuffer(FeatureShape.dense(d), TUPLES);
        buffer.reserve(TUPLES);
        double[] x = new double[d];
        for (int i = 0; i < TUPLES; i++) {
            double m = 0;
            for (int k = 0; k < d; k++) {
                x[k] = 2 + 3 * rnd.nextGaussian();
                m += (x[k] - 2) * (k % 2 == 0 ? 1 : -1);
            }
            buffer.addDense(m > 0 ? 1 : 0, i, x, 0);
        }
        FisherYates.permuteRuns(buffer.permutationArray(TUPLES), TUPLES, run, rnd);
        mean = new double[d];
        invStd = new double[d];
        Arrays.fill(mean, 2);
        Arrays.fill(invStd, 1 / 3.0);
        TrainSpec spec = TrainSpec.builder().model("logistic").batchSize(1)
                .learningRate(TrainSpec.defaultLearningRate("logistic", FeatureShape.dense(d))).schedule("constant")
                .seed(1).build();
        Model model = Model.create("logistic", d, 2, null);
        double[] params = new double[model.parameterCount()];
        sgd = new Sgd(model, model, spec);
        sgd.open(params);
    }

    /** Per tuple: the gather in shuffled order, the standardisation of each chunk, the step. */
    @Benchmark
    @OperationsPerInvocation(TUPLES)
    public double shuffled() {
        buffer.deferPermutation();
        buffer.deferStandardization();
        buffer.standardizeOnRead(mean, invStd);
        sgd.consume(buffer);
        return sgd.runningLoss();
    }

    /**
     * Per tuple: the step alone over the rows where they are, in storage order (no gather, no standardisation: a
     * buffer without a pending permutation is trained as it is; JMH runs each method in its own fork).
     */
    @Benchmark
    @OperationsPerInvocation(TUPLES)
    public double inOrder() {
        sgd.consume(buffer);
        return sgd.runningLoss();
    }
}
