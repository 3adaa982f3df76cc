package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * Entry.describe when describing fails too: an OutOfMemoryError is still 53200 with the corgipile.max_heap hint (the
 * launcher's words, formerly made in C), made without allocating; any other failure reaches the launcher, whose
 * fallback is XX000.
 */
class DescribeWhileTheHeapStaysExhaustedTest {
    /** Outside a backend corgipile.max_heap is not set: the hint gives the JVM's own maximum heap. */
    private static final String HINT = "Raise corgipile.max_heap (superuser; now "
            + Integer.getInteger("corgipile.max_heap", (int) (Runtime.getRuntime().maxMemory() >> 20))
            + " MB) or use a smaller buffer_size or model.";

    /** An OutOfMemoryError whose message cannot be built, as when the heap is still full while it is described. */
    private static final class StillExhausted extends OutOfMemoryError {
        @Override
        public String getMessage() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    private static final class Undescribable extends RuntimeException {
        @Override
        public String getMessage() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    void anExhaustedHeapIsStill53200WithTheMaxHeapHint() {
        String[] parts = new String(Entry.describe(new StillExhausted()), StandardCharsets.UTF_8).split("\0", -1);
        assertArrayEquals(new String[] {"53200", "Java heap exhausted in corgipile", "",
            HINT}, parts);
        assertEquals(4, parts.length);
    }

    /**
     * Bug: the two answers for an exhausted heap had two hints, "Raise corgipile.max_heap (superuser) or use a
     * smaller buffer_size / model." when the error could be described and "Raise corgipile.max_heap (now N MB) or
     * lower the buffer size." when it could not. One hint now, with the current max_heap in both.
     */
    @Test
    void bothOutOfMemoryAnswersGiveOneHintWithTheCurrentMaxHeap() {
        String[] exhausted = new String(Entry.describe(new StillExhausted()), StandardCharsets.UTF_8).split("\0", -1);
        String[] described = new String(Entry.describe(new OutOfMemoryError("Java heap space")),
                StandardCharsets.UTF_8).split("\0", -1);
        assertEquals(exhausted[3], described[3]);
        assertEquals(HINT, described[3]);
    }

    @Test
    void anOtherExceptionThatCannotBeDescribedReachesTheLauncher() {
        assertThrows(OutOfMemoryError.class, () -> Entry.describe(new Undescribable()));
    }

    @Test
    void aDescribableOutOfMemoryErrorKeepsItsOwnDescription() {
        String described = new String(Entry.describe(new OutOfMemoryError("Java heap space")), StandardCharsets.UTF_8);
        assertEquals("53200\0Java heap exhausted in corgipile: Java heap space\0\0" + HINT, described);
    }
}
