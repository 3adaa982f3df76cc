package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * {@link ShardEpoch}, the unit of sharded training: with the defaults (standardised by the whole table's profile,
 * iterate averaging), an epoch per shard from the averaged iterate, averaged by tuples, ends where one sequential
 * training ends; one shard alone is exactly {@link Trainer}'s epoch; every shard starts from the same seeded model.
 */
class ShardEpochTest {
    private static final SyntheticData TRAIN = SyntheticData.logistic(40_000, 16, 4, 3, false);
    private static final SyntheticData TEST = SyntheticData.logistic(10_000, 16, 4, 4, false);

    /** The defaults but for the seed, as a user's three-argument call gets them. */
    private static TrainSpec spec(int epochs) {
        return TrainSpec.builder().epochs(epochs).seed(9).build();
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
    void averagingTwoLabelClusteredSharesPerEpochMatchesOneSequentialRunWithTheDefaults() {
        int epochs = 8;
        InMemoryBlockSource[] shares = {share(TRAIN.clustered(), 0, 2), share(TRAIN.clustered(), 1, 2)};
        DataProfile profile = DataProfile.scan(shares[0], 1280, true).merge(DataProfile.scan(shares[1], 1280, true));
        TrainSpec spec = spec(epochs).withDataDefaults(shares[0].shape());
        assertTrue(spec.standardize() && spec.average(), "the defaults standardise and average");
        double[] iterate = null;
        double[] model = null;
        for (int e = 1; e <= epochs; e++) {
            double[] sumIterate = null;
            double[] sumModel = null;
            long tuples = 0;
            for (int s = 0; s < shares.length; s++) {
                ShardEpoch.Result r = ShardEpoch.train(spec, shares[s], e, s + 1,
                        new ShardEpoch.Start(iterate, profile.mean(), profile.std(), 0));
                if (sumIterate == null) {
                    sumIterate = new double[r.parameters().length];
                    sumModel = new double[r.model().length];
                }
                for (int i = 0; i < sumIterate.length; i++) {
                    sumIterate[i] += r.tuples() * r.parameters()[i];
                    sumModel[i] += r.tuples() * r.model()[i];
                }
                tuples += r.tuples();
            }
            assertEquals(TRAIN.y.length, tuples, "every row of both shares, epoch " + e);
            for (int i = 0; i < sumIterate.length; i++) {
                sumIterate[i] /= tuples;
                sumModel[i] /= tuples;
            }
            iterate = sumIterate;
            model = sumModel;
        }
        double sharded = TrainedModel.restore("logistic", 16, model, profile.mean(), profile.std(), Map.of())
                .evaluate(TEST.source(50)).get("accuracy");
        double one = Trainer.train(spec(epochs), TRAIN.clustered().source(50), null, null).model()
                .evaluate(TEST.source(50)).get("accuracy");
        System.out.printf("test accuracy: two shares averaged per epoch %.4f, one sequential run %.4f%n", sharded, one);
        assertTrue(one > 0.8, "the sequential run learns: " + one);
        assertEquals(one, sharded, 0.005, "averaged shares within half a point of the sequential run");
    }

    @Test
    void oneShardIsTheTrainersEpochAndShardsStartFromTheSameModel() {
        InMemoryBlockSource all = TRAIN.clustered().source(50);
        // storage order, so the shard's own shuffling seed does not matter: the shard's epoch is the trainer's
        TrainSpec one = spec(1).with("shuffle", "none").withDataDefaults(all.shape());
        DataProfile profile = DataProfile.scan(all, 1280, true);
        ShardEpoch.Result r = ShardEpoch.train(one, all, 1, 0,
                new ShardEpoch.Start(null, profile.mean(), profile.std(), 0));
        TrainedModel trainer = Trainer.train(one, all, null, null).model();
        assertArrayEquals(trainer.parameters(), r.model(), 0, "the averaged iterate of the trainer's epoch");
        assertArrayEquals(trainer.mean(), profile.mean(), 0, "the trainer's standardisation");
        assertNotEquals(r.model()[0], r.parameters()[0], "the iterate is returned beside its average");

        TrainSpec two = spec(1).withDataDefaults(all.shape());
        ShardEpoch.Start start = new ShardEpoch.Start(null, profile.mean(), profile.std(), 0);
        ShardEpoch.Result a = ShardEpoch.train(two, share(TRAIN, 0, 2), 1, 1, start);
        ShardEpoch.Result again = ShardEpoch.train(two, share(TRAIN, 0, 2), 1, 1, start);
        assertArrayEquals(a.parameters(), again.parameters(), 0, "same seed, shard and epoch: same result");
    }

    @Test
    void classesComeFromTheCoordinatorAndParametersMustFit() {
        SyntheticData three = SyntheticData.multiclass(3_000, 8, 3, 5);
        InMemoryBlockSource all = three.source(50);
        TrainSpec softmax = spec(1).with("model", "softmax").withDataDefaults(all.shape());
        DataProfile profile = DataProfile.scan(all, 1280, true);
        assertEquals(3, profile.classes("softmax"));
        ShardEpoch.Result r = ShardEpoch.train(softmax, all, 1, 0,
                new ShardEpoch.Start(null, profile.mean(), profile.std(), 3));
        assertEquals(3 * 9, r.parameters().length, "3 classes x (8 weights + bias)");
        assertThrows(IllegalArgumentException.class, () -> ShardEpoch.train(softmax, all, 1, 0,
                new ShardEpoch.Start(null, profile.mean(), profile.std(), 0)), "no class count");
        assertThrows(TrainingException.class, () -> ShardEpoch.train(softmax, all, 1, 0,
                new ShardEpoch.Start(new double[3], profile.mean(), profile.std(), 3)));
    }

    /**
     * Bug: a sharded table's training accuracy under the default metrics was NULL, since a shard's round drew no
     * sample. Asked for a share, the round keeps that share of the sample of the rows it trains on (as trained on:
     * standardised; sparse rows as they are) and trains exactly the same model as without it.
     */
    @Test
    void aShardsRoundAskedForItsShareOfTheSampleKeepsItAndTrainsTheSameModel() {
        InMemoryBlockSource half = share(TRAIN.clustered(), 0, 2);
        DataProfile profile = DataProfile.scan(half, 1280, true);
        TrainSpec spec = spec(1).withDataDefaults(half.shape());
        ShardEpoch.Result plain = ShardEpoch.train(spec, half, 1, 1,
                new ShardEpoch.Start(null, profile.mean(), profile.std(), 0));
        ShardEpoch.Result sampled = ShardEpoch.train(spec, half, 1, 1,
                new ShardEpoch.Start(null, profile.mean(), profile.std(), 0, 0.5));
        assertEquals(null, plain.sample(), "no share asked: no sample");
        assertArrayEquals(plain.parameters(), sampled.parameters(), 0, "the sample only reads the rows");
        assertArrayEquals(plain.model(), sampled.model(), 0);
        TupleBuffer rows = sampled.sample();
        assertEquals(TrainingSample.ROWS / 2, rows.size(), "half the capacity");
        double mean = 0;
        int positives = 0;
        for (int i = 0; i < rows.size(); i++) {
            mean += rows.dense()[i * 16];
            positives += rows.label(i) > 0 ? 1 : 0;
        }
        assertEquals(0, mean / rows.size(), 0.05, "standardised, as trained on");
        double share = positives / (double) rows.size();
        double expected = java.util.Arrays.stream(TRAIN.y).filter(y -> y > 0).count() / (double) TRAIN.y.length;
        // the share is label-clustered: a sample of its first rows would be one class
        assertEquals(expected, share, 0.03, "both classes, as in the share");

        InMemoryBlockSource sparse = new InMemoryBlockSource(FeatureShape.sparse(1_000), 40);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(2);
        for (int i = 0; i < 20_000; i++) {
            int a = rnd.nextInt(500);
            int b = 500 + rnd.nextInt(500);
            double label = i < 10_000 ? 0 : 1;
            sparse.addSparse(label, new int[] {a, b}, new double[] {label > 0 ? 1 : -1, rnd.nextDouble()});
        }
        TrainSpec sparseSpec = spec(1).withDataDefaults(sparse.shape());
        ShardEpoch.Result s0 = ShardEpoch.train(sparseSpec, sparse, 1, 2, new ShardEpoch.Start(null, null, null, 0));
        ShardEpoch.Result s1 = ShardEpoch.train(sparseSpec, sparse, 1, 2,
                new ShardEpoch.Start(null, null, null, 0, 0.25));
        assertArrayEquals(s0.parameters(), s1.parameters(), 0, "sparse: the same model");
        TupleBuffer kept = s1.sample();
        assertEquals(TrainingSample.ROWS / 4, kept.size());
        for (int i = 0; i < kept.size(); i++) {
            assertEquals(2, kept.rowEnd(i) - kept.rowStart(i), "a sparse row's two non-zeros");
            assertEquals(kept.label(i) > 0 ? 1 : -1, kept.values()[kept.rowStart(i)], 0);
        }
    }
}
