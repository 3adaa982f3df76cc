package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        assertEquals(1.2345678901234567e19, m.get("big"));
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

    @Test
    void rejectsMalformedInput() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": }"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x"));
        assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[1]"));
    }
}
