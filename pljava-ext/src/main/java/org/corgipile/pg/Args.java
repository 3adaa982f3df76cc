package org.corgipile.pg;

import org.corgipile.operators.TrainingException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed access to the JSON arguments the PL/pgSQL wrappers build (the wrappers guarantee the keys they pass), and the
 * one place that reports a malformed one: a direct call of {@code corgipile._invoke} can pass anything, so a value of
 * the wrong type, a missing one the call needs, or a number out of range is 22023 naming the argument by its path
 * ({@code state.epochs[2].tuples}), never a Java exception. A nested object ({@link #args(String, String)}) may carry
 * a hint that every error below it gives.
 */
final class Args {
    private final Map<String, Object> map;
    /** How errors name this object's keys: "" at the top, "state." or "replies[0]." below. */
    private final String path;
    private final String hint;

    Args(Map<String, Object> map) {
        this(map, "", null);
    }

    private Args(Map<String, Object> map, String path, String hint) {
        this.map = map;
        this.path = path;
        this.hint = hint;
    }

    /** These arguments, whose errors give {@code hint}. */
    Args withHint(String hint) {
        return new Args(map, path, hint);
    }

    /** Arguments {@code other} named and hinted as these (a copy of these with fields added). */
    Args over(Map<String, Object> other) {
        return new Args(other, path, hint);
    }

    Map<String, Object> asMap() {
        return map;
    }

    boolean has(String key) {
        return map.get(key) != null;
    }

    Object raw(String key) {
        return map.get(key);
    }

    /** 22023: argument {@code key} is not {@code what} (it is what the call got, or missing). */
    TrainingException malformed(String key, String what) {
        Object v = map.get(key);
        return new TrainingException(TrainingException.INVALID_PARAMETER_VALUE, v == null ? "missing argument "
                + path + key + " (" + what + ")" : path + key + " must be " + what + ", got " + shown(v), hint);
    }

    private static String shown(Object v) {
        String s = v instanceof String ? "\"" + v + "\"" : v instanceof Map ? "an object"
                : v instanceof List<?> l ? (l.isEmpty() ? "an empty list" : "a list of " + l.size())
                : String.valueOf(v);
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    String string(String key) {
        Object v = map.get(key);
        if (v == null) {
            throw malformed(key, "a string");
        }
        return v.toString();
    }

    String string(String key, String fallback) {
        Object v = map.get(key);
        return v == null ? fallback : v.toString();
    }

    long longValue(String key) {
        try {
            return longValue(key, map.get(key));
        } catch (TrainingException e) {
            throw malformed(key, "an integer between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE);
        }
    }

    /**
     * An integer argument (or an element {@code v} of one) as a long: a JSON number that is a whole bigint, or its
     * text; anything else (a fraction, more than 19 digits, a list) is 22023 naming the argument.
     */
    static long longValue(String key, Object v) {
        if (v instanceof Long n) {
            return n;
        }
        try {
            if (v == null) {
                throw new NumberFormatException();
            }
            return v instanceof Number n ? new java.math.BigDecimal(n.toString()).longValueExact()
                    : Long.parseLong(v.toString().trim());
        } catch (ArithmeticException | NumberFormatException e) {
            throw new TrainingException(TrainingException.INVALID_PARAMETER_VALUE, v == null ? "missing argument "
                    + key : key + " must be an integer between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE
                    + ", got " + shown(v), null);
        }
    }

    /**
     * A relation's OID (argument {@code key}, or an element {@code v} of it): the heap reader takes a 32-bit Oid, so
     * a larger number must not wrap around to another relation.
     */
    static long oid(String key, Object v) {
        long oid = longValue(key, v);
        if (oid <= 0 || oid > 0xFFFF_FFFFL) {
            throw new TrainingException(TrainingException.UNDEFINED_TABLE,
                    "relation with OID " + oid + " does not exist", null);
        }
        return oid;
    }

    int intValue(String key, int fallback) {
        Object v = map.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            if (n.doubleValue() != Math.rint(n.doubleValue()) || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
                throw malformed(key, "an integer");
            }
            return n.intValue();
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw malformed(key, "an integer");
        }
    }

    double doubleValue(String key, double fallback) {
        Object v = map.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            throw malformed(key, "a number");
        }
    }

    /** The JSON object {@code key}, empty when missing or null. */
    @SuppressWarnings("unchecked")
    Map<String, Object> object(String key) {
        Object v = map.get(key);
        if (v != null && !(v instanceof Map)) {
            throw malformed(key, "an object");
        }
        return v == null ? Map.of() : (Map<String, Object>) v;
    }

    /** The JSON object {@code key} (required), whose errors name it and give {@code hint} (null: this one's). */
    @SuppressWarnings("unchecked")
    Args args(String key, String hint) {
        if (!(map.get(key) instanceof Map<?, ?> m)) {
            throw malformed(key, "an object");
        }
        return new Args((Map<String, Object>) m, path + key + ".", hint == null ? this.hint : hint);
    }

    Args args(String key) {
        return args(key, null);
    }

    /** The JSON list {@code key} (required). */
    @SuppressWarnings("unchecked")
    List<Object> list(String key) {
        if (!(map.get(key) instanceof List<?> list)) {
            throw malformed(key, "a list");
        }
        return (List<Object>) list;
    }

    /** The JSON list of objects {@code key} (required), each naming itself {@code key[i]} in errors. */
    @SuppressWarnings("unchecked")
    List<Args> objects(String key) {
        List<Object> list = list(key);
        List<Args> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw malformed(key, "a list of objects");
            }
            out.add(new Args((Map<String, Object>) m, path + key + "[" + i + "].", hint));
        }
        return out;
    }

    /**
     * Doubles packed into a string ({@link Json#pack}: base64 of little-endian doubles) as double[], or null for a
     * missing/null value; anything else is 22023 naming the argument.
     */
    double[] packedDoubles(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        byte[] bytes = null;
        if (v instanceof String s) {
            try {
                bytes = java.util.Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                // not base64: named below
            }
        }
        if (bytes == null || bytes.length % 8 != 0) {
            throw malformed(key, "base64 of little-endian doubles");
        }
        double[] out = new double[bytes.length / 8];
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        return out;
    }

    /** A JSON array of numbers as double[], or null for a missing/null value. */
    double[] doubles(String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> list)) {
            throw malformed(key, "a list of numbers");
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n)) {
                throw new TrainingException(TrainingException.INVALID_PARAMETER_VALUE, path + key + " must be a "
                        + "list of numbers, got " + (list.get(i) == null ? "null" : shown(list.get(i))) + " at " + i,
                        hint);
            }
            out[i] = n.doubleValue();
        }
        return out;
    }
}
