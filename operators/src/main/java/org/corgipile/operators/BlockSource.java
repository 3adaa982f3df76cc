package org.corgipile.operators;

/**
 * Where tuples come from: a relation seen as a sequence of heap pages (PostgreSQL "blocks" of 8 KB).
 *
 * <p>The CorgiPile operators never ask for single tuples. {@link BlockShuffle} groups consecutive pages into
 * large blocks (default 1280 pages = 10 MB) and asks for one block at a time with {@link #readPages}, so that a
 * source backed by PostgreSQL reads nearly sequentially and can prefetch the next range.
 *
 * <p>Threading contract: a source is only ever called from the thread that opened the operator pipeline (inside
 * PostgreSQL: the backend's main thread, the only one allowed to call natives). The compute thread of the double
 * buffer never calls a source.
 *
 * <p>Implementations: {@code InMemoryBlockSource} (tests; simulates heap pages), the heap-block reader of
 * {@code pljava-ext} (natives through the buffer manager) and the JDBC reader of {@code client} (TID range scans).
 */
public interface BlockSource extends AutoCloseable {

    /** Number of heap pages of the relation at the time the source was opened (the scan's snapshot). */
    long pageCount();

    /**
     * The label as errors about it name it, e.g. {@code label column "y" of relation "t"}; default "the label" for
     * a source that knows no names.
     */
    default String describeLabel() {
        return "the label";
    }

    /**
     * The label ({@code feature < 0}) or feature {@code feature} of tuple {@code id} as errors about its value name
     * it ({@link #describeValue(String, String, List, boolean, int, long)}); default {@code the label of tuple
     * (0,3)} or {@code feature 2 of tuple (0,3)} for a source that knows no names.
     */
    default String describeValue(int feature, long id) {
        return describeValue(null, feature, id);
    }

    /** {@code source.describeValue(feature, id)}, or the default wording when {@code source} is null. */
    static String describeValue(BlockSource source, int feature, long id) {
        return source != null ? source.describeValue(feature, id)
                : (feature < 0 ? "the label" : "feature " + feature) + " of tuple " + TupleBuffer.formatTid(id);
    }

    /**
     * A value of a tuple of a relation as the in-database and the client sources name it, worded like the heap
     * reader's own errors: {@code label "y" of tuple (0,3) of relation "t"}; {@code feature 2 of features "f" of
     * tuple ...} (one array column), {@code feature "b" of tuple ...} (scalar columns), {@code feature 7 of sparse
     * features "i, v" of tuple ...}.
     *
     * @param relation the relation as errors name it, e.g. {@code "t"} (in double quotes)
     */
    static String describeValue(String relation, String label, java.util.List<String> features, boolean sparse,
                                int feature, long id) {
        String value = feature < 0 ? "label \"" + label + "\""
                : sparse ? "feature " + feature + " of sparse features \"" + String.join(", ", features) + "\""
                : features.size() > 1 ? "feature \"" + features.get(feature) + "\""
                : "feature " + feature + " of features \"" + features.get(0) + "\"";
        return value + " of tuple " + TupleBuffer.formatTid(id) + " of relation " + relation;
    }

    /**
     * The relation as errors about shuffle_once's copy of it name it, in both training modes: {@code relation}
     * (e.g. {@code "t"}) marked as the copy, since tuple positions are the copy's ({@code "t" (shuffle_once's
     * shuffled copy)}); never the copy's own name, a temporary table the user did not create.
     */
    static String shuffledCopyOf(String relation) {
        return relation + " (shuffle_once's shuffled copy)";
    }

    /**
     * Bytes on disk behind one heap page on average: the page and the TOAST pages of its rows' out-of-line values
     * (the device block of {@link Sizing} counts these). Default: one page, nothing out of line.
     */
    default long storedPageBytes() {
        return Sizing.PAGE_BYTES;
    }

    /** Shape of every tuple this source produces: dense width, or sparse dimensionality. */
    FeatureShape shape();

    /**
     * Appends every visible tuple of pages {@code [firstPage, firstPage + pages)} to {@code into}, pages in order
     * and tuples of a page in line-pointer order. Pages past {@link #pageCount()} are ignored.
     *
     * @return number of tuples appended
     */
    int readPages(long firstPage, int pages, TupleBuffer into);

    /**
     * A hint that pages {@code [firstPage, firstPage + pages)} will be read soon (by a later {@link #readPages}):
     * a source backed by storage may start reading them now, without waiting. {@link BlockShuffle} announces the
     * blocks of a random order a few MB ahead of the one it reads; storage order announces nothing and is left to
     * the operating system's sequential read-ahead. Default: ignored.
     */
    default void willRead(long firstPage, int pages) {
    }

    /**
     * True when every label and feature value this source appends is finite because the source itself raises an
     * error for NaN or infinite values (the heap-block reader of pljava-ext does, in C, naming the tuple). The
     * {@link InputGuard} then skips its own per-value check: a second pass over every block, out of the CPU cache,
     * that cost about as much as reading the block in-database. Default false: the guard checks.
     */
    default boolean valuesAreFinite() {
        return false;
    }

    /** Called regularly by long loops; inside PostgreSQL this is CHECK_FOR_INTERRUPTS (cancel, timeout). */
    default void checkInterrupts() {
    }

    @Override
    default void close() {
    }
}
