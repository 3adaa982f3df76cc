package org.corgipile.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import org.corgipile.client.ModelInfo;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code corgipile models}: the models catalog as a table, or as JSON with {@code --json}. */
@Command(name = "models", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
        description = "List the models stored in corgipile.models.")
final class ModelsCommand implements Callable<Integer> {
    /** The metrics the table shows (all are in --json and in `corgipile export model`). */
    private static final List<String> SHOWN = List.of("accuracy", "validation_accuracy", "auc", "rmse", "r2",
            "validation_rmse");

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Option(names = "--json", description = "print the full catalog rows as a JSON array")
    boolean json;

    @Override
    public Integer call() {
        return Failures.run(spec, global.verbose, this::execute);
    }

    private Integer execute() throws Exception {
        List<ModelInfo> models = global.corgipile().models();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            var array = org.corgipile.client.Json.MAPPER.createArrayNode();
            models.forEach(m -> array.add(m.row()));
            out.println(org.corgipile.client.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(array));
            out.flush();
            return ExitCodes.OK;
        }
        TextTable t = new TextTable(List.of("name", "type", "relation", "created_at", "epoch", "metrics"));
        for (ModelInfo m : models) {
            StringBuilder metrics = new StringBuilder();
            for (String k : SHOWN) {
                Double v = m.metrics().get(k);
                if (v != null) {
                    metrics.append(metrics.length() == 0 ? "" : ", ").append(k).append('=').append(TextTable.num(v));
                }
            }
            t.add(List.of(m.name(), nz(m.type()), nz(m.relation()), nz(m.createdAt()), keptEpoch(m),
                    metrics.toString()));
        }
        t.print(out);
        return ExitCodes.OK;
    }

    /**
     * The epoch whose model is stored: "10", or with early stopping "4 of 7 (stopped early)" / "9 of 10 (best)" —
     * the stored model is the best epoch's, not the last one's.
     */
    static String keptEpoch(ModelInfo m) {
        var metrics = m.row().get("metrics");
        if (metrics == null || !metrics.isObject() || !metrics.has("epoch")) {
            return "";
        }
        if (!metrics.has("kept_epoch")) {
            return metrics.get("epoch").asText();
        }
        return metrics.get("kept_epoch").asText() + " of " + metrics.path("epochs_run").asText()
                + (metrics.path("stopped_early").asBoolean() ? " (stopped early)" : " (best)");
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
