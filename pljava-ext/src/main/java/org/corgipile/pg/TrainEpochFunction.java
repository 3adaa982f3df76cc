package org.corgipile.pg;

import java.util.LinkedHashMap;
import java.util.Map;

import org.corgipile.operators.DataProfile;
import org.corgipile.operators.ShardEpoch;
import org.corgipile.operators.TrainOptions;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainedModel;
import org.corgipile.operators.TrainingException;

/**
 * The Java half of {@code corgipile.train_epoch}: what one server does for one round of sharded training, inside
 * its own backend, over its own partitions (read by the heap reader with this server's privilege and row-level
 * security checks for the role the coordinator's user mapping logs in as).
 *
 * <ul>
 *   <li>{@code epoch = -1}: this server's {@link DataProfile} (feature mean and sum of squared deviations when the
 *       features are dense and the spec does not turn standardisation off; the label range), for the coordinator
 *       to combine into the whole table's standardisation and class count: like a training's profile
 *       ({@link DataProfile#forTraining}), a sample of the server's pages unless the class count is inferred; with
 *       the shard number, by which the coordinator gives each shard its share of the training sample;</li>
 *   <li>{@code epoch >= 1}: one CorgiPile epoch from the model sent ({@link ShardEpoch}: its "iterate" to continue
 *       from, its feature_mean/feature_std and classes); answers the new iterate, the epoch's (averaged) model, the
 *       tuples trained on, the running loss, the seconds, the label encoding seen and the sizes used; and when the
 *       model sent has this shard's share in "sample_shares" (epoch 1 under the default metrics), the rows it kept
 *       of its share of the training sample ({@code sample}, {@link ShardCoordinator#sampleJson});</li>
 *   <li>{@code epoch = 0}: the metrics of the model sent over these partitions (for the coordinator to combine,
 *       weighted by tuples).</li>
 * </ul>
 * Every reply has its seconds and, where the kernel offers them, the bytes this backend read from the storage device
 * in the round ({@link DeviceReads}: a cold round reads the server's share from its disk). Block and buffer sizes
 * are this server's: the spec's sizes where the call gave them, else derived from this server's share, its
 * {@code corgipile.buffer_memory} and its own disk ({@link DeviceSizing#resolve}), as {@code train_sgd} on this
 * server would.
 */
final class TrainEpochFunction {
    private TrainEpochFunction() {
    }

    /**
     * The run's spec as this server trains it: the budget and device block resolved here, as {@code train_sgd} on
     * this server would ({@link DeviceSizing#resolve}: this server's {@code corgipile.buffer_memory} and its own
     * disk), unless the call gave them; what the probe found goes into the reply as {@code storage}. The probe runs
     * once per server (its result is cached in the data directory), so in the first profile round on the server
     * (its time is then that round's); later calls read the cache.
     */
    private static TrainSpec serverSpec(Args args, RelationSource src, Map<String, Object> out) {
        Map<String, Object> options = new LinkedHashMap<>(args.object("spec"));
        Map<String, Object> storage = DeviceSizing.resolve(args, options, src.pageCount());
        if (storage != null) {
            out.put("storage", storage);
        }
        return TrainOptions.parse(options);
    }

    /**
     * This shard's share of the training sample (the model's {@code sample_shares}, by shard number: sent in epoch 1
     * under the default metrics), 0 for none.
     */
    private static double sampleShare(Args model, int shard) {
        if (!model.has("sample_shares")) {
            return 0;
        }
        Args shares = model.args("sample_shares");
        String key = String.valueOf(shard);
        double share = shares.doubleValue(key, 0);
        if (!(share >= 0 && share <= 1)) {
            throw shares.malformed(key, "a share between 0 and 1");
        }
        return share;
    }

