package org.corgipile.pg;

/**
 * Whether the read-ahead of a random block order still has anything to do. Announcing a block
 * ({@code readerWillNeed}: a native call with two signal-mask system calls, then open, {@code cachestat} and close of
 * the segment file) costs ~7-9 µs on a VM with page-table isolation, ~7% of CorgiPile's reading thread on a warm 1M x
 * 28 table and ~11% on a 200k x 28 one (16-page blocks), where every range is already in the page cache and nothing
 * is announced. After {@value #STREAK} announcements in a row that found their whole range cached, only every
 * {@value #PROBE_EVERY}th block is announced, as a probe; the first probe that finds pages missing announces again
 * every block. A cold table never gets there (its first block is not cached), and a table that cools mid-epoch (its
 * pages evicted) loses at most {@value #PROBE_EVERY} - 1 announcements before a probe notices.
 */
final class CachedRanges {
    /** Announcements in a row, all cached, before blocks are skipped. */
    static final int STREAK = 32;
    /** While skipping, one block in this many is announced. */
    static final int PROBE_EVERY = 8;

    private int cachedInARow;
    private long skipped;

    /** True when the next block's range should be announced. */
    boolean announce() {
        return cachedInARow < STREAK || ++skipped % PROBE_EVERY == 0;
    }

    /** What an announcement found: {@code cached} when its whole range (heap and TOAST) was in the page cache. */
    void found(boolean cached) {
        cachedInARow = cached ? Math.min(cachedInARow + 1, STREAK) : 0;
        if (!cached) {
            skipped = 0;
        }
    }
}
