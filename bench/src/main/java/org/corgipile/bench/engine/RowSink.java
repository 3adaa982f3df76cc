package org.corgipile.bench.engine;

/** Receives training tuples in the order a strategy produces them. */
@FunctionalInterface
interface RowSink {
    void accept(double label, double[] features);
}
