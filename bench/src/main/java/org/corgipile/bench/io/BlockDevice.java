package org.corgipile.bench.io;

import java.io.IOException;
import java.nio.file.Path;

import org.corgipile.operators.StorageProbe;

/**
 * The whole-disk block device ({@code major:minor}) that holds a path.
 *
 * <p>blkio throttle rules only apply to whole disks, so a partition (e.g. 8:1) is mapped to its parent disk (8:0)
 * through {@code /sys/dev/block} ({@link StorageProbe#wholeDisk}, which the training's storage probe uses too). File systems without a backing block device (tmpfs, overlay) have no such device;
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
        String disk = StorageProbe.wholeDisk(path).orElseThrow(() -> new IOException(path
                + " is not on a block device (tmpfs, overlay or a network file system?); "
                + "blkio throttling needs a disk-backed data directory"));
        String[] mm = disk.split(":");
        return new BlockDevice(Integer.parseInt(mm[0]), Integer.parseInt(mm[1]));
    }
}
