package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A random block order is announced to the source ({@link BlockSource#willRead}) block by block, each block before
 * it is read, at most {@link BlockShuffle#READ_AHEAD_PAGES} ahead of the block being read (more than one block when
 * blocks are small: a single block ahead left the device idle between small blocks), and every block once per
 * epoch; storage order announces nothing (the kernel's sequential read-ahead serves it).
 */
class BlockShuffleAnnouncesReadAheadTest {

    /** Records reads and announcements as {"read"|"will", firstPage, pages}. */
    private static final class Log extends ForwardingBlockSource {
        final List<long[]> events = new ArrayList<>();
        long storedPageBytes = Sizing.PAGE_BYTES;

        Log(InMemoryBlockSource inner) {
            super(inner);
        }

        @Override
        public long storedPageBytes() {
            return storedPageBytes;
        }

        @Override
        public int readPages(long firstPage, int pages, TupleBuffer into) {
            events.add(new long[] {0, firstPage, pages});
            return super.readPages(firstPage, pages, into);
        }

        @Override
        public void willRead(long firstPage, int pages) {
            events.add(new long[] {1, firstPage, pages});
        }
    }

    private static InMemoryBlockSource table(int pages) {
        InMemoryBlockSource s = new InMemoryBlockSource(FeatureShape.dense(1), 2);
        for (int i = 0; i < 2 * pages; i++) {
            s.addDense(i % 2, i);
        }
        return s;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 37, 1000, 1280, 5000})
    void randomOrderAnnouncesEachBlockBeforeItIsReadAndBoundedAhead(int blockPages) {
        int pages = 20_003;
        Log src = new Log(table(pages));
        BlockShuffle shuffle = new BlockShuffle(BlockShuffle.Order.RANDOM, blockPages, 7, null);
        shuffle.open(src);
        for (int epoch = 1; epoch <= 2; epoch++) {
            src.events.clear();
            shuffle.rescan(epoch);
            TupleBuffer into = new TupleBuffer(src.shape(), 16);
            while (shuffle.nextBlock(into) >= 0) {
                into.clear();
            }
            List<Long> announced = new ArrayList<>();
            int reads = 0;
            for (long[] e : src.events) {
                if (e[0] == 1) {
                    assertEquals(Math.min(blockPages, pages - e[1]), e[2], "an announcement covers its block");
                    announced.add(e[1]);
                    continue;
                }
                reads++;
                int index = announced.indexOf(e[1]);
                assertTrue(index >= 0 && index == reads - 1, "block at page " + e[1] + " announced before its read");
                long aheadPages = (long) (announced.size() - reads) * blockPages;
                assertTrue(announced.size() - reads <= 1 || aheadPages <= BlockShuffle.READ_AHEAD_PAGES + blockPages,
                        "announced " + aheadPages + " pages ahead of the block being read");
                if (blockPages * 2 <= BlockShuffle.READ_AHEAD_PAGES && reads + 2 <= shuffle.blockCount()) {
                    assertTrue(announced.size() - reads >= 2, "small blocks: more than one block announced ahead");
                }
            }
            assertEquals(shuffle.blockCount(), reads);
            assertEquals(shuffle.blockCount(), announced.size(), "every block announced once per epoch");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 37, 1280})
    void storageOrderAnnouncesNothing(int blockPages) {
        Log src = new Log(table(5_000));
        BlockShuffle shuffle = new BlockShuffle(BlockShuffle.Order.STORAGE, blockPages, 7, null);
        shuffle.open(src);
        TupleBuffer into = new TupleBuffer(src.shape(), 16);
        while (shuffle.nextBlock(into) >= 0) {
            into.clear();
        }
        assertTrue(src.events.stream().allMatch(e -> e[0] == 0));
    }

    /**
     * Bug: the read-ahead counted heap pages only, so rows whose values live out of line (announced with their TOAST
     * pages) were announced up to twice as far ahead on disk: 8.5 MB for Fashion-MNIST's 127-page blocks.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 16, 127})
    void theReadAheadCountsBytesOnDisk(int blockPages) {
        Log src = new Log(table(5_000));
        src.storedPageBytes = 2 * Sizing.PAGE_BYTES;
        BlockShuffle shuffle = new BlockShuffle(BlockShuffle.Order.RANDOM, blockPages, 7, null);
        shuffle.open(src);
        assertEquals(BlockShuffle.READ_AHEAD_PAGES / 2, BlockShuffle.readAheadPages(src));
        TupleBuffer into = new TupleBuffer(src.shape(), 16);
        int reads = 0;
        int announced = 0;
        while (shuffle.nextBlock(into) >= 0) {
            into.clear();
        }
        for (long[] e : src.events) {
            if (e[0] == 1) {
                announced++;
            } else {
                reads++;
                long aheadPages = (long) (announced - reads) * blockPages;
                assertTrue(announced - reads <= 1 || aheadPages <= BlockShuffle.READ_AHEAD_PAGES / 2 + blockPages,
                        "announced " + aheadPages + " heap pages (twice as many bytes) ahead");
            }
        }
        assertEquals(shuffle.blockCount(), reads);
    }
}
