package org.corgipile.datasets;

import java.util.Locale;

/**
 * Physical order of the loaded rows. CorgiPile's point is that {@link #CLUSTERED} data (sorted by label, as many
 * real tables are) breaks SGD that reads in storage order, while a block shuffle plus a tuple buffer fixes it.
 */
public enum Layout {
    /** Sorted by label, then id: the worst case for storage-order SGD. */
    CLUSTERED,
    /** A seeded random permutation (by a hash of id and seed), reproducible across runs. */
    SHUFFLED,
    /** The order of the source file or generator. */
    NATURAL;

    public static Layout parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layout must be one of clustered, shuffled, natural; got '" + s + "'");
        }
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
