package org.corgipile.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.Sgd;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainSpecBuilder;
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
 * Throughput of the SGD inner loop on the CPU: the {@link Sgd} operator consuming one buffer of dense tuples
 * (gradient, update), without any reading — the compute side of the double buffer. Reported per tuple
 * ({@link OperationsPerInvocation}), so the score is tuples per second.
 *
 * <p>Parameters: d = 18 (susy), 28 (higgs) and 2000 (epsilon); batch 1 (per-tuple SGD, the paper's default) and 128
 * (mini-batch averaging); model logistic and mlp (one hidden layer of 64); iterate averaging on (the default;
 * {@code -p average=false} for the bare step). The learning rate is the product's default for d, kept constant.
 *
 * <p>Run (from the repository root; the first command builds every module the bench depends on, the second prints
 * the classpath):
 * <pre>
 * mvn -B -ntp -q -pl bench -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) org.openjdk.jmh.Main SgdLoopBenchmark \
 *      -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 * Add {@code -p model=logistic -p d=28} to run one combination.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SgdLoopBenchmark {
    private static final int TUPLES = 4096;

    @Param({"18", "28", "2000"})
    public int d;

    @Param({"1", "128"})
    public int batch;

    @Param({"logistic", "mlp"})
    public String model;

    @Param({"true"})
    public boolean average;

    private TupleBuffer buffer;
    private Sgd sgd;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(1);
        buffer = new TupleBuffer(FeatureShape.dense(d), TUPLES);
        double[] x = new double[d];
        for (int i = 0; i < TUPLES; i++) {
            double m = 0;
            for (int k = 0; k < d; k++) {
                x[k] = rnd.nextGaussian();
                m += x[k] * (k % 2 == 0 ? 1 : -1);
            }
            buffer.addDense(m > 0 ? 1 : 0, i, x, 0);
        }
        // the product's defaults (average on, learning_rate min(0.01, 1/d)) but a constant rate, so every
        // invocation does the same work
        TrainSpecBuilder spec = TrainSpec.builder().model(model).batchSize(batch)
                .learningRate(TrainSpec.defaultLearningRate(model, FeatureShape.dense(d))).average(average)
                .schedule("constant").seed(1);
        if (model.equals("mlp")) {
            spec.hidden(64);
        }
        TrainSpec s = spec.build();
        Model m = Model.create(model, d, 2, s.hidden());
        double[] params = new double[m.parameterCount()];
        m.initialize(params, 1);
        sgd = new Sgd(m, m, s);
        sgd.open(params);
    }

    @Benchmark
    @OperationsPerInvocation(TUPLES)
    public double consumeBuffer() {
        sgd.consume(buffer);
        return sgd.runningLoss();
    }
}
