package org.corgipile.bench.engine;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The data orders the benchmark compares. Names are those of {@code train_sgd(shuffle => ...)}.
 *
 * <p>{@link #SHUFFLE_ONCE} is run the way Bismarck (and MADlib after a manual shuffle) runs it: the benchmark
 * rewrites the table once in the seed's order (corgipile.shuffle_once_copy, the one shuffle_once of train_sgd and
 * the client), times that as preparation, and then trains in storage
 * order ({@link #NONE}) on the rewritten table. Every other strategy is passed to the engine as is.
 */
public enum Strategy {
    CORGIPILE("corgipile", "CorgiPile"),
    BLOCK_ONLY("block_only", "block-only"),
    NONE("none", "MADlib-style (no shuffle)"),
    SHUFFLE_ONCE("shuffle_once", "Bismarck-style (shuffle once)"),
    EPOCH_SHUFFLE("epoch_shuffle", "epoch shuffle"),
    SLIDING_WINDOW("sliding_window", "sliding window"),
    MRS("mrs", "MRS");

    private final String sqlName;
    private final String label;

    Strategy(String sqlName, String label) {
        this.sqlName = sqlName;
        this.label = label;
    }

    /** The name used by {@code train_sgd}, on the command line and in results.json. */
    @JsonValue
    public String sqlName() {
        return sqlName;
    }

    /** The name in plots and the report. */
    public String label() {
        return label;
    }

    public static Strategy parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (Strategy s : values()) {
            if (s.sqlName.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown strategy '" + name + "'; allowed: " + names());
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(Strategy::sqlName).toList();
    }
}
