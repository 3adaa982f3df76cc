package org.corgipile.operators;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the device under a relation's file costs per request and per byte, measured: a default block size that
 * ignores the device is either too small for a disk (every block of a random order pays a seek) or needlessly
 * large for an SSD. The answer ({@link Timing#blockPages()}) needs two facts: whether a request costs at least
 * {@value #SEEK_BOUND_MS} ms (seek-bound), and if so the access time x bandwidth. {@link #measure} reads the file
 * with {@code O_DIRECT}, so the page cache is bypassed and the device (or a blkio throttle, which throttles direct
 * I/O too) is what is timed, and reads only until the answer is clear:
 * <ul>
 *   <li><b>access time</b>: the mean time of 8 kB reads at random offsets. Reading stops as soon as the mean is
 *       clearly on one side of the bound: <em>not seek-bound</em> after at least {@value #MIN_RANDOM_READS} reads
 *       whose mean is below half the bound (an SSD, NVMe or a virtual disk at 0.05-0.5 ms: a few ms); <em>seek-bound
 *       </em> after at least {@value #MIN_SEEK_BOUND_READS} reads whose mean is at least the bound even without the
 *       longest read (a disk, 4-12 ms per read: 16 reads, ~0.13 s; not 8: a virtual disk shared with builds timed
 *       2.3 ms per read for a while, and 8 reads are a short episode). Otherwise it reads on, up to
 *       {@value #MAX_RANDOM_READS} reads or 200 ms (at least {@value #MIN_RANDOM_READS}), as it always did. Both
 *       stops survive a stall: one long read of a loaded virtual disk is left out of the seek-bound test and only
 *       keeps the not-seek-bound test from passing until more reads dilute it, so a stall makes the probe read more,
 *       never decide otherwise. A blk-throttle is such a device too: it lets a slice's allowance (100 ms of requests)
 *       through at once and then holds the next read for the rest of the slice, so its cost shows only from its
 *       second hold on (the hdd emulation's 150 IOPS: ~31 reads, ~0.2 s instead of 38 reads and 0.3 s). Under a
 *       throttle of at most 500 IOPS (1/IOPS seek-bound) the not-seek-bound stop is off: its first allowance alone
 *       may pass 16 reads at once (the limits make the probe read more, never less);</li>
 *   <li><b>bandwidth</b> (only when the access time is seek-bound): 4 MB reads in file order by two threads (a
 *       disk's queue, as the kernel's read-ahead keeps it) for {@value #BANDWIDTH_WINDOW_MS} ms: the block is
 *       rounded to a power of two, so a rate within +-40% gives the same block, which 100 ms of a sequential stream
 *       give. Under a blkio throttle (the bench's hdd emulation: cgroup v1, this process's group and its ancestors)
 *       that limits both requests and bytes on the file's disk, the limits themselves are the answer (access 1/IOPS,
 *       bandwidth the byte limit) and nothing more is read: single reads under blk-throttle are either instant or
 *       ~100 ms, and 200 ms windows measured the emulation's 1 MiB break-even as 0.6 to 1.5 MiB. The timed access
 *       time still decides whether the device is seek-bound.</li>
 * </ul>
 *
 * <p>A device is <b>seek-bound</b> when the access time is at least {@value #SEEK_BOUND_MS} ms: a real or emulated
 * disk (4-12 ms; the bench's hdd profile 6.7 ms) and not an SSD, NVMe or a virtual disk (0.05-0.5 ms, also under
 * load). Only a seek-bound device changes the sizes ({@link Timing#blockPages()}), so the wide margin keeps the
 * result stable. Cost: ~0.2-0.3 s under the hdd throttle, ~0.25 s on a real disk (16 seeks and 100 ms of
 * sequential reads), a few ms on an SSD; a file system that refuses {@code O_DIRECT} (tmpfs) or a file below
 * {@value #MIN_FILE_MB} MB gives no measurement (the device-independent sizes).
 */
public final class StorageProbe {
    static final int MAX_RANDOM_READS = 256;
    static final long WINDOW_NANOS = 200_000_000L;
    static final int MIN_RANDOM_READS = 16;
    static final int MIN_SEEK_BOUND_READS = 16;
    /** The mean random read below which reading stops early: clearly not seek-bound (half the bound). */
    static final long NOT_SEEK_BOUND_NANOS = 1_000_000L;
    static final long SEEK_BOUND_NANOS = 2_000_000L;
    static final int BANDWIDTH_WINDOW_MS = 100;
    static final int READERS = 2;
    private static final String BLKIO_ROOT = "/sys/fs/cgroup/blkio";
    static final int CHUNK = 4 << 20;
    static final double SEEK_BOUND_MS = SEEK_BOUND_NANOS / 1e6;
    static final int MIN_FILE_MB = 16;

    private StorageProbe() {
    }

    /**
     * The device's access time and bandwidth.
     *
     * @param accessSeconds  mean time of a random 8 kB read (1/IOPS under a blkio throttle)
     * @param bytesPerSecond sequential bandwidth, 0 when not measured (not seek-bound)
     * @param throttle       the blkio throttle's limits the sizes follow ("150 IOPS, 150 MiB/s"), or null when
     *                       access time and bandwidth are timed
     * @param requestPages   the largest read request the disk takes for pages read ahead ({@link #requestPages}),
     *                       0 when unknown
     * @param reads          the device reads the measurement made (random 8 kB reads and 4 MB chunks), 0 for a
     *                       timing read from a cache
     */
    public record Timing(double accessSeconds, double bytesPerSecond, String throttle, int requestPages, int reads) {
        /** A timing of a device whose largest request is not known. */
        public Timing(double accessSeconds, double bytesPerSecond, String throttle) {
            this(accessSeconds, bytesPerSecond, throttle, 0);
        }

        /** A timing not measured by this call (a cache's, a test's). */
        public Timing(double accessSeconds, double bytesPerSecond, String throttle, int requestPages) {
            this(accessSeconds, bytesPerSecond, throttle, requestPages, 0);
        }

        /** A disk (real or emulated): a request costs at least {@value #SEEK_BOUND_MS} ms. */
        public boolean seekBound() {
            return accessSeconds * 1000 >= SEEK_BOUND_MS && bytesPerSecond > 0;
        }

        /**
         * The smallest block worth reading in a random order on this device: seek time x bandwidth, the size at
         * which a block's transfer takes as long as its seek (the bench's blk-throttle emulation's break-even:
         * 1/150 s x 150 MiB/s = 1 MiB; a real 8 ms, 150 MB/s disk 1.2 MB), in pages rounded to the nearest power
         * of two (so measurement noise does not change it) within [{@value Sizing#MIN_BLOCK_PAGES},
         * {@value Sizing#MAX_BLOCK_PAGES}], then down to a whole number of the disk's largest requests
         * ({@link #requestPages}) when it is larger than one: the kernel splits a read-ahead into requests of at most
         * that, and a device that counts requests (the blk-throttle, IOPS-metered volumes) charges the remainder as a
         * request of its own. On the bench's virtual disk a request of announced pages holds at most 254 x 4 kB, so
         * 1 MiB blocks were two requests (1016 kB and 8 kB) where 127 pages are one. 0 when not seek-bound.
         */
        public int blockPages() {
            if (!seekBound()) {
                return 0;
            }
            double pages = accessSeconds * bytesPerSecond / Sizing.PAGE_BYTES;
            long p = 1L << Math.max(0, Math.round(Math.log(pages) / Math.log(2)));
            p = Math.min(Sizing.MAX_BLOCK_PAGES, Math.max(Sizing.MIN_BLOCK_PAGES, p));
            if (requestPages > 0 && p > requestPages) {
                p = Math.max(Sizing.MIN_BLOCK_PAGES, p / requestPages * requestPages);
            }
            return (int) p;
        }

        /** One line for a NOTICE and the model's spec. */
        public String describe() {
            if (!seekBound()) {
                return String.format(Locale.ROOT, "storage: not seek-bound (random 8 kB read %.2f ms)",
                        accessSeconds * 1000);
            }
            String how = throttle == null
                    ? String.format(Locale.ROOT, "%.0f MB/s measured", bytesPerSecond / 1e6)
                    : "blkio throttle " + throttle;
            String requests = requestPages <= 0 ? "" : String.format(Locale.ROOT, " (requests of at most %s)",
                    Sizing.bytes((long) requestPages * Sizing.PAGE_BYTES));
            return String.format(Locale.ROOT, "storage: seek-bound, random 8 kB read %.1f ms, %s -> blocks >= %s%s",
                    accessSeconds * 1000, how, Sizing.bytes((long) blockPages() * Sizing.PAGE_BYTES), requests);
        }
    }

    /**
     * Times the device under {@code file} (see the class comment), or empty when it cannot: no {@code O_DIRECT}
     * on its file system, a file below {@value #MIN_FILE_MB} MB, or an I/O error.
     */
    public static Optional<Timing> measure(Path file) {
        try {
            long size = Files.size(file);
            if (size < (long) MIN_FILE_MB << 20) {
                return Optional.empty();
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
                    com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
                int align = (int) Math.max(Sizing.PAGE_BYTES, Files.getFileStore(file).getBlockSize());
                ByteBuffer page = ByteBuffer.allocateDirect(2 * align).alignedSlice(align);
                long pages = size / Sizing.PAGE_BYTES;
                SplittableRandom r = new SplittableRandom(pages);
                // an anonymous class, not a lambda: a JVM's first lambda costs more than the reads of an SSD
                double[] random = randomReads(new Device() {
                    private Boolean burst;

                    @Override
                    public void read() throws IOException {
                        StorageProbe.read(ch, page, Sizing.PAGE_BYTES, r.nextLong(pages) * Sizing.PAGE_BYTES);
                    }

                    @Override
                    public long nanoTime() {
                        return System.nanoTime();
                    }

                    @Override
                    public boolean burstsPastSixteenReads() throws IOException {
                        if (burst == null) {
                            burst = limits(file)[0] * SEEK_BOUND_MS <= 1000;
                        }
                        return burst;
                    }
                });
                int reads = (int) random[0];
                double access = random[1];
                if (access * 1000 < SEEK_BOUND_MS) {
                    return Optional.of(new Timing(access, 0, null, 0, reads));
                }
                int requestPages = requestPages(file);
                Optional<Timing> limits = throttle(limits(file), requestPages);
                if (limits.isPresent()) {
                    Timing t = limits.get();
                    return Optional.of(new Timing(t.accessSeconds(), t.bytesPerSecond(), String.format(Locale.ROOT,
                            "%s (timed: %.1f ms)", t.throttle(), access * 1000), requestPages, reads));
                }
                long chunks = size / CHUNK;
                long first = r.nextLong(chunks);
                AtomicLong next = new AtomicLong();
                long t1 = System.nanoTime();
                long window = BANDWIDTH_WINDOW_MS * 1_000_000L;
                Callable<Void> reader = () -> {
                    ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK + align).alignedSlice(align);
                    while (System.nanoTime() - t1 < window) {
                        read(ch, chunk, CHUNK, (first + next.getAndIncrement()) % chunks * CHUNK);
                    }
                    return null;
                };
                ExecutorService pool = Executors.newFixedThreadPool(READERS, r2 -> {
                    Thread t = new Thread(r2, "corgipile-storage-probe");
                    t.setDaemon(true);
                    return t;
                });
                try {
                    for (Future<Void> f : pool.invokeAll(Collections.nCopies(READERS, reader))) {
                        f.get();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                } catch (ExecutionException e) {
                    return Optional.empty();
                } finally {
                    pool.shutdownNow();
                }
                long read = next.get();
                return Optional.of(new Timing(access, (double) read * CHUNK * 1e9 / (System.nanoTime() - t1), null,
                        requestPages, reads + (int) read));
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The random-read phase's device and clock. */
    interface Device {
        /** One 8 kB read at a random offset. */
        void read() throws IOException;

        long nanoTime();

        /** True when the device may pass more than 16 reads at once although seek-bound (no early stop then). */
        boolean burstsPastSixteenReads() throws IOException;
    }

    /**
     * The random-read phase (the class comment): reads until the mean is clearly not seek-bound (at least
     * {@value #MIN_RANDOM_READS} reads, mean below {@link #NOT_SEEK_BOUND_NANOS}) or clearly seek-bound (at least
     * {@value #MIN_SEEK_BOUND_READS} reads, mean at least {@link #SEEK_BOUND_NANOS} without the longest one), else
     * until {@value #MAX_RANDOM_READS} reads or {@link #WINDOW_NANOS} (at least {@value #MIN_RANDOM_READS} reads).
     * Returns {reads, mean seconds}.
     */
    static double[] randomReads(Device device) throws IOException {
        long t0 = device.nanoTime();
        long last = t0;
        long longest = 0;
        int reads = 0;
        long elapsed;
        while (true) {
            device.read();
            reads++;
            long now = device.nanoTime();
            longest = Math.max(longest, now - last);
            last = now;
            elapsed = now - t0;
            if (reads >= MIN_RANDOM_READS && (reads >= MAX_RANDOM_READS || elapsed >= WINDOW_NANOS)
                    || reads >= MIN_SEEK_BOUND_READS && elapsed - longest >= SEEK_BOUND_NANOS * (reads - 1)
                    || reads >= MIN_RANDOM_READS && elapsed < NOT_SEEK_BOUND_NANOS * reads
                    && !device.burstsPastSixteenReads()) {
                return new double[] {reads, elapsed / 1e9 / reads};
            }
        }
    }

    /**
     * The read limits of this process's blkio group (cgroup v1: its own and its ancestors') on the disk holding
     * {@code file}, when both an IOPS and a bandwidth limit are set: access time 1/IOPS, bandwidth the byte limit.
     */
    static Optional<Timing> throttle(Path file) throws IOException {
        return throttle(limits(file), 0);
    }

    private static Optional<Timing> throttle(long[] limits, int requestPages) {
        if (limits[0] == Long.MAX_VALUE || limits[1] == Long.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(new Timing(1.0 / limits[0], limits[1], limits[0] + " IOPS, "
                + Math.round(limits[1] / 1048576.0) + " MiB/s", requestPages));
    }

    /**
     * {read IOPS, read bytes/s} limits of this process's blkio group (and its ancestors) on the disk of {@code file},
     * MAX_VALUE where none; the disk is looked up only when a group has rules.
     */
    private static long[] limits(Path file) throws IOException {
        long[] limits = {Long.MAX_VALUE, Long.MAX_VALUE};
        Path self = Path.of("/proc/self/cgroup");
        if (!Files.isReadable(self)) {
            return limits;
        }
        String disk = null;
        for (String line : Files.readAllLines(self)) {
            String[] f = line.split(":", 3);
            if (f.length < 3 || !List.of(f[1].split(",")).contains("blkio")) {
                continue;
            }
            for (Path g = Path.of(BLKIO_ROOT + f[2]); g != null && g.startsWith(BLKIO_ROOT); g = g.getParent()) {
                for (int k = 0; k < 2; k++) {
                    Path rules = g.resolve(k == 0 ? "blkio.throttle.read_iops_device"
                            : "blkio.throttle.read_bps_device");
                    if (!Files.isReadable(rules)) {
                        continue;
                    }
                    for (String rule : Files.readAllLines(rules)) {
                        int space = rule.indexOf(' ');
                        if (space < 0) {
                            continue;
                        }
                        if (disk == null) {
                            Optional<String> d = wholeDisk(file);
                            if (d.isEmpty()) {
                                return limits;
                            }
                            disk = d.get();
                        }
                        if (rule.substring(0, space).equals(disk)) {
                            limits[k] = Math.min(limits[k], Long.parseLong(rule.substring(space + 1).trim()));
                        }
                    }
                }
            }
            return limits;
        }
        return limits;
    }

    /**
     * The largest read request of the disk holding {@code file}, in 8 kB pages, for pages the kernel reads ahead
     * ({@code posix_fadvise(WILLNEED)} fills the page cache with single 4 kB pages, so a request holds at most
     * {@code max_segments} of them, and at most {@code max_sectors_kb}): 127 pages (1016 kB) on a virtio disk
     * with 254 segments; 0 when unknown (no block device, no sysfs).
     */
    static int requestPages(Path file) {
        try {
            Optional<String> disk = wholeDisk(file);
            if (disk.isEmpty()) {
                return 0;
            }
            Path queue = Path.of("/sys/dev/block/" + disk.get() + "/queue");
            long segments = Long.parseLong(Files.readString(queue.resolve("max_segments")).trim());
            long sectorsKb = Long.parseLong(Files.readString(queue.resolve("max_sectors_kb")).trim());
            long bytes = Math.min(sectorsKb << 10, segments * 4096);
            return (int) Math.min(Integer.MAX_VALUE, bytes / Sizing.PAGE_BYTES);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * The whole disk ({@code major:minor}) holding {@code path}: a partition (8:1) is mapped to its disk (8:0)
     * through {@code /sys/dev/block}, as blkio throttle rules name whole disks; empty on a file system without a
     * block device (tmpfs, overlay, a network file system).
     */
    public static Optional<String> wholeDisk(Path path) throws IOException {
        long dev = ((Number) Files.getAttribute(path, "unix:dev")).longValue();
        // glibc's gnu_dev_major/gnu_dev_minor encoding of st_dev
        long major = ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xffL) | ((dev >>> 12) & ~0xffL);
        Path sys = Path.of("/sys/dev/block/" + major + ":" + minor);
        if (!Files.exists(sys)) {
            return Optional.empty();
        }
        Path real = sys.toRealPath();
        if (Files.exists(real.resolve("partition"))) {
            return Optional.of(Files.readString(real.getParent().resolve("dev")).trim());
        }
        return Optional.of(major + ":" + minor);
    }

    private static void read(FileChannel ch, ByteBuffer buf, int length, long offset) throws IOException {
        buf.clear().limit(length);
        while (buf.hasRemaining()) {
            if (ch.read(buf, offset + buf.position()) < 0) {
                break;
            }
        }
    }
}
