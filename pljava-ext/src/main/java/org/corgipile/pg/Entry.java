package org.corgipile.pg;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.corgipile.operators.TrainingException;

/**
 * The only class the C launcher calls. Every SQL-level operation arrives as {@link #invoke(String, String)} with
 * JSON arguments built by the PL/pgSQL wrappers (or by sgd_predict's C code, which loads its model through it), and
 * answers JSON the wrappers turn into rows; prediction has its own path ({@link #predict}) because it runs once per
 * row.
 *
 * <p>Exceptions are left to propagate: the launcher asks {@link #describe(Throwable)} for the SQLSTATE, message and
 * hint, and raises them as a PostgreSQL ERROR after Java has returned (after a {@link PgException} the launcher
 * re-raises the original PostgreSQL error instead).
 */
public final class Entry {
    /**
     * The hint of an exhausted Java heap, with corgipile.max_heap as the launcher started this JVM (outside a backend,
     * the JVM's own maximum heap).
     */
    private static final String HEAP_HINT = "Raise corgipile.max_heap (superuser; now "
            + Integer.getInteger("corgipile.max_heap", (int) (Runtime.getRuntime().maxMemory() >> 20))
            + " MB) or use a smaller buffer_size or model.";
    /**
     * {@link #describe}'s answer for an {@link OutOfMemoryError} when describing it fails too (the heap is still
     * exhausted): made while there is heap.
     */
    private static final byte[] HEAP_EXHAUSTED = utf8("53200\0Java heap exhausted in corgipile\0\0" + HEAP_HINT);

    private Entry() {
    }

    /**
     * Dispatches a corgipile._invoke(function, args) call; a null function is sgd_predict's C code asking about its
     * model ({@link #model}), which no SQL call can do (_invoke is STRICT), so a forged row never reaches the model
     * cache. Text crosses the JNI boundary as UTF-8 bytes (JNI's string functions speak modified UTF-8, which mangles
     * characters outside the Basic Multilingual Plane).
     */
    public static byte[] invoke(byte[] function, byte[] argsJson) {
        String args = new String(argsJson, StandardCharsets.UTF_8);
        return utf8(function == null ? Json.write(model(new Args(Json.parseObject(args))))
                : invoke(new String(function, StandardCharsets.UTF_8), args));
    }

    /** Loads {row} (the model's catalog row, to_jsonb) into the cache unless absent; true when model {id} is cached. */
    private static boolean model(Args args) {
        if (args.has("row")) {
            ModelCache.load(args.longValue("id"), new Args(args.object("row")));
        }
        return ModelCache.contains(args.longValue("id"));
    }

    static String invoke(String function, String argsJson) {
        // A cancel that arrived while the JVM started lands here, before any real work.
        Natives.checkInterrupts();
        Args args = new Args(Json.parseObject(argsJson));
        Object result = switch (function) {
            case "train_arguments" -> TrainArguments.run(args);
            case "train" -> TrainFunction.run(args);
            case "evaluate" -> EvaluateFunction.run(args);
            case "scan_stats" -> ScanStatsFunction.run(args);
            case "jvm_info" -> jvmInfo();
            case "train_epoch" -> TrainEpochFunction.run(args);
            case "storage_probe" -> StorageProbeFunction.run(args);
            case "shard_start" -> ShardCoordinator.start(args);
            case "shard_merge" -> ShardCoordinator.merge(args);
            case "shard_epoch_end" -> ShardCoordinator.epochEnd(args);
            case "shard_finish" -> ShardCoordinator.finish(args);
            // The arguments as Java parsed them, written back: the codec's round trip (JsonCodecIT fuzzes it).
            case "echo" -> args.asMap();
            default -> throw new TrainingException(TrainingException.INVALID_PARAMETER_VALUE,
                    "unknown corgipile function \"" + function + "\"",
                    "Valid functions: train_arguments, train, evaluate, scan_stats, jvm_info, train_epoch, storage_probe, "
                            + "shard_start, shard_merge, "
                            + "shard_epoch_end, shard_finish, echo.");
        };
        return Json.write(result);
    }

    public static double predict(long modelId, double[] features, boolean probability) {
        return ModelCache.predict(modelId, features, probability);
    }

    /**
     * "SQLSTATE\0message\0detail\0hint" (UTF-8, empty for none) of an exception that reached the launcher. Not
     * called after a native caught a PostgreSQL error (a {@link PgException}): the launcher re-raises that one.
     */
    public static byte[] describe(Throwable t) {
        try {
            String[] parts = explain(t);
            return utf8(String.join("\0", parts[0], parts[1], Objects.toString(parts[2], ""),
                    Objects.toString(parts[3], "")));
        } catch (Throwable e) {
            if (t instanceof OutOfMemoryError) {
                return HEAP_EXHAUSTED;
            }
            throw e;
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String[] explain(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return new String[] {"53200", "Java heap exhausted in corgipile: " + c.getMessage(), null, HEAP_HINT};
            }
        }
        if (t instanceof TrainingException e) {
            return new String[] {e.sqlState(), e.getMessage(), null, e.hint()};
        }
        if (t instanceof IllegalArgumentException) {
            return new String[] {TrainingException.INVALID_PARAMETER_VALUE, t.getMessage(), null, null};
        }
        if (t instanceof StackOverflowError) {
            return new String[] {"54001", "Java stack depth limit exceeded in corgipile", null, null};
        }
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        System.err.println("corgipile: unexpected Java exception\n" + trace);
        return new String[] {"XX000", "unexpected Java exception in corgipile: " + t,
                "The Java stack trace is in the server log.", "Please report a bug."};
    }

    /** A kB field of /proc/self/status (the backend process, since the JVM runs inside it), or -1. */
    private static long procStatusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replace("kB", "").strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        return -1;
    }

    private static Map<String, Object> jvmInfo() {
        Runtime rt = Runtime.getRuntime();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("java_version", System.getProperty("java.version"));
        o.put("vm_name", System.getProperty("java.vm.name"));
        o.put("max_heap_mb", rt.maxMemory() >> 20);
        o.put("used_heap_mb", (rt.totalMemory() - rt.freeMemory()) >> 20);
        // Peak use of the heap's pools since the JVM started (this session), and the backend's resident memory.
        o.put("peak_heap_mb", ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum() >> 20);
        o.put("rss_mb", procStatusKb("VmRSS:") >> 10);
        o.put("peak_rss_mb", procStatusKb("VmHWM:") >> 10);
        o.put("processors", rt.availableProcessors());
        o.put("threads", Thread.activeCount());
        // HotSpot's fault handlers that another library (OpenCL's compiler) had replaced since the last check; put
        // back now, and after every training, so a session that trained on OpenCL shows []
        o.put("signal_handlers_restored", Natives.keepJvmSignals());
        return o;
    }
}
