package org.corgipile.bench.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole-disk block device ({@code major:minor}) that holds a path.
 *
 * <p>blkio throttle rules only apply to whole disks, so a partition (e.g. 8:1) is mapped to its parent disk (8:0)
 * through {@code /sys/dev/block}. File systems without a backing block device (tmpfs, overlay) have no such device;
 * {@link #of(Path)} then explains why the path cannot be throttled.
 */
public record BlockDevice(int major, int minor) {

    /** The device in the {@code major:minor} form that blkio files expect. */
    public String id() {
        return major + ":" + minor;
    }

    @Override
    public String toString() {
        return id();
    }

    /** Resolves the whole-disk device holding {@code path}. */
    public static BlockDevice of(Path path) throws IOException {
        long dev = ((Number) Files.getAttribute(path, "unix:dev")).longValue();
        // glibc's gnu_dev_major/gnu_dev_minor encoding of st_dev
        int major = (int) (((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL));
        int minor = (int) ((dev & 0xffL) | ((dev >>> 12) & ~0xffL));
        Path sys = Path.of("/sys/dev/block/" + major + ":" + minor);
        if (!Files.exists(sys)) {
            throw new IOException(path + " is on device " + major + ":" + minor
                    + " which is not a block device (tmpfs, overlay or a network file system?); "
                    + "blkio throttling needs a disk-backed data directory");
        }
        Path real = sys.toRealPath();
        if (Files.exists(real.resolve("partition"))) {
            String parent = Files.readString(real.getParent().resolve("dev")).trim();
            String[] mm = parent.split(":");
            return new BlockDevice(Integer.parseInt(mm[0]), Integer.parseInt(mm[1]));
        }
        return new BlockDevice(major, minor);
    }
}
