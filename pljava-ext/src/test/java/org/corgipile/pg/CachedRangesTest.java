package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The read-ahead of a warm table: once {@link CachedRanges#STREAK} announcements in a row found their range in the
 * page cache, only every {@link CachedRanges#PROBE_EVERY}th block is announced, and the first probe that finds pages
 * missing brings back the announcement of every block.
 */
class CachedRangesTest {
    /** Calls announce() for {@code blocks} blocks; every announced block reports {@code cached}. */
    private static int announced(CachedRanges r, int blocks, boolean cached) {
        int n = 0;
        for (int i = 0; i < blocks; i++) {
            if (r.announce()) {
                n++;
                r.found(cached);
            }
        }
        return n;
    }

    @Test
    void aColdTableAnnouncesEveryBlock() {
        CachedRanges r = new CachedRanges();
        assertEquals(1000, announced(r, 1000, false));
    }

    @Test
    void aWarmTableAnnouncesOnlyProbesAfterTheStreak() {
        CachedRanges r = new CachedRanges();
        assertEquals(CachedRanges.STREAK, announced(r, CachedRanges.STREAK, true));
        int blocks = 80 * CachedRanges.PROBE_EVERY;
        assertEquals(80, announced(r, blocks, true), "one probe per " + CachedRanges.PROBE_EVERY + " blocks");
    }

    @Test
    void aProbeThatFindsPagesMissingAnnouncesEveryBlockAgain() {
        CachedRanges r = new CachedRanges();
        announced(r, CachedRanges.STREAK + 3 * CachedRanges.PROBE_EVERY, true);
        int skipped = 0;
        while (!r.announce()) {
            skipped++;
        }
        assertTrue(skipped < CachedRanges.PROBE_EVERY, "a probe within " + CachedRanges.PROBE_EVERY + " blocks");
        r.found(false); // the table cooled: its pages were evicted
        assertEquals(CachedRanges.STREAK, announced(r, CachedRanges.STREAK, false));
        // and a streak has to build up again before a block is skipped
        assertEquals(CachedRanges.STREAK, announced(r, CachedRanges.STREAK, true));
        assertEquals(1, announced(r, CachedRanges.PROBE_EVERY, true));
    }

    @Test
    void oneBlockInTheStreakThatIsNotCachedStartsItOver() {
        CachedRanges r = new CachedRanges();
        assertEquals(CachedRanges.STREAK - 1, announced(r, CachedRanges.STREAK - 1, true));
        assertEquals(1, announced(r, 1, false));
        assertEquals(CachedRanges.STREAK, announced(r, CachedRanges.STREAK, true));
    }
}
