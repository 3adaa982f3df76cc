package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The block/buffer sizing rule over tables from 1 MB to 1 GB (and beyond), and what explicit arguments change. */
class SizingTest {
    private static final long MB = 1 << 20;
    private static final long BUDGET = Sizing.DEFAULT_BUFFER_MEMORY;

    private static long pages(long bytes) {
        return bytes / Sizing.PAGE_BYTES;
    }

    /** The sizes of rows that fit their heap page, without TOAST and without a device block. */
    private static Sizing sizes(int givenBlock, double givenBuffer, long pages, long budgetBytes) {
        return Sizing.of(givenBlock, givenBuffer, pages, budgetBytes, Sizing.PAGE_BYTES, 0, Sizing.PAGE_BYTES);
    }

    @Test
    void theConvergenceArgumentHoldsFromOneMegabyteToOneGigabyte() {
        for (long mb = 1; mb <= 1024; mb = mb < 8 ? mb + 1 : mb * 2 - mb / 3) {
            long p = pages(mb * MB);
            Sizing s = sizes(0, 0, p, BUDGET);
            String at = mb + " MB: " + s.describe();
            boolean wholeTable = s.bufferPages() == p;
            // enough blocks in the buffer, or the buffer is the whole table (a full shuffle every epoch)
            assertTrue(wholeTable || s.bufferBlocks() >= Sizing.MIN_BUFFER_BLOCKS, at);
            // enough blocks in the table: from 8 MB on at least 64, from 128 MB on about 1,000 or more; the buffer
            // is at most half the table unless 64 blocks need more
            assertTrue(p < 1024 || s.blocks() >= 64, at);
            assertTrue(p < 16384 || s.blocks() >= 900, at);
            assertTrue(wholeTable || s.bufferPages() <= Math.max(p / 2 + 1, 64L * s.blockPages()), at);
            // blocks between 128 kB and 10 MB (a table smaller than one block is one block)
            assertTrue(s.blockPages() >= Math.min(Sizing.MIN_BLOCK_PAGES, p) && s.blockPages() <= 1280, at);
            // the buffer fits the budget (two buffers), and holds at least one block
            assertTrue(2 * s.bufferPages() * Sizing.PAGE_BYTES <= BUDGET, at);
            assertTrue(s.bufferPages() >= Math.min(p, s.blockPages()), at);
            assertEquals((double) s.bufferPages() / p, s.bufferSize(), 1e-12, at);
            assertFalse(s.blockGiven() || s.bufferGiven(), at);
        }
    }

    @Test
    void sizesAtTypicalTables() {
        // 1 MB: shuffled whole
        Sizing tiny = sizes(0, 0, pages(MB), BUDGET);
        assertEquals(16, tiny.blockPages());
        assertEquals(1.0, tiny.bufferSize());
        // the 41 MB table: ~330 blocks of 128 kB, half of them in the buffer (it was 4 blocks, 1 buffered)
        Sizing medium = sizes(0, 0, 5_300, BUDGET);
        assertEquals(16, medium.blockPages());
        assertEquals(332, medium.blocks());
        assertEquals(165, medium.bufferBlocks());
        assertFalse(medium.capped());
        // 1 GB: the budget caps the buffer at 32 MB = 64 blocks of 512 kB, out of 2,048
        Sizing large = sizes(0, 0, pages(1024 * MB), BUDGET);
        assertEquals(64, large.blockPages());
        assertEquals(2048, large.blocks());
        assertEquals(64, large.bufferBlocks());
        assertTrue(large.capped());
        assertTrue(large.describe().contains("capped by corgipile.buffer_memory"), large.describe());
        // 100 GB with a 2 GB budget: the paper's 10 MB blocks, 100 of them per buffer
        Sizing huge = sizes(0, 0, pages(100L * 1024 * MB), 2048 * MB);
        assertEquals(1280, huge.blockPages());
        assertEquals(102, huge.bufferBlocks());
    }

