package org.corgipile.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code corgipile evaluate MODEL RELATION}: the metrics of {@code sgd_evaluate} as a table. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
        description = {"Evaluate a stored model on RELATION: accuracy, precision, recall, f1, auc, log_loss for "
                + "classifiers; rmse, mae, r2 for regression.",
            "Uses sgd_evaluate in the server when the database has it, else computes in this client over JDBC."})
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Parameters(index = "0", paramLabel = "MODEL", description = "model name")
    String model;

    @Parameters(index = "1", paramLabel = "RELATION", description = "table with labels and features")
    String relation;

    @Option(names = "--label", defaultValue = "label", description = "label column (default: ${DEFAULT-VALUE})")
    String label;

    @Option(names = "--features", defaultValue = "features",
            description = "feature column(s), as for train (default: ${DEFAULT-VALUE})")
    String features;

    @Override
    public Integer call() {
        return Failures.run(spec, global.verbose, this::execute);
    }

    private Integer execute() throws Exception {
        Map<String, Double> metrics = global.corgipile().evaluate(model, relation, label, features);
        TextTable t = new TextTable(List.of("metric", "value"));
        metrics.forEach((k, v) -> t.add(List.of(k, k.endsWith("tuples") ? String.valueOf(v.longValue())
                : TextTable.num(v))));
        t.print(spec.commandLine().getOut());
        return ExitCodes.OK;
    }
}
