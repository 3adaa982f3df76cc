package org.corgipile.operators;

import java.util.Locale;

/**
 * Block and buffer sizes for one table: the rule that makes CorgiPile's convergence argument hold at every table
 * size, and the memory budget that bounds the buffer. Explicit {@code block_size} / {@code buffer_size} win.
 *
 * <p>Why these numbers. The paper's bound (SIGMOD 2022, Theorem 1) says CorgiPile's extra variance over a full
 * shuffle shrinks like {@code (1 - (n-1)/(N-1)) / n} for n blocks in the buffer out of N blocks in the table: what
 * matters is <em>how many blocks</em> the buffer holds and that the table is many blocks, not their size in bytes.
 * The paper's own runs had N = 280 .. 5,000 blocks of 10 MB and n = 28 .. 500. A table of 41 MB cut into 10 MB
 * blocks is N = 4 and a 10% buffer holds n = 1 block: block-only shuffling, which does not converge on clustered
 * data. So:
 * <ul>
 *   <li><b>block</b> = table / {@value #TARGET_BLOCKS} pages (enough blocks in the table), at least
 *       {@value #MIN_BLOCK_PAGES} pages (128 kB: one read request stays sequential) and at most
 *       {@value #MAX_BLOCK_PAGES} pages (10 MB, the paper's block), and small enough that
 *       {@value #MIN_BUFFER_BLOCKS} blocks fit in the memory budget (rows stored out of line, where that would
 *       shrink a block below the rule's: {@value #MIN_BUFFER_BLOCKS_OUT_OF_LINE} larger blocks per buffer,
 *       {@link #outOfLineBlockPages});</li>
 *   <li><b>buffer</b> = half the table ({@value #BUFFER_SHARE}) but at least {@value #MIN_BUFFER_BLOCKS} blocks
 *       (enough blocks in the buffer), never more than the table, and never more than half the memory budget
 *       (double buffering holds two buffers).</li>
 * </ul>
 * Tables up to 64 blocks (8 MB) are thus shuffled whole in one buffer every epoch (a full shuffle, at the cost of
 * 8 MB); medium tables have ~1,000 blocks and a buffer of half of them; large tables keep n = 64 blocks in a buffer
 * bounded by the budget, and the blocks grow towards 10 MB only when the budget allows 64 of them
 * ({@code corgipile.buffer_memory} of 1.3 GB). Memory is therefore bounded by the budget, not by the table.
 *
 * <p><b>On a disk</b> the rule alone gives blocks of 128-512 kB, and each block of a random order costs a seek: on
 * the bench's emulated hdd (150 IOPS, 150 MiB/s) that made CorgiPile's epoch 6-12x storage order's. When the
 * table is larger than one buffer and {@link StorageProbe} finds the device seek-bound, the caller passes the
 * device's seek x bandwidth ({@code deviceBlock}, 1 MB there) and a derived block is at least that; the default
 * budget grows to keep {@value #MIN_BUFFER_BLOCKS} such blocks per buffer ({@link #deviceBudget}: 128 MB for 1 MB
 * blocks), and an explicit budget is kept (fewer blocks per buffer). Seek x bandwidth makes the seek as long as the
 * transfer (a real disk: half of a block's time); a seek below 10% would need 9x that, 10 MB blocks and 1.3 GB of
 * buffers, which is why that is not the default (docs/in-database.md, "Block size on HDD and SSD"). The device
 * block counts bytes on disk ({@code storedPageBytes}: a heap page and its rows' TOAST pages) and the requests of a
 * block ({@link #deviceBlockPages}); the budget counts rows as decoded.
 *
 * <p>The budget is {@code buffer_memory} bytes for both buffers of the double buffer (the SQL GUC
 * {@code corgipile.buffer_memory}, default {@value #DEFAULT_BUFFER_MEMORY_MB} MB). It caps derived sizes only.
 * It counts the rows as the buffer holds them: a heap page is 8 kB, but rows whose features PostgreSQL stores out
 * of line (TOAST: a dense row of more than ~250 float8 values) are much larger in memory than in their heap page
 * (epsilon-like's 2,000 features: 136 rows of 16 kB behind each heap page, 2.2 MB). When the trainer's profile
 * pass has counted the rows, it sizes again with the decoded bytes per heap page ({@code pageBytes}), so such a
 * table gets blocks of one or a few pages and a buffer that fits the budget instead of one that holds the table.
 */
