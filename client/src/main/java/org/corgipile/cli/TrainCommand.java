package org.corgipile.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.corgipile.client.TrainMode;
import org.corgipile.client.TrainJob;
import org.corgipile.client.TrainingListener;
import org.corgipile.client.TrainingRun;
import org.corgipile.operators.EpochStats;
import org.corgipile.operators.Sizing;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainSpecBuilder;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code corgipile train RELATION [options]}: every argument of {@code train_sgd} as an option, a progress bar per
 * epoch on stderr, the epoch table on stdout. Options left out take the engine's defaults (listed in
 * docs/operators.md), so the CLI never disagrees with SQL about a default.
 */
@Command(name = "train", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
        sortOptions = false, abbreviateSynopsis = true,
        description = {"Train a model on RELATION and store it in corgipile.models.",
            "Runs inside PostgreSQL when the corgipile extension is installed (mode server), else in this client "
                    + "over JDBC (mode client); --mode chooses."},
        footer = {"", "Example:",
            "  corgipile train higgs_like --model logistic --shuffle corgipile --epochs 10 \\",
            "      --model-name higgs_lr --validation higgs_like_test --seed 42"})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Parameters(index = "0", paramLabel = "RELATION", description = "table to train on (regclass text, e.g. public.t)")
    String relation;

    @Option(names = "--label", defaultValue = "label", description = "label column (default: ${DEFAULT-VALUE})")
    String label;

    @Option(names = "--features", defaultValue = "features",
            description = "feature column(s): an array column, \"x1, x2, x3\" numeric columns, or two array columns "
                    + "of 0-based indices and values for sparse data, \"indices, vals\" in the tables of corgipile "
                    + "dataset (default: ${DEFAULT-VALUE})")
    String features;

    @Option(names = "--model", description = "logistic | svm | linear | softmax | mlp (default: logistic)")
    String model;

    @Option(names = "--shuffle", description = "corgipile | block_only | none | shuffle_once | epoch_shuffle | "
            + "sliding_window | mrs (default: corgipile)")
    String shuffle;

    @Option(names = "--epochs", description = "number of epochs, 1 .. 100000 (default: 10)")
    Integer epochs;

    @Option(names = "--learning-rate", description = "initial learning rate, (0, 1e6] (default: min(0.01, 1/d) for d dense "
            + "features, 0.01 for sparse features and mlp)")
    Double learningRate;

    @Option(names = "--schedule", description = "constant | exponential | inverse (default: exponential)")
    String schedule;

    @Option(names = "--decay", description = "learning-rate decay per epoch (default: 0.95)")
    Double decay;

    @Option(names = "--l2", description = "L2 regularisation, [0, 1e6] (default: 0)")
    Double l2;

    @Option(names = "--l1", description = "L1 regularisation, [0, 1e6] (default: 0)")
    Double l1;

    @Option(names = "--batch-size", description = "mini-batch size, 1 = per tuple (default: 1)")
    Integer batchSize;

    @Option(names = "--seed", description = "random seed (default: random, recorded with the model)")
    Long seed;

    @Option(names = "--block-size", description = "pages per block, 8 kB each (default: derived from the table, "
            + Sizing.MIN_BLOCK_PAGES + " .. " + Sizing.MAX_BLOCK_PAGES + ")")
    Integer blockSize;

    @Option(names = "--buffer-size", description = "tuple buffer: fraction (0, 1] of the table, or a tuple count "
            + "(default: derived from the table, at least " + Sizing.MIN_BUFFER_BLOCKS + " blocks, within --option "
            + "buffer_memory=BYTES)")
    Double bufferSize;

    @Option(names = "--early-stop-patience", description = "stop after N epochs without validation improvement "
            + "(default: 0 = off)")
    Integer earlyStopPatience;

    @Option(names = "--standardize", arity = "0..1", description = "standardise features (mean/std stored with the "
            + "model; default: true for dense features, false for sparse)")
    Boolean standardize;

    @Option(names = "--hidden", split = ",", description = "mlp hidden layer widths, e.g. 64 or 64,32")
    List<Integer> hidden;

    @Option(names = "--classes", description = "number of classes (softmax, mlp; default: inferred)")
    Integer classes;

    @Option(names = "--device", description = "cpu | gpu | auto (default: cpu)")
    String device;

    @Option(names = "--train-metrics", description = "running (default: loss of the training pass, no extra read) | pass (a metrics pass per epoch)")
    String trainMetrics;

    @Option(names = "--overwrite", arity = "0..1", description = "replace a model of the same name")
    Boolean overwrite;

    @Option(names = "--warm-start", paramLabel = "MODEL",
            description = "continue training from this stored model (same model type and features)")
    String warmStart;

    @Option(names = "--class-weights", split = ",", paramLabel = "W",
            description = "training weight of each class, e.g. 1,5 (binary: negative,positive; softmax: one per class)")
    List<Double> classWeights;

    @Option(names = "--model-name", description = "store the model under this name (without it the model is not stored)")
    String modelName;

    @Option(names = "--validation", paramLabel = "RELATION",
            description = "relation evaluated after every epoch (validation loss and accuracy)")
    String validation;

    @Option(names = "--mode", defaultValue = "auto", converter = ModeConverter.class,
            description = "auto | server | client (default: ${DEFAULT-VALUE})")
    TrainMode mode;

    /** An unknown mode is a usage error (exit 1), like any malformed option. */
    static final class ModeConverter implements picocli.CommandLine.ITypeConverter<TrainMode> {
        @Override
        public TrainMode convert(String value) {
            try {
                return TrainMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Option(names = "--option", paramLabel = "KEY=VALUE",
            description = "any other train_sgd argument or options key, repeatable")
    Map<String, String> options;

    @Option(names = "--no-progress", description = "no progress bars, only the final table")
    boolean noProgress;

    @Override
    public Integer call() {
        if (options != null) {
            // --option is for the other arguments: one with its own option would silently override it
            options.forEach((key, value) -> {
                String name = key.strip().toLowerCase(java.util.Locale.ROOT);
                String own = Failures.option(spec, name);
                if (own != null) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            "--option " + key + "=" + value + ": " + name + " has its own option, " + own);
                }
            });
        }
        return Failures.run(spec, global.verbose, this::execute);
    }

    private Integer execute() throws Exception {
        TrainSpecBuilder hyper = TrainSpec.builder()
                .option("model", model).option("shuffle", shuffle).option("epochs", epochs)
                .option("learning_rate", learningRate).option("schedule", schedule).option("decay", decay)
                .option("l2", l2).option("l1", l1).option("batch_size", batchSize).option("seed", seed)
                .option("block_size", blockSize).option("buffer_size", bufferSize)
                .option("early_stop_patience", earlyStopPatience).option("standardize", standardize)
                .option("hidden", hidden).option("classes", classes).option("device", device)
                .option("train_metrics", trainMetrics).option("overwrite", overwrite)
                .option("warm_start", warmStart).option("class_weights", classWeights);
        if (options != null) {
            options.forEach(hyper::option);
        }
        TrainJob job = TrainJob.on(relation).label(label).features(features).modelName(modelName)
                .validation(validation).mode(mode).spec(hyper).build();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TrainingListener listener = noProgress ? TrainingListener.NONE
                : new EpochProgress(err, System.console() != null);
        TrainingRun run = global.corgipile().train(job, listener);
        printEpochs(out, run.epochs());
        out.println(run.model() == null
                ? "trained in " + run.mode() + " mode; model not stored (give --model-name NAME to store it)"
                : "model " + run.model().name() + " stored in corgipile.models (trained in " + run.mode() + " mode)");
        out.flush();
        return ExitCodes.OK;
    }

    static void printEpochs(PrintWriter out, List<EpochStats> epochs) {
        boolean validation = epochs.stream().anyMatch(e -> !Double.isNaN(e.validationLoss())
                || !Double.isNaN(e.validationAccuracy()));
        List<String> header = new ArrayList<>(List.of("epoch", "loss", "accuracy"));
        if (validation) {
            header.addAll(List.of("val_loss", "val_accuracy"));
        }
        header.addAll(List.of("learning_rate", "seconds", "tuples"));
        TextTable t = new TextTable(header);
        for (EpochStats e : epochs) {
            List<String> row = new ArrayList<>(List.of(String.valueOf(e.epoch()), TextTable.num(e.loss()),
                    TextTable.num(e.accuracy())));
            if (validation) {
                row.add(TextTable.num(e.validationLoss()));
                row.add(TextTable.num(e.validationAccuracy()));
            }
            row.add(TextTable.num(e.learningRate()));
            row.add(String.format(java.util.Locale.ROOT, "%.3f", e.seconds()));
            row.add(String.valueOf(e.tuples()));
            t.add(row);
        }
        t.print(out);
    }
}
