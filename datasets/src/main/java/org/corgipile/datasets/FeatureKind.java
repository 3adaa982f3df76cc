package org.corgipile.datasets;

/** How a table stores features: {@code features float8[]} (dense) or {@code indices int[], vals float8[]} (sparse). */
public enum FeatureKind {
    DENSE,
    SPARSE
}
