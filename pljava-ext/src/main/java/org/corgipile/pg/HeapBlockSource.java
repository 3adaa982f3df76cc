package org.corgipile.pg;

import java.util.BitSet;

import org.corgipile.operators.TrainingException;
import org.corgipile.operators.FeaturesArgument;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.Sizing;
import org.corgipile.operators.TrainOptions;
import org.corgipile.operators.TupleBuffer;

/**
 * A {@link BlockSource} over the heap pages of a PostgreSQL table, read through the buffer manager by the natives
 * of {@code heap_reader.c}: one JNI call per page range, the visible tuples of that range under the query's
 * snapshot, deformed in C into doubles written straight into a Java array.
 *
 * <p>Output format (doubles, into two double[]s the native pins for the call): the records, per tuple its features
 * for dense shapes or {nnz, nnz indices, nnz values} for sparse ones, into a region {@code [offset, offset +
 * length)} of the first; into the second ({@link #meta}) a header {tuples, doubles of records, tuples skipped in
 * this call, doubles of records the first page needs when it did not fit, dimension} followed by the tuples'
 * {label, tid} pairs (tuple t's at {@code 5 + 2t}). The native returns how many pages it consumed: it stops before
 * the first page whose records or pairs do not fit, so a range is read in as many calls as the room needs.
 *
 * <p>Dense features are written in place: {@link #readPages} hands the native the free end of the
 * {@link TupleBuffer}'s own feature array, the records land where SGD reads them and only the {label, tid} pairs
 * behind them are moved in Java. Copying every row out of a direct buffer, as the reader did before, was 27% of the
 * reading thread of a warm {@code none} epoch (perf, 1M x 28; docs/in-database.md). Sparse records go to a scratch
 * array first and are checked and decoded from there.
 *
 * <p>Only the backend's main thread may use an instance (the natives check it).
 */
public final class HeapBlockSource implements RelationSource {
    private static final int HEADER = 5;
    private static final long READ_CHECKED_NANOS = 1_000_000;
    /** Tuples whose pairs one call can return (at least a page's, MaxHeapTuplesPerPage: the native checks). */
    private static final int CALL_TUPLES = 16_384;
    private final double[] meta = new double[HEADER + 2 * CALL_TUPLES];
    /**
     * The scratch array of sparse records, small on purpose: the native fills it and stops when full, Java decodes
     * it at once, so the round trip stays in the CPU cache (4 MB buffers made the reader ~2x slower than 256 kB
     * ones on 10 MB blocks, when dense rows took this way too).
     */
    private static final int INITIAL_BYTES = 256 << 10;

    /** The relation as errors name it, the reader's (C) and this class's alike (see {@link #open}). */
    private final String shown;
    private final String label;
    private final java.util.List<String> features;
    private final long handle;
    private final long pageCount;
    private final long toastPages;
    private ToastRanges toastRanges;    // sampled at the first willRead
    private boolean toastSampled;
    /** Skips announcing the blocks of a warm table ({@link CachedRanges}). */
    private final CachedRanges cachedRanges = new CachedRanges();
    private final FeatureShape shape;
    private final boolean rowless;
    private double[] scratch;
    private int[] sparseIndices = new int[64];
    private double[] sparseValues = new double[64];
    private boolean closed;
    private final BitSet pagesSeen = new BitSet();
    private long skippedRows;       // first read of each page only
    private long pagesRead;         // every read (for an estimate of the tuples per page)
    private long tuplesRead;
    private Runnable tick = () -> { };
    /** {@link System#nanoTime()} when the last read native returned ({@link #checkInterrupts()}). */
    private long readEnded = System.nanoTime() - 2 * READ_CHECKED_NANOS;

    private HeapBlockSource(String shown, String label, java.util.List<String> features, long[] info,
                            int sparseDimension) {
        this.shown = shown;
        this.label = label;
        this.features = features;
        this.handle = info[0];
        this.pageCount = info[1];
        this.toastPages = info[4];
        this.scratch = new double[INITIAL_BYTES / Double.BYTES];
        boolean sparse = info[3] != 0;
        int dimension = (int) info[2];
        if (dimension == 0) {
            dimension = sparse ? (sparseDimension > 0 ? sparseDimension : largestIndex() + 1) : firstArrayLength();
        }
        this.rowless = dimension <= 0;
        this.shape = new FeatureShape(Math.max(1, dimension), sparse);
    }

