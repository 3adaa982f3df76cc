package org.corgipile.bench.jmh;

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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The tuple shuffle's cost per buffer (divide by {@code tuples} for the cost per tuple), split in its two parts: {@code indices} draws a fresh Fisher–Yates
 * permutation of the buffer's row indices (what TupleShuffle always does), {@code rows} draws it and then moves
 * every row to its place ({@link TupleBuffer#permuteDense}, one row copy per tuple, cycle by cycle), {@code gather}
 * draws it and copies the rows in permuted order chunk by chunk into a small buffer ({@link TupleBuffer#gatherDense},
 * what {@code Sgd.consume} does since issue 13 instead of moving rows). {@code train} is the whole of corgipile's
 * compute thread per buffer: the permutation drawn, then {@code Sgd.consume} (gather + per-tuple logistic SGD with
 * the product's defaults); {@code trainInOrder} is the same SGD over the buffer in storage order, what {@code none}'s
 * compute thread does (its rows come in chunks that stay in the CPU cache, so that is a lower bound). Compare with
 * {@link SgdLoopBenchmark} (the SGD step per tuple) and the reader's per-tuple cost.
 *
 * <p>Parameters: d = 18 / 28 (higgs, the bench's synthetic data); buffers of 20,000 and 200,000 tuples (10% of the
 * 200k and 2M-row benchmark tables).
 *
 * <p>Run (from the repository root; the first command builds every module the bench depends on, the second prints
 * the classpath):
 * <pre>
 * mvn -B -ntp -q -pl bench -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) org.openjdk.jmh.Main TuplePermutationBenchmark \
 *      -f 1 -wi 3 -w 1s -i 5 -r 1s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TuplePermutationBenchmark {
    @Param({"18", "28"})
    public int d;

    @Param({"20000", "200000"})
    public int tuples;

    private TupleBuffer buffer;
    private int[] order;
    private double[] scratch;
    private SplittableRandom rnd;
    private TupleBuffer chunk;
    private Sgd sgd;
    private TupleBuffer inOrder; // the same rows, never permuted

    @Setup
    public void setup() {
        rnd = new SplittableRandom(1);
        buffer = new TupleBuffer(FeatureShape.dense(d), tuples);
        double[] x = new double[d];
        for (int i = 0; i < tuples; i++) {
            for (int k = 0; k < d; k++) {
                x[k] = rnd.nextGaussian();
            }
            buffer.addDense(i & 1, i, x, 0);
        }
        inOrder = new TupleBuffer(FeatureShape.dense(d), tuples);
        for (int i = 0; i < tuples; i++) {
            inOrder.addFrom(buffer, i);
        }
        order = new int[tuples];
        scratch = new double[d];
        chunk = new TupleBuffer(FeatureShape.dense(d), 512);
        TrainSpec spec = TrainSpec.builder().model("logistic").learningRate(Math.min(0.01, 1.0 / d)).seed(1).build();
        Model model = Model.create("logistic", d, 2, null);
        double[] params = new double[model.parameterCount()];
        sgd = new Sgd(model, model, spec);
        sgd.open(params);
    }

    /** Per buffer: a fresh permutation of the indices only. */
    @Benchmark
    public int indices() {
        FisherYates.permute(order, tuples, rnd);
        return order[0];
    }

    /** Per buffer: a fresh permutation, then every row moved to its place. */
    @Benchmark
    public double rows() {
        FisherYates.permute(order, tuples, rnd);
        buffer.permuteDense(order, scratch);
        return buffer.label(0);
    }

    /** Per buffer: a fresh permutation, then the rows gathered in that order, 512 at a time. */
    @Benchmark
    public double gather() {
        FisherYates.permute(buffer.permutationArray(tuples), tuples, rnd);
        buffer.deferPermutation();
        double sum = 0;
        for (int from = 0; from < tuples; from += 512) {
            buffer.gatherDense(from, Math.min(tuples, from + 512), chunk);
            sum += chunk.label(chunk.size() - 1);
        }
        return sum;
    }

    /** Per buffer: corgipile's compute thread — a fresh permutation, then SGD on the rows gathered in that order. */
    @Benchmark
    public double train() {
        FisherYates.permute(buffer.permutationArray(tuples), tuples, rnd);
        buffer.deferPermutation();
        sgd.consume(buffer);
        return sgd.runningLoss();
    }

    /** Per buffer: the same SGD on the rows in storage order (no permutation, no gather). */
    @Benchmark
    public double trainInOrder() {
        sgd.consume(inOrder);
        return sgd.runningLoss();
    }
}
