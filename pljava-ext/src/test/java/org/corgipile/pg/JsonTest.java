package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesWhatPostgresWrites() {
        Map<String, Object> m = Json.parseObject("{\"a\": 1, \"b\": -2.5e-3, \"c\": [1, 2.0, null], \"d\": {\"e\": "
                + "\"x\\\"y\\u00e9\\n\"}, \"f\": true, \"g\": false, \"h\": null, \"big\": 12345678901234567890}");
        assertEquals(1L, m.get("a"));
        assertEquals(-2.5e-3, m.get("b"));
        assertEquals(Arrays.asList(1L, 2.0, null), m.get("c"));
        assertEquals(Map.of("e", "x\"y\u00e9\n"), m.get("d"));
        assertEquals(true, m.get("f"));
        assertEquals(false, m.get("g"));
        assertEquals(null, m.get("h"));
        assertEquals(new BigInteger("12345678901234567890"), m.get("big"));
    }

    /** Integers of 19 digits were read as doubles: a recorded seed could not be replayed. */
    @Test
    void nineteenDigitIntegersAreReadExactly() {
        Map<String, Object> m = Json.parseObject("{\"max\": 9223372036854775807, \"min\": -9223372036854775808, "
                + "\"seed\": 1234567890123456789, \"beyond\": 9223372036854775808, \"float\": 1.5e300}");
        assertEquals(Long.MAX_VALUE, m.get("max"));
        assertEquals(Long.MIN_VALUE, m.get("min"));
        assertEquals(1234567890123456789L, m.get("seed"));
        assertEquals(new BigInteger("9223372036854775808"), m.get("beyond"));
        assertEquals(1.5e300, m.get("float"));
        assertEquals("{\"max\":9223372036854775807,\"min\":-9223372036854775808,\"seed\":1234567890123456789,"
                + "\"beyond\":9223372036854775808,\"float\":1.5E300}", Json.write(m));
    }

    @Test
    void supplementaryCharactersAndEscapesRoundTrip() {
        String name = "mod\u00e8le \ud83d\ude00 \"q\" \\ \n\u0001";
        Map<String, Object> m = Json.parseObject("{\"name\": \"mod\u00e8le \ud83d\ude00 \\\"q\\\" \\\\ \\n\\u0001\"}");
        assertEquals(name, m.get("name"));
        assertEquals(m, Json.parseObject(Json.write(m)));
        assertEquals("\ud83d\ude00", ((Map<?, ?>) Json.parse("{\"e\": \"\\ud83d\\ude00\"}")).get("e"));
    }

    /** A random seed (19 digits and a sign) went through JSON as a double and lost its low bits. */
    @Test
    void nineteenDigitLongsStayExactLongs() {
        Map<String, Object> m = Json.parseObject("{\"seed\": -4611686018427387905, \"max\": 9223372036854775807}");
        assertEquals(-4611686018427387905L, m.get("seed"));
        assertEquals(Long.MAX_VALUE, m.get("max"));
        assertEquals(Json.parseObject(Json.write(m)), m);
    }

    @Test
    void writesNanAsNullAndRoundTripsDoublesExactly() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("w", new double[] {0.1, -1e-300, Double.NaN, 1.0 / 3});
        m.put("i", new int[] {64, 32});
        m.put("s", "tab\there");
        m.put("l", List.of(Double.POSITIVE_INFINITY, 2L));
        String json = Json.write(m);
        assertEquals("{\"w\":[0.1,-1.0E-300,null,0.3333333333333333],\"i\":[64,32],\"s\":\"tab\\there\","
                + "\"l\":[null,2]}", json);
        Map<String, Object> back = Json.parseObject(json);
        assertEquals(1.0 / 3, ((List<?>) back.get("w")).get(3));
    }

    /** Seeded fuzz of the Java side alone: whatever the writer writes, the parser reads back equal. */
    @Test
    void writeThenParseRoundTripsRandomValues() {
        Random random = new Random(11);
        for (int i = 0; i < 2000; i++) {
            Object value = randomValue(random, 0);
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("v", value);
            String json = Json.write(doc);
            assertEquals(value, Json.parseObject(json).get("v"), json);
        }
    }

    private static Object randomValue(Random r, int depth) {
        switch (r.nextInt(depth >= 3 ? 6 : 8)) {
            case 0:
                return r.nextBoolean() ? Long.MAX_VALUE - r.nextInt(1000) : Long.MIN_VALUE + r.nextInt(1000);
            case 1:
                return BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.valueOf(1 + r.nextInt(1_000_000)))
                        .multiply(BigInteger.valueOf(r.nextBoolean() ? 1 : -1)).multiply(BigInteger.TEN.pow(r.nextInt(30)));
            case 2: {
                double d;
                do {
                    d = Double.longBitsToDouble(r.nextLong());
                } while (!Double.isFinite(d));
                return d;
            }
            case 3: {
                StringBuilder b = new StringBuilder();
                for (int n = r.nextInt(12); n > 0; n--) {
                    int cp = switch (r.nextInt(5)) {
                        case 0 -> r.nextInt(0x20);
                        case 1 -> "\"\\/".charAt(r.nextInt(3));
                        case 2 -> 0x20 + r.nextInt(0xD800 - 0x20);
                        case 3 -> 0xE000 + r.nextInt(0x10000 - 0xE000);
                        default -> 0x10000 + r.nextInt(0x110000 - 0x10000);
                    };
                    b.appendCodePoint(cp);
                }
                return b.toString();
            }
            case 4:
                return r.nextBoolean() ? Boolean.valueOf(r.nextBoolean()) : (Object) (long) r.nextInt();
            case 5:
                return null;
            case 6: {
                List<Object> l = new ArrayList<>();
                for (int n = r.nextInt(5); n > 0; n--) {
                    l.add(randomValue(r, depth + 1));
                }
                return l;
            }
            default: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int n = r.nextInt(5); n > 0; n--) {
                    m.put("k" + n + randomValue(r, 3), randomValue(r, depth + 1));
                }
                return m;
            }
        }
    }

    @Test
    void rejectsMalformedInput() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": }"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x"));
        assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[1]"));
        for (String bad : new String[] {"+1", "1.", ".5", "01", "1e", "--1", "0x10", "Infinity", "1-2"}) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }
}