    /**
     * True when finding the dimension found no row with a non-NULL label and features (its shape's dimension is then
     * a placeholder): a table is refused so ({@link #open}), a leaf of a partitioned table is left out
     * ({@link #openLeaf}, {@link PartitionsBlockSource}), as a query on the parent reads the other leaves' rows.
     */
    boolean rowless() {
        return rowless;
    }

    /**
     * Opens a reader: checks the relation kind, SELECT privilege, row-level security and the columns, registers the
     * active snapshot, and finds the feature dimension (the first tuple's length for arrays; the largest index + 1
     * for sparse pairs unless {@code sparseDimension > 0}). {@code shown}: the relation as every error of the reader
     * names it (null: its name in double quotes), e.g. shuffle_once's copy as the user's relation
     * ({@link org.corgipile.operators.BlockSource#shuffledCopyOf}); one that starts with a space follows the name in
     * double quotes (a partition: {@code "t_1" (part of "t")}, {@link PartitionsBlockSource}).
     */
    public static HeapBlockSource open(long relationOid, String label, String features, int sparseDimension,
                                       String shown) {
        HeapBlockSource src = openLeaf(relationOid, label, features, sparseDimension, shown);
        if (src.rowless()) {
            src.close();
            throw src.noRows();
        }
        return src;
    }

    /** As {@link #open}, but a relation without a row to find the dimension from is opened {@link #rowless()}. */
    static HeapBlockSource openLeaf(long relationOid, String label, String features, int sparseDimension,
                                    String shown) {
        java.util.List<String> names = FeaturesArgument.names(features);   // a malformed list before the reader
        long[] info = new long[5];
        String name = Natives.readerOpen(relationOid, label, features, shown, info);
        try {
            return new HeapBlockSource(shown != null && !shown.startsWith(" ") ? shown
                    : "\"" + name + "\"" + (shown == null ? "" : shown), label, names, info, sparseDimension);
        } catch (RuntimeException e) {
            Natives.readerClose(info[0]);
            throw e;
        }
    }

    /** Dense arrays: the length of the first tuple in storage order (the reader then holds every tuple to it); 0: none. */
    private int firstArrayLength() {
        for (long page = 0; page < pageCount; ) {
            Raw raw = readRaw(page, 1);
            if (raw.tuples > 0) {
                return (int) meta[4];
            }
            page += raw.done;
            Natives.checkInterrupts();
        }
        return 0;
    }

    /** Sparse pairs without a given dimension: one pass over the table for the largest index; -1: no tuple. */
    private int largestIndex() {
        double largest = -1;
        long tuples = 0;
        for (long page = 0; page < pageCount; ) {
            Raw raw = readRaw(page, (int) Math.min(Integer.MAX_VALUE, pageCount - page));
            int pos = 0;
            for (int t = 0; t < raw.tuples; t++) {
                int nnz = (int) scratch[pos];
                for (int k = 0; k < nnz; k++) {
                    double index = scratch[pos + 1 + k];
                    checkIndex(index, (long) meta[pairAt(t) + 1], TrainOptions.MAX_DIMENSION);
                    largest = Math.max(largest, index);
                }
                pos += 1 + 2 * nnz;
            }
            tuples += raw.tuples;
            page += raw.done;
            Natives.checkInterrupts();
        }
        if (tuples == 0) {
            return -1;
        }
        return (int) Math.max(largest, 0);
    }

    private record Raw(int done, int tuples) {
    }

    /** Reads pages into the scratch array (growing it until at least one page fits); skips not counted. */
    private Raw readRaw(long page, int pages) {
        while (true) {
            int done = read(page, pages, scratch, 0, scratch.length);
            if (done > 0) {
                return new Raw(done, (int) meta[0]);
            }
            grow(Math.max((long) meta[3] + 128, (long) scratch.length * 2));
        }
    }

    /**
     * Reads pages straight into the free end of {@code into}'s dense features (no copy in Java), making room until
     * at least one page fits; returns the pages consumed. The buffer grows only when full, so a buffer reserved for
     * its rows (TupleShuffle's) is filled without growing.
     */
    private int readDense(long page, int pages, TupleBuffer into) {
        int room = 1;   // rows of free room to make before the call (a page's worth after one did not fit)
        while (true) {
            double[] dense = into.denseRoom(room);
            int offset = into.size() * shape.dimension();
            int done = read(page, pages, dense, offset, dense.length - offset);
            if (done > 0) {
                int tuples = (int) meta[0];
                int first = into.appendDenseRows(tuples);
                for (int t = 0; t < tuples; t++) {
                    into.setLabelAndId(first + t, meta[pairAt(t)], (long) meta[pairAt(t) + 1]);
                }
                return done;
            }
            room = (int) Math.min(Integer.MAX_VALUE / 2, (long) meta[3] / shape.dimension() + 1);
        }
    }

