package org.corgipile.bench.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Emulates a table larger than memory: a cgroup-v1 memory group {@code /sys/fs/cgroup/memory/corgipile-<profile>-<pid>}
 * holding the PostgreSQL server, whose limit (page cache included) is kept at the group's anonymous memory (backend
 * heaps, the JVM, shared_buffers) plus a small page-cache budget. Page cache beyond the budget is reclaimed by the
 * kernel as the server reads, so a table several times the budget comes from the device again in every epoch —
 * cold every epoch, not just the first.
 *
 * <p>Why a moving limit: the anonymous memory cannot be reclaimed (no swap), and a backend's JVM heap grows while
 * it trains; a fixed limit low enough for the cache would OOM-kill the backend, a fixed one high enough would cache
 * the table. A daemon thread therefore re-sets {@code memory.limit_in_bytes} to anon + mapped files + budget every
 * 20 ms (writing a limit below the usage makes the kernel reclaim page cache at once), and the group's OOM killer is
 * off, so an allocation that outruns the keeper waits for its next round. {@link #close()} stops it, moves the
 * processes back to the root group and removes the directory.
 */
public final class PageCacheLimit implements AutoCloseable {
    public static final Path ROOT = Path.of("/sys/fs/cgroup/memory");
    private static final long PAGE = 4096;

    private final Path dir;
    private final Thread keeper;
    private volatile long budget;
    private volatile boolean closed;
    private volatile long peakCache;

    private PageCacheLimit(Path dir, long budget) {
        this.dir = dir;
        this.budget = budget;
        keeper = new Thread(this::keep, "bench-page-cache-limit");
        keeper.setDaemon(true);
        keeper.start();
    }

    /** Why the page cache cannot be limited here, or empty when it can. */
    public static Optional<String> unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("limiting the page cache needs root (running as " + System.getProperty("user.name")
                    + "): later epochs may be served from the page cache");
        }
        if (!Files.isRegularFile(ROOT.resolve("memory.limit_in_bytes"))) {
            return Optional.of("no cgroup-v1 memory controller at " + ROOT + ": later epochs may be served from the "
                    + "page cache");
        }
        if (!Files.isWritable(ROOT.resolve("cgroup.procs"))) {
            return Optional.of(ROOT + " is read-only: later epochs may be served from the page cache");
        }
        return Optional.empty();
    }

    /** Creates (or reuses) the group {@code corgipile-<name>} with a page-cache budget of {@code budgetBytes}. */
    public static PageCacheLimit create(String name, long budgetBytes) throws IOException {
        // one group per benchmark process: two runs on one machine (a test suite beside a benchmark) must not
        // share, and then remove, each other's group
        Path dir = ROOT.resolve(groupName(name));
        if (Files.isDirectory(dir)) {
            moveAllToRoot(dir);
        } else {
            Files.createDirectory(dir);
        }
        // no OOM kill in the group: a backend whose heap grows faster than the keeper raises the limit waits for
        // the next round instead of being killed (which would restart the whole cluster)
        Files.writeString(dir.resolve("memory.oom_control"), "1\n");
        return new PageCacheLimit(dir, Math.max(PAGE * 256, budgetBytes));
    }

    public Path directory() {
        return dir;
    }

    /** The page-cache budget in bytes. */
    public long budget() {
        return budget;
    }

    /** Sets a new page-cache budget (e.g. a quarter of the next table). */
    public void budget(long bytes) {
        budget = Math.max(PAGE * 256, bytes);
    }

    /** The largest page cache the group held since the last call (bytes), then resets it. */
    public long takePeakCache() {
        long p = peakCache;
        peakCache = 0;
        return p;
    }

    /** Moves a whole process into the group. A process that has exited is ignored. */
    public void add(long pid) throws IOException {
        try {
            Files.writeString(dir.resolve("cgroup.procs"), pid + "\n");
        } catch (IOException e) {
            if (Files.exists(Path.of("/proc/" + pid))) {
                throw e;
            }
        }
    }

    private void keep() {
        while (!closed) {
            try {
                long anon = 0;
                long cache = 0;
                long mapped = 0;
                for (String line : Files.readAllLines(dir.resolve("memory.stat"))) {
                    String[] kv = line.split(" ");
                    switch (kv[0]) {
                        case "active_anon", "inactive_anon", "unevictable" -> anon += Long.parseLong(kv[1]);
                        case "active_file", "inactive_file" -> cache += Long.parseLong(kv[1]);
                        case "mapped_file" -> mapped = Long.parseLong(kv[1]);
                        default -> { }
                    }
                }
                // mapped files (libjvm.so, the jar, PostgreSQL's binary) are in use, not the table's cache
                peakCache = Math.max(peakCache, cache - Math.min(cache, mapped));
                long limit = (anon + mapped + budget + PAGE - 1) / PAGE * PAGE;
                Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(limit));
            } catch (IOException | RuntimeException e) {
                // EBUSY when the kernel could not reclaim enough at once: the next round tries again
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void moveAllToRoot(Path dir) throws IOException {
        for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
            if (!pid.isBlank()) {
                try {
                    Files.writeString(ROOT.resolve("cgroup.procs"), pid.trim() + "\n");
                } catch (IOException e) {
                    // the process exited meanwhile
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        keeper.interrupt();
        try {
            keeper.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!Files.isDirectory(dir)) {
            return;
        }
        moveAllToRoot(dir);
        Files.writeString(dir.resolve("memory.limit_in_bytes"), "-1");
        Files.delete(dir);
    }

    /** The group of profile {@code name} in this process: {@code corgipile-<profile>-<pid>}. */
    public static String groupName(String name) {
        return "corgipile-" + name + "-" + ProcessHandle.current().pid();
    }
}
