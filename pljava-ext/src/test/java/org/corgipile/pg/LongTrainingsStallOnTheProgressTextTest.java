package org.corgipile.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Trainings stalled after a few hundred epochs: train_sgd of 200 epochs on a small table took 1.8 s, of 500 epochs
 * 11.9 s, and one of 1,500 epochs was at epoch ~705 after 2 minutes. The progress text in pg_stat_activity
 * ({@link LiveActivity#text}, published every 100 ms and at every epoch on the reading thread) kept the newest
 * epochs that fit by dropping the oldest one at a time and writing the whole object again after each, so every
 * publication wrote the log's rows about n²/2 times for n epochs done. The text must stay the one that dropping one
 * epoch at a time gave ({@link #trimmedOneEpochAtATime}, the former code), and the rows written per text must not
 * grow with the epochs done. Counted, not timed: each row counts the times it is written.
 */
class LongTrainingsStallOnTheProgressTextTest {

    /** A log row that counts how often it is iterated, i.e. written as JSON. */
    private static final class Row extends AbstractList<Object> {
        private final List<Object> values;
        private final long[] writes;

        Row(List<Object> values, long[] writes) {
            this.values = values;
            this.writes = writes;
        }

        @Override
        public Object get(int i) {
            return values.get(i);
        }

        @Override
        public int size() {
            return values.size();
        }

        @Override
        public Iterator<Object> iterator() {
            writes[0]++;
            return super.iterator();
        }
    }

    /** Epochs {@code first..first+n-1} as LiveActivity logs them, rounded to six digits, some metrics missing. */
    private static List<List<Object>> log(int first, int n, long seed, long[] writes) {
        SplittableRandom r = new SplittableRandom(seed);
        List<List<Object>> log = new ArrayList<>();
        for (int e = first; e < first + n; e++) {
            List<Object> values = new ArrayList<>(List.of(e));
            for (int k = 0; k < 6; k++) {
                double v = switch (r.nextInt(4)) {
                    case 0 -> Double.NaN;
                    case 1 -> 0;
                    case 2 -> r.nextDouble();
                    default -> r.nextDouble() * Math.pow(10, r.nextInt(-12, 12));
                };
                values.add(LiveActivity.round(v));
            }
            values.add(r.nextLong(1_000_000_000L));
            log.add(new Row(values, writes));
        }
        return log;
    }

    /** The progress object as {@code LiveActivity.text()} builds it. */
    private static Map<String, Object> object(List<List<Object>> log, String relation, String modelName) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("relid", 16_384L);
        o.put("model", "logistic");
        o.put("shuffle", "corgipile");
        o.put("phase", "train");
        o.put("epoch", log.size() + 1);
        o.put("epochs", 100_000);
        o.put("tuples", 1234L);
        o.put("total", 20_000L);
        o.put("loss", LiveActivity.round(0.6931471805599453));
        o.put("lr", LiveActivity.round(0.01));
        o.put("started", 1_764_590_000_000L);
        o.put("epoch_started", 1_764_590_012_345L);
        o.put("log_from", log.isEmpty() ? 1 : log.get(0).get(0));
        o.put("log", log);
        o.put("relation", relation);
        o.put("model_name", modelName);
        return o;
    }

    /** The former {@link LiveActivity#text}: drops the oldest epoch and writes the object again until it fits. */
    private static String trimmedOneEpochAtATime(String relationName, String what, Map<String, Object> o,
                                                 List<List<Object>> log, int limitBytes) {
        String prefix = "corgipile train_sgd: epoch " + o.get("epoch") + "/" + o.get("epochs") + " on "
                + relationName.replace('{', '(').replace('}', ')') + " (" + what.replace('{', '(').replace('}', ')')
                + ") ";
        String text = prefix + Json.write(o);
        if (fits(text, limitBytes)) {
            return text;
        }
        List<List<Object>> kept = new ArrayList<>(log);
        while (!kept.isEmpty() && !fits(text, limitBytes)) {
            kept.remove(0);
            o.put("log_from", kept.isEmpty() ? log.size() + 1 : kept.get(0).get(0));
            o.put("log", kept);
            text = prefix + Json.write(o);
        }
        if (!fits(text, limitBytes)) {
            o.remove("relation");
            o.remove("model_name");
            text = prefix + Json.write(o);
        }
        return fits(text, limitBytes) ? text : "corgipile train_sgd " + Json.write(o);
    }

    private static boolean fits(String text, int limitBytes) {
        return text.getBytes(StandardCharsets.UTF_8).length <= limitBytes;
    }

    @Test
    void theTextIsTheOneOfDroppingTheOldestEpochOneAtATime() {
        long[] writes = new long[1];
        String[][] names = {{"t", "m"}, {"cancel_t", null}, {"schéma.{täble}", "mödel {1}"},
            {"r".repeat(200), "n".repeat(300)}};
        int[] limits = {99, 150, 250, 400, 700, 1023, 2047, 4095, 100_000};
        int[] sizes = {0, 1, 2, 3, 9, 10, 11, 12, 13, 14, 40, 99, 100, 101};
        int cases = 0;
        for (String[] name : names) {
            for (int limit : limits) {
                for (int n : sizes) {
                    for (int first : new int[] {1, 95, 9_990}) {
                        List<List<Object>> log = log(first, n, n * 31L + limit + first, writes);
                        String expected = trimmedOneEpochAtATime(name[0], "logistic, corgipile",
                                object(log, name[0], name[1]), log, limit);
                        String actual = LiveActivity.text(name[0], "logistic, corgipile", object(log, name[0], name[1]),
                                log, limit);
                        assertEquals(expected, actual, name[0] + ", limit " + limit + ", epochs " + first + "+" + n);
                        cases++;
                    }
                }
            }
        }
        assertEquals(names.length * limits.length * sizes.length * 3, cases);
        // a long log once per limit (the former code writes it n²/2 times)
        for (int limit : limits) {
            List<List<Object>> log = log(9_001, 1_500, limit, writes);
            assertEquals(trimmedOneEpochAtATime("t", "svm, none", object(log, "t", "m"), log, limit),
                    LiveActivity.text("t", "svm, none", object(log, "t", "m"), log, limit), "limit " + limit);
        }
    }

    @Test
    void theRowsWrittenPerTextDoNotGrowWithTheEpochsDone() {
        int[] epochsDone = {20, 200, 2_000, 20_000};
        for (int i = 0; i < epochsDone.length; i++) {
            long[] writes = new long[1];
            List<List<Object>> log = log(1, epochsDone[i], 5, writes);
            String text = LiveActivity.text("t", "logistic, corgipile", object(log, "t", "m"), log, 1023);
            assertTrue(fits(text, 1023), text);
            Map<String, Object> shown = Json.parseObject(text.substring(text.indexOf('{')));
            int rows = ((List<?>) shown.get("log")).size();
            assertTrue(rows >= 5, "the newest epochs are shown: " + text);
            assertEquals(((Number) shown.get("log_from")).intValue(), epochsDone[i] - rows + 1);
            // each shown row is written when it is counted and when the text is written, and the next older one is
            // counted to find it would not fit: at most 69 rows for 1023 bytes, after any number of epochs (a row
            // and its comma are 30 bytes or more)
            assertTrue(writes[0] <= 2L * rows + 1 && rows <= 1023 / 30, epochsDone[i] + " epochs done: " + writes[0]
                    + " rows written for a text of " + rows);
        }
    }
}