    /** The read native into {@code rows[offset, offset + length)} and {@link #meta}; notes when it returned. */
    private int read(long page, int pages, double[] rows, int offset, int length) {
        int done = Natives.readerReadPages(handle, page, pages, rows, offset, length, meta);
        readEnded = System.nanoTime();
        return done;
    }

    private TrainingException noRows() {
        return new TrainingException(TrainingException.DATA_EXCEPTION,
                "relation " + shown + " has no rows with a non-NULL label and features",
                "Load data first; rows whose label or features are NULL are skipped.");
    }

    private void checkIndex(double index, long tid, int dimension) {
        if (!(index >= 0 && index < dimension)) {
            throw TupleBuffer.sparseIndexOutside(index, tid, features.get(0), shown, dimension);
        }
    }

    @Override
    public long pageCount() {
        return pageCount;
    }

    @Override
    public String describeLabel() {
        return "label column \"" + label + "\" of relation " + shown;
    }

    @Override
    public String describeValue(int feature, long id) {
        return org.corgipile.operators.BlockSource.describeValue(shown, label, features, shape.sparse(), feature,
                id);
    }

    /** The heap page and its share of the TOAST relation's pages (heap + TOAST bytes / heap pages). */
    @Override
    public long storedPageBytes() {
        return pageCount == 0 ? Sizing.PAGE_BYTES
                : Math.round((double) (pageCount + toastPages) / pageCount * Sizing.PAGE_BYTES);
    }

    @Override
    public FeatureShape shape() {
        return shape;
    }

    /**
     * Rows skipped because their label or features were NULL, each counted once however often its page was read
     * (training reads the table every epoch, and again for the metrics pass).
     */
    @Override
    public long skippedTuples() {
        return skippedRows;
    }

    @Override
    public int readPages(long firstPage, int pages, TupleBuffer into) {
        long page = Math.max(0, firstPage);
        long end = Math.min(pageCount, firstPage + pages);
        int appended = 0;
        while (page < end) {
            int want = (int) (end - page);
            int done;
            if (shape.sparse()) {
                done = readRaw(page, want).done();
                appended += decode((int) meta[0], into);
            } else {
                done = readDense(page, want, into);
                appended += (int) meta[0];
            }
            if (!pagesSeen.get((int) page)) {
                skippedRows += (long) meta[2];
            }
            pagesSeen.set((int) page, (int) (page + done));
            pagesRead += done;
            tuplesRead += (long) meta[0];
            page += done;
        }
        if (toastRanges != null && !toastRanges.knows(firstPage)) {
            toastRanges.learn(firstPage, firstToastBlock(firstPage, end));
        }
        return appended;
    }

    /** The TOAST block of the first out-of-line value on pages [page, end), probing at most LEARN_PAGES, or -1. */
    private int firstToastBlock(long page, long end) {
        for (long p = page; p < Math.min(end, page + ToastRanges.LEARN_PAGES); p++) {
            int at = Natives.readerToastBlock(handle, p);
            if (at >= 0) {
                return at;
            }
        }
        return -1;
    }

    /**
     * posix_fadvise(WILLNEED) over the range, in 2 MB requests: the device reads a block of a random order in a
     * few large requests, one seek plus its transfer, while earlier blocks are decoded (storage order is left to the
     * kernel's sequential read-ahead). Linux reads at most max(read_ahead_kb, max_sectors_kb) of the device per
     * call, hence the 2 MB. When the features are stored out of line, the TOAST pages of the range are announced
     * the same way ({@link ToastRanges}: a map sampled at the first announcement). On a warm table, where every
     * range is found in the page cache, most blocks are not announced at all ({@link CachedRanges}).
     */
    @Override
    public void willRead(long firstPage, int pages) {
        if (!cachedRanges.announce()) {
            return;
        }
        boolean cached = Natives.readerWillNeed(handle, false, firstPage, pages) == 0;
        if (!toastSampled) {
            toastSampled = true;
            toastRanges = ToastRanges.sample(pageCount, toastPages, ToastRanges.PROBES,
                    page -> Natives.readerToastBlock(handle, page));
        }
        if (toastRanges != null) {
            long[] range = toastRanges.range(firstPage, pages);
            if (range[1] > range[0]) {
                cached &= Natives.readerWillNeed(handle, true, range[0], (int) (range[1] - range[0])) == 0;
            }
        }
        cachedRanges.found(cached);
    }

