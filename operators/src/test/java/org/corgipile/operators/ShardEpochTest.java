package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * {@link ShardEpoch}, the unit of sharded training: an epoch per shard from the averaged model, averaged by tuples,
 * ends where one sequential training ends; one shard alone is exactly {@link Trainer}'s epoch; every shard starts
 * from the same seeded model.
 */
class ShardEpochTest {
    private static final SyntheticData TRAIN = SyntheticData.logistic(40_000, 16, 4, 3, false);
    private static final SyntheticData TEST = SyntheticData.logistic(10_000, 16, 4, 4, false);

    private static TrainSpec spec(int epochs) {
        return TrainSpec.builder().model("logistic").shuffle("corgipile").epochs(epochs).learningRate(0.02)
                .decay(0.8).blockSize(4).bufferSize(0.1).seed(9).trainMetrics("running").build();
    }

    /** Rows {@code i % shards == shard} of {@code data}, sorted by label: a label-clustered share. */
    private static InMemoryBlockSource share(SyntheticData data, int shard, int shards) {
        int n = (data.y.length - shard + shards - 1) / shards;
        double[][] x = new double[n][];
        double[] y = new double[n];
        for (int i = shard, k = 0; i < data.y.length; i += shards, k++) {
            x[k] = data.x[i];
            y[k] = data.y[i];
        }
        return InMemoryBlockSource.dense(x, y, 50);
    }

    @Test
    void averagingTwoLabelClusteredSharesPerEpochMatchesOneSequentialRun() {
        int epochs = 8;
        InMemoryBlockSource[] shares = {share(TRAIN.clustered(), 0, 2), share(TRAIN.clustered(), 1, 2)};
        double[] params = null;
        for (int e = 1; e <= epochs; e++) {
            double[] sum = null;
            long tuples = 0;
            for (int s = 0; s < shares.length; s++) {
                ShardEpoch.Result r = ShardEpoch.train(spec(epochs), shares[s], e, s + 1, params);
                if (sum == null) {
                    sum = new double[r.parameters().length];
                }
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += r.tuples() * r.parameters()[i];
                }
                tuples += r.tuples();
            }
            assertEquals(TRAIN.y.length, tuples, "every row of both shares, epoch " + e);
            for (int i = 0; i < sum.length; i++) {
                sum[i] /= tuples;
            }
            params = sum;
        }
        double sharded = TrainedModel.restore("logistic", 16, params, null, null, Map.of())
                .evaluate(TEST.source(50)).get("accuracy");
        double one = Trainer.train(spec(epochs), TRAIN.clustered().source(50), null, null).model()
                .evaluate(TEST.source(50)).get("accuracy");
        System.out.printf("test accuracy: two shares averaged per epoch %.4f, one sequential run %.4f%n", sharded, one);
        assertTrue(one > 0.8, "the sequential run learns: " + one);
        assertEquals(one, sharded, 0.01, "averaged shares within a point of the sequential run");
    }

    @Test
    void oneShardIsTheTrainersEpochAndShardsStartFromTheSameModel() {
        InMemoryBlockSource all = TRAIN.clustered().source(50);
        // a shard epoch trains plain SGD on raw features (no profile pass, no averaging across servers yet)
        TrainSpec one = spec(1).with("shuffle", "none").with("standardize", false).with("average", false);
        ShardEpoch.Result r = ShardEpoch.train(one, all, 1, 0, null);
        double[] trainer = Trainer.train(one, all, null, null).model().parameters();
        assertArrayEquals(trainer, r.parameters(), 0, "storage order: the shard's epoch is the trainer's epoch");

        ShardEpoch.Result a = ShardEpoch.train(spec(1).with("epochs", 1), share(TRAIN, 0, 2), 1, 1, null);
        ShardEpoch.Result again = ShardEpoch.train(spec(1).with("epochs", 1), share(TRAIN, 0, 2), 1, 1, null);
        assertArrayEquals(a.parameters(), again.parameters(), 0, "same seed, shard and epoch: same result");
    }

    @Test
    void refusesWhatNeedsTheWholeTable() {
        InMemoryBlockSource all = TRAIN.source(50);
        TrainingException e = assertThrows(TrainingException.class,
                () -> ShardEpoch.train(spec(1).with("standardize", true), all, 1, 0, null));
        assertEquals("0A000", e.sqlState());
        assertThrows(InvalidSpecException.class,
                () -> ShardEpoch.train(spec(1).with("model", "softmax"), all, 1, 0, null));
        assertThrows(TrainingException.class, () -> ShardEpoch.train(spec(1), all, 1, 0, new double[3]));
    }
}