    @Test
    void memoryIsBoundedByTheBudgetNotByTheTable() {
        long at1x = sizes(0, 0, pages(100 * MB), BUDGET).bufferPages();
        long at10x = sizes(0, 0, pages(1000 * MB), BUDGET).bufferPages();
        long at1000x = sizes(0, 0, pages(100_000 * MB), BUDGET).bufferPages();
        assertEquals(at1x, at10x);
        assertEquals(at1x, at1000x);
        assertEquals(BUDGET / 2 / Sizing.PAGE_BYTES, at1x);
        // a smaller budget gives smaller blocks, still 64 per buffer
        Sizing small = sizes(0, 0, pages(1000 * MB), 8 * MB);
        assertEquals(8, small.blockPages());
        assertEquals(64, small.bufferBlocks());
    }

    @Test
    void explicitArgumentsWin() {
        Sizing block = sizes(1280, 0, 5_300, BUDGET);
        assertEquals(1280, block.blockPages());
        assertTrue(block.blockGiven());
        // a derived buffer wants 64 given blocks (the whole table here) but stays within the budget
        assertEquals(4096, block.bufferPages());
        assertTrue(block.capped());
        Sizing both = sizes(8, 0.1, 5_300, BUDGET);
        assertEquals(8, both.blockPages());
        assertEquals(0.1, both.bufferSize());
        Sizing tuples = sizes(0, 5000, 5_300, BUDGET);
        assertEquals(5000, tuples.bufferSize());
        assertTrue(tuples.describe().contains("5000 tuples (given)"), tuples.describe());
        // not capped even beyond the budget: the user asked for it
        Sizing big = sizes(0, 0.9, pages(1024 * MB), BUDGET);
        assertEquals(0.9, big.bufferSize());
        assertFalse(big.capped());
    }

    @Test
    void rowsStoredOutOfLineAreSizedByTheirBytesInMemory() {
        // epsilon-like 16k x 2000: 117 heap pages of 136 TOAST pointers, 2.2 MB of float8 per page in memory
        long pageBytes = Sizing.decodedPageBytes(FeatureShape.dense(2000), 15_888, 117);
        Sizing s = Sizing.of(0, 0, 117, BUDGET, pageBytes, 0, pageBytes);
        assertTrue(2 * s.bufferPages() * pageBytes <= BUDGET, s.describe());
        assertEquals(1, s.blockPages(), s.describe());
        assertTrue(s.capped() && s.bufferBlocks() >= 10, s.describe());
        assertTrue(s.describe().contains("rows stored out of line"), s.describe());
        // rows that fit their page keep the page-based sizes
        long narrow = Sizing.decodedPageBytes(FeatureShape.dense(18), 400_000, 10_000);
        assertEquals(sizes(0, 0, 10_000, BUDGET), Sizing.of(0, 0, 10_000, BUDGET, narrow, 0, narrow));
    }

