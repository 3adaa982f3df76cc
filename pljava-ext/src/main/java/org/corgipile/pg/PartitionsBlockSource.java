package org.corgipile.pg;

import java.util.ArrayList;
import java.util.List;

import org.corgipile.operators.TrainingException;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.Sizing;
import org.corgipile.operators.TupleBuffer;

/**
 * The leaf partitions of a partitioned table as one page space: partition 0's pages, then partition 1's, and so on.
 * {@code BlockShuffle} cuts that space into blocks and shuffles them, so a training epoch visits the blocks of every
 * partition in one random order (a block at a boundary holds the tail of one partition and the head of the next:
 * still every page once per epoch, still nearly sequential reads).
 *
 * <p>Each partition is a {@link HeapBlockSource} of its own, opened under the same active snapshot and checked like
 * a table: SELECT privilege on the partition (or its columns) and no row-level security for this user. That is
 * stricter than a query on the parent, which checks only the parent: the reader bypasses the executor and reads each
 * partition's heap, so it asks each partition.
 *
 * <p>Dense partitions must agree on the dimension; sparse ones without an explicit dimension are reopened with the
 * largest one found, so every partition validates indices against the same bound.
 *
 * <p>Errors about a row name the leaf read and the table the user passed ({@code features "f" of tuple (0,3) of
 * relation "t_2" (part of "t")}; the table itself, a leaf of an inheritance tree, by its name alone): each leaf is
 * opened as shown so, and tuple identities are positions in the concatenated page space (a leaf's TID, its pages
 * shifted by the pages before it), which {@link #describeValue} maps back to the leaf and its TID.
 */
final class PartitionsBlockSource implements RelationSource {
    private final List<HeapBlockSource> parts;
    private final long[] firstPage;   // first page of each part in the concatenated space, plus the total at the end
    private final FeatureShape shape;
    /** The label as errors name it: the table's the user passed (partitioned or with children), not a leaf's. */
    private final String labelOfTable;
    /** The leaf read last: interrupt checks go through it ({@link #checkInterrupts}). */
    private int lastPart;
    private Runnable tick = () -> {
    };

    private PartitionsBlockSource(List<HeapBlockSource> parts, FeatureShape shape, String name, String label) {
        this.parts = parts;
        this.shape = shape;
        this.labelOfTable = "label column \"" + label + "\" of relation " + TrainFunction.quoted(name);
        this.firstPage = new long[parts.size() + 1];
        for (int i = 0; i < parts.size(); i++) {
            firstPage[i + 1] = firstPage[i] + parts.get(i).pageCount();
        }
    }

    /**
     * {@code table}: the OID of the table passed (one of the leaves for an inheritance tree), or null. Leaves without
     * a row are left out; with none left, {@code share} (a server's share of a sharded table, which the coordinator
     * averages by rows) opens an empty source of no pages, else the relation has no rows (22000).
     */
    static PartitionsBlockSource open(String name, Long table, List<Long> oids, String label, String features,
                                      int sparseDimension, boolean share) {
        String partOf = " (part of " + TrainFunction.quoted(name) + ")";
        List<HeapBlockSource> parts = oids.isEmpty() ? List.of()
                : openAll(oids, table, label, features, sparseDimension, partOf);
        if (parts.isEmpty() && share) {
            return new PartitionsBlockSource(parts, FeatureShape.dense(1), name, label);
        }
        if (parts.isEmpty()) {
            throw new TrainingException(TrainingException.DATA_EXCEPTION, "relation " + TrainFunction.quoted(name)
                    + " has no rows with a non-NULL label and features", "Load data into its partitions first.");
        }
        FeatureShape shape = parts.get(0).shape();
        if (shape.sparse() && sparseDimension <= 0) {
            int widest = 0;
            for (HeapBlockSource p : parts) {
                widest = Math.max(widest, p.shape().dimension());
            }
            if (parts.stream().anyMatch(p -> p.shape().dimension() != shape.dimension())) {
                parts.forEach(HeapBlockSource::close);
                parts = openAll(oids, table, label, features, widest, partOf);
            }
            return new PartitionsBlockSource(parts, new FeatureShape(widest, true), name, label);
        }
        for (int i = 1; i < parts.size(); i++) {
            if (!parts.get(i).shape().equals(shape)) {
                String got = parts.get(i).shape().dimension() + "";
                parts.forEach(HeapBlockSource::close);
                throw new TrainingException(TrainingException.DATA_EXCEPTION,
                        "partitions of " + TrainFunction.quoted(name) + " disagree on the features: "
                        + "one has " + shape.dimension() + ", another " + got,
                        "Every partition's features must have the same length.");
            }
        }
        return new PartitionsBlockSource(parts, shape, name, label);
    }

