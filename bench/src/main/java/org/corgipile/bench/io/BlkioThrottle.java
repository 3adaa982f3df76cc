package org.corgipile.bench.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A cgroup-v1 blkio group ({@link CgroupV1Group}) that throttles reads from one block device:
 * {@code /sys/fs/cgroup/blkio/corgipile-<profile>-<pid>} with {@code blkio.throttle.read_iops_device} and
 * {@code blkio.throttle.read_bps_device}.
 *
 * <p>The PostgreSQL postmaster is moved into the group; every backend it forks afterwards inherits the group, so
 * connections must be opened after {@link #add(long)}. Reads are synchronous in the reading process, so cgroup v1
 * throttles them (buffered writes are written back by kernel threads and are not throttled, which is why only
 * read limits are set; making a write durable from the group charges only what the memory group's reclaim has not
 * pushed out first, measured by scripts/rewrite-writes.sh, docs/bench.md Limitations). {@link #close()} moves the remaining processes back to the root group and removes the
 * directory. A group left behind by a killed run is reused and cleaned.
 */
public final class BlkioThrottle implements AutoCloseable {
    public static final Path ROOT = Path.of("/sys/fs/cgroup/blkio");

    private final CgroupV1Group group;
    private final BlockDevice device;

    private BlkioThrottle(CgroupV1Group group, BlockDevice device) {
        this.group = group;
        this.device = device;
    }

    /** Why a throttled profile cannot run here, or empty when it can. */
    public static Optional<String> unavailableReason() {
        return CgroupV1Group.unavailableReason(ROOT, "blkio.throttle.read_iops_device", "blkio throttling",
                "no cgroup-v1 blkio controller with throttling at " + ROOT
                        + " (cgroup v2-only systems are not supported by this emulation)", "");
    }

    /**
     * Creates (or reuses) the group {@code corgipile-<name>-<pid>} with the given read limits on {@code device}.
     *
     * @param iops read requests per second, 0 for no IOPS limit
     * @param bps  read bytes per second, 0 for no bandwidth limit
     */
    public static BlkioThrottle create(String name, BlockDevice device, long iops, long bps) throws IOException {
        CgroupV1Group g = CgroupV1Group.create(ROOT, name);
        // 0 removes a rule in cgroup v1, so writing it also clears limits left by an earlier run
        g.write("blkio.throttle.read_iops_device", device.id() + " " + iops);
        g.write("blkio.throttle.read_bps_device", device.id() + " " + bps);
        return new BlkioThrottle(g, device);
    }

    public Path directory() {
        return group.directory();
    }

    public BlockDevice device() {
        return device;
    }

    /** Moves a whole process (all its threads) into the group. A process that has exited is ignored. */
    public void add(long pid) throws IOException {
        group.add(pid);
    }

    /** The pids currently in the group. */
    public List<Long> members() throws IOException {
        return group.members();
    }

    /** Bytes and requests read from the device by the group so far. */
    public IoCounters counters() throws IOException {
        return new IoCounters(readCounter("blkio.throttle.io_service_bytes"),
                readCounter("blkio.throttle.io_serviced"));
    }

    private long readCounter(String file) throws IOException {
        String prefix = device.id() + " Read ";
        for (String line : group.read(file)) {
            if (line.startsWith(prefix)) {
                return Long.parseLong(line.substring(prefix.length()).trim());
            }
        }
        return 0;
    }

    /** Moves remaining processes back to the root group and removes the group directory. */
    @Override
    public void close() throws IOException {
        group.close();
    }

    /** Cumulative read counters of a blkio group. */
    public record IoCounters(long bytes, long requests) {
        public IoCounters minus(IoCounters before) {
            return new IoCounters(bytes - before.bytes, requests - before.requests);
        }
    }

    /** The group of profile {@code name} in this process: {@code corgipile-<profile>-<pid>}. */
    public static String groupName(String name) {
        return CgroupV1Group.groupName(name);
    }
}
