package org.corgipile.bench.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.corgipile.bench.io.BlkioThrottle;
import org.corgipile.bench.io.BlockDevice;
import org.corgipile.bench.io.DeviceProfile;
import org.corgipile.bench.io.PageCache;
import org.corgipile.bench.io.PageCacheLimit;
import org.corgipile.bench.io.Processes;
import org.corgipile.cluster.LocalCluster;

/**
 * The benchmark's own PostgreSQL cluster for one device profile.
 *
 * <p>Settings that keep measurements about data order and I/O: no parallel workers (train_sgd runs in one
 * backend, so the scan floor must too), no JIT, no autovacuum (no background reads), no synchronized scans
 * (storage order really starts at page 0), and the profile's {@code shared_buffers}.
 *
 * <p>{@link #cold()} is the cold-cache step of the ssd/hdd profiles: stop the server (emptying
 * {@code shared_buffers}), drop the page cache, start it again and move the new postmaster and its children into
 * the blkio group, so every backend forked afterwards is throttled. Connections must be opened after it. Cold
 * profiles also put the server in a memory group ({@link PageCacheLimit}) so that a table larger than the
 * page-cache budget is cold in every epoch; where memory cgroups are missing a message says so and only the first
 * epoch is cold.
 */
public final class BenchServer implements AutoCloseable {
    public static final String DATABASE = "bench";

    private final DeviceProfile profile;
    private final LocalCluster cluster;
    private final BlkioThrottle throttle; // null for unthrottled profiles
    private final PageCacheLimit cacheLimit; // null for warm profiles or where memory cgroups are missing
    private final boolean extension;

    private BenchServer(DeviceProfile profile, LocalCluster cluster, BlkioThrottle throttle, PageCacheLimit cacheLimit,
                        boolean extension) {
        this.profile = profile;
        this.cluster = cluster;
        this.throttle = throttle;
        this.cacheLimit = cacheLimit;
        this.extension = extension;
    }

    /** Why {@code profile} cannot run on this machine, or empty when it can. */
    public static Optional<String> unavailableReason(DeviceProfile profile) {
        if (profile.cold()) {
            Optional<String> r = PageCache.unavailableReason();
            if (r.isPresent()) {
                return r;
            }
        }
        return profile.throttled() ? BlkioThrottle.unavailableReason() : Optional.empty();
    }

