package org.corgipile.pg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.corgipile.operators.TupleBuffer;

/**
 * corgipile.scan_stats(relation, label, features): reads the whole relation through {@link HeapBlockSource} in
 * ranges of {@code block_pages} and returns tuple count, label sum and feature sum. It checks the reader against
 * plain SQL aggregates in the tests and measures the reader's speed next to the scan floor in the benchmark.
 */
final class ScanStatsFunction {
    private ScanStatsFunction() {
    }

    static JsonNode run(JsonNode args) {
        int blockPages = args.path("block_pages").asInt(1280);
        if (blockPages < 1) {
            throw new SqlError(SqlError.INVALID_PARAMETER_VALUE, "block_pages must be at least 1, got " + blockPages,
                    null);
        }
        long start = System.nanoTime();
        try (HeapBlockSource src = HeapBlockSource.open(args.get("relation").asLong(), args.get("label").asText(),
                args.get("features").asText(), args.path("dimension").asInt(0))) {
            TupleBuffer buf = new TupleBuffer(src.shape(), 1024);
            long tuples = 0;
            double labelSum = 0;
            double featureSum = 0;
            for (long page = 0; page < src.pageCount(); page += blockPages) {
                buf.clear();
                long next = page + blockPages < src.pageCount() ? page + blockPages : -1;
                int n = src.readPages(page, blockPages, next, buf);
                tuples += n;
                for (int i = 0; i < n; i++) {
                    labelSum += buf.label(i);
                }
                if (src.shape().sparse()) {
                    int nnz = n == 0 ? 0 : buf.rowEnd(n - 1);
                    for (int k = 0; k < nnz; k++) {
                        featureSum += buf.values()[k];
                    }
                } else {
                    double[] dense = buf.dense();
                    int len = n * src.shape().dimension();
                    for (int k = 0; k < len; k++) {
                        featureSum += dense[k];
                    }
                }
                src.checkInterrupts();
            }
            ObjectNode o = Entry.JSON.createObjectNode();
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
