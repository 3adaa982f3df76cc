package org.corgipile.pg;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.corgipile.operators.EpochStats;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainingProgress;

/**
 * The live state of a {@code train_sgd} call, published as this backend's {@code pg_stat_activity.query}: a human
 * prefix ({@code corgipile train_sgd: epoch 3/10 on t (logistic, corgipile)}) followed by one JSON object that the
 * view {@code corgipile.training_progress} and {@code sgd_training_info} parse.
 *
 * <p>Why this channel: training runs inside the caller's transaction, so nothing it writes to a table is visible
 * to another session before it commits; a custom shared-memory area needs shared_preload_libraries. The backend's
 * activity slot is shared memory every backend already has, written lock-free by its owner
 * ({@code pgstat_report_activity}) and read consistently by others, with pg_stat_activity's visibility rules (the
 * text is shown to the same role, superusers and pg_read_all_stats only). It holds at most
 * {@code track_activity_query_size - 1} bytes: the object keeps the newest finished epochs that fit (the full log is
 * in corgipile.models once the training commits), and drops the names before it would ever be cut.
 *
 * <p>Main thread only ({@link #tick} runs on the sources' interrupt checks); refreshed at most every 100 ms.
 */
final class LiveActivity {
    private static final long MIN_INTERVAL_NANOS = 100_000_000L;

    private final String relationName;
    private final long relationOid;
    private final String modelName;
    private final TrainSpec spec;
    private final String shuffle;
    private final RelationSource train;
    private final int limitBytes;
    private final long startedMillis = System.currentTimeMillis();
    private final List<List<Object>> log = new ArrayList<>();
    private TrainingProgress progress;
    private long epochStartedMillis = startedMillis;
    private int epochOfStart;
    private long lastTuples = -1;
    private long lastPublish;

    LiveActivity(Args args, String relationName, TrainSpec spec, String shuffle, RelationSource train) {
        this.relationName = relationName;
        this.relationOid = args.longValue("relation");
        this.modelName = args.string("model_name", null);
        this.spec = spec;
        this.shuffle = shuffle;
        this.train = train;
        // track_activity_query_size (bytes, terminating NUL included), passed by train_sgd; 1024 is its default.
        this.limitBytes = Math.max(100, args.intValue("activity_limit", 1024)) - 1;
    }

    void attach(TrainingProgress p) {
        progress = p;
        publish();
    }

    /** Adds epoch {@code s} to the log; publishes it now, or leaves that to the next {@link #publish()}. */
    void epochFinished(EpochStats s, boolean publishNow) {
        lastTuples = s.tuples();
        log.add(Arrays.asList(s.epoch(), round(s.loss()), round(s.accuracy()), round(s.validationLoss()),
                round(s.validationAccuracy()), round(s.learningRate()), round(s.seconds()), s.tuples()));
        if (publishNow) {
            publish();
        }
    }

    /** Called on every interrupt check: republishes when 100 ms have passed. */
    void tick() {
        if (System.nanoTime() - lastPublish >= MIN_INTERVAL_NANOS) {
            publish();
        }
    }

    void publish() {
        lastPublish = System.nanoTime();
        Natives.reportActivity(text());
    }