    private void grow(long doubles) {
        if (doubles * Double.BYTES > Integer.MAX_VALUE - 8) {
            throw new TrainingException(TrainingException.PROGRAM_LIMIT_EXCEEDED,
                    "a heap page deforms to more than 2 GB of features",
                    "Use sparse features for very wide rows.");
        }
        scratch = new double[(int) doubles];
    }

    /** Where tuple {@code t}'s {label, tid} pair of a call's output is. */
    private static int pairAt(int t) {
        return HEADER + 2 * t;
    }

    /** The sparse tuples of a call's output into {@code into} (dense ones are written in place, {@link #readPages}). */
    private int decode(int tuples, TupleBuffer into) {
        double[] d = scratch;
        int pos = 0;
        int dim = shape.dimension();
        for (int t = 0; t < tuples; t++) {
            int at = pairAt(t);
            double label = meta[at];
            long id = (long) meta[at + 1];
            int nnz = (int) d[pos];
            if (nnz > sparseIndices.length) {
                sparseIndices = new int[Math.max(nnz, sparseIndices.length * 2)];
                sparseValues = new double[sparseIndices.length];
            }
            int base = pos + 1;
            for (int k = 0; k < nnz; k++) {
                double index = d[base + k];
                checkIndex(index, id, dim);
                sparseIndices[k] = (int) index;
            }
            System.arraycopy(d, base + nnz, sparseValues, 0, nnz);
            into.addSparse(label, id, sparseIndices, sparseValues, 0, nnz);
            pos = base + 2 * nnz;
        }
        return tuples;
    }

    /**
     * True: {@code heap_reader.c} raises 22000 naming the tuple for a NaN or infinite label or feature (every feature
     * kind: arrays, column lists, sparse values) before the tuple reaches Java, so the operators' input guard need
     * not test every value a second time (that pass over each block cost as much CPU as reading it).
     */
    @Override
    public boolean valuesAreFinite() {
        return true;
    }

    /**
     * The visible tuples of the relation, estimated from the pages read so far (every read counts), or -1 before
     * the first read.
     */
    @Override
    public long estimatedTuples() {
        return estimate(tuplesRead, pagesRead, pageCount);
    }

    /** {@code pageCount} pages at the density of the {@code pagesRead} read so far; -1 before any read. */
    static long estimate(long tuplesRead, long pagesRead, long pageCount) {
        return pagesRead == 0 ? -1 : Math.round((double) tuplesRead / pagesRead * pageCount);
    }

    /** Pages read so far (every epoch and pass), for {@link PartitionsBlockSource}'s estimate. */
    long pagesRead() {
        return pagesRead;
    }

    /** Tuples those pages held. */
    long tuplesRead() {
        return tuplesRead;
    }

    /**
     * Runs {@code action} on every {@link #checkInterrupts()}, i.e. before every block and every ~50 ms while the
     * main thread waits for the compute thread: the hook train_sgd's progress reporting runs on.
     */
    @Override
    public void onCheckInterrupts(Runnable action) {
        tick = action;
    }

    /**
     * CHECK_FOR_INTERRUPTS through the native, unless a read ended less than {@value #READ_CHECKED_NANOS} ns ago: the
     * read native checks for interrupts before every page, so a cancel still lands within a page or a millisecond
     * (JVM-BRIDGE.md: "every block / every few ms"). Saves a native call per block, i.e. its two signal-mask system
     * calls, on a warm table's reading thread. The progress hook runs every time.
     */
    @Override
    public void checkInterrupts() {
        if (System.nanoTime() - readEnded > READ_CHECKED_NANOS) {
            Natives.checkInterrupts();
        }
        tick.run();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                if (toastRanges != null) {
                    Natives.message(3, "corgipile: read-ahead of " + shown + ": " + toastRanges.summary());
                }
            } finally {
                Natives.readerClose(handle);
            }
        }
    }
}
