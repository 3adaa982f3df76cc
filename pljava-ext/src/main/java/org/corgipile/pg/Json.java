package org.corgipile.pg;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The JSON the launcher exchanges with the PL/pgSQL wrappers, without a JSON library: loading Jackson into a
 * backend's fresh JVM cost about half a second of class loading and initialisation on every new session, during
 * which a cancel cannot land. Values map to {@link Map} (insertion-ordered), {@link List}, {@link String},
 * {@link Long} or {@link BigInteger} (integral numbers), {@link Double}, {@link Boolean} and null; the writer also
 * takes primitive arrays and writes NaN and infinities as null (JSON has neither; they are NULL in SQL).
 * {@code JsonCodecIT} fuzzes parse and write against PostgreSQL's own jsonb output.
 */
final class Json {
    /** RFC 8259's number grammar (Java's parsers also take "+1", "1.", "0x1p3", "Infinity"). */
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
    private final String s;
    private int pos;

    private Json(String s) {
        this.s = s;
    }

    static Object parse(String text) {
        Json p = new Json(text);
        Object v = p.value();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("trailing characters");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("expected a JSON object, got " + text);
        }
        return (Map<String, Object>) v;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + what);
    }

    private void skipSpace() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
    }

    private Object value() {
        skipSpace();
        if (pos >= s.length()) {
            throw error("unexpected end");
        }
        char c = s.charAt(pos);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                return number();
        }
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, pos)) {
            throw error("expected " + word);
        }
        pos += word.length();
        return v;
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (pos < s.length() && s.charAt(pos) == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipSpace();
            if (pos >= s.length() || s.charAt(pos) != '"') {
                throw error("expected a key");
            }
            String key = string();
            skipSpace();
            if (pos >= s.length() || s.charAt(pos) != ':') {
                throw error("expected ':'");
            }
            pos++;
            m.put(key, value());
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == ',') {
                pos++;
            } else if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return m;
            } else {
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array() {
        List<Object> l = new ArrayList<>();
        pos++;
        skipSpace();
        if (pos < s.length() && s.charAt(pos) == ']') {
            pos++;
            return l;
        }
        while (true) {
            l.add(value());
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == ',') {
                pos++;
            } else if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                return l;
            } else {
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() {
        StringBuilder b = new StringBuilder();
        pos++;
        while (pos < s.length()) {
            char c = s.charAt(pos++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (pos >= s.length()) {
                break;
            }
            char e = s.charAt(pos++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    if (pos + 4 > s.length()) {
                        throw error("bad \\u escape");
                    }
                    b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                    pos += 4;
                }
                default -> b.append(e);
            }
        }
        throw error("unterminated string");
    }

    /**
     * A JSON number: {@link Long} when it is an integer that fits (every bigint, so a recorded seed replays
     * exactly), {@link BigInteger} for a longer integer (PostgreSQL writes numeric values without an exponent, so
     * 1e30 arrives as 31 digits), else {@link Double}.
     */
    private Object number() {
        int start = pos;
        boolean integral = true;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '.' || c == 'e' || c == 'E') {
                integral = false;
            } else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9'))) {
                break;
            }
            pos++;
        }
        String t = s.substring(start, pos);
        if (t.isEmpty()) {
            throw error("unexpected character '" + s.charAt(pos) + "'");
        }
        if (!NUMBER.matcher(t).matches()) {
            throw error("bad number " + t);
        }
        if (integral) {
            BigInteger b = new BigInteger(t);
            return b.bitLength() < Long.SIZE ? (Object) b.longValue() : b;
        }
        return Double.parseDouble(t);
    }

    static String write(Object v) {
        StringBuilder b = new StringBuilder(256);
        write(b, v);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String str) {
            quote(b, str);
        } else if (v instanceof Double || v instanceof Float) {
            number(b, ((Number) v).doubleValue());
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                quote(b, String.valueOf(e.getKey()));
                b.append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else if (v instanceof Iterable<?> it) {
            b.append('[');
            boolean first = true;
            for (Object o : it) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                write(b, o);
            }
            b.append(']');
        } else if (v instanceof double[] a) {
            b.append('[');
            for (int i = 0; i < a.length; i++) {
                if (i > 0) {
                    b.append(',');
                }
                number(b, a[i]);
            }
            b.append(']');
        } else if (v instanceof int[] a) {
            b.append('[');
            for (int i = 0; i < a.length; i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(a[i]);
            }
            b.append(']');
        } else {
            quote(b, v.toString());
        }
    }

    /**
     * Doubles {@code v[from, to)} as one JSON string: base64 of their little-endian IEEE 754 bytes, every bit kept
     * (NaN too). What a long list of doubles travels as ({@link Args#packedDoubles} reads it): about 11 characters
     * a double instead of up to 24, and no number for jsonb or dblink to parse and print on the way (PostgreSQL
     * keeps a JSON number as a numeric).
     */
    static String pack(double[] v, int from, int to) {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(8 * (to - from))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bytes.asDoubleBuffer().put(v, from, to - from);
        return java.util.Base64.getEncoder().encodeToString(bytes.array());
    }

    private static void number(StringBuilder b, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            b.append("null");
        } else {
            b.append(d);
        }
    }

    private static void quote(StringBuilder b, String str) {
        b.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
