package org.corgipile.pg;

import java.util.ArrayList;
import java.util.List;

import org.corgipile.operators.BlockSource;

/**
 * What the SQL functions read: one table ({@link HeapBlockSource}) or the leaf partitions of a partitioned table
 * ({@link PartitionsBlockSource}). The PL/pgSQL wrappers pass {@code relations}, the OIDs of the non-empty local
 * leaf partitions, when the relation is partitioned ({@code corgipile.relation_leaves}); every leaf is then opened
 * by the heap reader like a table of its own: same snapshot, its own SELECT privilege and row-level security check.
 */
interface RelationSource extends BlockSource {

    /** Rows skipped because their label or features were NULL, each counted once. */
    long skippedTuples();

    /** The visible tuples, estimated from the pages read so far, or -1 when unknown. */
    default long estimatedTuples() {
        return -1;
    }

    /** Runs {@code action} on every {@link #checkInterrupts()} (train_sgd's progress reporting); default: never. */
    default void onCheckInterrupts(Runnable action) {
    }

    /**
     * Opens {@code args[relationKey]}, or the leaves listed in {@code args[relationKey + "s"]} when that key is
     * present (a partitioned relation; an empty list when every leaf is empty).
     */
    static RelationSource open(Args args, String relationKey, String label, String features, int sparseDimension) {
        return open(args, relationKey, label, features, sparseDimension, null);
    }

    /**
     * As above; {@code shown}: how every error of the reader names a relation that is not partitioned (null: its
     * name in double quotes).
     */
    static RelationSource open(Args args, String relationKey, String label, String features, int sparseDimension,
                               String shown) {
        return open(args, relationKey, label, features, sparseDimension, shown, false);
    }

    /**
     * A server's share of a sharded table ({@code corgipile.train_epoch}: {@code args["relations"]}): as above, but
     * leaves without a row make an empty source of no pages, not an error; the coordinator averages by rows.
     */
    static RelationSource openShare(Args args, String label, String features, int sparseDimension) {
        return open(args, "relation", label, features, sparseDimension, null, true);
    }

    private static RelationSource open(Args args, String relationKey, String label, String features,
                                       int sparseDimension, String shown, boolean share) {
        String leavesKey = relationKey + "s";
        if (!(args.raw(leavesKey) instanceof List<?> leaves)) {
            return HeapBlockSource.open(Args.oid(relationKey, args.raw(relationKey)), label, features,
                    sparseDimension, shown);
        }
        List<Long> oids = new ArrayList<>();
        for (Object o : leaves) {
            oids.add(Args.oid(leavesKey, o));
        }
        return PartitionsBlockSource.open(args.string(relationKey + "_name", "?"),
                args.has(relationKey) ? Args.oid(relationKey, args.raw(relationKey)) : null, oids, label, features,
                sparseDimension, share);
    }
}
