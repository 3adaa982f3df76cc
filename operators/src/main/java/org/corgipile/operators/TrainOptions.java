package org.corgipile.operators;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one parser of training arguments: named arguments by their SQL names (from {@code train_sgd}'s arguments and
 * its {@code options} jsonb, from the scale-out functions' stored spec, from a client's map or
 * {@link TrainSpecBuilder}) to a validated {@link TrainSpec}, defaults filled in (the table on {@link TrainSpec}).
 *
 * <p>It is lenient about representation, because its callers hand over what their side has: numbers as any
 * {@link Number} or numeric string (integers must be integral), booleans as {@link Boolean} or
 * "true"/"false"/"on"/"off", {@code hidden} as int[], Integer[], a collection of numbers or a string like "64,32" /
 * "{64,32}". A null value means "use the default". It is strict about values: every failure is an
 * {@link InvalidSpecException} (SQLSTATE 22023) naming the argument and its allowed range, and arguments are checked
 * in {@link TrainSpec#KEYS} order, so the first bad one is the one reported.
 */
public final class TrainOptions {
    private TrainOptions() {
    }

    /**
     * Validates and resolves named arguments; missing or null entries take their default, a missing seed is drawn
     * at random (and recorded in the spec).
     *
     * @throws InvalidSpecException for unknown keys, wrong types and out-of-range values
     */
    public static TrainSpec parse(Map<String, ?> options) {
        Map<String, Object> o = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : options.entrySet()) {
            if (e.getKey() == null) {
                throw new InvalidSpecException("training argument name must not be null");
            }
            o.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
        }
        for (String key : o.keySet()) {
            if (!TrainSpec.KEYS.contains(key)) {
                throw new InvalidSpecException("unknown training argument \"" + key + "\"",
                        "Allowed arguments: " + String.join(", ", TrainSpec.KEYS) + ".");
            }
        }
        String model = choice(o, "model", TrainSpec.MODELS, "logistic");
        String shuffle = choice(o, "shuffle", TrainSpec.SHUFFLES, "corgipile");
        int epochs = (int) integer(o, "epochs", 10, 1, TrainSpec.MAX_EPOCHS);
        // 0: derived from the features (TrainSpec.withDataDefaults)
        double learningRate = real(o, "learning_rate", 0, 0, false, TrainSpec.MAX_RATE);
        String schedule = choice(o, "schedule", TrainSpec.SCHEDULES, "exponential");
        double decay = schedule.equals("inverse")
                ? real(o, "decay", 0.95, 0, true, TrainSpec.MAX_RATE)
                : real(o, "decay", 0.95, 0, false, 1);
        double l2 = real(o, "l2", 0, 0, true, TrainSpec.MAX_RATE);
        double l1 = real(o, "l1", 0, 0, true, TrainSpec.MAX_RATE);
        int batchSize = (int) integer(o, "batch_size", 1, 1, TrainSpec.MAX_BATCH);
        Object rawSeed = o.get("seed");
        long seed = rawSeed == null ? ThreadLocalRandom.current().nextLong()
                : integer(o, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        int blockSize = (int) integer(o, "block_size", 0, 1, TrainSpec.MAX_BLOCK, BLOCK_SIZE_HINT);
        double bufferSize = bufferSize(o.get("buffer_size"));
        long bufferMemory = bufferMemory(o);
        int deviceBlock = (int) integer(o, "device_block", 0, 0, Sizing.MAX_BLOCK_PAGES);
        int earlyStopPatience = (int) integer(o, "early_stop_patience", 0, 0, TrainSpec.MAX_PATIENCE);
        Boolean standardize = o.get("standardize") == null ? null : bool(o, "standardize", false);
        // the mean of sparse (L1) iterates is not sparse: with l1, averaging is off unless asked for
        boolean average = bool(o, "average", l1 == 0);
        int[] hidden = hidden(o.get("hidden"), model);
        int classes = classes(o.get("classes"), model);
        String device = choice(o, "device", TrainSpec.DEVICES, "cpu");
        String trainMetrics = choice(o, "train_metrics", TrainSpec.TRAIN_METRICS, "running");
        boolean overwrite = bool(o, "overwrite", false);
        double[] classWeights = classWeights(o.get("class_weights"));
        String warmStart = warmStart(o.get("warm_start"));
        return new TrainSpec(model, shuffle, epochs, learningRate, schedule, decay, l2, l1, batchSize, seed, blockSize,
                bufferSize, bufferMemory, deviceBlock, earlyStopPatience, standardize, average, hidden, classes, device,
                trainMetrics, overwrite, classWeights, warmStart);
    }

    private static final String BLOCK_SIZE_HINT = "block_size counts 8 kB heap pages; a block_size above the "
            + "table's pages reads the table as one block. Leave it out to derive it from the table.";

    /** Largest {@code dimension} of sparse data: the model's arrays stay well inside Java's array limit. */
    public static final int MAX_DIMENSION = Integer.MAX_VALUE / 2;

    /**
     * The {@code dimension} argument of sparse data (the number of features; indices are 0-based), 0 when not given
     * (the largest index + 1). Not a hyper-parameter, so not in {@link TrainSpec}: it describes the relation, and is
     * checked here once for train_sgd and the client alike.
     */
    public static int dimension(Object value) {
        if (value == null) {
            return 0;
        }
        long d = toLong("dimension", value, "an integer between 1 and " + MAX_DIMENSION, null);
        if (d < 1 || d > MAX_DIMENSION) {
            throw new InvalidSpecException("dimension must be an integer between 1 and " + MAX_DIMENSION
                    + ", got " + d, "dimension is the number of features of sparse data (indices are 0-based).");
        }
        return (int) d;
    }

    // ---- conversions; every message names the argument and its allowed range ----

    private static String choice(Map<String, Object> o, String key, List<String> allowed, String dflt) {
        Object v = o.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof CharSequence)) {
            throw wrongType(key, "a text value (one of " + String.join(", ", allowed) + ")", v, null);
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(s)) {
            throw new InvalidSpecException(key + " must be one of " + String.join(", ", allowed) + ", got \"" + v + "\"");
        }
        return s;
    }

    /**
     * {@code buffer_memory} of {@code o} in bytes as {@link #parse} reads it (a number or its text, within range; the
     * default when absent), for a caller that needs the budget before the whole spec is parsed.
     */
    public static long bufferMemory(Map<String, Object> o) {
        return integer(o, "buffer_memory", Sizing.DEFAULT_BUFFER_MEMORY, TrainSpec.MIN_BUFFER_MEMORY,
                TrainSpec.MAX_BUFFER_MEMORY);
    }

    private static long integer(Map<String, Object> o, String key, long dflt, long min, long max) {
        return integer(o, key, dflt, min, max, null);
    }

    /** An integer argument; {@code hint} (or null) goes with every error about it. */
    private static long integer(Map<String, Object> o, String key, long dflt, long min, long max, String hint) {
        Object v = o.get(key);
        if (v == null) {
            return dflt;
        }
        long n = toLong(key, v, "an integer between " + min + " and " + max, hint);
        if (n < min || n > max) {
            throw new InvalidSpecException(key + " must be between " + min + " and " + max + ", got " + n,
                    outOfRange(key, hint));
        }
        return n;
    }

    private static long toLong(String key, Object v, String what, String hint) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof java.math.BigInteger b) {
            try {
                return b.longValueExact();
            } catch (ArithmeticException e) {
                throw new InvalidSpecException(key + " must be " + what + ", got " + v, hint);
            }
        }
        if (v instanceof java.math.BigDecimal b) {
            try {
                return b.longValueExact();
            } catch (ArithmeticException e) {
                throw new InvalidSpecException(key + " must be " + what + ", got " + v, hint);
            }
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (d != Math.rint(d) || Double.isInfinite(d) || Math.abs(d) > 9.0e15) {
                throw new InvalidSpecException(key + " must be " + what + ", got " + v, hint);
            }
            return (long) d;
        }
        if (v instanceof CharSequence) {
            try {
                return Long.parseLong(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new InvalidSpecException(key + " must be " + what + ", got \"" + v + "\"", notANumber(key, hint));
            }
        }
        throw wrongType(key, what, v, hint);
    }

    /** The hint for a number out of its range: the argument's own, or to pass one in range or none. */
    private static String outOfRange(String key, String hint) {
        return hint != null ? hint : "Pass " + key + " within that range, or leave it out for its default.";
    }

    /** The hint for text that is not a number: the argument's own, or to pass a number. */
    private static String notANumber(String key, String hint) {
        return hint != null ? hint : "Pass " + key + " as a number.";
    }

    private static double toDouble(String key, Object v, String what, String hint) {
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue();
        } else if (v instanceof CharSequence) {
            try {
                d = Double.parseDouble(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new InvalidSpecException(key + " must be " + what + ", got \"" + v + "\"", notANumber(key, hint));
            }
        } else {
            throw wrongType(key, what, v, hint);
        }
        if (!Double.isFinite(d)) {
            throw new InvalidSpecException(key + " must be " + what + ", got " + Numbers.text(d), hint);
        }
        return d;
    }

    private static double real(Map<String, Object> o, String key, double dflt, double min, boolean minInclusive,
                               double max) {
        Object v = o.get(key);
        String range = (minInclusive ? "[" : "(") + Numbers.text(min) + ", " + Numbers.text(max) + "]";
        if (v == null) {
            return dflt;
        }
        double d = toDouble(key, v, "a number in " + range, null);
        if (d < min || (!minInclusive && d == min) || d > max) {
            throw new InvalidSpecException(key + " must be in " + range + ", got " + Numbers.text(d),
                    outOfRange(key, null));
        }
        return d;
    }

    private static boolean bool(Map<String, Object> o, String key, boolean dflt) {
        Object v = o.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof CharSequence) {
            switch (v.toString().trim().toLowerCase(Locale.ROOT)) {
                case "true", "on", "yes", "t" -> {
                    return true;
                }
                case "false", "off", "no", "f" -> {
                    return false;
                }
                default -> throw new InvalidSpecException(key + " must be a boolean (true or false), got \"" + v
                        + "\"");
            }
        }
        throw wrongType(key, "a boolean (true or false)", v, null);
    }

    private static double bufferSize(Object v) {
        String what = "a fraction in (0, 1] of the table or a tuple count between 2 and " + Integer.MAX_VALUE;
        if (v == null) {
            return 0;
        }
        double d = toDouble("buffer_size", v, what, null);
        if (d <= 0 || (d > 1 && (d != Math.rint(d) || d > Integer.MAX_VALUE))) {
            throw new InvalidSpecException("buffer_size must be " + what + ", got " + v);
        }
        return d;
    }

    /**
     * class_weights: a list of positive numbers (a JSON array, a Java array or collection, or "[1, 5]" / "{1,5}");
     * whether there is one per class is the trainer's check, once the classes are known.
     */
    private static final String CLASS_WEIGHTS_HINT = "For example [1, 5] to count each positive row of a binary "
            + "model five times.";

    private static double[] classWeights(Object v) {
        if (v == null) {
            return null;
        }
        String what = "a list of positive numbers, one per class";
        List<Object> items = items(v);
        if (items == null) {
            throw wrongType("class_weights", what, v, CLASS_WEIGHTS_HINT);
        }
        if (items.size() < 2 || items.size() > TrainSpec.MAX_CLASSES) {
            throw new InvalidSpecException("class_weights must be " + what + " (2 to " + TrainSpec.MAX_CLASSES
                    + "), got " + items.size(), CLASS_WEIGHTS_HINT);
        }
        double[] out = new double[items.size()];
        for (int i = 0; i < out.length; i++) {
            Object x = items.get(i);
            if (x == null) {
                throw new InvalidSpecException("class_weights must be " + what + ", got a null weight",
                        CLASS_WEIGHTS_HINT);
            }
            out[i] = toDouble("class_weights", x, what, CLASS_WEIGHTS_HINT);
            if (!(out[i] > 0)) {
                throw new InvalidSpecException("class_weights must be " + what + ", got " + Numbers.text(out[i]),
                        "A weight multiplies the loss of its class's rows; use a small positive weight instead of 0.");
            }
        }
        return out;
    }

    private static String warmStart(Object v) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof CharSequence) || v.toString().isEmpty() || v.toString().length() > 200) {
            throw new InvalidSpecException("warm_start must be the name of a stored model (1 to 200 characters), got "
                    + (v instanceof CharSequence ? "\"" + v + "\"" : v), "For example options => '{\"warm_start\": \"my_model\"}'.");
        }
        return v.toString();
    }

    /** The widths of {@code hidden} (null unless mlp), as training and a stored model ({@link TrainedModel}) read. */
    static int[] hidden(Object v, String model) {
        if (!model.equals("mlp")) {
            if (v != null) {
                throw new InvalidSpecException("hidden only applies to model mlp (model is " + model + ")");
            }
            return null;
        }
        if (v == null) {
            return new int[] {64};
        }
        String what = "a list of 1 or 2 layer widths, each between 1 and " + TrainSpec.MAX_HIDDEN;
        List<Object> items = v instanceof Number ? List.of(v) : items(v);
        if (items == null) {
            throw wrongType("hidden", what, v, null);
        }
        if (items.isEmpty() || items.size() > 2) {
            throw new InvalidSpecException("hidden must be " + what + ", got " + items.size() + " layers");
        }
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) {
            if (items.get(i) == null) {
                throw new InvalidSpecException("hidden must be " + what + ", got a null width");
            }
            long w = toLong("hidden", items.get(i), what, null);
            if (w < 1 || w > TrainSpec.MAX_HIDDEN) {
                throw new InvalidSpecException("hidden must be " + what + ", got " + w);
            }
            out[i] = (int) w;
        }
        return out;
    }

    private static int classes(Object v, String model) {
        if (v == null) {
            return switch (model) {
                case "logistic", "svm" -> 2;
                default -> 0;
            };
        }
        switch (model) {
            case "linear" -> throw new InvalidSpecException("classes does not apply to model linear (regression)");
            case "logistic", "svm" -> {
                long k = toLong("classes", v, "2 for model " + model, null);
                if (k != 2) {
                    throw new InvalidSpecException("classes must be 2 for model " + model + ", got " + k,
                            "Use model => 'softmax' or 'mlp' for more than two classes.");
                }
                return 2;
            }
            default -> {
                String what = "an integer between 2 and " + TrainSpec.MAX_CLASSES;
                long k = toLong("classes", v, what, null);
                if (k < 2 || k > TrainSpec.MAX_CLASSES) {
                    throw new InvalidSpecException("classes must be " + what + ", got " + k);
                }
                return (int) k;
            }
        }
    }

    /**
     * The elements of a list-valued argument as its callers hand it over: a Java array or collection, or text like
     * "64,32", "{64,32}" or "[1, 5]" (elements as trimmed strings); null for any other type.
     */
    private static List<Object> items(Object v) {
        List<Object> items = new ArrayList<>();
        if (v instanceof int[] a) {
            Arrays.stream(a).forEach(items::add);
        } else if (v instanceof long[] a) {
            Arrays.stream(a).forEach(items::add);
        } else if (v instanceof double[] a) {
            Arrays.stream(a).forEach(items::add);
        } else if (v instanceof Object[] a) {
            items.addAll(Arrays.asList(a));
        } else if (v instanceof Collection<?> c) {
            items.addAll(c);
        } else if (v instanceof CharSequence) {
            String s = v.toString().trim();
            if (s.startsWith("{") && s.endsWith("}") || s.startsWith("[") && s.endsWith("]")) {
                s = s.substring(1, s.length() - 1);
            }
            for (String part : s.split(",")) {
                items.add(part.trim());
            }
        } else {
            return null;
        }
        return items;
    }

    private static InvalidSpecException wrongType(String key, String what, Object v, String hint) {
        return new InvalidSpecException(key + " must be " + what + ", got " + kind(v), hint);
    }

    /**
     * What a value is in SQL/JSON terms, the same whichever Java type carried it (the client's Integer, the
     * server's Long from JSON): a number, a string, a boolean, an array or an object.
     */
    private static String kind(Object v) {
        if (v instanceof Number) {
            return "a number";
        }
        if (v instanceof CharSequence) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Map) {
            return "an object";
        }
        return v instanceof Collection || v.getClass().isArray() ? "an array" : "a value of type "
                + v.getClass().getSimpleName();
    }
}
