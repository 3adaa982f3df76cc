package org.corgipile.pg;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.corgipile.operators.Sizing;
import org.corgipile.operators.StorageProbe;

/**
 * The one place where a training in this backend resolves its buffer budget and device block, for every path that
 * derives sizes: {@code train_sgd} on a table or local partitions ({@link TrainFunction}) and each server's round of
 * sharded training ({@link TrainEpochFunction}: every server times its own disk, so a shard on an hdd gets blocks
 * of its seek x bandwidth while a shard on an ssd keeps the device-independent ones). {@link #resolve}: the budget
 * is this server's {@code corgipile.buffer_memory} unless the call gave one, then the device.
 *
 * <p>The device-aware part of the default sizes: when the relation is larger than one buffer and neither
 * block_size nor device_block is given, time the device under its file ({@link StorageProbe}) and, on a seek-bound
 * device, fill in {@code device_block} (a derived block is at least the device's seek x bandwidth, {@link Sizing})
 * and, when {@code corgipile.buffer_memory} is at its default and the call gives no buffer_memory, a budget of 64
 * such blocks per buffer ({@link Sizing#deviceBudget}, at most half the JVM heap). An explicit budget is kept.
 *
 * <p>The SQL half passes {@code storage_path} ({@code pg_relation_filepath} of the largest local leaf, relative to
 * the data directory, which is the backend's working directory) and {@code buffer_memory_default} (the GUC's
 * {@code pg_settings.source}), both from {@code corgipile.storage_args}.
 * One probe per directory (database in a tablespace) and session: ~0.2-0.4 s once on a disk, a few ms on an SSD;
 * the call that probes reports the time as {@code probe_seconds} (epoch 1 of the epoch log, {@link TrainFunction}).
 * A server started with the environment variable {@code CORGIPILE_STORAGE_PROBE=off} never probes (the test
 * clusters: their results must not depend on a timing), nor does a JVM started with
 * {@code -Dcorgipile.storage_probe=off} ({@code corgipile.jvm_options}: a same-build comparison in the bench).
 */
final class DeviceSizing {
    private static final Map<Path, Optional<StorageProbe.Timing>> PROBED = new ConcurrentHashMap<>();

    private DeviceSizing() {
    }

    /**
     * Fills {@code buffer_memory} (this server's GUC unless {@code options} has one), {@code device_block} and
     * perhaps a larger budget into {@code options} for a relation of {@code pages} heap pages (all its leaves);
     * returns what the probe found, for the spec or the server's sizes (null: no probe), after its NOTICE.
     */
    static Map<String, Object> resolve(Args args, Map<String, Object> options, long pages) {
        boolean budgetGiven = options.get("buffer_memory") != null;
        if (!budgetGiven) {
            options.put("buffer_memory", bufferMemory());
        }
        return apply(args, options, budgetGiven, pages);
    }

    /**
     * corgipile.buffer_memory in bytes, at most half the JVM heap (the buffers live on the heap, next to the model
     * and the reader); a larger setting is lowered with a NOTICE rather than failing later with an out-of-memory.
     */
    static long bufferMemory() {
        long bytes = Natives.bufferMemoryKb() * 1024L;
        long limit = Runtime.getRuntime().maxMemory() / 2;
        if (bytes > limit) {
            Natives.message(0, String.format(Locale.ROOT, "corgipile.buffer_memory (%d MB) is more than half of "
                    + "the JVM heap (%d MB); using %d MB (raise corgipile.max_heap for more)", bytes >> 20,
                    Runtime.getRuntime().maxMemory() >> 20, limit >> 20));
            return limit;
        }
        return bytes;
    }

    private static Map<String, Object> apply(Args args, Map<String, Object> options, boolean budgetGiven,
                                             long pages) {
        if (options.get("block_size") != null) {
            return null;
        }
        long budget = ((Number) options.get("buffer_memory")).longValue();
        if (options.get("device_block") instanceof Number given) {
            if (given.intValue() > 0) {
                raiseBudget(args, options, budgetGiven, budget, given.intValue(),
                        new StringBuilder("device_block " + given.intValue() + " pages (given)"));
            }
            return null;
        }
        if (options.get("device_block") != null || !args.has("storage_path")
                || "off".equalsIgnoreCase(System.getProperty("corgipile.storage_probe",
                        System.getenv("CORGIPILE_STORAGE_PROBE")))) {
            return null;
        }
        if (Sizing.fitsOneBuffer(pages, budget)) {
            return null;
        }
        Path file = Path.of(args.string("storage_path"));
        long[] probeNanos = {-1};
        Optional<StorageProbe.Timing> probed = PROBED.computeIfAbsent(file.toAbsolutePath().getParent(), dir -> {
            long t0 = System.nanoTime();
            Optional<StorageProbe.Timing> m = StorageProbe.measure(file);
            probeNanos[0] = System.nanoTime() - t0;
            return m;
        });
        if (probed.isEmpty()) {
            return null;
        }
        StorageProbe.Timing t = probed.get();
        Map<String, Object> found = new LinkedHashMap<>();
        if (probeNanos[0] >= 0) {
            // this call paid for the probe (later calls of the session reuse it): epoch 1's "probe_seconds"
            found.put("probe_seconds", probeNanos[0] / 1e9);
        }
        found.put("access_ms", Math.round(t.accessSeconds() * 1e5) / 100.0);
        found.put("mb_per_s", t.bytesPerSecond() == 0 ? null : Math.round(t.bytesPerSecond() / 1e5) / 10.0);
        found.put("throttle", t.throttle());
        found.put("seek_bound", t.seekBound());
        if (!t.seekBound()) {
            return found;
        }
        int block = t.blockPages();
        options.put("device_block", block);
        found.put("device_block", block);
        raiseBudget(args, options, budgetGiven, budget, block, new StringBuilder(t.describe()));
        return found;
    }

    /**
     * The budget for {@code block}-page device blocks when neither the call nor the session set one, and the
     * NOTICE that says what was chosen.
     */
    private static void raiseBudget(Args args, Map<String, Object> options, boolean budgetGiven, long budget,
                                    int block, StringBuilder line) {
        if (!budgetGiven && Boolean.TRUE.equals(args.raw("buffer_memory_default"))) {
            long want = Sizing.deviceBudget(budget, block);
            long limit = Runtime.getRuntime().maxMemory() / 2;
            if (want > budget) {
                line.append(String.format(Locale.ROOT, "; buffer budget %s (64 blocks per buffer, two buffers)",
                        Sizing.bytes(Math.min(want, limit))));
                if (want > limit) {
                    line.append(" (half of the JVM heap; raise corgipile.max_heap for more)");
                }
                options.put("buffer_memory", Math.max(budget, Math.min(want, limit)));
            }
        } else {
            line.append(String.format(Locale.ROOT, "; buffer_memory %s as set (fewer than 64 blocks per buffer "
                    + "when it is below %s)", Sizing.bytes(budget), Sizing.bytes(Sizing.deviceBudget(0, block))));
        }
        Natives.message(0, line.toString());
    }
}