    private static List<HeapBlockSource> openAll(List<Long> oids, Long table, String label, String features,
                                                 int dimension, String partOf) {
        List<HeapBlockSource> parts = new ArrayList<>();
        boolean ok = false;
        try {
            for (long oid : oids) {
                HeapBlockSource part = HeapBlockSource.openLeaf(oid, label, features, dimension,
                        table != null && oid == table ? null : partOf);
                if (part.rowless()) {
                    part.close(); // no row to read (e.g. every row deleted or with NULL features): as a query, skip it
                } else {
                    parts.add(part);
                }
            }
            ok = true;
            return parts;
        } finally {
            if (!ok) {
                parts.forEach(HeapBlockSource::close);
            }
        }
    }

    @Override
    public long pageCount() {
        return firstPage[parts.size()];
    }

    @Override
    public String describeLabel() {
        return labelOfTable;
    }

    /** Over all leaves: their heap and TOAST bytes per heap page. */
    @Override
    public long storedPageBytes() {
        double bytes = 0;
        for (HeapBlockSource part : parts) {
            bytes += (double) part.storedPageBytes() * part.pageCount();
        }
        return pageCount() == 0 ? Sizing.PAGE_BYTES : Math.round(bytes / pageCount());
    }

    @Override
    public FeatureShape shape() {
        return shape;
    }

    @Override
    public String describeValue(int feature, long id) {
        int i = partOf(id >>> 16);
        return parts.get(i).describeValue(feature, id - (firstPage[i] << 16));
    }

    /** The part holding page {@code page} of the concatenated space. */
    private int partOf(long page) {
        int i = 0;
        while (i < parts.size() - 1 && page >= firstPage[i + 1]) {
            i++;
        }
        return i;
    }

    @Override
    public int readPages(long from, int pages, TupleBuffer into) {
        return eachPart(from, pages, (i, local, n) -> {
            int before = into.size();
            lastPart = i;
            int read = parts.get(i).readPages(local, n, into);
            for (int t = before; t < into.size(); t++) {
                into.setLabelAndId(t, into.label(t), into.id(t) + (firstPage[i] << 16));
            }
            return read;
        });
    }

    @Override
    public void willRead(long from, int pages) {
        eachPart(from, pages, (i, local, n) -> {
            parts.get(i).willRead(local, n);
            return 0;
        });
    }

    private interface PartRange {
        int apply(int part, long localFirst, int pages);
    }

    /** Applies {@code f} to the piece of pages {@code [from, from + pages)} in each partition; sums its results. */
    private int eachPart(long from, int pages, PartRange f) {
        long end = Math.min(pageCount(), from + pages);
        int sum = 0;
        for (int i = 0; i < parts.size() && from < end; i++) {
            if (from >= firstPage[i + 1]) {
                continue;
            }
            long upTo = Math.min(end, firstPage[i + 1]);
            sum += f.apply(i, from - firstPage[i], (int) (upTo - from));
            from = upTo;
        }
        return sum;
    }

    @Override
    public long skippedTuples() {
        long n = 0;
        for (HeapBlockSource p : parts) {
            n += p.skippedTuples();
        }
        return n;
    }

    @Override
    public boolean valuesAreFinite() {
        return true;
    }

    /** Over all leaves: the pages read so far at their density (-1 before any read). */
    @Override
    public long estimatedTuples() {
        long pages = 0;
        long tuples = 0;
        for (HeapBlockSource p : parts) {
            pages += p.pagesRead();
            tuples += p.tuplesRead();
        }
        return HeapBlockSource.estimate(tuples, pages, pageCount());
    }

    /** Every leaf runs {@code action} on its interrupt checks (train_sgd's progress, as for a table). */
    @Override
    public void onCheckInterrupts(Runnable action) {
        tick = action;
        parts.forEach(p -> p.onCheckInterrupts(action));
    }

    /**
     * Through the leaf read last, which skips the native right after a read and runs the progress hook (a
     * partitioned table's live progress stood still within an epoch: this source checked without the hook).
     */
    @Override
    public void checkInterrupts() {
        if (parts.isEmpty()) {
            Natives.checkInterrupts();
            tick.run();
        } else {
            parts.get(lastPart).checkInterrupts();
        }
    }

    @Override
    public void close() {
        parts.forEach(HeapBlockSource::close);
    }
}
