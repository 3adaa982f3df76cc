package org.corgipile.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import org.corgipile.client.CorgiPile;
import org.corgipile.client.Predictions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code corgipile predict MODEL --query SQL}: the query's rows plus a {@code prediction} column, as CSV on stdout
 * or into a new table with {@code --into}.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
        description = {"Predict with a stored model for every row of a query.",
            "Writes CSV (query columns, then prediction) to stdout, or creates the table given by --into."},
        footer = {"", "Example:",
            "  corgipile predict higgs_lr --query \"SELECT id, features FROM higgs_like_test LIMIT 10\""})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Parameters(index = "0", paramLabel = "MODEL", description = "model name")
    String model;

    @Option(names = {"-q", "--query"}, required = true, paramLabel = "SQL",
            description = "a SELECT whose rows to predict, e.g. \"SELECT * FROM higgs_like_test\"")
    String query;

    @Option(names = "--features", paramLabel = "COLUMNS",
            description = "the query's feature array column, or a column list \"x1, x2\" (default: the model's, as "
                    + "it was trained)")
    String features;

    @Option(names = "--proba", description = "the positive-class probability (column probability; logistic and "
            + "binary mlp models) instead of the prediction")
    boolean proba;

    @Option(names = "--into", paramLabel = "TABLE", description = "create this table with the predictions instead of "
            + "printing them")
    String into;

    @Option(names = "--replace", description = "with --into: drop an existing table of that name first (in the same "
            + "transaction)")
    boolean replace;

    @Override
    public Integer call() {
        if (replace && into == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--replace needs --into TABLE (it drops that table before writing the predictions into it)");
        }
        return Failures.run(spec, global.verbose, this::execute);
    }

    private Integer execute() throws Exception {
        CorgiPile cp = global.corgipile();
        PrintWriter out = spec.commandLine().getOut();
        if (features == null) {
            features = trainedFeatures(cp, model);
        }
        if (into != null) {
            long n = cp.predictInto(model, query, features, into, replace, proba);
            out.println(n + " predictions written to " + into);
            out.flush();
            return ExitCodes.OK;
        }
        cp.predict(model, query, features, new Predictions.RowSink() {
            @Override
            public void header(List<String> columns) {
                out.println(String.join(",", columns.stream().map(PredictCommand::csv).toList()));
            }

            @Override
            public void row(List<String> values, double prediction) {
                StringBuilder line = new StringBuilder();
                for (String v : values) {
                    line.append(v == null ? "" : csv(v)).append(',');
                }
                out.println(line.append(Double.isNaN(prediction) ? "" : fmt(prediction)));
            }
        }, proba);
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * The default of {@code --features} of predict and export predictions: the model's own features argument, an
     * array column or the column list it was trained on.
     */
    static String trainedFeatures(CorgiPile cp, String model) throws java.sql.SQLException {
        var trained = cp.model(model).info().row().get("features_column");
        return trained != null && !trained.isNull() ? trained.asText() : "features";
    }

    private static String fmt(double p) {
        return p == Math.rint(p) && Math.abs(p) < 1e15 ? String.valueOf((long) p) : String.valueOf(p);
    }

    /** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
    static String csv(String v) {
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) {
            return v;
        }
        return '"' + v.replace("\"", "\"\"") + '"';
    }
}