    @Test
    void theTrainerSizesWideRowsAfterCountingThem() {
        // 40 rows of 4,000 features per page: 1.3 MB per page in memory, like a TOASTed table
        int d = 4000;
        InMemoryBlockSource src = new InMemoryBlockSource(FeatureShape.dense(d), 40);
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 2000; i++) {
            double[] x = new double[d];
            x[r.nextInt(d)] = 1;
            src.addDense(i % 2, x);
        }
        long budget = 8 * MB;
        TrainSpec spec = TrainSpec.builder().epochs(1).seed(1).option("buffer_memory", budget).build();
        Sizing[] told = new Sizing[1];
        String[] derived = new String[1];
        TrainResult res = Trainer.train(spec, src, null, new EpochListener() {
            @Override
            public void sized(Sizing s) {
                told[0] = s;
            }

            @Override
            public void derived(String description) {
                derived[0] = description;
            }
        });
        Sizing s = res.sizing();
        assertEquals(told[0], s);
        assertTrue(s.pageBytes() > 1_000_000 && 2 * s.bufferPages() * s.pageBytes() <= budget, s.describe());
        assertEquals(s.bufferSize(), res.spec().toMap().get("buffer_size"));
        assertEquals(0.00025, res.spec().toMap().get("learning_rate"));
        assertTrue(derived[0].startsWith("learning_rate 0.00025 (derived: min(0.01, 1/4000 features))"), derived[0]);
        assertEquals(2000, res.epochs().get(0).tuples());
    }

    @Test
    void aGivenBufferBelowOneBlockIsRefused() {
        Sizing s = sizes(1280, 0.05, 5_300, BUDGET);
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> s.checkBufferHoldsABlock("corgipile"));
        assertTrue(e.getMessage().contains("smaller than one block of 1280 pages"), e.getMessage());
        s.checkBufferHoldsABlock("sliding_window");
        sizes(0, 0, 5_300, BUDGET).checkBufferHoldsABlock("corgipile");
    }

    @Test
    void theTrainerRecordsTheSizesInTheSpecItReturns() {
        SyntheticData d = SyntheticData.logistic(4_000, 4, 2, 1, false);
        TrainSpec spec = TrainSpec.builder().epochs(1).seed(1).build();
        assertEquals(null, spec.toMap().get("block_size"));
        Sizing[] told = new Sizing[1];
        TrainResult r = Trainer.train(spec, d.source(10), null, new EpochListener() {
            @Override
            public void sized(Sizing s) {
                told[0] = s;
            }
        });
        assertEquals(told[0], r.sizing());
        assertEquals(16, r.spec().toMap().get("block_size"));
        assertEquals(1.0, r.spec().toMap().get("buffer_size"));
        assertEquals(400, r.sizing().pages());
    }

    @Test
    void aSeekBoundDeviceGetsBlocksOfItsSeekTimesBandwidth() {
        // the bench's hdd emulation: 150 IOPS, 150 MiB/s -> 1 MiB = 128 pages; a real 8 ms, 150 MB/s disk 1.2 MB
        assertEquals(128, new StorageProbe.Timing(1.0 / 150, 150 * MB, null).blockPages());
        assertEquals(128, new StorageProbe.Timing(0.008, 150e6, null).blockPages());
        // measurement noise of +-30% does not change it (nearest power of two)
        assertEquals(128, new StorageProbe.Timing(0.0067 * 0.75, 150 * MB, null).blockPages());
        assertEquals(128, new StorageProbe.Timing(0.0067 * 1.3, 150 * MB, null).blockPages());
        // clamped to 16 .. 1280 pages
        assertEquals(16, new StorageProbe.Timing(0.002, 20e6, null).blockPages());
        assertEquals(1280, new StorageProbe.Timing(0.02, 1e9, null).blockPages());
        // an SSD, NVMe or virtual disk is not seek-bound: nothing changes
        StorageProbe.Timing ssd = new StorageProbe.Timing(0.0003, 0, null);
        assertFalse(ssd.seekBound());
        assertEquals(0, ssd.blockPages());
        assertTrue(ssd.describe().startsWith("storage: not seek-bound"), ssd.describe());
        String hdd = new StorageProbe.Timing(1.0 / 150, 150 * MB, "150 IOPS, 150 MiB/s (timed: 6.1 ms)").describe();
        assertEquals("storage: seek-bound, random 8 kB read 6.7 ms, blkio throttle 150 IOPS, 150 MiB/s (timed: 6.1 ms)"
                + " -> blocks >= 1.00 MB", hdd);
    }

    /**
     * Bug: 1 MiB device blocks were two requests each on the bench's virtual disk (announced pages are single 4 kB
     * pages, and a request holds at most 254 of them: 1016 kB and 8 kB), and the blk-throttle charges both.
     */
    @Test
    void deviceBlocksAreWholeRequestsOfTheDisk() {
        StorageProbe.Timing hdd = new StorageProbe.Timing(1.0 / 150, 150 * MB, "150 IOPS, 150 MiB/s (timed: 6.1 ms)",
                127);
        assertEquals(127, hdd.blockPages());
        assertTrue(hdd.describe().endsWith("-> blocks >= 1016 kB (requests of at most 1016 kB)"), hdd.describe());
        // requests that divide the block, or larger ones, change nothing; 10 MB in requests of 1016 kB: 10 of them
        assertEquals(128, new StorageProbe.Timing(1.0 / 150, 150 * MB, null, 64).blockPages());
        assertEquals(128, new StorageProbe.Timing(1.0 / 150, 150 * MB, null, 512).blockPages());
        assertEquals(1270, new StorageProbe.Timing(0.02, 1e9, null, 127).blockPages());
        // never below the smallest block
        assertEquals(16, new StorageProbe.Timing(0.002, 20e6, null, 12).blockPages());
        assertEquals(0, new StorageProbe.Timing(0.0003, 0, null, 127).blockPages());
    }

    @Test
    void onADiskDerivedBlocksAreAtLeastTheDeviceBlockWith64PerBuffer() {
        // the bench's 500k x 28 table, ~150 MB: today 16-page blocks (128 kB), 6-12x storage order on the hdd
        long p = pages(150 * MB);
        Sizing today = sizes(0, 0, p, BUDGET);
        assertEquals(19, today.blockPages());
        assertFalse(Sizing.fitsOneBuffer(p, BUDGET));
        long budget = Sizing.deviceBudget(BUDGET, 128);
        assertEquals(128 * MB, budget);
        Sizing hdd = Sizing.of(0, 0, p, budget, Sizing.PAGE_BYTES, 128, Sizing.PAGE_BYTES);
        assertEquals(128, hdd.blockPages(), hdd.describe());
        assertEquals(150, hdd.blocks());
        assertEquals(64, hdd.bufferBlocks(), hdd.describe());
        assertTrue(hdd.describe().contains("derived, at least the device's 128 pages"), hdd.describe());
        // an explicit budget is kept: 1 MB blocks, fewer of them per buffer
        Sizing set = Sizing.of(0, 0, p, BUDGET, Sizing.PAGE_BYTES, 128, Sizing.PAGE_BYTES);
        assertEquals(128, set.blockPages());
        assertEquals(32, set.bufferBlocks());
        assertTrue(set.capped());
        // a budget too small for one device block: the block is one buffer
        assertEquals(256, Sizing.of(0, 0, p, 4 * MB, Sizing.PAGE_BYTES, 1280, Sizing.PAGE_BYTES).blockPages());
        // the rule's own blocks win when larger (1 GB table with a 2 GB budget: 1 MB from table/1024)
        assertEquals(128, Sizing.of(0, 0, pages(1024 * MB), 2048 * MB, Sizing.PAGE_BYTES, 64, Sizing.PAGE_BYTES)
                .blockPages());
        // explicit block_size wins; rows stored out of line keep their own sizes
        assertEquals(16, Sizing.of(16, 0, p, budget, Sizing.PAGE_BYTES, 128, Sizing.PAGE_BYTES).blockPages());
        assertEquals(0, Sizing.of(16, 0, p, budget, Sizing.PAGE_BYTES, 128, Sizing.PAGE_BYTES).deviceBlock());
        long wide = Sizing.decodedPageBytes(FeatureShape.dense(2000), 15_888, 117);
        assertEquals(Sizing.of(0, 0, 117, BUDGET, wide, 0, wide).blockPages(),
                Sizing.of(0, 0, 117, BUDGET, wide, 128, wide).blockPages());
        // a table in one buffer of the default budget is not the device's business (the caller does not probe)
        assertTrue(Sizing.fitsOneBuffer(pages(32 * MB), BUDGET));
        assertFalse(Sizing.fitsOneBuffer(pages(32 * MB) + 1, BUDGET));
    }

    /**
     * Bug: the device rule skipped rows stored out of line, so Fashion-MNIST kept 16-page blocks on the emulated hdd,
     * each block a heap request and a TOAST request of ~110 kB at 150 IOPS: CorgiPile's epoch 6.05x storage order's.
     */
    @Test
    void toastedRowsGetDeviceBlocksInBytesOnDisk() {
        // the bench's clustered Fashion-MNIST: 9,555 heap pages, 6,868 TOAST pages, 66,490 rows of 784 float8
        long heap = 9_555;
        long stored = Math.round((heap + 6_868.0) / heap * Sizing.PAGE_BYTES);
        long decoded = Sizing.decodedPageBytes(FeatureShape.dense(784), 66_490, heap);
        long budget = Sizing.deviceBudget(BUDGET, 127);
        assertEquals(16, Sizing.of(0, 0, heap, budget, decoded, 0, decoded).blockPages());
        Sizing hdd = Sizing.of(0, 0, heap, budget, decoded, 127, stored);
        assertEquals(127, hdd.blockPages(), hdd.describe());
        assertTrue(hdd.blockPages() * stored >= MB, hdd.describe());
        // the budget still counts decoded rows: 11 such blocks per buffer, two buffers within it
        assertTrue(2 * hdd.bufferPages() * decoded <= budget, hdd.describe());
        assertEquals(11, hdd.bufferBlocks(), hdd.describe());
        assertEquals(76, hdd.blocks());
        assertTrue(hdd.describe().contains("derived, at least the device's 127 pages"), hdd.describe());
        // before the profile pass (rows not counted yet) the same block
        assertEquals(127, Sizing.of(0, 0, heap, budget, Sizing.PAGE_BYTES, 127, stored).blockPages());
        // rows mostly out of line: two requests of twice the device block's bytes on disk are enough
        assertEquals(1, Sizing.deviceBlockPages(128, 2_200_000));
        long wide = 26 * 1024;
        Sizing mostly = Sizing.of(0, 0, heap, budget, wide, 128, wide);
        assertEquals(79, mostly.blockPages(), mostly.describe());
        assertTrue(mostly.describe().contains("derived, at least 79 pages: rows mostly out of line, heap and TOAST two"
                + " requests of twice the device's 128 pages (26 kB per heap page on disk)"), mostly.describe());
        // without TOAST the device's pages
        assertEquals(128, Sizing.deviceBlockPages(128, Sizing.PAGE_BYTES));
        assertEquals(128, Sizing.of(0, 0, 10_000, budget, Sizing.PAGE_BYTES, 128, Sizing.PAGE_BYTES).blockPages());
        // no device block: TOAST changes nothing
        assertEquals(Sizing.of(0, 0, heap, budget, decoded, 0, decoded).blockPages(),
                Sizing.of(0, 0, heap, budget, decoded, 0, stored).blockPages());
    }

    /**
     * Bug: the budget's 64 blocks per buffer shrank the blocks of rows stored out of line below the rule's 16 pages,
     * so Fashion-MNIST got 11-12-page blocks (~870 of them), each a heap request of ~90 kB and a TOAST request of
     * ~60 kB: 4-5x storage order's device requests and a cold ssd epoch 1.2-1.5x storage order's.
     */
    @Test
    void toastedRowsCappedByTheBudgetKeepSixteenLargerBlocksPerBuffer() {
        // the bench's clustered Fashion-MNIST: 9,555 heap pages, 6,868 TOAST pages, 66,490 rows of 784 float8
        long heap = 9_555;
        long stored = Math.round((heap + 6_868.0) / heap * Sizing.PAGE_BYTES);
        long decoded = Sizing.decodedPageBytes(FeatureShape.dense(784), 66_490, heap);
        Sizing s = Sizing.of(0, 0, heap, BUDGET, decoded, 0, stored);
        assertEquals(47, s.blockPages(), s.describe());
        assertEquals(Sizing.MIN_BUFFER_BLOCKS_OUT_OF_LINE, s.bufferBlocks(), s.describe());
        assertEquals(204, s.blocks(), s.describe());
        assertTrue(2 * s.bufferPages() * decoded <= BUDGET, s.describe());
        assertTrue(s.describe().contains("derived, rows out of line: 16 blocks per buffer, each a heap and a TOAST"
                + " request"), s.describe());
        // the same rows stored in their heap pages (compressed in line): one request per block, the former cap
        assertEquals(11, Sizing.of(0, 0, heap, BUDGET, decoded, 0, Sizing.PAGE_BYTES).blockPages());
        // a budget that holds 64 blocks of the rule's size: the rule's block, out of line or not
        assertEquals(16, Sizing.of(0, 0, heap, 8 * BUDGET, decoded, 0, stored).blockPages());
        // at most 4x the rule's block, and a seek-bound device's block still wins when larger
        assertTrue(s.blockPages() <= 4 * Sizing.MIN_BLOCK_PAGES);
        assertEquals(127, Sizing.of(0, 0, heap, BUDGET, decoded, 127, stored).blockPages());
        // before the profile pass (rows not counted yet, 8 kB per heap page) nothing caps the rule's block
        assertEquals(16, Sizing.of(0, 0, heap, BUDGET, Sizing.PAGE_BYTES, 0, stored).blockPages());
    }

    @Test
    void theTrainerSizesTheDeviceBlockWithTheSourcesBytesOnDisk() {
        SyntheticData d = SyntheticData.logistic(40_000, 4, 2, 1, false);
        BlockSource toasted = new ForwardingBlockSource(d.source(10)) {
            @Override
            public long storedPageBytes() {
                return 4 * Sizing.PAGE_BYTES;   // three TOAST pages per heap page
            }
        };
        TrainSpec spec = TrainSpec.builder().epochs(1).seed(1).option("device_block", 64).build();
        assertEquals(64, Trainer.train(spec, d.source(10), null, null).sizing().blockPages());
        TrainResult r = Trainer.train(spec, toasted, null, null);
        assertEquals(32, r.sizing().blockPages(), r.sizing().describe());
    }

    @Test
    void theTrainerUsesDeviceBlockFromTheSpec() {
        SyntheticData d = SyntheticData.logistic(40_000, 4, 2, 1, false);
        TrainSpec spec = TrainSpec.builder().epochs(1).seed(1).option("device_block", 64).build();
        TrainResult r = Trainer.train(spec, d.source(10), null, null);
        assertEquals(64, r.sizing().blockPages(), r.sizing().describe());
        assertEquals(64, r.spec().toMap().get("device_block"));
        assertEquals(0, TrainSpec.builder().build().deviceBlock());
        assertThrows(InvalidSpecException.class, () -> TrainSpec.builder().option("device_block", 1281).build());
    }

    /**
     * Bug: a block_size larger than the table was kept as given, and the tuple buffer reserved rows for one such
     * block (an integer overflow or an exhausted heap for block_size 2^30). It is the whole table now, and the
     * NOTICE says so.
     */
    @Test
    void blockSizeLargerThanTheTableIsTheWholeTable() {
        Sizing huge = sizes(1 << 30, 0, 19, BUDGET);
        assertEquals(19, huge.blockPages());
        assertEquals(1, huge.blocks());
        assertTrue(huge.blockGiven());
        assertTrue(huge.describe().startsWith("block_size 19 pages (152 kB, given, the whole table), 1 blocks"),
                huge.describe());
        assertEquals(1, sizes(1000, 0, 0, BUDGET).blockPages(), "an empty table: one page");
        assertTrue(sizes(8, 0, 19, BUDGET).describe().startsWith("block_size 8 pages (64 kB, given), 3 blocks"),
                sizes(8, 0, 19, BUDGET).describe());
    }
}
