package org.corgipile.pg;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Java half of {@code corgipile.storage_probe(relation, refresh)}: the timing of the device under the relation's
 * largest local file, as {@code train_sgd} would use it ({@link DeviceSizing#probe}): the cached one, or measured
 * now (and cached) when there is none or {@code refresh} (the SQL half allows refresh to superusers only). Answers
 * what the spec's {@code storage} shows ({@code probe}: "measured" with {@code probe_seconds}, or "cached"), or
 * {@code probe}: "off" when the server pins the probe off, "none" when the device cannot be timed (no
 * {@code O_DIRECT}, a file below 16 MB, no local file).
 */
final class StorageProbeFunction {
    private StorageProbeFunction() {
    }

    static Map<String, Object> run(Args args) {
        Path file = DeviceSizing.storagePath(args);
        if (!DeviceSizing.probeEnabled()) {
            return Map.of("probe", "off");
        }
        DeviceSizing.Probed probed = file != null
                ? DeviceSizing.probe(file, Boolean.TRUE.equals(args.raw("refresh")))
                : null;
        if (probed == null) {
            Map<String, Object> none = new LinkedHashMap<>();
            none.put("probe", "none");
            return none;
        }
        return probed.describe();
    }
}
