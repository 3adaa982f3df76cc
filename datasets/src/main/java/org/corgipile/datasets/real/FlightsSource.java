package org.corgipile.datasets.real;

import java.io.IOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

import org.corgipile.datasets.LabelType;
import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.TableShape;

/**
 * US flight delays, January to June 2001, from vega-datasets' {@code flights-3m.parquet} (columns {@code date}
 * timestamp of departure, {@code delay} minutes, {@code distance} miles, {@code origin}, {@code destination}),
 * turned into {@value #FEATURES} model-ready features:
 * {@code [distance / 1000, hour / 24, sin(2 pi hour / 24), cos(2 pi hour / 24), monday, ..., sunday]} -- scaled to
 * order 1, the time of day on a circle so 23:00 and 01:00 are neighbours, the weekday one-hot. The airport codes
 * are not used (they would need a sparse one-hot encoding of ~230 airports).
 *
 * <p>Regression ({@code flights}): label = delay in minutes ({@code float8}). Binary ({@code flights-binary}):
 * label 1 when the delay exceeds 15 minutes (the usual on-time definition; about 20% of flights), else 0.
 */
final class FlightsSource implements RecordSource {
    static final int FEATURES = 11;
    static final double LATE_MINUTES = 15;

    private final RecordSource parquet;   // label delay; features [distance, date as epoch seconds]
    private final String name;
    private final boolean binary;

    FlightsSource(RecordSource parquet, String name, boolean binary) {
        this.parquet = parquet;
        this.name = name;
        this.binary = binary;
    }

    @Override
    public TableShape shape() {
        return TableShape.dense(binary ? LabelType.INT : LabelType.FLOAT8, FEATURES);
    }

    @Override
    public long expectedRows() {
        return parquet.expectedRows();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String labelMapping() {
        return binary ? "delay > 15 min->1, else 0" : "delay in minutes";
    }

    @Override
    public boolean next(Record r) throws IOException {
        if (!parquet.next(r)) {
            return false;
        }
        double distance = r.dense[0];
        LocalDateTime t = LocalDateTime.ofEpochSecond((long) r.dense[1], 0, ZoneOffset.UTC);
        double hour = t.getHour() + t.getMinute() / 60.0;
        double[] x = r.dense(FEATURES);
        Arrays.fill(x, 0);
        double angle = 2 * Math.PI * hour / 24;
        x[0] = distance / 1000;
        x[1] = hour / 24;
        x[2] = Math.sin(angle);
        x[3] = Math.cos(angle);
        x[3 + t.getDayOfWeek().getValue()] = 1; // Monday = 1 -> x[4]
        if (binary) {
            r.label = r.label > LATE_MINUTES ? 1 : 0;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        parquet.close();
    }
}
