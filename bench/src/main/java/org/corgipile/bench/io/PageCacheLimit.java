package org.corgipile.bench.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Emulates a table larger than memory: a cgroup-v1 memory group ({@link CgroupV1Group}) {@code /sys/fs/cgroup/memory/corgipile-<profile>-<pid>}
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

    private final CgroupV1Group group;
    private final Thread keeper;
    private volatile long budget;
    private volatile boolean closed;
    private volatile long peakCache;

    private PageCacheLimit(CgroupV1Group group, long budget) {
        this.group = group;
        this.budget = budget;
        keeper = new Thread(this::keep, "bench-page-cache-limit");
        keeper.setDaemon(true);
        keeper.start();
    }

    /** Why the page cache cannot be limited here, or empty when it can. */
    public static Optional<String> unavailableReason() {
        return CgroupV1Group.unavailableReason(ROOT, "memory.limit_in_bytes", "limiting the page cache",
                "no cgroup-v1 memory controller at " + ROOT, ": later epochs may be served from the page cache");
    }

    /** Creates (or reuses) the group {@code corgipile-<name>-<pid>} with a page-cache budget of {@code budgetBytes}. */
    public static PageCacheLimit create(String name, long budgetBytes) throws IOException {
        CgroupV1Group g = CgroupV1Group.create(ROOT, name);
        // no OOM kill in the group: a backend whose heap grows faster than the keeper raises the limit waits for
        // the next round instead of being killed (which would restart the whole cluster)
        g.write("memory.oom_control", "1");
        return new PageCacheLimit(g, Math.max(PAGE * 256, budgetBytes));
    }

    public Path directory() {
        return group.directory();
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
        group.add(pid);
    }

    private void keep() {
        while (!closed) {
            try {
                long anon = 0;
                long cache = 0;
                long mapped = 0;
                for (String line : group.read("memory.stat")) {
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
                group.write("memory.limit_in_bytes", Long.toString(limit));
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

    @Override
    public void close() throws IOException {
        closed = true;
        keeper.interrupt();
        try {
            keeper.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (Files.isDirectory(group.directory())) {
            group.write("memory.limit_in_bytes", "-1");
        }
        group.close();
    }

    /** The group of profile {@code name} in this process: {@code corgipile-<profile>-<pid>}. */
    public static String groupName(String name) {
        return CgroupV1Group.groupName(name);
    }
}
