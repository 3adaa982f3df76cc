package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.corgipile.operators.model.Model;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void binaryCountsAndAucAgainstTheExactStatistic() {
        Metrics m = new Metrics(Model.create("logistic", 1, 0, null));
        SplittableRandom rnd = new SplittableRandom(1);
        int n = 5000;
        double[] score = new double[n];
        boolean[] pos = new boolean[n];
        for (int i = 0; i < n; i++) {
            pos[i] = rnd.nextBoolean();
            score[i] = Math.min(1, Math.max(0, (pos[i] ? 0.6 : 0.4) + 0.25 * rnd.nextGaussian()));
            m.add(pos[i] ? 1 : 0, 0.5, new double[] {score[i] > 0.5 ? 1 : 0, score[i]});
        }
        long wins2 = 0;
        long pairs = 0;
        int tp = 0;
        int fp = 0;
        int fn = 0;
        for (int i = 0; i < n; i++) {
            boolean predicted = score[i] > 0.5;
            tp += predicted && pos[i] ? 1 : 0;
            fp += predicted && !pos[i] ? 1 : 0;
            fn += !predicted && pos[i] ? 1 : 0;
            if (!pos[i]) {
                continue;
            }
            for (int j = 0; j < n; j++) {
                if (!pos[j]) {
                    pairs++;
                    wins2 += score[i] > score[j] ? 2 : score[i] == score[j] ? 1 : 0;
                }
            }
        }
        Map<String, Double> r = m.result();
        assertEquals(wins2 / 2.0 / pairs, r.get("auc"), 1e-3);
        assertEquals((double) tp / (tp + fp), r.get("precision"), 1e-12);
        assertEquals((double) tp / (tp + fn), r.get("recall"), 1e-12);
        assertEquals(2.0 * tp / (2 * tp + fp + fn), r.get("f1"), 1e-12);
        assertEquals(0.5, r.get("loss"), 1e-12);
        assertEquals(5000.0, r.get("tuples"));
        assertTrue(r.get("log_loss") > 0);
    }

    @Test
    void regressionMetrics() {
        Metrics m = new Metrics(Model.create("linear", 1, 0, null));
        double[] y = {1, 2, 3, 4};
        double[] p = {1.5, 2, 2, 4};
        for (int i = 0; i < 4; i++) {
            m.add(y[i], 0.5 * (p[i] - y[i]) * (p[i] - y[i]), new double[] {p[i], Double.NaN});
        }
        Map<String, Double> r = m.result();
        assertEquals(Math.sqrt((0.25 + 1) / 4), r.get("rmse"), 1e-12);
        assertEquals(1.5 / 4, r.get("mae"), 1e-12);
        assertEquals(1 - 1.25 / 5, r.get("r2"), 1e-12);
        assertTrue(Double.isNaN(m.accuracy()));
    }

    @Test
    void undefinedValuesAreNaN() {
        Metrics m = new Metrics(Model.create("svm", 1, 0, null));
        m.add(0, 1, new double[] {0, 0.2});
        Map<String, Double> r = m.result();
        assertTrue(Double.isNaN(r.get("precision")), "no positive prediction");
        assertTrue(Double.isNaN(r.get("auc")), "one class only");
        assertTrue(Double.isNaN(r.get("log_loss")), "svm has no probability");
        assertEquals(1.0, r.get("accuracy"));
    }
}
