package org.corgipile.pg;

import org.corgipile.operators.TrainingException;

import java.util.List;
import java.util.Map;

/** Typed access to the JSON arguments the PL/pgSQL wrappers build (the wrappers guarantee the keys they pass). */
final class Args {
    private final Map<String, Object> map;

    Args(Map<String, Object> map) {
        this.map = map;
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

    String string(String key) {
        Object v = map.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing argument " + key);
        }
        return v.toString();
    }

    String string(String key, String fallback) {
        Object v = map.get(key);
        return v == null ? fallback : v.toString();
    }

    long longValue(String key) {
        return longValue(key, map.get(key));
    }

    /**
     * An integer argument (or an element {@code v} of one) as a long: a JSON number that is a whole bigint, or its
     * text; anything else (a fraction, more than 19 digits, a list) is 22023 naming the argument.
     */
    static long longValue(String key, Object v) {
        if (v instanceof Long n) {
            return n;
        }
        if (v == null) {
            throw new IllegalArgumentException("missing argument " + key);
        }
        try {
            return v instanceof Number n ? new java.math.BigDecimal(n.toString()).longValueExact()
                    : Long.parseLong(v.toString().trim());
        } catch (ArithmeticException | NumberFormatException e) {
            throw new TrainingException(TrainingException.INVALID_PARAMETER_VALUE,
                    key + " must be an integer between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE + ", got "
                            + (v instanceof Number ? v : "\"" + v + "\""), null);
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
                throw new TrainingException(TrainingException.INVALID_PARAMETER_VALUE,
                        key + " must be an integer, got " + v, null);
            }
            return n.intValue();
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new TrainingException(TrainingException.INVALID_PARAMETER_VALUE,
                    key + " must be an integer, got \"" + v + "\"", null);
        }
    }

    double doubleValue(String key, double fallback) {
        Object v = map.get(key);
        return v instanceof Number n ? n.doubleValue() : v == null ? fallback : Double.parseDouble(v.toString());
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> object(String key) {
        Object v = map.get(key);
        return v instanceof Map ? (Map<String, Object>) v : Map.of();
    }

    /** A JSON array of numbers as double[], or null for a missing/null value. */
    double[] doubles(String key) {
        Object v = map.get(key);
        if (!(v instanceof List<?> list)) {
            return null;
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n)) {
                throw new TrainingException(TrainingException.INVALID_PARAMETER_VALUE, key + " must be a list of "
                        + "numbers, got " + (list.get(i) == null ? "null" : "\"" + list.get(i) + "\"") + " at " + i,
                        null);
            }
            out[i] = n.doubleValue();
        }
        return out;
    }
}
