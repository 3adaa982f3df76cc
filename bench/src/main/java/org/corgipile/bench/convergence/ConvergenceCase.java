package org.corgipile.bench.convergence;

import java.util.List;

/**
 * One row of the convergence benchmark: a dataset, the model trained on it, and how many training rows.
 *
 * @param dataset  a dataset of {@code corgipile dataset load} or {@value GaussianMixtureSource#NAME}
 * @param model    train_sgd's model (logistic, softmax, mlp)
 * @param rows     training + test rows loaded
 * @param sparse   features are {@code indices, vals} (criteo-like), so train_sgd gets {@code dimension}
 */
record ConvergenceCase(String dataset, String model, long rows, boolean sparse) {
    /** The cases of the full run at {@code scale} = 1 (rows scale linearly). */
    static List<ConvergenceCase> all(double scale) {
        return List.of(
                new ConvergenceCase("higgs-like", "logistic", rows(200_000, scale), false),
                new ConvergenceCase("susy-like", "logistic", rows(200_000, scale), false),
                // 2,000 features: fewer rows than this leave the test split too small to tell 0.5 points apart
                new ConvergenceCase("epsilon-like", "logistic", rows(20_000, scale), false),
                new ConvergenceCase("criteo-like", "logistic", rows(100_000, scale), true),
                new ConvergenceCase("fashion-mnist-binary", "logistic", rows(20_000, scale), false),
                new ConvergenceCase("fashion-mnist", "softmax", rows(20_000, scale), false),
                new ConvergenceCase("fashion-mnist", "mlp", rows(20_000, scale), false),
                new ConvergenceCase("mnist", "softmax", rows(20_000, scale), false),
                new ConvergenceCase("flights-binary", "logistic", rows(200_000, scale), false),
                new ConvergenceCase(GaussianMixtureSource.NAME, "logistic", rows(200_000, scale), false));
    }

    private static long rows(long base, double scale) {
        return Math.max(500, Math.round(base * scale));
    }

    /** Table name of the case's data in a layout (models share the table of their dataset). */
    String table(String layout) {
        return dataset.replace('-', '_') + "_" + layout;
    }

    String label() {
        return dataset + (model.equals("logistic") ? "" : " (" + model + ")");
    }

    String features() {
        return sparse ? "indices, vals" : "features";
    }

    /** train_sgd's arguments beyond relation, label, features that the case needs (model, sparse dimension). */
    String caseArguments() {
        StringBuilder s = new StringBuilder();
        if (!model.equals("logistic")) {
            s.append(", model => '").append(model).append('\'');
        }
        return s.toString();
    }

    /** Options every run of the case needs: the dimension of sparse features. */
    String caseOptions() {
        return sparse ? "\"dimension\": 1000000" : "";
    }
}
