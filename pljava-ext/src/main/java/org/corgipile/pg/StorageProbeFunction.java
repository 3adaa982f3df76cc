package org.corgipile.pg;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.corgipile.operators.TrainingException;

/**
 * The Java half of {@code corgipile.storage_probe(relation, refresh)}: the timing of the device under the relation's
 * largest local file, as {@code train_sgd} would use it ({@link DeviceSizing#probe}): the cached one, or measured
 * now (and cached) when there is none or {@code refresh} (superusers only: the entry sets the default sizes of every
 * role's later trainings; checked here, where a direct call of {@code corgipile._invoke} arrives too). Answers
 * what the spec's {@code storage} shows ({@code probe}: "measured" with {@code probe_seconds}, or "cached"), or
 * {@code probe}: "off" when the server pins the probe off, "none" when the device cannot be timed (no
 * {@code O_DIRECT}, a file below 16 MB, no local file).
 */
final class StorageProbeFunction {
    private StorageProbeFunction() {
    }

    static Map<String, Object> run(Args args) {
        Path file = DeviceSizing.storagePath(args);
        boolean refresh = Boolean.TRUE.equals(args.raw("refresh"));
        if (refresh && !Natives.superuser()) {
            throw new TrainingException(TrainingException.INSUFFICIENT_PRIVILEGE,
                    "only a superuser may time the storage device again",
                    "Call corgipile.storage_probe(relation) without refresh to see the timing in use.");
        }
        if (!DeviceSizing.probeEnabled()) {
            return Map.of("probe", "off");
        }
        DeviceSizing.Probed probed = file != null
                ? DeviceSizing.probe(file, refresh)
                : null;
        if (probed == null) {
            Map<String, Object> none = new LinkedHashMap<>();
            none.put("probe", "none");
            return none;
        }
        return probed.describe();
    }
}