public record Sizing(int blockPages, double bufferSize, long pages, long blocks, long bufferPages,
                     long bufferBlocks, boolean blockGiven, boolean bufferGiven, boolean capped, long budgetBytes,
                     long pageBytes, int deviceBlock, long storedPageBytes, boolean outOfLine) {
    public static final int PAGE_BYTES = 8192;
    public static final int MIN_BLOCK_PAGES = 16;
    public static final int MAX_BLOCK_PAGES = 1280;
    public static final int TARGET_BLOCKS = 1024;
    public static final int MIN_BUFFER_BLOCKS = 64;
    /** Blocks per buffer for rows stored out of line when the budget caps them ({@link #outOfLineBlockPages}). */
    public static final int MIN_BUFFER_BLOCKS_OUT_OF_LINE = 16;
    public static final double BUFFER_SHARE = 0.5;
    public static final int DEFAULT_BUFFER_MEMORY_MB = 64;
    public static final long DEFAULT_BUFFER_MEMORY = (long) DEFAULT_BUFFER_MEMORY_MB << 20;

    /**
     * The sizes for a table of {@code pages} heap pages whose rows take {@code pageBytes} of memory per heap page once
     * decoded (more than {@value #PAGE_BYTES} when their features are stored out of line), on a device whose seek x
     * bandwidth is {@code deviceBlock} pages ({@link StorageProbe.Timing#blockPages()}, 0: unknown or not
     * seek-bound), for a table that stores {@code storedPageBytes} on disk per heap page (the heap page plus its rows'
     * TOAST pages, {@link BlockSource#storedPageBytes()}): a derived block is at least {@link #deviceBlockPages} heap
     * pages (and at most one buffer). The memory budget counts {@code pageBytes}, the rows as decoded.
     *
     * @param givenBlock  block_size in pages (one larger than the table is the table's pages), or 0 to derive it
     * @param givenBuffer buffer_size (fraction of the table's pages, or a tuple count when {@code > 1}), or 0 to
     *                    derive it
     * @param budgetBytes memory for both shuffle buffers together
     */
    public static Sizing of(int givenBlock, double givenBuffer, long pages, long budgetBytes, long pageBytes,
                            int deviceBlock, long storedPageBytes) {
        long p = Math.max(1, pages);
        long perPage = Math.max(PAGE_BYTES, pageBytes);
        long stored = Math.max(PAGE_BYTES, storedPageBytes);
        long perBuffer = pagesPerBuffer(budgetBytes, perPage);
        // a given block larger than the table is the whole table (and no larger: a buffer reserves rows per block)
        int block = (int) Math.min(givenBlock, p);
        boolean outOfLine = false;
        if (block <= 0) {
            long rule = ruleBlockPages(p);
            long b = Math.min(rule, Math.max(1, perBuffer / MIN_BUFFER_BLOCKS));
            long wide = b < rule && stored > PAGE_BYTES ? outOfLineBlockPages(perBuffer) : 0;
            if (wide > b) {
                b = wide;
                outOfLine = true;
            }
            long device = deviceBlock > 0 ? Math.min(deviceBlockPages(deviceBlock, stored), perBuffer) : 0;
            if (device > b) {
                b = device;
                outOfLine = false;
            }
            block = (int) b;
        }
        long blocks = ceilDiv(p, block);
        double buffer = givenBuffer;
        long bufferPages;
        boolean capped = false;
        if (buffer <= 0) {
            long want = Math.max((long) Math.ceil(BUFFER_SHARE * p), (long) MIN_BUFFER_BLOCKS * block);
            want = Math.min(want, p);
            if (want > perBuffer) {
                want = Math.max(perBuffer, block);
                capped = true;
            }
            bufferPages = Math.min(want, p);
            buffer = (double) bufferPages / p;
        } else {
            bufferPages = buffer <= 1 ? (long) Math.ceil(buffer * p) : -1;
        }
        long bufferBlocks = bufferPages < 0 ? -1 : Math.min(blocks, Math.max(1, bufferPages / block));
        return new Sizing(block, buffer, pages, blocks, bufferPages, bufferBlocks, givenBlock > 0, givenBuffer > 0,
                capped, budgetBytes, perPage, givenBlock > 0 ? 0 : deviceBlock, stored, outOfLine);
    }

    /** The rule's block before the budget: table / {@value #TARGET_BLOCKS}, within its bounds. */
    private static long ruleBlockPages(long pages) {
        return Math.min(MAX_BLOCK_PAGES, Math.max(MIN_BLOCK_PAGES, ceilDiv(Math.max(1, pages), TARGET_BLOCKS)));
    }

    /** Heap pages (rows as decoded) one of the two shuffle buffers may hold within the budget. */
    private static long pagesPerBuffer(long budgetBytes, long pageBytes) {
        return Math.max(1, budgetBytes / 2 / pageBytes);
    }

    /**
     * Heap pages per block of a table whose values are stored out of line (TOAST) when the budget cannot hold
     * {@value #MIN_BUFFER_BLOCKS} blocks of the rule's size: the largest block of which
     * {@value #MIN_BUFFER_BLOCKS_OUT_OF_LINE} fit in a buffer of {@code perBuffer} heap pages (rows as decoded), at
     * most {@value #MAX_BLOCK_PAGES}. Such a block of a random order is two announcements and two device requests
     * (its heap pages and its run of the TOAST relation, {@code HeapBlockSource.willRead}) plus the chunks stored
     * away from the run, so shrinking it to keep 64 per buffer multiplied the requests: Fashion-MNIST (784 float8,
     * 44 kB per heap page decoded, 14 kB on disk) got 11-page blocks of an 88 kB and a ~60 kB request, ~870 blocks
     * and 4-5x storage order's device requests per epoch, and its cold ssd epoch 1.2-1.5x storage order's; 46-page
     * blocks (16 per buffer, the same budget) make ~1.8x its requests and read what it reads. At most 4x the
     * rule's block, since this applies only where 64 blocks of that size did not fit. Measurements:
     * docs/in-database.md, "TOAST values in random block order".
     */
    public static long outOfLineBlockPages(long perBuffer) {
        return Math.min(MAX_BLOCK_PAGES, Math.max(1, perBuffer / MIN_BUFFER_BLOCKS_OUT_OF_LINE));
    }

    /**
     * Heap pages per block on a device whose seek x bandwidth is {@code deviceBlock} pages, for a table that stores
     * {@code storedPageBytes} per heap page: the device block itself (its heap pages one request, or a whole number
     * of them, {@link StorageProbe.Timing#blockPages()}), and fewer when the rows live mostly out of line: a block
     * is then two requests (its heap pages and its run of the TOAST relation, another file:
     * {@code HeapBlockSource.willRead}) and twice the device block's bytes on disk are enough. Fashion-MNIST (8 kB
     * heap + 6 kB TOAST per heap page) keeps the device's 1 MB of heap pages (and 0.7 MB of TOAST) per block, where
     * the rule without the device gave 16 pages, two requests for 225 kB on the emulated hdd; epsilon-like's
     * 2,000 features (2 MB of TOAST per heap page) one heap page.
     */
    public static long deviceBlockPages(int deviceBlock, long storedPageBytes) {
        long stored = Math.max(PAGE_BYTES, storedPageBytes);
        if (stored == PAGE_BYTES) {
            return deviceBlock;
        }
        return Math.max(1, Math.min(deviceBlock, ceilDiv(2L * deviceBlock * PAGE_BYTES, stored)));
    }

    /**
     * The sizes for {@code spec} on {@code source}: its heap pages, {@code pageBytes} of decoded rows per heap page
     * (the memory budget's measure) and its {@link BlockSource#storedPageBytes()} (the device block's).
     */
    public static Sizing of(TrainSpec spec, BlockSource source, long pageBytes) {
        return of(spec.blockSizeGiven(), spec.bufferSizeGiven(), source.pageCount(), spec.bufferMemory(), pageBytes,
                spec.deviceBlock(), source.storedPageBytes());
    }

    /**
     * The buffer budget for a table on a seek-bound device of {@code deviceBlock} pages when the budget is the
     * default: {@value #MIN_BUFFER_BLOCKS} device blocks per buffer, two buffers (128 MB for 1 MB blocks), and
     * never less than {@code budgetBytes}. The caller keeps it within half the JVM heap.
     */
    public static long deviceBudget(long budgetBytes, int deviceBlock) {
        return Math.max(budgetBytes, 2L * MIN_BUFFER_BLOCKS * deviceBlock * PAGE_BYTES);
    }

    /** Whether a table of {@code pages} fits in one buffer of {@code budgetBytes} (derived sizes shuffle it whole). */
    public static boolean fitsOneBuffer(long pages, long budgetBytes) {
        return pages * PAGE_BYTES <= budgetBytes / 2;
    }

    /**
     * Memory of the rows behind one heap page in a shuffle buffer: {@code tuples} rows of {@code shape} over
     * {@code pages} pages (dense: the feature vector, label, identity and permutation slot of each row).
     */
    public static long decodedPageBytes(FeatureShape shape, long tuples, long pages) {
        if (shape.sparse() || tuples <= 0 || pages <= 0) {
            return PAGE_BYTES;
        }
        double row = 8.0 * shape.dimension() + 20;
        return (long) Math.ceil(row * tuples / pages);
    }

    /**
     * CorgiPile's buffer holds whole blocks: a given buffer_size fraction below one block is a mistake (the buffer
     * would silently be one block), refused with SQLSTATE 22023. Derived sizes always hold at least one block.
     */
    public void checkBufferHoldsABlock(String shuffle) {
        if (!bufferGiven || !shuffle.equals("corgipile") || bufferSize > 1 || pages == 0) {
            return;
        }
        long block = Math.min(blockPages, pages);
        double given = bufferSize * pages;
        if (given < block) {
            throw new InvalidSpecException(String.format(Locale.ROOT,
                    "buffer_size %s is %.1f pages of the relation's %d, smaller than one block of %d pages",
                    bufferSize, given, pages, block), String.format(Locale.ROOT,
                    "Use buffer_size >= %.6f, or a smaller block_size.", (double) block / pages));
        }
    }

    /** Where the block size came from, for {@link #describe}. */
    private String blockOrigin() {
        if (blockGiven) {
            return blockPages < Math.max(1, pages) ? "given" : "given, the whole table";
        }
        if (outOfLine) {
            return String.format(Locale.ROOT, "derived, rows out of line: %d blocks per buffer, each a heap and "
                    + "a TOAST request", MIN_BUFFER_BLOCKS_OUT_OF_LINE);
        }
        if (deviceBlock <= 0) {
            return "derived";
        }
        long atLeast = deviceBlockPages(deviceBlock, storedPageBytes);
        if (atLeast == deviceBlock) {
            return "derived, at least the device's " + deviceBlock + " pages";
        }
        return String.format(Locale.ROOT, "derived, at least %d pages: rows mostly out of line, heap and TOAST two "
                + "requests of twice the device's %d pages (%s per heap page on disk)", atLeast, deviceBlock,
                bytes(storedPageBytes));
    }

    /** One line for a NOTICE: the chosen sizes, where they came from, and whether the budget capped the buffer. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "block_size %d pages (%s, %s), %d blocks", blockPages,
                bytes((long) blockPages * pageBytes), blockOrigin(), blocks));
        if (bufferPages >= 0) {
            s.append(String.format(Locale.ROOT, "; buffer_size %s of the table (%d pages, %s, %d blocks, %s)",
                    fraction(bufferSize), bufferPages, bytes(bufferPages * pageBytes), bufferBlocks,
                    bufferGiven ? "given" : "derived"));
        } else {
            s.append(String.format(Locale.ROOT, "; buffer_size %d tuples (given)", (long) bufferSize));
        }
        s.append(String.format(Locale.ROOT, "; table %d pages (%s)", pages, bytes(pages * pageBytes)));
        if (pageBytes > PAGE_BYTES) {
            s.append(String.format(Locale.ROOT, "; rows stored out of line: %s per heap page in memory",
                    bytes(pageBytes)));
        }
        if (capped) {
            s.append(String.format(Locale.ROOT, "; buffer capped by corgipile.buffer_memory = %s (two buffers)",
                    bytes(budgetBytes)));
        }
        return s.toString();
    }

    private static String fraction(double f) {
        return String.format(Locale.ROOT, "%.4g", f);
    }

    public static String bytes(long b) {
        if (b >= 1L << 30 && b % (1L << 20) == 0 && b >= 10L << 30) {
            return (b >> 30) + " GB";
        }
        if (b >= 1L << 20) {
            return String.format(Locale.ROOT, "%.3g MB", b / 1048576.0);
        }
        return String.format(Locale.ROOT, "%d kB", b >> 10);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
