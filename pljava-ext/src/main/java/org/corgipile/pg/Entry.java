package org.corgipile.pg;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;

import org.corgipile.operators.TrainingException;

/**
 * The only class the C launcher calls. Every SQL-level operation arrives as {@link #invoke(String, String)} with
 * JSON arguments built by the PL/pgSQL wrappers, and answers JSON the wrappers turn into rows; prediction has its
 * own path ({@link #predict}) because it runs once per row.
 *
 * <p>Exceptions are left to propagate: the launcher asks {@link #describe(Throwable)} for the SQLSTATE, message and
 * hint, and raises them as a PostgreSQL ERROR after Java has returned (after a {@link PgException} the launcher
 * re-raises the original PostgreSQL error instead).
 */
public final class Entry {
    private Entry() {
    }

    /** Dispatches a corgipile._invoke(function, args) call. */
    public static String invoke(String function, String argsJson) {
        // A cancel that arrived while the JVM started lands here, before any real work.
        Natives.checkInterrupts();
        Args args = new Args(Json.parseObject(argsJson));
        Object result = switch (function) {
            case "train" -> TrainFunction.run(args);
            case "evaluate" -> EvaluateFunction.run(args);
            case "scan_stats" -> ScanStatsFunction.run(args);
            case "jvm_info" -> jvmInfo();
            // The arguments as Java parsed them, written back: the codec's round trip (JsonCodecIT fuzzes it).
            case "echo" -> args.asMap();
            default -> throw new SqlError(SqlError.INVALID_PARAMETER_VALUE,
                    "unknown corgipile function \"" + function + "\"",
                    "Valid functions: train, evaluate, scan_stats, jvm_info, echo.");
        };
        return Json.write(result);
    }

    public static boolean hasModel(long modelId) {
        return ModelCache.contains(modelId);
    }

    public static void loadModel(long modelId, String modelRowJson) {
        ModelCache.load(modelId, new Args(Json.parseObject(modelRowJson)));
    }

    public static double predict(long modelId, double[] features, boolean probability) {
        return ModelCache.predict(modelId, features, probability);
    }

    /** {SQLSTATE, message, detail, hint} of an exception that reached the launcher. */
    public static String[] describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return new String[] {"53200", "Java heap exhausted in corgipile: " + c.getMessage(), null,
                        "Raise corgipile.max_heap (superuser) or use a smaller buffer_size / model."};
            }
        }
        if (t instanceof SqlError e) {
            return new String[] {e.sqlState(), e.getMessage(), null, e.hint()};
        }
        if (t instanceof TrainingException e) {
            return new String[] {e.sqlState(), e.getMessage(), null, e.hint()};
        }
        if (t instanceof IllegalArgumentException) {
            return new String[] {SqlError.INVALID_PARAMETER_VALUE, t.getMessage(), null, null};
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

    private static Map<String, Object> jvmInfo() {
        Runtime rt = Runtime.getRuntime();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("java_version", System.getProperty("java.version"));
        o.put("vm_name", System.getProperty("java.vm.name"));
        o.put("max_heap_mb", rt.maxMemory() >> 20);
        o.put("used_heap_mb", (rt.totalMemory() - rt.freeMemory()) >> 20);
        o.put("processors", rt.availableProcessors());
        o.put("threads", Thread.activeCount());
        return o;
    }
}
