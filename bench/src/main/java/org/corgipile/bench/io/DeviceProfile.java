package org.corgipile.bench.io;

import java.util.Locale;

/**
 * How the benchmark's PostgreSQL server sees its storage.
 *
 * <p>{@code memory} is the warm case: a large {@code shared_buffers}, a warm-up scan, no throttling. {@code ssd}
 * and {@code hdd} emulate cold storage on whatever disk the machine has: a small {@code shared_buffers}, the page
 * cache dropped (and the server restarted, which empties its buffers) before every measurement, and the server
 * placed in a cgroup-v1 blkio group whose read IOPS and bandwidth are throttled. Throttling IOPS is what makes
 * random 8 KB page reads expensive while large sequential read-ahead requests run at the bandwidth limit, which is
 * the property of real disks that CorgiPile's block-level shuffle is designed around.
 *
 * @param name          profile name used in results and the cgroup name
 * @param cold          true when caches are dropped before each measurement
 * @param readIops      read requests per second allowed (0 = unthrottled)
 * @param readBps       read bytes per second allowed (0 = unthrottled)
 * @param sharedBuffers PostgreSQL {@code shared_buffers} setting, e.g. "32MB"
 */
public record DeviceProfile(String name, boolean cold, long readIops, long readBps, String sharedBuffers) {

    public static final long MB = 1024L * 1024L;

    public DeviceProfile {
        if (name == null || !name.matches("[a-z][a-z0-9_-]{0,30}")) {
            throw new IllegalArgumentException("profile name must match [a-z][a-z0-9_-]{0,30}, got '" + name + "'");
        }
        if (readIops < 0) {
            throw new IllegalArgumentException("read IOPS of profile " + name + " must be >= 0 (0 = unthrottled), got "
                    + readIops);
        }
        if (readBps < 0) {
            throw new IllegalArgumentException("read bytes/s of profile " + name
                    + " must be >= 0 (0 = unthrottled), got " + readBps);
        }
    }

    public static DeviceProfile memory() {
        return new DeviceProfile("memory", false, 0, 0, "1GB");
    }

    public static DeviceProfile ssd(long iops, long bps) {
        return new DeviceProfile("ssd", true, iops, bps, "32MB");
    }

    public static DeviceProfile hdd(long iops, long bps) {
        return new DeviceProfile("hdd", true, iops, bps, "32MB");
    }

    /** True when the profile needs the blkio throttle (and therefore root and cgroup v1). */
    public boolean throttled() {
        return readIops > 0 || readBps > 0;
    }

    /** A one-line description for logs and the report. */
    public String describe() {
        if (!cold && !throttled()) {
            return name + ": warm caches, shared_buffers=" + sharedBuffers;
        }
        return String.format(Locale.ROOT, "%s: cold caches, shared_buffers=%s, read limit %s IOPS / %s MB/s", name,
                sharedBuffers, readIops == 0 ? "unlimited" : Long.toString(readIops),
                readBps == 0 ? "unlimited" : Long.toString(readBps / MB));
    }
}
