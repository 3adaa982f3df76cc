package org.corgipile.pg;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.corgipile.operators.Sizing;
import org.corgipile.operators.StorageProbe;
import org.corgipile.operators.StorageProbeCache;
import org.corgipile.operators.TrainOptions;
import org.corgipile.operators.TrainingException;

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
 * One probe per disk (and blkio limits) and server, not per session: the result is kept in the data directory
 * ({@link StorageProbeCache}, file {@code corgipile_storage_probe}, until the server's machine reboots), so
 * ~0.2-0.4 s once on a disk, a few ms on an SSD; the call that probes reports the time as {@code probe_seconds}
 * (epoch 1 of the epoch log, {@link TrainFunction}), a call that read the cache has none, its spec's
 * {@code storage} says {@code "probe": "cached"} and when it was measured, and so does the NOTICE of the sizes.
 * {@code corgipile.storage_probe(relation, refresh => true)} ({@link StorageProbeFunction}, superuser) times the
 * device again.
 *
 * <p>Why a cache shared by every role is safe: it holds a device's timing, never data, and only a measurement (no
 * value a caller chooses) is written; a timing taken while the disk was busy can only make blocks (and the default
 * budget, within half the JVM heap) larger: the order of the same rows, never which rows; a superuser can re-time
 * the device.
 * A server started with the environment variable {@code CORGIPILE_STORAGE_PROBE=off} never probes (the test
 * clusters: their results must not depend on a timing), nor does a JVM started with
 * {@code -Dcorgipile.storage_probe=off} ({@code corgipile.jvm_options}: a same-build comparison in the bench).
 */
final class DeviceSizing {
    /** In the data directory (the backend's working directory): one per server, for all its databases. */
    private static final StorageProbeCache CACHE = new StorageProbeCache(Path.of("corgipile_storage_probe"));

    private DeviceSizing() {
    }

    /**
     * Fills {@code buffer_memory} (this server's GUC unless {@code options} has one), {@code device_block} and
     * perhaps a larger budget into {@code options} for a relation of {@code pages} heap pages (all its leaves);
     * returns what the probe found, for the spec or the server's sizes (null: no probe), after its NOTICE.
     */
    static Map<String, Object> resolve(Args args, Map<String, Object> options, long pages) {
        storagePath(args);
        boolean budgetGiven = options.get("buffer_memory") != null;
        // a given budget as training reads it (a number or its text, in range), before any size is derived from it
        options.put("buffer_memory", budgetGiven ? TrainOptions.bufferMemory(options) : bufferMemory());
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
        if (options.get("device_block") != null || !args.has("storage_path") || !probeEnabled()) {
            return null;
        }
        if (Sizing.fitsOneBuffer(pages, budget)) {
            return null;
        }
        Probed probed = probe(storagePath(args), false);
        if (probed == null) {
            return null;
        }
        StorageProbe.Timing t = probed.timing();
        Map<String, Object> found = probed.describe();
        if (!t.seekBound()) {
            return found;
        }
        int block = t.blockPages();
        options.put("device_block", block);
        raiseBudget(args, options, budgetGiven, budget, block, new StringBuilder(t.describe() + probed.source()));
        return found;
    }

    /** A device's timing, and whether this call measured it (its seconds) or read it from the cache. */
    record Probed(StorageProbe.Timing timing, double seconds, Instant measuredAt) {
        boolean cached() {
            return seconds < 0;
        }

        /** What the spec's "storage" (and corgipile.storage_probe) shows. */
        Map<String, Object> describe() {
            Map<String, Object> found = new LinkedHashMap<>();
            found.put("probe", cached() ? "cached" : "measured");
            if (!cached()) {
                // this call paid for the probe (later calls, of any session, read the cache): epoch 1's
                // "probe_seconds"
                found.put("probe_seconds", seconds);
                found.put("probe_reads", timing.reads());
            }
            found.put("probed_at", measuredAt.toString());
            found.put("access_ms", Math.round(timing.accessSeconds() * 1e5) / 100.0);
            found.put("mb_per_s", timing.bytesPerSecond() == 0 ? null
                    : Math.round(timing.bytesPerSecond() / 1e5) / 10.0);
            found.put("throttle", timing.throttle());
            found.put("seek_bound", timing.seekBound());
            if (timing.seekBound()) {
                found.put("device_block", timing.blockPages());
            }
            return found;
        }

        /** For the NOTICE: where the sizes' timing came from when it was not measured by this call. */
        String source() {
            return cached() ? "; cached probe of " + measuredAt.truncatedTo(ChronoUnit.SECONDS)
                    + " (corgipile.storage_probe(relation, refresh => true) times the device again)" : "";
        }
    }

    /**
     * The timing of the device under {@code file} (relative to the data directory): the cached one
     * ({@link StorageProbeCache}, in the data directory) unless {@code refresh}, else measured now and cached; null
     * when the device cannot be timed ({@link StorageProbe#measure}).
     */
    static Probed probe(Path file, boolean refresh) {
        if (!refresh) {
            Optional<StorageProbeCache.Entry> hit = CACHE.lookup(file);
            if (hit.isPresent()) {
                return new Probed(hit.get().timing(), -1, hit.get().measuredAt());
            }
        }
        long t0 = System.nanoTime();
        Optional<StorageProbe.Timing> m = StorageProbe.measure(file);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (m.isEmpty()) {
            return null;
        }
        CACHE.store(file, m.get());
        return new Probed(m.get(), seconds, Instant.now());
    }

    /**
     * What pg_relation_filepath answers: a relation's file, relative to the data directory; group 1 or 2 is its
     * database's OID (in base or in a tablespace; neither for a shared relation, in global).
     */
    private static final Pattern RELATION_FILE = Pattern.compile("(?:base/(\\d+)|global"
            + "|pg_tblspc/\\d+/PG_\\d+_\\d+/(\\d+))/(?:t\\d+_)?\\d+");

    /**
     * The argument {@code storage_path} (null when absent): a relation's file as {@code corgipile.storage_args} gives
     * it, of this backend's database (or a shared relation's). Anything else is refused, also when the probe is off,
     * so that a direct call of {@code corgipile._invoke} cannot make the server open, time or report on a file of its
     * choosing, nor tell whether another database's relation file exists.
     */
    static Path storagePath(Args args) {
        if (!args.has("storage_path")) {
            return null;
        }
        String path = args.string("storage_path");
        Matcher m = RELATION_FILE.matcher(path);
        boolean ours = m.matches() && (m.group(1) == null && m.group(2) == null
                || Long.toString(Natives.databaseOid()).equals(m.group(1) != null ? m.group(1) : m.group(2)));
        if (!ours) {
            throw new TrainingException(TrainingException.INVALID_PARAMETER_VALUE, "storage_path must be the file "
                    + "of a relation of this database, as pg_relation_filepath gives it, got \"" + path + "\"",
                    "storage_path is what corgipile.storage_args gives for the relation being trained.");
        }
        return Path.of(path);
    }

    /** False when the server or the JVM pins the probe off (test clusters: no size may depend on a timing). */
    static boolean probeEnabled() {
        return !"off".equalsIgnoreCase(System.getProperty("corgipile.storage_probe",
                System.getenv("CORGIPILE_STORAGE_PROBE")));
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
