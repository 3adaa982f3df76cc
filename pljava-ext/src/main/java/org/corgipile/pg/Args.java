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
        Object v = map.get(key);
        if (v instanceof Long n) {
            return n;
        }
        if (v instanceof Number n) {
            return new java.math.BigDecimal(n.toString()).longValueExact();
        }
        return Long.parseLong(string(key));
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
            out[i] = ((Number) list.get(i)).doubleValue();
        }
        return out;
    }
}
