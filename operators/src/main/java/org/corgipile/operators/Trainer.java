package org.corgipile.operators;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.corgipile.operators.model.Model;
import org.corgipile.operators.strategy.ShuffleStrategy;

/**
 * Runs a whole training: BlockShuffle -> TupleShuffle -> Sgd (or the strategy the spec names), double-buffered.
 *
 * <p>Threads: the thread that calls {@link #train} does everything that touches the source — the optional profile
 * pass (standardisation, class count), every epoch's reads, the evaluation passes — and all listener callbacks.
 * One compute thread runs SGD (and evaluation arithmetic) on the buffer filled before; it never calls the source.
 * The calling thread calls {@link BlockSource#checkInterrupts()} before every block and at least every 50 ms while
 * it waits. Every thread is joined before {@code train} returns or throws; an exception on the compute thread is
 * rethrown on the calling thread.
 *
 * <p>Before epoch 1, when needed, a profile ({@link DataProfile#forTraining}): feature mean and deviation for
 * {@code standardize} (on by default for dense features) from a seeded sample of the table's pages (the whole
 * table when it is small), or one storage-order pass over every row when the class count must be inferred from the
 * labels; its time is reported with epoch 1 as "profile_seconds".
 *
 * <p>The strategy is opened inside epoch 1 (its seconds, "read_seconds" and device bytes): {@code shuffle_once}
 * and {@code epoch_shuffle} read the whole table there, and that read is epoch 1's.
 *
 * <p>Per epoch: {@code rescan} of the strategy (new block order, new permutations), SGD over all its buffers at the
 * epoch's learning rate, then the metrics: with {@code train_metrics => 'running'} (default) the mean pre-update
 * mini-batch loss of the training pass itself and the accuracy of the epoch's model on a uniform sample of the first
 * epoch's rows ({@link TrainingSample}, one in a hundred, 1,000 to 10,000 rows; it keeps twice that many of the
 * rows the profile pass counted or estimated, 10,000 without one), no second read of the table; with
 * {@code 'pass'} a separate pass over the training relation in storage order with the end-of-epoch model, as in the
 * paper (loss, accuracy and the kind's metrics; its time is reported as "eval_seconds", not in "seconds"). With a
 * validation source, its loss/accuracy/metrics every epoch (also timed as "eval_seconds").
 *
 * <p>Every epoch also reports where its wall time ("seconds") went, in {@link EpochStats#extra()}:
 * "read_seconds" is the calling thread's time producing buffers (reading blocks, decoding, shuffling tuples) and
 * "compute_seconds" the compute thread's time in SGD. With a working double buffer the wall time is close to the
 * larger of the two, not their sum. The calling thread reads the next epoch's first buffer while SGD finishes the
 * epoch's last one, so the double buffer also overlaps across epoch boundaries (a metrics or validation pass then
 * runs with one buffer). An epoch ends when its model exists, when SGD has finished its last buffer: the part of
 * that read-ahead that runs on after that moment is the next epoch's "seconds" and "read_seconds" (its device
 * reads are the next epoch's too, {@link EpochListener#readAhead}), so the seconds of epochs 1..k are the time to
 * epoch k's model and still add up to the training time (less the metrics passes). With the default metrics
 * ({@code 'running'}, no validation source, no early stopping) that buffer goes to SGD as soon as it is read, with
 * the epoch boundary (the epoch's loss, tuples and SGD time taken, the next epoch's rate set) at the front of its
 * job: SGD does not stand still while the calling thread wakes up and logs the epoch, and an epoch's seconds run
 * from the previous epoch's model to its own, that logging included (the seconds add up to the training time).
 * With
 * {@code early_stop_patience = p > 0}, training stops after p epochs without a lower validation loss (training loss
 * without a validation source) and the best epoch's model is returned.
 *
 * <p>Deterministic: every random choice derives from the spec's seed ({@link Seeds}) and a single thread applies
 * the updates in a fixed order, so the same seed and data give the same model bit for bit (on the CPU device).
 */
public final class Trainer {
    private Trainer() {
    }

