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
            "Raise corgipile.max_heap (now " + Integer.getInteger("corgipile.max_heap", 0)
                    + " MB) or lower the buffer size."}, parts);
        assertEquals(4, parts.length);
    }

    @Test
    void anOtherExceptionThatCannotBeDescribedReachesTheLauncher() {
        assertThrows(OutOfMemoryError.class, () -> Entry.describe(new Undescribable()));
    }

    @Test
    void aDescribableOutOfMemoryErrorKeepsItsOwnDescription() {
        String described = new String(Entry.describe(new OutOfMemoryError("Java heap space")), StandardCharsets.UTF_8);
        assertEquals("53200\0Java heap exhausted in corgipile: Java heap space\0\0Raise corgipile.max_heap (superuser) "
                + "or use a smaller buffer_size / model.", described);
    }
}
