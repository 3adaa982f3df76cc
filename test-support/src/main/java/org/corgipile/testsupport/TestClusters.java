package org.corgipile.testsupport;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.corgipile.cluster.LocalCluster;

/**
 * Throwaway clusters for tests whose results must not depend on a timing: their server runs with
 * {@code CORGIPILE_STORAGE_PROBE=off}, so {@code train_sgd}'s default block sizes never follow a storage probe of
 * CI's disk (a loaded virtual disk could time as a disk once, and a later expected output would change). Only the
 * probe's own tests (ProbeSecondsIT, bench's StorageProbeIT and ShardDeviceSizingIT) start clusters with it on.
 */
public final class TestClusters {
    /** The server environment that pins the storage probe off. */
    public static final Map<String, String> PROBE_OFF = Map.of("CORGIPILE_STORAGE_PROBE", "off");

    private TestClusters() {
    }

    /** {@link LocalCluster#start(List)} with the probe off. */
    public static LocalCluster start(List<String> extraConf) {
        return LocalCluster.start(extraConf, PROBE_OFF);
    }

    /** {@link LocalCluster#start(List, Map)} with the probe off, and {@code environment} beside it. */
    public static LocalCluster start(List<String> extraConf, Map<String, String> environment) {
        Map<String, String> env = new HashMap<>(environment);
        env.putAll(PROBE_OFF);
        return LocalCluster.start(extraConf, env);
    }
}
