package org.corgipile.operators;

/**
 * One epoch of SGD over one shard of a table, starting from given parameters: the unit of work of a server in
 * sharded training. A coordinator sends the current model to every server; each runs this over its own partitions
 * and returns the updated parameters and the number of tuples it trained on; the coordinator averages the
 * parameters weighted by tuples (MADlib on Greenplum averages per iteration the same way) and sends the average out
 * for the next epoch.
 *
 * <p>The epoch is {@link Trainer}'s own ({@link Trainer#trainRound}): block and buffer sizes derived from this
 * shard's pages, the block shuffle and tuple buffer, double buffering, SGD at the epoch's learning rate and iterate
 * averaging. What needs the whole table comes from the coordinator instead of this shard alone: the
 * standardisation (mean and deviation combined from every server's {@link DataProfile}) and the class count. The
 * coordinator measures each epoch's averaged model on a sample of the whole table: in epoch 1 each shard keeps its
 * share of it from the rows it trains on ({@link Start#sampleShare}, {@link TrainingSample}) and returns it.
 *
 * <p>Randomness: the block order and tuple permutations of shard {@code s} in epoch {@code e} derive from
 * {@code (seed, s)} and {@code e} ({@link Seeds}), so shards shuffle independently and a rerun with the same seed
 * is identical; initial parameters (epoch 1 without parameters) derive from the seed alone, as in {@link Trainer},
 * so every shard starts from the same model.
 */
public final class ShardEpoch {
    /** Salt for a shard's shuffling seed. */
    private static final long SHARD = 0x5348415244L;

    /**
     * What the coordinator sends besides the spec: the parameters to continue from (the average of the servers'
     * SGD iterates; null in epoch 1: the seed's initial model), and the whole table's standardisation and class
     * count.
     *
     * @param mean    feature means, null unless the spec standardises
     * @param std     feature deviations, null unless the spec standardises
     * @param classes classes of softmax/mlp (0 for models without an inferred count)
     * @param sampleShare &gt; 0: this shard's share of the table's {@link TrainingSample} to draw from the rows of
     *                    the epoch (the coordinator's estimate of the shard's part of the rows; in epoch 1 under the
     *                    default metrics), 0: none
     */
    public record Start(double[] parameters, double[] mean, double[] std, int classes, double sampleShare) {
        public Start(double[] parameters, double[] mean, double[] std, int classes) {
            this(parameters, mean, std, classes, 0);
        }
    }

    /**
     * @param parameters    the SGD iterate after the epoch: where the next epoch continues once averaged
     * @param model         the epoch's model: with {@code average}, the mean of the epoch's iterates, else the
     *                      iterate (what the coordinator averages into the model it evaluates and stores)
     * @param tuples        tuples trained on (the weight of this shard in the average)
     * @param runningLoss   mean pre-update mini-batch loss of the epoch
     * @param seconds       wall time of the epoch
     * @param labelEncoding "-1/+1" when this shard used -1 as the negative label, else "0/1"
     * @param sizing        block and buffer sizes derived from this shard (or given)
     * @param oneLabel      the label every row of this shard had in the epoch, NaN when it had two or more (or no
     *                      row): the coordinator refuses a classifier whose shards all saw the same one label
     * @param sample        the rows this shard kept of its share of the sample, in a random order (as trained on:
     *                      standardised), or null when none was asked for or none drawn (rows too wide)
     */
    public record Result(double[] parameters, double[] model, long tuples, double runningLoss, double seconds,
                         String labelEncoding, Sizing sizing, double oneLabel, TupleBuffer sample) {
    }

    /**
     * The error of a sharded table whose rows all have label {@code y} for classifier {@code model}: a training of
     * one table refuses it after its first pass (22000), {@code label} as the error names it.
     */
    public static TrainingException oneClass(String label, double y, String model) {
        return InputGuard.oneClass(label, y, model);
    }

    private ShardEpoch() {
    }

    /**
     * Trains epoch {@code epoch} (1-based) of shard {@code shard} from {@code start}. {@code spec} is the run's
     * spec with standardize resolved by the coordinator; evaluation and early stopping are the coordinator's.
     */
    public static Result train(TrainSpec spec, BlockSource source, int epoch, int shard, Start start) {
        long t0 = System.nanoTime();
        if (source.pageCount() == 0) {
            // a server whose partitions are empty contributes nothing to the average
            return new Result(start.parameters(), start.parameters(), 0, Double.NaN, 0, "0/1", null, Double.NaN,
                    null);
        }
        TrainSpec shardSpec = spec.with("seed", Seeds.derive(spec.seed(), SHARD, shard))
                .with("early_stop_patience", 0).with("train_metrics", "running");
        Trainer.Round round = Trainer.trainRound(shardSpec, source, new Trainer.Resume(start.parameters(),
                spec.seed(), start.mean(), start.std(), start.classes(), epoch, start.sampleShare()));
        TrainResult r = round.result();
        EpochStats stats = r.epochs().get(0);
        Object encoding = r.model().params().get("label_encoding");
        return new Result(round.iterate(), r.model().parameters(), stats.tuples(), stats.loss(),
                (System.nanoTime() - t0) / 1e9, encoding == null ? "0/1" : encoding.toString(), r.sizing(),
                round.oneLabel(), round.sample() == null || round.sample().capacity() < 0 ? null
                        : round.sample().shuffledRows());
    }
}
