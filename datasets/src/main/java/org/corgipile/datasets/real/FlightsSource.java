package org.corgipile.datasets.real;

import java.io.IOException;

import org.corgipile.datasets.LabelType;
import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.TableShape;

/**
 * US flight delays from vega-datasets' {@code flights-200k.arrow} (columns {@code delay} minutes int16,
 * {@code distance} miles int16, {@code time} departure hour float32), turned into model-ready features:
 * {@code [distance / 1000, hour / 24, sin(2 pi hour / 24), cos(2 pi hour / 24)]} -- scaled to order 1 and with the
 * time of day on a circle so 23:00 and 01:00 are neighbours.
 *
 * <p>Regression ({@code flights}): label = delay in minutes ({@code float8}). Binary ({@code flights-binary}):
 * label 1 when the delay exceeds 15 minutes (the usual on-time definition), else 0.
 */
final class FlightsSource implements RecordSource {
    static final int FEATURES = 4;
    static final double LATE_MINUTES = 15;

    private final RecordSource arrow;   // columns-as-features: [distance, time] with label delay
    private final String name;
    private final boolean binary;

    FlightsSource(RecordSource arrow, String name, boolean binary) {
        this.arrow = arrow;
        this.name = name;
        this.binary = binary;
    }

    @Override
    public TableShape shape() {
        return TableShape.dense(binary ? LabelType.INT : LabelType.FLOAT8, FEATURES);
    }

    @Override
    public long expectedRows() {
        return arrow.expectedRows();
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
        if (!arrow.next(r)) {
            return false;
        }
        double distance = r.dense[0];
        double hour = r.dense[1];
        double[] x = r.dense(FEATURES);
        double angle = 2 * Math.PI * hour / 24;
        x[0] = distance / 1000;
        x[1] = hour / 24;
        x[2] = Math.sin(angle);
        x[3] = Math.cos(angle);
        if (binary) {
            r.label = r.label > LATE_MINUTES ? 1 : 0;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        arrow.close();
    }
}