    /** The activity text, within {@code limitBytes}. */
    String text() {
        int epoch = progress == null ? 0 : progress.epoch();
        if (epoch != epochOfStart) {
            epochOfStart = epoch;
            epochStartedMillis = System.currentTimeMillis();
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("relid", relationOid);
        o.put("model", spec.model());
        o.put("shuffle", shuffle);
        o.put("phase", progress == null ? "start" : progress.phase());
        o.put("epoch", epoch);
        o.put("epochs", spec.epochs());
        o.put("tuples", progress == null ? 0 : progress.tuples());
        // Every epoch reads the same snapshot, so the first epoch's count is exact for the later ones.
        o.put("total", lastTuples >= 0 ? lastTuples : train.estimatedTuples());
        o.put("loss", progress == null ? null : round(progress.runningLoss()));
        o.put("lr", round(spec.learningRate(Math.max(1, epoch))));
        o.put("started", startedMillis);
        o.put("epoch_started", epochStartedMillis);
        o.put("log_from", log.isEmpty() ? 1 : log.get(0).get(0));
        o.put("log", log);
        o.put("relation", relationName);
        o.put("model_name", modelName);
        return text(relationName, spec.model() + ", " + shuffle, o, log, limitBytes);
    }

    /**
     * The activity text of a training ({@code o}: the progress object, its {@code log} the finished epochs, each
     * row starting with the epoch number; {@code what}: the model and strategy for the human part) within
     * {@code limitBytes}: this backend's, or the coordinator's of a sharded training ({@link ShardCoordinator}).
     */
    static String text(String relationName, String what, Map<String, Object> o, List<List<Object>> log,
                       int limitBytes) {
        // The JSON object starts at the first '{': keep braces out of the human part (the name is in the JSON too).
        String prefix = "corgipile train_sgd: epoch " + o.get("epoch") + "/" + o.get("epochs") + " on "
                + relationName.replace('{', '(').replace('}', ')') + " (" + what.replace('{', '(').replace('}', ')')
                + ") ";
        // Too long for the activity slot: drop the oldest epochs of the log, then the names, then the prefix.
        int dropped = oldestDropped(prefix, o, log, limitBytes);
        String text = withLog(prefix, o, log, dropped);
        if (fits(text, limitBytes)) {
            return text;
        }
        o.remove("relation");
        o.remove("model_name");
        text = prefix + Json.write(o);
        return fits(text, limitBytes) ? text : "corgipile train_sgd " + Json.write(o);
    }

    /**
     * How many of the oldest epochs {@link #text} drops: the fewest with which the text fits, or all of them. The
     * text is counted, not written, for each count: the object without its log once, then the newest rows one by
     * one until the next would not fit. Writing the whole text once per epoch dropped (as this did before) cost
     * the square of the log's length on every publication, and a training of a thousand epochs on a small table
     * was still at epoch ~700 after 2 minutes. The text shrinks with every epoch dropped (a row and its comma are
     * 30 bytes or more, {@code log_from} grows by a digit or so), so the first count that fits, counting up from
     * none, is the one found counting down from all.
     */
    private static int oldestDropped(String prefix, Map<String, Object> o, List<List<Object>> log, int limitBytes) {
        int n = log.size();
        Object logFrom = o.get("log_from");
        Object given = o.get("log");
        // the text without any row and without log_from's value: dropping d epochs changes only these two
        long bytes = utf8Length(withLog(prefix, o, log, n)) - utf8Length(Json.write(n + 1));
        o.put("log_from", logFrom);
        o.put("log", given);
        int dropped = n;
        long rows = 0;
        while (dropped > 0) {
            int d = dropped - 1;
            List<Object> row = log.get(d);
            long more = rows + utf8Length(Json.write(row)) + (d < n - 1 ? 1 : 0);
            Object from = d == 0 ? logFrom : row.get(0);
            if (bytes + utf8Length(Json.write(from)) + more > limitBytes) {
                break;
            }
            rows = more;
            dropped = d;
        }
        return dropped;
    }

    /** The text with the oldest {@code dropped} epochs of the log dropped ({@code o} set to it). */
    private static String withLog(String prefix, Map<String, Object> o, List<List<Object>> log, int dropped) {
        int n = log.size();
        if (dropped > 0) {
            o.put("log_from", dropped == n ? n + 1 : log.get(dropped).get(0));
            o.put("log", log.subList(dropped, n));
        }
        return prefix + Json.write(o);
    }

    private static long utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static boolean fits(String text, int limitBytes) {
        return text.getBytes(StandardCharsets.UTF_8).length <= limitBytes;
    }

    /**
     * Six significant digits: enough to read, short enough to keep many epochs in the slot. The value of
     * {@code String.format(Locale.ROOT, "%.6g", v)} (half up on the shortest decimal of {@code v}), without the
     * formatter: this runs a few times per epoch on the reading thread, too rarely to be compiled, and the
     * interpreted formatter took ~100 microseconds a call (BigDecimal ~8; {@code LiveActivityRoundTest}).
     */
    static Double round(double v) {
        if (!Double.isFinite(v)) {
            return null;
        }
        if (v == 0) {
            return v; // keeps -0.0, as the formatter does
        }
        return BigDecimal.valueOf(v).round(SIX_DIGITS).doubleValue();
    }

    private static final MathContext SIX_DIGITS = new MathContext(6, RoundingMode.HALF_UP);
}
