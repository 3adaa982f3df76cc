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
import org.corgipile.bench.io.Processes;
import org.corgipile.testsupport.PgCluster;

/**
 * The benchmark's own PostgreSQL cluster for one device profile.
 *
 * <p>Settings that keep measurements about data order and I/O: no parallel workers (train_sgd runs in one
 * backend, so the scan floor must too), no JIT, no autovacuum (no background reads), no synchronized scans
 * (storage order really starts at page 0), and the profile's {@code shared_buffers}.
 *
 * <p>{@link #cold()} is the cold-cache step of the ssd/hdd profiles: stop the server (emptying
 * {@code shared_buffers}), drop the page cache, start it again and move the new postmaster and its children into
 * the blkio group, so every backend forked afterwards is throttled. Connections must be opened after it.
 */
public final class BenchServer implements AutoCloseable {
    public static final String DATABASE = "bench";

    private final DeviceProfile profile;
    private final PgCluster cluster;
    private final BlkioThrottle throttle; // null for unthrottled profiles
    private final boolean extension;

    private BenchServer(DeviceProfile profile, PgCluster cluster, BlkioThrottle throttle, boolean extension) {
        this.profile = profile;
        this.cluster = cluster;
        this.throttle = throttle;
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
        conf.addAll(extraConf);
        PgCluster cluster = PgCluster.start(conf);
        BlkioThrottle throttle = null;
        try {
            cluster.createDatabase(DATABASE);
            if (profile.throttled()) {
                BlockDevice device = BlockDevice.of(cluster.dataDir());
                throttle = BlkioThrottle.create(profile.name(), device, profile.readIops(), profile.readBps());
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
            BenchServer server = new BenchServer(profile, cluster, throttle, ext);
            server.enterThrottle();
            return server;
        } catch (IOException | RuntimeException e) {
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

    public PgCluster cluster() {
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
        cluster.start();
        enterThrottle();
    }

    /** Drops only the page cache (between epochs of one training call, where a restart is impossible). */
    public void dropPageCache() {
        if (profile.cold()) {
            PageCache.drop();
        }
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
        if (throttle == null) {
            return;
        }
        try {
            long pm = Processes.postmasterPid(cluster.dataDir());
            throttle.add(pm);
            for (long child : Processes.children(pm)) {
                throttle.add(child);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the postmaster into " + throttle.directory() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } finally {
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
