package org.corgipile.operators;

import org.corgipile.operators.model.Model;
import org.corgipile.operators.strategy.ShuffleStrategy;

/**
 * One epoch of SGD over one shard of a table, starting from given parameters: the unit of work of a server in
 * sharded training. A coordinator sends the current model to every server; each runs this over its own partitions
 * (its own block shuffle and tuple buffer, double-buffered like {@link Trainer}) and returns the updated parameters
 * and the number of tuples it trained on; the coordinator averages the parameters weighted by tuples (MADlib on
 * Greenplum averages per iteration the same way) and sends the average out for the next epoch.
 *
 * <p>Randomness: the block order and tuple permutations of shard {@code s} in epoch {@code e} derive from
 * {@code (seed, s)} and {@code e} ({@link Seeds}), so shards shuffle independently and a rerun with the same seed
 * is identical; initial parameters (epoch 1 without parameters) derive from the seed alone, as in {@link Trainer},
 * so every shard starts from the same model. The learning rate is the spec's rate for epoch {@code e}.
 *
 * <p>Not supported here (the coordinator refuses them): standardisation (it needs the mean and standard deviation of
 * the whole table) and class inference for softmax/mlp (pass {@code classes}).
 */
public final class ShardEpoch {
    /** Salt for a shard's shuffling seed. */
    private static final long SHARD = 0x5348415244L;

    /**
     * @param parameters    the parameters after the epoch
     * @param tuples        tuples trained on (the weight of this shard in the average)
     * @param runningLoss   mean pre-update mini-batch loss of the epoch
     * @param seconds       wall time of the epoch
     * @param labelEncoding "-1/+1" when this shard used -1 as the negative label, else "0/1"
     */
    public record Result(double[] parameters, long tuples, double runningLoss, double seconds, String labelEncoding) {
    }

    private ShardEpoch() {
    }

    /**
     * Trains epoch {@code epoch} (1-based) of shard {@code shard} from {@code parameters} (null: the seed's initial
     * model). {@code source} must not be empty.
     */
    public static Result train(TrainSpec spec, BlockSource source, int epoch, int shard, double[] parameters) {
        if (spec.standardize()) {
            throw new TrainingException(TrainingException.FEATURE_NOT_SUPPORTED, "standardize => true is not "
                    + "supported when training across servers", "standardize the features before loading them");
        }
        FeatureShape shape = source.shape();
        boolean multiclass = spec.model().equals("softmax") || spec.model().equals("mlp");
        if (multiclass && spec.classes() == 0) {
            throw new InvalidSpecException("model " + spec.model() + " across servers needs classes => K",
                    "pass options => '{\"classes\": K}' with K the number of classes");
        }
        Model model = Model.create(spec.model(), shape.dimension(), spec.classes(), spec.hidden());
        if (spec.classWeights() != null) {
            model.classWeights(spec.classWeights());
        }
        double[] params = new double[model.parameterCount()];
        if (parameters == null) {
            model.initialize(params, Seeds.derive(spec.seed(), Seeds.INIT, 0));
        } else if (parameters.length != params.length) {
            throw new TrainingException(TrainingException.DATA_EXCEPTION, "a " + spec.model() + " model of "
                    + shape.dimension() + " features has " + params.length + " parameters, the coordinator sent "
                    + parameters.length, "every shard must have the same features");
        } else {
            System.arraycopy(parameters, 0, params, 0, params.length);
        }
        TrainSpec shardSpec = spec.with("seed", Seeds.derive(spec.seed(), SHARD, shard));
        InputGuard guard = new InputGuard(model.type(), model.kind(), model.classes(), shape.dimension(), null, null);
        Sgd sgd = new Sgd(model, model, shardSpec);
        sgd.open(params);
        ShuffleStrategy strategy = ShuffleStrategy.named(shardSpec.shuffle());
        DoubleBuffer db = new DoubleBuffer(shape, ShuffleStrategy.CHUNK_TUPLES, source);
        boolean ok = false;
        long t0 = System.nanoTime();
        try {
            strategy.open(source, ShuffleStrategy.Config.of(shardSpec, guard));
            strategy.rescan(epoch);
            sgd.rescan(epoch);
            while (true) {
                TupleBuffer b = db.acquire();
                if (!strategy.nextBuffer(b)) {
                    db.release(b);
                    break;
                }
                db.submit(b, sgd::consume);
            }
            db.awaitIdle();
            ok = true;
        } finally {
            if (!ok) {
                sgd.stop();
            }
            db.close();
            strategy.close();
            sgd.close();
        }
        return new Result(params, sgd.tuples(), sgd.runningLoss(), (System.nanoTime() - t0) / 1e9,
                guard.labelEncoding());
    }
}