    static Map<String, Object> run(Args args) {
        int epoch = args.intValue("epoch", -2);
        Args model = new Args(args.object("model"));
        Map<String, Object> out = new LinkedHashMap<>();
        long start = System.nanoTime();
        long read0 = DeviceReads.soFar();
        if (epoch == 0) {
            TrainedModel trained = ModelCache.restore(model);
            try (RelationSource src = RelationSource.openShare(args, args.string("label"),
                    args.string("features"), trained.dimension())) {
                // a server whose partitions have no row: no metrics to weigh in (the coordinator weighs by tuples)
                out.put("metrics", src.pageCount() == 0 ? Map.of("tuples", 0L) : trained.evaluate(src));
            }
        } else if (epoch == -1) {
            try (RelationSource src = RelationSource.openShare(args, args.string("label"),
                    args.string("features"), args.intValue("dimension", 0))) {
                TrainSpec spec = serverSpec(args, src, out);
                Natives.reportActivity("corgipile train_epoch: profile of shard " + args.intValue("shard", 0)
                        + " on " + args.string("relation_name", "?"));
                boolean moments = !src.shape().sparse() && !Boolean.FALSE.equals(spec.standardizeGiven());
                out.put("dimension", src.shape().dimension());
                out.put("sparse", src.shape().sparse());
                // the coordinator's share of the training sample for this shard follows its profile's rows
                out.put("shard", args.intValue("shard", 0));
                if (src.pageCount() > 0) {
                    // a sample of this server's pages for the moments, every row when the coordinator infers the
                    // class count from the labels (ShardCoordinator.needsClasses): Trainer's rule for one table
                    boolean allLabels = spec.classes() == 0
                            && (spec.model().equals("softmax") || spec.model().equals("mlp"));
                    DataProfile p = DataProfile.forTraining(src, spec.blockSize(), moments, allLabels, spec.seed(),
                            spec.deviceBlock());
                    Map<String, Object> profile = new LinkedHashMap<>();
                    profile.put("tuples", p.tuples());
                    profile.put("mean", p.mean());
                    profile.put("m2", p.m2());
                    if (p.m2Exponents() != null) {
                        // features around 1e-300: their m2 in scaled units (DataProfile.TINY_RANGE)
                        profile.put("m2_exponents", p.m2Exponents());
                    }
                    profile.put("min_label", p.minLabel());
                    profile.put("max_label", p.maxLabel());
                    profile.put("integral_labels", p.integralLabels());
                    out.put("profile", profile);
                }
                out.put("skipped_tuples", src.skippedTuples());
            }
        } else if (epoch >= 1) {
            int shard = args.intValue("shard", 0);
            Object classes = model.object("params").get("classes");
            ShardEpoch.Start from = new ShardEpoch.Start(model.doubles("iterate"), model.doubles("feature_mean"),
                    model.doubles("feature_std"), classes instanceof Number n ? n.intValue() : 0,
                    sampleShare(model, shard));
            try (RelationSource src = RelationSource.openShare(args, args.string("label"),
                    args.string("features"), args.intValue("dimension", 0))) {
                TrainSpec spec = serverSpec(args, src, out);
                Natives.reportActivity("corgipile train_epoch: epoch " + epoch + " of shard " + shard + " on "
                        + args.string("relation_name", "?"));
                ShardEpoch.Result r = ShardEpoch.train(spec, src, epoch, shard, from);
                out.put("parameters", r.parameters());
                out.put("model", r.model());
                out.put("dimension", src.shape().dimension());
                out.put("tuples", r.tuples());
                out.put("running_loss", r.runningLoss());
                out.put("label_encoding", r.labelEncoding());
                if (!Double.isNaN(r.oneLabel())) {
                    out.put("one_label", r.oneLabel());
                }
                if (r.sample() != null) {
                    out.put("sample", ShardCoordinator.sampleJson(r.sample()));
                }
                out.put("skipped_tuples", src.skippedTuples());
                if (r.sizing() != null) {
                    out.put("block_size", r.sizing().blockPages());
                    out.put("buffer_size", r.sizing().bufferSize());
                    out.put("buffer_memory", spec.bufferMemory());
                    out.put("device_block", spec.deviceBlock());
                }
            }
        } else {
            throw new TrainingException(TrainingException.INVALID_PARAMETER_VALUE,
                    "epoch must be at least -1, got " + epoch, null);
        }
        out.put("seconds", (System.nanoTime() - start) / 1e9);
        long read = DeviceReads.since(read0);
        if (read >= 0) {
            out.put("device_read_bytes", read);
        }
        return out;
    }
}
