package org.corgipile.bench.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Drops the kernel page cache ({@code sync; echo 3 > /proc/sys/vm/drop_caches}) so the next read of a table comes
 * from the (throttled) device. Needs root; the whole machine's clean cache is dropped, which only costs other
 * processes some re-reads.
 */
public final class PageCache {
    private static final Path DROP = Path.of("/proc/sys/vm/drop_caches");

    private PageCache() {
    }

    /** Why caches cannot be dropped here, or empty when they can. */
    public static Optional<String> unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("dropping the page cache needs root (running as " + System.getProperty("user.name")
                    + ")");
        }
        if (!Files.isWritable(DROP)) {
            return Optional.of(DROP + " is not writable (a container without CAP_SYS_ADMIN?)");
        }
        return Optional.empty();
    }

    /** Writes dirty pages back, then drops clean page cache, dentries and inodes. */
    public static void drop() {
        try {
            Process sync = new ProcessBuilder("sync").inheritIO().start();
            if (!sync.waitFor(5, TimeUnit.MINUTES)) {
                sync.destroyForcibly();
                throw new IllegalStateException("sync did not finish within 5 minutes");
            }
            Files.writeString(DROP, "3\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot drop the page cache via " + DROP + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while syncing", e);
        }
    }
}