    /** Trains with the gradient device chosen by {@code spec.device()} (see {@link GradientProvider}). */
    public static TrainResult train(TrainSpec spec, BlockSource train, BlockSource validationOrNull,
                                    EpochListener listener) {
        return train(spec, train, validationOrNull, listener, null);
    }

    /**
     * Trains with an explicit gradient provider (null: choose by {@code spec.device()}). A provider that returns no
     * gradient for this model falls back to the CPU, except for {@code device => 'gpu'}, which then fails.
     */
    public static TrainResult train(TrainSpec spec, BlockSource train, BlockSource validationOrNull,
                                    EpochListener listener, GradientProvider provider) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(train, "train");
        return train(spec, train, validationOrNull, listener, provider, null);
    }

    /**
     * Trains from {@code warmStart} (a stored model, the one {@code spec.warmStart()} names) instead of the initial
     * parameters: the same model type, dimension, classes and hidden layers, and the warm model's standardisation
     * (its mean and deviation, not the relation's: its weights are in its feature space), so training continues
     * where it stopped. A warm model that does not fit the spec or the relation is a clear error (22023, 22000).
     */
    public static TrainResult train(TrainSpec spec, BlockSource train, BlockSource validationOrNull,
                                    EpochListener listener, GradientProvider provider, TrainedModel warmStart) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(train, "train");
        EpochListener l = listener == null ? EpochListener.NONE : listener;
        return run(spec, train, validationOrNull, l, null, warmStart).execute(provider);
    }

    /**
     * Where one round of a sharded run starts ({@link ShardEpoch}): the coordinator's parameters (null: the initial
     * model of {@code initSeed}, the run's seed, so every shard starts from the same model), the whole table's
     * standardisation ({@code mean}/{@code std}, null when the spec does not standardise) and class count (0 when
     * the model has none to infer) in place of a profile pass over this shard alone, and the one epoch to train;
     * {@code sampleShare} &gt; 0: keep that share of a {@link TrainingSample} of the round's rows for the coordinator
     * (the first epoch of a classifier under the default metrics), 0: none.
     */
    record Resume(double[] parameters, long initSeed, double[] mean, double[] std, int classes, int epoch,
                  double sampleShare) {
        Resume(double[] parameters, long initSeed, double[] mean, double[] std, int classes, int epoch) {
            this(parameters, initSeed, mean, std, classes, epoch, 0);
        }
    }

    /**
     * A round's result, the SGD iterate training continues from (the result's model may be its average), the
     * one label every row of the round had (NaN: two or more, or no row): a shard may hold one class, the table
     * may not ({@link InputGuard#requireTwoClasses}), which only the coordinator can tell; and the sample of its
     * rows the resume asked for (null: none asked, or none drawn).
     */
    record Round(TrainResult result, double[] iterate, double oneLabel, TrainingSample sample) {
    }

    /**
     * Epoch {@code resume.epoch()} alone, from {@code resume}: the same sizing, shuffling, SGD and averaging as an
     * epoch of {@link #train}, without a profile pass, evaluation or early stopping (the coordinator does those on
     * the averaged model). A source with no valid tuples trains nothing and returns the parameters sent.
     */
    static Round trainRound(TrainSpec spec, BlockSource train, Resume resume) {
        Run run = run(spec, train, null, EpochListener.NONE, Objects.requireNonNull(resume, "resume"), null);
        TrainResult result = run.execute(null);
        return new Round(result, run.iterate, run.guard.oneLabel(), run.sample);
    }

    private static Run run(TrainSpec spec, BlockSource train, BlockSource validation, EpochListener l,
                           Resume resume, TrainedModel warm) {
        Sizing sizing = Sizing.of(spec, train, Sizing.PAGE_BYTES);
        sizing.checkBufferHoldsABlock(spec.shuffle());
        TrainSpec resolved = spec.sized(sizing).withDataDefaults(train.shape());
        if (warm != null) {
            checkWarmStart(resolved, warm, train.shape());
            if (resolved.standardize() != (warm.mean() != null)) {
                resolved = resolved.with("standardize", warm.mean() != null);
            }
        }
        return new Run(spec, resolved, sizing, train, validation, l, resume, warm);
    }

    private static void checkWarmStart(TrainSpec spec, TrainedModel warm, FeatureShape shape) {
        String name = spec.warmStart() == null ? "warm_start model" : "warm_start model \"" + spec.warmStart() + "\"";
        if (!warm.type().equals(spec.model())) {
            throw new InvalidSpecException(name + " is a " + warm.type() + " model, not " + spec.model(),
                    "Pass model => '" + warm.type() + "' to continue it, or train a new model without warm_start.");
        }
        if (warm.dimension() != shape.dimension()) {
            throw new TrainingException(TrainingException.DATA_EXCEPTION, name + " has " + warm.dimension()
                    + " features but the relation has " + shape.dimension(),
                    "Warm start from a model trained on the same features.");
        }
        int classes = warm.model().classes();
        if (spec.classes() != 0 && spec.classes() != classes) {
            throw new InvalidSpecException(name + " has " + classes + " classes, not " + spec.classes(),
                    "Omit classes (the warm model's are used).");
        }
        Object hidden = warm.params().get("hidden");
        if (spec.hidden() != null && hidden instanceof java.util.Collection<?> h
                && !java.util.Arrays.equals(spec.hidden(), h.stream().mapToInt(x -> ((Number) x).intValue()).toArray())) {
            throw new InvalidSpecException(name + " has hidden layers " + hidden + ", not "
                    + java.util.Arrays.toString(spec.hidden()), "Pass hidden => " + hidden + " to continue it.");
        }
    }

    /** One training run's state, kept off the public class. */
    private static final class Run {
        /** The spec as the caller gave it (sizes and data defaults not filled in). */
        private final TrainSpec given;
        /** Resolved; sized again after the profile pass when rows are larger in memory than on their page. */
        private TrainSpec spec;
        private Sizing sizing;
        private final BlockSource train;
        private final BlockSource validation;
        private final EpochListener listener;
        private final FeatureShape shape;
        /** A round of a sharded run, or null for a whole training. */
        private final Resume resume;
        /** The profile pass before epoch 1 (standardisation, class count); reported with epoch 1. */
        private double profileSeconds;
        /** The rows the profile pass counted or estimated, or -1 without one: what the accuracy sample keeps. */
        private long profiledTuples = -1;
        /** The SGD iterate after the last epoch (where a next round continues). */
        private double[] iterate;
        /** The input checks of the training pass (set when the model is made). */
        private InputGuard guard;
        /** The sample of the training rows (the default metrics; a shard's round when its resume asks for one). */
        private TrainingSample sample;
        private final Live live = new Live();
        /** The stored model a whole training continues from (warm_start), or null. */
        private final TrainedModel warm;

        Run(TrainSpec given, TrainSpec spec, Sizing sizing, BlockSource train, BlockSource validation,
            EpochListener listener, Resume resume, TrainedModel warm) {
            this.given = given;
            this.warm = warm;
            this.spec = spec;
            this.sizing = sizing;
            this.train = train;
            this.validation = validation;
            this.listener = listener;
            this.shape = train.shape();
            this.resume = resume;
        }

        TrainResult execute(GradientProvider explicit) {
            checkInputs();
            listener.progressAvailable(live);
            live.phase = "profile";
            int classes = resume != null && resume.classes() > 0 ? resume.classes()
                    : warm != null ? warm.model().classes() : spec.classes();
            boolean needClasses = classes == 0 && (spec.model().equals("softmax") || spec.model().equals("mlp"));
            double[] mean = null;
            double[] std = null;
            if (resume != null) {
                if (needClasses || spec.standardize() && (resume.mean() == null || resume.std() == null)) {
                    throw new IllegalArgumentException("a sharded round needs the coordinator's class count and "
                            + "standardisation");
                }
                mean = spec.standardize() ? resume.mean() : null;
                std = spec.standardize() ? resume.std() : null;
                if (mean != null && (mean.length != shape.dimension() || std.length != shape.dimension())) {
                    throw new TrainingException(TrainingException.DATA_EXCEPTION, "the coordinator's "
                            + "standardisation has " + mean.length + " and " + std.length + " values, this shard "
                            + shape.dimension() + " features", "Every shard must have the same features.");
                }
            } else if (warm != null) {
                // the warm model's standardisation (its weights live in its feature space) and classes
                mean = warm.mean();
                std = warm.std();
            } else {
                long p0 = System.nanoTime();
                DataProfile profile = spec.standardize() || needClasses ? DataProfile.forTraining(train,
                        spec.blockSize(), spec.standardize(), needClasses, spec.seed(), spec.deviceBlock()) : null;
                profileSeconds = profile == null ? 0 : (System.nanoTime() - p0) / 1e9;
                if (profile != null) {
                    profiledTuples = profile.tuples();
                    // rows stored out of line (TOAST) are far larger in the buffer than in their heap page (a
                    // sampled profile's row count is an estimate: good enough for sizes)
                    long pageBytes = Sizing.decodedPageBytes(shape, profile.tuples(), train.pageCount());
                    if (pageBytes > Sizing.PAGE_BYTES) {
                        sizing = Sizing.of(given, train, pageBytes);
                        spec = given.sized(sizing).withDataDefaults(shape);
                    }
                }
                if (needClasses) {
                    classes = profile.classes(spec.model());
                }
                if (spec.standardize()) {
                    mean = profile.mean();
                    std = profile.std();
                }
            }
            listener.sized(sizing);
            String derived = given.describeDataDefaults(shape);
            if (derived != null) {
                listener.derived(derived);
            }
            Model model = Model.create(spec.model(), shape.dimension(), classes, spec.hidden());
            double[] weights = spec.classWeights();
            if (weights != null) {
                model.classWeights(weights);
            }
            InputGuard guard = new InputGuard(model.type(), model.kind(), model.classes(), shape.dimension(), mean, std);
            this.guard = guard;

            GradientProvider[] used = new GradientProvider[1];
            BatchGradient gradient = resolveGradient(model, explicit, used);
            String device = used[0] == null ? "cpu" : used[0].device() + ":" + used[0].name();
            try {
                return loop(model, gradient, guard, mean, std, device);
            } finally {
                if (used[0] != null) {
                    used[0].release(gradient);
                }
            }
        }

        private void checkInputs() {
            if (validation != null && !validation.shape().equals(shape)) {
                throw new TrainingException(TrainingException.DATA_EXCEPTION, "the validation relation has "
                        + describe(validation.shape()) + " but the training relation has " + describe(shape), null);
            }
            if (spec.standardize() && shape.sparse()) {
                throw new InvalidSpecException("standardize => true needs dense features; this relation's features "
                        + "are sparse", "Scale sparse features before loading them.");
            }
            if (train.pageCount() == 0) {
                throw new TrainingException(TrainingException.DATA_EXCEPTION, "the training relation is empty", null);
            }
        }

        private static String describe(FeatureShape s) {
            return s.dimension() + (s.sparse() ? " sparse" : " dense") + " features";
        }

        private BatchGradient resolveGradient(Model model, GradientProvider explicit, GradientProvider[] used) {
            if (spec.classWeights() != null) {
                // device kernels do not weigh rows: with class_weights the model computes the gradient on the CPU
                if (spec.device().equals("gpu")) {
                    throw new TrainingException(TrainingException.FEATURE_NOT_SUPPORTED, "device => 'gpu' does not "
                            + "support class_weights", "Use device => 'cpu' (or 'auto') with class_weights.");
                }
                return model;
            }
            if (explicit != null) {
                BatchGradient g = explicit.create(model, shape, spec.batchSize(), spec.device());
                if (g != null) {
                    used[0] = explicit;
                    return g;
                }
            } else if (!spec.device().equals("cpu")) {
                for (GradientProvider p : ServiceLoader.load(GradientProvider.class, Trainer.class.getClassLoader())) {
                    if (!p.device().equals("gpu")) {
                        continue;
                    }
                    BatchGradient g = p.create(model, shape, spec.batchSize(), spec.device());
                    if (g != null) {
                        used[0] = p;
                        return g;
                    }
                }
            }
            if (spec.device().equals("gpu")) {
                throw new TrainingException(TrainingException.FEATURE_NOT_SUPPORTED, "device => 'gpu' was requested "
                        + "but no GPU gradient is available for model " + model.type() + " with "
                        + describe(shape), "Use device => 'auto' to fall back to the CPU, or install gpu-gradients "
                        + "with an OpenCL device.");
            }
            return model;
        }

        private TrainResult loop(Model model, BatchGradient gradient, InputGuard guard, double[] mean, double[] std,
                                 String device) {
            int epochs = spec.epochs();
            int first = resume == null ? 1 : resume.epoch();
            int last = resume == null ? epochs : resume.epoch();
            double[] params = new double[model.parameterCount()];
            if (resume != null && resume.parameters() != null) {
                if (resume.parameters().length != params.length) {
                    throw new TrainingException(TrainingException.DATA_EXCEPTION, "a " + spec.model() + " model of "
                            + shape.dimension() + " features has " + params.length + " parameters, the coordinator "
                            + "sent " + resume.parameters().length, "Every shard must have the same features.");
                }
                System.arraycopy(resume.parameters(), 0, params, 0, params.length);
            } else if (warm != null) {
                System.arraycopy(warm.parameters(), 0, params, 0, params.length);
            } else {
                model.initialize(params, Seeds.derive(resume == null ? spec.seed() : resume.initSeed(), Seeds.INIT, 0));
            }
            Sgd sgd = new Sgd(model, gradient, spec);
            sgd.open(params);
            // the default metrics measure each epoch's classifier on a sample of the first epoch's rows; a shard's
            // round measures nothing (the epoch's model is the coordinator's average) but draws its share of the
            // table's sample when the coordinator asks, which the coordinator then measures every epoch on
            boolean classifier = spec.trainMetrics().equals("running") && spec.classifier();
            TrainingSample sample = !classifier ? null
                    : resume == null ? new TrainingSample(shape, spec.seed(), profiledTuples)
                    : resume.sampleShare() > 0 ? new TrainingSample(shape, spec.seed(), resume.sampleShare()) : null;
            this.sample = sample;
            TrainingSample measured = resume == null ? sample : null;
            sgd.sample(sample, first);
            live.sgd = sgd;
            ShuffleStrategy strategy = ShuffleStrategy.named(spec.shuffle());
            List<EpochStats> stats = new ArrayList<>();
            EarlyStopping stopping = spec.earlyStopPatience() > 0 && resume == null
                    ? new EarlyStopping(spec.earlyStopPatience()) : null;
            double[] best = null;
            boolean ok = false;
            DoubleBuffer db = new DoubleBuffer(shape, ShuffleStrategy.chunkTuples(shape), train);
            // instead of blocking on SGD, the reading thread copies rows of corgipile's shuffled gather for it
            db.helpWhileWaiting(sgd::helpGather);
            // compute thread only, read after awaitIdle(): SGD time this epoch, and when its last buffer was done
            long[] computeNanos = new long[2];
            Consumer<TupleBuffer> timedConsume = buf -> {
                long c0 = System.nanoTime();
                // corgipile's tuple permutation is applied here (Sgd gathers the rows in shuffled order), on this
                // thread, while the main thread reads the next buffer
                sgd.consume(buf);
                long c1 = System.nanoTime();
                computeNanos[0] += c1 - c0;
                computeNanos[1] = c1;
            };
            // the next epoch's first buffer, read while SGD finishes this epoch's last one (see carryOver)
            TupleBuffer carried = null;
            // the part of that read that ran on after the earlier epoch's model existed: wall time and read time
            long carriedNanos = 0;
            long carriedReadNanos = 0;
            // and the part of the reading thread's wait for SGD after that moment (the next epoch's read_wait)
            long carriedWaitNanos = 0;
            boolean rescanned = false;
            boolean carryOver = resume == null;
            // With the default metrics (the running loss: nothing to evaluate on the epoch's model) the next
            // epoch's first buffer is handed to SGD as soon as it is read, with the epoch boundary at the front of
            // its job (EpochEnd): SGD goes on into the next epoch without waiting for this thread to wake up, log
            // the epoch and submit. A metrics or validation pass, or early stopping, needs the epoch's model while
            // SGD is idle: then the buffer is carried and submitted at the next epoch's start, as before.
            boolean flow = carryOver && !spec.trainMetrics().equals("pass") && validation == null
                    && stopping == null;
            AtomicReference<EpochEnd> ended = new AtomicReference<>();
            // the epoch whose first buffer already went to SGD (its boundary included), and where its clock starts
            boolean flowed = false;
            long flowedStart = 0;
            try {
                for (int epoch = first; epoch <= last; epoch++) {
                    if (!flowed) {
                        sgd.rescan(epoch);
                    }
                    live.epoch = epoch;
                    live.phase = "train";
                    listener.epochStarted(epoch, epochs);
                    // an epoch that flowed from the one before starts when that one's model existed: everything
                    // this thread did since (logging it, the listener) is this epoch's time, SGD ran meanwhile
                    long t0 = flowed ? flowedStart : System.nanoTime();
                    long wait0 = db.waitNanos() - carriedWaitNanos;
                    long help0 = db.helpNanos();
                    long readNanos = carriedReadNanos;
                    if (!flowed) {
                        computeNanos[0] = 0;
                        computeNanos[1] = t0;
                    }
                    flowed = false;
                    if (epoch == first) {
                        // inside the first epoch's clock and device bytes: shuffle_once and epoch_shuffle read the
                        // whole table here (it was counted nowhere when it ran before epoch 1's t0)
                        strategy.open(train, ShuffleStrategy.Config.of(spec, guard));
                        readNanos += System.nanoTime() - t0;
                    }
                    if (!rescanned) {
                        strategy.rescan(epoch);
                    }
                    rescanned = false;
                    if (carried != null) {
                        db.submit(carried, timedConsume);
                        carried = null;
                    }
                    while (true) {
                        TupleBuffer b = db.acquire();
                        long r0 = System.nanoTime();
                        boolean filled = strategy.nextBuffer(b);
                        readNanos += System.nanoTime() - r0;
                        if (!filled) {
                            db.release(b);
                            break;
                        }
                        db.submit(b, timedConsume);
                    }
                    long aheadStart = -1;
                    long aheadEnd = -1;
                    if (carryOver && epoch < last) {
                        // Read the next epoch's first buffer now, in parallel with SGD on this epoch's last one,
                        // instead of after it: with few buffers per epoch (a table of two buffers) the first
                        // buffer's read and the last buffer's SGD were otherwise never overlapped. The strategy's
                        // order depends on the seed and the epoch only, so the model is unchanged. The part of
                        // this read after SGD finished this epoch is the next epoch's time (see `end` below: the
                        // epochs' seconds still add up to the training time, and each epoch's read and compute
                        // times fit in its seconds); a metrics or validation pass below runs with the one buffer
                        // left (its time is "eval_seconds").
                        strategy.rescan(epoch + 1);
                        TupleBuffer b = db.acquire();
                        listener.readAhead(epoch + 1, false);
                        aheadStart = System.nanoTime();
                        boolean filled = strategy.nextBuffer(b);
                        aheadEnd = System.nanoTime();
                        listener.readAhead(epoch + 1, true);
                        rescanned = filled;
                        if (filled && flow) {
                            int next = epoch + 1;
                            db.submit(b, buf -> {
                                // the boundary, on this thread between the epoch's last buffer and this one; the
                                // calling thread sees the epoch's end only once SGD is in the next epoch
                                EpochEnd e = new EpochEnd(sgd.runningLoss(), sgd.tuples(), sgd.learningRate(),
                                        computeNanos[0], computeNanos[1],
                                        measured == null ? null : sgd.model().clone());
                                computeNanos[0] = 0;
                                sgd.rescan(next);
                                ended.set(e);
                                db.signal();
                                timedConsume.accept(buf);
                            });
                            flowed = true;
                        } else if (filled) {
                            carried = b;
                        } else {
                            db.release(b);
                        }
                    }
                    long counted = db.waitNanos();
                    long awaitStart = System.nanoTime();
                    EpochEnd epochEnd;
                    if (flowed) {
                        db.awaitUntil(() -> ended.get() != null);
                        epochEnd = ended.getAndSet(null);
                    } else {
                        db.awaitIdle();
                        // written by the compute thread before it freed its last buffer; awaitIdle() saw that
                        epochEnd = new EpochEnd(sgd.runningLoss(), sgd.tuples(), sgd.learningRate(), computeNanos[0],
                                computeNanos[1], measured == null ? null : sgd.model().clone());
                    }
                    long idle = System.nanoTime();
                    counted = db.waitNanos() - counted;
                    // this epoch's model exists when SGD finished its last buffer (not before its reads ended);
                    // a read-ahead still running then belongs to the next epoch
                    long end = aheadStart < 0 ? idle : Math.max(aheadStart, Math.min(epochEnd.lastEnd(), idle));
                    double seconds = (end - t0 + carriedNanos) / 1e9;
                    carriedNanos = flowed ? 0 : idle - end;
                    flowedStart = end;
                    carriedReadNanos = aheadStart < 0 ? 0 : aheadEnd - Math.min(aheadEnd, end);
                    // the part of that wait after the model existed moves to the next epoch, at most what the
                    // double buffer counted for it: these clock reads enclose its own, so by them alone the part
                    // could exceed the count by a few hundred nanoseconds and leave this epoch's wait negative
                    long waitAfterEnd = Math.min(counted, Math.max(0, idle - Math.max(awaitStart, end)));
                    readNanos += aheadStart < 0 ? 0 : Math.min(aheadEnd, end) - aheadStart;
                    long tuples = epochEnd.tuples();
                    if (tuples == 0 && resume == null) {
                        throw new TrainingException(TrainingException.DATA_EXCEPTION,
                                "the training relation has no tuples", null);
                    }
                    if (epoch == 1 && resume == null && warm == null) {
                        // every row went through the guard in this pass, and no validation row yet; a warm model
                        // already knows its classes, and a shard of a sharded table may hold one class
                        guard.requireTwoClasses(train.describeLabel());
                    }
                    Map<String, Double> extra = new LinkedHashMap<>();
                    extra.put("read_seconds", readNanos / 1e9);
                    extra.put("compute_seconds", epochEnd.computeNanos() / 1e9);
                    // the reading thread blocked on SGD (both buffers busy, or SGD finishing the epoch's last one);
                    // SGD's own idle time is seconds - compute_seconds (it does nothing else in an epoch)
                    long waited = db.waitNanos() - wait0 - waitAfterEnd;
                    extra.put("read_wait_seconds", waited / 1e9);
                    // of that wait, the time it copied rows of SGD's shuffled gather instead (SharedGather); the
                    // help after the epoch's end is not split off, hence the bound
                    extra.put("read_help_seconds", Math.min(waited, db.helpNanos() - help0) / 1e9);
                    carriedWaitNanos = waitAfterEnd;
                    double loss;
                    double accuracy;
                    long e0 = System.nanoTime();
                    if (spec.trainMetrics().equals("pass")) {
                        live.phase = "evaluate";
                        Metrics m = evaluate(db, model, sgd.model(), train, guard);
                        loss = m.loss();
                        accuracy = m.accuracy();
                        copyExtra(m.result(), "", extra);
                        extra.put("running_loss", sgd.runningLoss());
                    } else {
                        loss = epochEnd.runningLoss();
                        // on this thread, while SGD goes on (the sample is complete after the first epoch and
                        // no longer written): the reading thread has the time, the compute thread bounds the epoch
                        accuracy = epochEnd.model() == null ? Double.NaN
                                : measured.accuracy(model, epochEnd.model(), epochEnd.tuples());
                        if (!Double.isNaN(accuracy)) {
                            extra.put("sample_tuples", (double) measured.measured(epochEnd.tuples()));
                        }
                    }
                    double vLoss = Double.NaN;
                    double vAccuracy = Double.NaN;
                    if (validation != null) {
                        live.phase = "validate";
                        Metrics v = evaluate(db, model, sgd.model(), validation, guard);
                        if (v.count() == 0) {
                            // the heap reader finds this when it opens the relation; a reader that cannot (client
                            // mode's) finds it here, before a model "validated" on nothing is stored
                            throw new TrainingException(TrainingException.DATA_EXCEPTION, "the validation relation "
                                    + "has no rows with a non-NULL label and features",
                                    "Load data first; rows whose label or features are NULL are skipped.");
                        }
                        vLoss = v.loss();
                        vAccuracy = v.accuracy();
                        copyExtra(v.result(), "validation_", extra);
                    }
                    if (spec.trainMetrics().equals("pass") || validation != null) {
                        extra.put("eval_seconds", (System.nanoTime() - e0) / 1e9);
                    }
                    if (epoch == 1 && profileSeconds > 0) {
                        extra.put("profile_seconds", profileSeconds);
                    }
                    EpochStats es = new EpochStats(epoch, loss, accuracy, vLoss, vAccuracy, epochEnd.learningRate(),
                            seconds, tuples, Collections.unmodifiableMap(extra));
                    stats.add(es);
                    listener.epochFinished(es);
                    if (stopping != null) {
                        if (stopping.observe(epoch, validation != null ? vLoss : loss)) {
                            best = sgd.model().clone();
                        } else if (stopping.exhausted()) {
                            break;
                        }
                    }
                }
                ok = true;
            } finally {
                if (!ok) {
                    sgd.stop();
                }
                db.close();
                strategy.close();
                sgd.close();
            }
            Map<String, Object> extra = new LinkedHashMap<>();
            if (model.kind() == Model.Kind.BINARY) {
                extra.put("label_encoding", guard.labelEncoding());
            }
            extra.put("device", device);
            if (best != null) {
                extra.put("best_epoch", stopping.bestEpoch());
            }
            iterate = sgd.params().clone();
            TrainedModel trained = new TrainedModel(model, best != null ? best : sgd.model().clone(), mean, std,
                    extra);
            return new TrainResult(trained, stats, spec, sizing);
        }

        /**
         * What the compute thread leaves of an epoch when its last buffer is done: the running loss, tuples and
         * learning rate, its SGD time, when it finished the epoch's last buffer (System.nanoTime()), and a copy of
         * the epoch's model for the training sample to measure (null: no sample, train_metrics pass or a shard's
         * round).
         */
        private record EpochEnd(double runningLoss, long tuples, double learningRate, long computeNanos,
                                long lastEnd, double[] model) {
        }

        /** The {@link TrainingProgress} of this run: epoch and phase set here, tuples and loss from {@link Sgd}. */
        private static final class Live implements TrainingProgress {
            volatile int epoch;
            volatile String phase = "start";
            volatile Sgd sgd;

            @Override
            public int epoch() {
                return epoch;
            }

            @Override
            public String phase() {
                return phase;
            }

            @Override
            public long tuples() {
                Sgd s = sgd;
                return s == null ? 0 : s.publishedTuples();
            }

            @Override
            public double runningLoss() {
                Sgd s = sgd;
                return s == null ? Double.NaN : s.publishedRunningLoss();
            }
        }

        private static void copyExtra(Map<String, Double> from, String prefix, Map<String, Double> into) {
            for (Map.Entry<String, Double> e : from.entrySet()) {
                String k = e.getKey();
                if (k.equals("loss") || k.equals("accuracy") || prefix.isEmpty() && k.equals("tuples")) {
                    continue;
                }
                into.put(prefix + k, e.getValue());
            }
        }

        /** A storage-order pass over {@code source}: reads on this thread, evaluates on the compute thread. */
        private Metrics evaluate(DoubleBuffer db, Model model, double[] params, BlockSource source, InputGuard guard) {
            Metrics metrics = new Metrics(model);
            BlockShuffle blocks = new BlockShuffle(BlockShuffle.Order.STORAGE, spec.blockSize(), 0, guard);
            blocks.open(source);
            try {
                while (true) {
                    TupleBuffer b = db.acquire();
                    b.clear();
                    if (!blocks.fillBlocks(b, ShuffleStrategy.chunkTuples(b.shape()))) {
                        db.release(b);
                        break;
                    }
                    db.submit(b, buf -> metrics.addRows(model, params, buf, source));
                }
                db.awaitIdle();
            } finally {
                blocks.close();
            }
            return metrics;
        }
    }
}
