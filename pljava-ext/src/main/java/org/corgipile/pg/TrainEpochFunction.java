package org.corgipile.pg;

import java.util.LinkedHashMap;
import java.util.Map;

import org.corgipile.operators.TrainingException;
import org.corgipile.operators.ShardEpoch;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.TrainedModel;

/**
 * The Java half of {@code corgipile.train_epoch}: what one server does for one round of sharded training, inside
 * its own backend, over its own partitions (read by the heap reader with this server's privilege and row-level
 * security checks for the role the coordinator's user mapping logs in as).
 *
 * <p>{@code epoch >= 1}: one CorgiPile epoch from the model sent ({@link ShardEpoch}); answers the new parameters,
 * the tuples trained on, the running loss, the seconds and the label encoding seen. {@code epoch = 0}: the metrics
 * of the model sent over these partitions (for the coordinator to combine, weighted by tuples).
 */
final class TrainEpochFunction {
    private TrainEpochFunction() {
    }

    static Map<String, Object> run(Args args) {
        int epoch = args.intValue("epoch", -1);
        Args model = new Args(args.object("model"));
        Map<String, Object> out = new LinkedHashMap<>();
        long start = System.nanoTime();
        if (epoch == 0) {
            TrainedModel trained = ModelCache.restore(model);
            try (RelationSource src = RelationSource.open(args, "relation", args.string("label"),
                    args.string("features"), trained.dimension())) {
                out.put("metrics", trained.evaluate(src));
            }
        } else if (epoch >= 1) {
            TrainSpec spec = TrainSpec.fromOptions(args.object("spec"));
            int shard = args.intValue("shard", 0);
            try (RelationSource src = RelationSource.open(args, "relation", args.string("label"),
                    args.string("features"), args.intValue("dimension", 0))) {
                Natives.reportActivity("corgipile train_epoch: epoch " + epoch + " of shard " + shard + " on "
                        + args.string("relation_name", "?"));
                ShardEpoch.Result r = ShardEpoch.train(spec, src, epoch, shard, model.doubles("parameters"));
                out.put("parameters", r.parameters());
                out.put("dimension", src.shape().dimension());
                out.put("tuples", r.tuples());
                out.put("running_loss", r.runningLoss());
                out.put("label_encoding", r.labelEncoding());
                out.put("skipped_tuples", src.skippedTuples());
            }
        } else {
            throw new TrainingException(TrainingException.INVALID_PARAMETER_VALUE,
                    "epoch must be at least 0, got " + epoch, null);
        }
        out.put("seconds", (System.nanoTime() - start) / 1e9);
        return out;
    }
}
