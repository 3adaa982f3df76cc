package org.corgipile.pg;

import java.util.LinkedHashMap;
import java.util.Map;

import org.corgipile.operators.TrainingException;
import org.corgipile.operators.TupleBuffer;

/**
 * corgipile.scan_stats(relation, label, features): reads the whole relation through {@link HeapBlockSource} in
 * ranges of {@code block_pages} and returns tuple count, label sum and feature sum. It checks the reader against
 * plain SQL aggregates in the tests and measures the reader's speed next to the scan floor in the benchmark.
 */
final class ScanStatsFunction {
    private ScanStatsFunction() {
    }

    static Map<String, Object> run(Args args) {
        int blockPages = args.intValue("block_pages", 1280);
        if (blockPages < 1) {
            throw new TrainingException(TrainingException.INVALID_PARAMETER_VALUE,
                    "block_pages must be at least 1, got " + blockPages,
                    null);
        }
        long start = System.nanoTime();
        try (RelationSource src = RelationSource.open(args, "relation", args.string("label"),
                args.string("features"), args.intValue("dimension", 0))) {
            TupleBuffer buf = new TupleBuffer(src.shape(), 1024);
            long tuples = 0;
            double labelSum = 0;
            double featureSum = 0;
            for (long page = 0; page < src.pageCount(); page += blockPages) {
                buf.clear();
                int n = src.readPages(page, blockPages, buf);
                tuples += n;
                for (int i = 0; i < n; i++) {
                    labelSum += buf.label(i);
                }
                double[] values = src.shape().sparse() ? buf.values() : buf.dense();
                int len = src.shape().sparse() ? (n == 0 ? 0 : buf.rowEnd(n - 1)) : n * src.shape().dimension();
                for (int k = 0; k < len; k++) {
                    featureSum += values[k];
                }
                src.checkInterrupts();
            }
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("tuples", tuples);
            o.put("pages", src.pageCount());
            o.put("dimension", src.shape().dimension());
            o.put("sparse", src.shape().sparse());
            o.put("skipped", src.skippedTuples());
            o.put("label_sum", labelSum);
            o.put("feature_sum", featureSum);
            o.put("seconds", (System.nanoTime() - start) / 1e9);
            return o;
        }
    }
}
