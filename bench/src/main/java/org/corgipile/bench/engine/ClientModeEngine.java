package org.corgipile.bench.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.corgipile.client.CorgiPile;
import org.corgipile.client.TrainMode;
import org.corgipile.client.TrainJob;
import org.corgipile.client.TrainingRun;
import org.corgipile.operators.EpochStats;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainSpecBuilder;

/**
 * The "no extension" engine: the client library's client mode, i.e. the shipped operators running in this JVM and
 * reading the table's block ranges over JDBC (TID range scans), the model stored in the same catalog. The
 * benchmark's server needs the catalog (the extension's SQL) but not the in-database trainer.
 */
public final class ClientModeEngine implements TrainingEngine {
    private final DataSource dataSource;

    public ClientModeEngine(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public String name() {
        return "client";
    }

    /** One epoch of the measured strategy on the (small) test relation: compiles its code paths in this JVM. */
    @Override
    public void warmUp(Connection c, TrainRequest r) throws SQLException {
        train(c, new TrainRequest(r.testTable(), r.testTable(), r.label(), r.features(), r.strategy(), 1,
                r.learningRate(), r.decay(), r.seed(), r.blockPages(), r.bufferFraction(), r.modelName() + "_warmup",
                r.engineOptions()));
    }

    /** Trains through its own connection from the data source (client mode runs one transaction of its own). */
    @Override
    public List<EpochResult> train(Connection unused, TrainRequest r) throws SQLException {
        TrainSpecBuilder spec = TrainSpec.builder().shuffle(r.strategy().sqlName()).epochs(r.epochs()).seed(r.seed())
                .overwrite(true);
        r.options().forEach(spec::option);
        TrainingRun run = CorgiPile.connect(dataSource).train(TrainJob.on(r.table()).mode(TrainMode.CLIENT)
                .label(r.label()).features(r.features()).modelName(r.modelName()).validation(r.testTable())
                .spec(spec).build());
        List<EpochResult> out = new ArrayList<>();
        for (EpochStats s : run.epochs()) {
            out.add(new EpochResult(s.epoch(), s.seconds(), s.loss(), s.accuracy(), s.validationLoss(),
                    s.validationAccuracy(), s.learningRate(), s.tuples(), extra(s, "read_seconds"),
                    extra(s, "compute_seconds"), extra(s, "read_wait_seconds"), extra(s, "read_help_seconds"),
                    extra(s, "eval_seconds"), orZero(s, "profile_seconds"),
                    orZero(s, "probe_seconds"), -1, -1));
        }
        return out;
    }

    /** A time the engine reports only when it spent it (the profile pass, the storage probe): else 0. */
    private static double orZero(EpochStats s, String key) {
        double v = extra(s, key);
        return Double.isNaN(v) ? 0 : v;
    }

    private static double extra(EpochStats s, String key) {
        Double v = s.extra() == null ? null : s.extra().get(key);
        return v == null ? Double.NaN : v;
    }
}