    /** Starts a cluster for {@code profile}; {@code extraConf} lines go into postgresql.conf. */
    public static BenchServer start(DeviceProfile profile, List<String> extraConf) {
        List<String> conf = new ArrayList<>(List.of(
                "shared_buffers = '" + profile.sharedBuffers() + "'",
                "max_parallel_workers_per_gather = 0",
                "jit = off",
                "autovacuum = off",
                "synchronize_seqscans = off",
                "track_io_timing = on",
                "work_mem = '64MB'"));
        if (profile.cold() && extraConf.stream().noneMatch(l -> l.trim().startsWith("corgipile.jvm_options"))) {
            // the page-cache limit follows the group's anonymous memory every 20 ms; a JVM heap that grows by a
            // 30 MB array at once makes the kernel reclaim that much page cache first, including the blocks the
            // reader has just announced, which are then read again (IoEmulationIT saw epoch 1 read 1.6x the
            // table). Touching the initial heap when the JVM starts keeps the group's memory steady while it reads.
            conf.add("corgipile.jvm_options = '-XX:+AlwaysPreTouch'");
        }
        conf.addAll(extraConf);
        LocalCluster cluster = LocalCluster.start(conf);
        BlkioThrottle throttle = null;
        PageCacheLimit cacheLimit = null;
        try {
            cluster.createDatabase(DATABASE);
            if (profile.throttled()) {
                BlockDevice device = BlockDevice.of(cluster.dataDir());
                throttle = BlkioThrottle.create(profile.name(), device, profile.readIops(), profile.readBps());
            }
            if (profile.cold()) {
                Optional<String> why = PageCacheLimit.unavailableReason();
                if (why.isPresent()) {
                    System.err.println("bench: profile " + profile.name() + ": " + why.get());
                } else {
                    cacheLimit = PageCacheLimit.create(profile.name(), Long.MAX_VALUE / 4);
                }
            }
            boolean ext = false;
            if (cluster.extensionAvailable()) {
                try (Connection c = cluster.connect(DATABASE); Statement s = c.createStatement()) {
                    s.execute("CREATE EXTENSION IF NOT EXISTS corgipile");
                    ext = true;
                } catch (SQLException e) {
                    System.err.println("bench: the corgipile extension is installed but CREATE EXTENSION failed: "
                            + e.getMessage());
                }
            }
            BenchServer server = new BenchServer(profile, cluster, throttle, cacheLimit, ext);
            server.enterThrottle();
            return server;
        } catch (IOException | RuntimeException e) {
            if (cacheLimit != null) {
                try {
                    cacheLimit.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (throttle != null) {
                try {
                    throttle.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            cluster.close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
    }

    public DeviceProfile profile() {
        return profile;
    }

    public LocalCluster cluster() {
        return cluster;
    }

    /** True when {@code CREATE EXTENSION corgipile} succeeded in the bench database. */
    public boolean extension() {
        return extension;
    }

    /** The blkio device id ("254:0") or null when the profile is not throttled. */
    public String device() {
        return throttle == null ? null : throttle.device().id();
    }

    public Connection connect() throws SQLException {
        return cluster.connect(DATABASE);
    }

    /**
     * Cold caches for the next measurement: restart (empties shared_buffers), drop the page cache, re-enter the
     * blkio group. A warm profile does nothing.
     */
    public void cold() {
        if (!profile.cold()) {
            return;
        }
        cluster.stop();
        PageCache.drop();
        if (cacheLimit != null) {
            // lift the previous table's page-cache limit: a backend's JVM sizes its initial heap from the group's
            // limit when it starts (container ergonomics), and under a ~50 MB limit the heap then grows inside the
            // measured epoch 1, reclaiming the blocks the reader announced (read twice); the runner limits the page
            // cache again after the warm-up call
            cacheLimit.budget(Long.MAX_VALUE / 4);
        }
        cluster.start();
        enterThrottle();
    }

    /** Drops only the page cache (after a warm-up call on a cold profile). */
    public void dropPageCache() {
        if (profile.cold()) {
            PageCache.drop();
        }
    }

    /**
     * Limits the server's page cache to {@code bytes} from now on (cold profiles where memory cgroups exist), so
     * that a larger table is read from the device in every epoch. Returns the budget in force, 0 when unlimited.
     */
    public long limitPageCache(long bytes) {
        if (cacheLimit == null) {
            return 0;
        }
        cacheLimit.budget(bytes);
        cacheLimit.takePeakCache();
        return cacheLimit.budget();
    }

    /** The largest page cache the server's group held since the last call, 0 when not limited. */
    public long peakPageCache() {
        return cacheLimit == null ? 0 : cacheLimit.takePeakCache();
    }

    /** Read counters of the blkio group, or zeros when unthrottled. */
    public BlkioThrottle.IoCounters io() {
        if (throttle == null) {
            return new BlkioThrottle.IoCounters(0, 0);
        }
        try {
            return throttle.counters();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void enterThrottle() {
        if (throttle == null && cacheLimit == null) {
            return;
        }
        try {
            long pm = Processes.postmasterPid(cluster.dataDir());
            List<Long> pids = new ArrayList<>(List.of(pm));
            pids.addAll(Processes.children(pm));
            for (long pid : pids) {
                if (throttle != null) {
                    throttle.add(pid);
                }
                if (cacheLimit != null) {
                    cacheLimit.add(pid);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the postmaster into its cgroups: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } finally {
            if (cacheLimit != null) {
                try {
                    cacheLimit.close();
                } catch (IOException e) {
                    System.err.println("bench: could not remove " + cacheLimit.directory() + ": " + e.getMessage());
                }
            }
            if (throttle != null) {
                try {
                    throttle.close();
                } catch (IOException e) {
                    System.err.println("bench: could not remove " + throttle.directory() + ": " + e.getMessage());
                }
            }
        }
    }
}
