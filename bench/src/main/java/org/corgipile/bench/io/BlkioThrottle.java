package org.corgipile.bench.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A cgroup-v1 blkio group that throttles reads from one block device:
 * {@code /sys/fs/cgroup/blkio/corgipile-<profile>-<pid>} with {@code blkio.throttle.read_iops_device} and
 * {@code blkio.throttle.read_bps_device}.
 *
 * <p>The PostgreSQL postmaster is moved into the group; every backend it forks afterwards inherits the group, so
 * connections must be opened after {@link #add(long)}. Reads are synchronous in the reading process, so cgroup v1
 * throttles them (buffered writes are written back by kernel threads and are not throttled, which is why only
 * read limits are set). {@link #close()} moves the remaining processes back to the root group and removes the
 * directory. A group left behind by a killed run is reused and cleaned.
 */
public final class BlkioThrottle implements AutoCloseable {
    public static final Path ROOT = Path.of("/sys/fs/cgroup/blkio");

    private final Path dir;
    private final BlockDevice device;

    private BlkioThrottle(Path dir, BlockDevice device) {
        this.dir = dir;
        this.device = device;
    }

    /** Why a throttled profile cannot run here, or empty when it can. */
    public static Optional<String> unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("blkio throttling needs root (running as " + System.getProperty("user.name") + ")");
        }
        if (!Files.isRegularFile(ROOT.resolve("blkio.throttle.read_iops_device"))) {
            return Optional.of("no cgroup-v1 blkio controller with throttling at " + ROOT
                    + " (cgroup v2-only systems are not supported by this emulation)");
        }
        if (!Files.isWritable(ROOT.resolve("cgroup.procs"))) {
            return Optional.of(ROOT + " is read-only (a container without a writable cgroup mount?)");
        }
        return Optional.empty();
    }

    /**
     * Creates (or reuses) the group {@code corgipile-<name>} with the given read limits on {@code device}.
     *
     * @param iops read requests per second, 0 for no IOPS limit
     * @param bps  read bytes per second, 0 for no bandwidth limit
     */
    public static BlkioThrottle create(String name, BlockDevice device, long iops, long bps) throws IOException {
        // one group per benchmark process: two runs on one machine (a test suite beside a benchmark) must not
        // share, and then remove, each other's group
        Path dir = ROOT.resolve(groupName(name));
        if (Files.isDirectory(dir)) {
            moveAllToRoot(dir);
        } else {
            Files.createDirectory(dir);
        }
        BlkioThrottle t = new BlkioThrottle(dir, device);
        // 0 removes a rule in cgroup v1, so writing it also clears limits left by an earlier run
        t.write("blkio.throttle.read_iops_device", device.id() + " " + iops);
        t.write("blkio.throttle.read_bps_device", device.id() + " " + bps);
        return t;
    }

    public Path directory() {
        return dir;
    }

    public BlockDevice device() {
        return device;
    }

    /** Moves a whole process (all its threads) into the group. A process that has exited is ignored. */
    public void add(long pid) throws IOException {
        try {
            write("cgroup.procs", Long.toString(pid));
        } catch (IOException e) {
            if (Files.exists(Path.of("/proc/" + pid))) {
                throw e;
            }
        }
    }

    /** The pids currently in the group. */
    public List<Long> members() throws IOException {
        return Files.readAllLines(dir.resolve("cgroup.procs")).stream().filter(s -> !s.isBlank())
                .map(s -> Long.parseLong(s.trim())).toList();
    }

    /** Bytes and requests read from the device by the group so far. */
    public IoCounters counters() throws IOException {
        return new IoCounters(readCounter("blkio.throttle.io_service_bytes"),
                readCounter("blkio.throttle.io_serviced"));
    }

    private long readCounter(String file) throws IOException {
        String prefix = device.id() + " Read ";
        for (String line : Files.readAllLines(dir.resolve(file))) {
            if (line.startsWith(prefix)) {
                return Long.parseLong(line.substring(prefix.length()).trim());
            }
        }
        return 0;
    }

    private void write(String file, String value) throws IOException {
        Files.writeString(dir.resolve(file), value + "\n");
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

    /** Moves remaining processes back to the root group and removes the group directory. */
    @Override
    public void close() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        moveAllToRoot(dir);
        Files.delete(dir); // rmdir: the kernel removes the control files with it
    }

    /** Cumulative read counters of a blkio group. */
    public record IoCounters(long bytes, long requests) {
        public IoCounters minus(IoCounters before) {
            return new IoCounters(bytes - before.bytes, requests - before.requests);
        }
    }

    /** The group of profile {@code name} in this process: {@code corgipile-<profile>-<pid>}. */
    public static String groupName(String name) {
        return "corgipile-" + name + "-" + ProcessHandle.current().pid();
    }
}
