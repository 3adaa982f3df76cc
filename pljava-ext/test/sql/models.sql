-- Evaluation and management: probabilities, confusion matrix, per-class metrics, ROC curve, predicting a relation
-- by the model's columns, dropping a model. One-line edge cases; the SQLSTATE follows each failure.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SELECT setseed(0.125);
CREATE TABLE mgmt AS SELECT i AS id, (i % 2) AS label, (i % 3) AS label3, x1, x2, ARRAY[x1, x2] AS features
    FROM generate_series(1, 600) i,
         LATERAL (SELECT random() + 2 * (i % 2) AS x1, random() + (i % 3) AS x2 OFFSET 0) f;
INSERT INTO mgmt VALUES (601, NULL, 0, 1, 1, '{1,1}'), (602, 1, 1, NULL, 1, NULL);
SELECT count(*) FROM train_sgd('mgmt', 'label', 'features', epochs => 3, seed => 5, model_name => 'mg_lr');
SELECT count(*) FROM train_sgd('mgmt', 'label', 'x1, x2', epochs => 3, seed => 5, model_name => 'mg_cols');
SELECT count(*) FROM train_sgd('mgmt', 'label3', 'features', model => 'softmax', epochs => 3, seed => 5,
                               model_name => 'mg_soft');
SELECT count(*) FROM train_sgd('mgmt', 'label', 'features', model => 'svm', epochs => 1, seed => 5,
                               model_name => 'mg_svm');
SELECT count(*) FROM train_sgd('mgmt', 'label', 'features', model => 'linear', epochs => 1, seed => 5,
                               model_name => 'mg_linear');

-- sgd_predict_probabilities: one per class, summing to 1, agreeing with sgd_predict_proba / sgd_predict
SELECT bool_and(abs(p[2] - sgd_predict_proba('mg_lr', features)) < 1e-9) AS same_as_proba,
       bool_and(abs(p[1] + p[2] - 1) < 1e-12) AS sums_to_one, min(cardinality(p)) AS classes
FROM mgmt, LATERAL (SELECT sgd_predict_probabilities('mg_lr', features) AS p) q WHERE features IS NOT NULL;
SELECT bool_and(abs((SELECT sum(v) FROM unnest(p) v) - 1) < 1e-12) AS sums_to_one, min(cardinality(p)) AS classes,
       bool_and(array_position(p, (SELECT max(v) FROM unnest(p) v)) - 1 = sgd_predict('mg_soft', features)) AS argmax
FROM mgmt, LATERAL (SELECT sgd_predict_probabilities('mg_soft', features) AS p) q WHERE features IS NOT NULL;
SELECT sgd_predict_probabilities('mg_lr', NULL);
SELECT sgd_predict_probabilities('mg_svm', '{1,2}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict_probabilities('mg_lr', '{1,2,3}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict_probabilities('mg_lr', '{1,NULL}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict_probabilities('mg_lr', '{{1,2}}'); \echo SQLSTATE :SQLSTATE
-- a NaN or infinite feature is 22000 as in sgd_predict (it gave the probabilities {0,1}, {1,0} or {NaN,NaN})
SELECT sgd_predict_probabilities('mg_lr', '{1,NaN}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict_probabilities('mg_soft', '{-Infinity,1}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict_probabilities('mg_lr', '{Infinity,NaN}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict_probabilities('no_such_model', '{1,2}'); \echo SQLSTATE :SQLSTATE

-- sgd_confusion_matrix and sgd_class_metrics
SELECT actual, predicted, count > 0 AS seen FROM sgd_confusion_matrix('mg_lr', 'mgmt', 'label', 'features');
SELECT sum(count) FROM sgd_confusion_matrix('mg_cols', 'mgmt', 'label', 'x1, x2');
SELECT (SELECT sum(count) FILTER (WHERE actual = predicted) / sum(count) FROM sgd_confusion_matrix('mg_lr', 'mgmt', 'label', 'features'))
       = (SELECT value FROM sgd_evaluate('mg_lr', 'mgmt', 'label', 'features') WHERE metric = 'accuracy') AS same_accuracy;
SELECT class, "precision" > 0.8 AS precise, recall > 0.8 AS recalled, f1 > 0.8 AS f1, support
FROM sgd_class_metrics('mg_soft', 'mgmt', 'label3', 'features');
SELECT * FROM sgd_confusion_matrix('mg_linear', 'mgmt', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_confusion_matrix('mg_lr', 'mgmt', 'label', NULL); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_confusion_matrix('mg_lr', 'mgmt', 'no_such_column', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_confusion_matrix('mg_lr', 'mgmt', 'label', 'x1,,x2'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_class_metrics('no_such_model', 'mgmt', 'label', 'features'); \echo SQLSTATE :SQLSTATE

-- sgd_roc_curve: rates fall as the threshold rises; the lowest threshold predicts everything positive
SELECT count(*) BETWEEN 2 AND 101 AS thresholds, bool_and(recall BETWEEN 0 AND 1) AS rates,
       bool_and(true_positives + false_negatives = 300 AND false_positives + true_negatives = 300) AS counts
FROM sgd_roc_curve('mg_lr', 'mgmt', 'label', 'features');
SELECT recall, false_positive_rate FROM sgd_roc_curve('mg_lr', 'mgmt', 'label', 'features') ORDER BY threshold LIMIT 1;
SELECT bool_and(recall <= lag_recall) AS monotone
FROM (SELECT recall, lag(recall, 1, 1.0) OVER (ORDER BY threshold) AS lag_recall
      FROM sgd_roc_curve('mg_lr', 'mgmt', 'label', 'features')) r;
SELECT * FROM sgd_roc_curve('mg_svm', 'mgmt', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_roc_curve('mg_soft', 'mgmt', 'label3', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_roc_curve('mg_lr', NULL, 'label', 'features'); \echo SQLSTATE :SQLSTATE

-- sgd_predict_relation: the stored feature columns, joined back on ctid
SELECT count(*) AS rows, bool_and(p.prediction = sgd_predict('mg_cols', ARRAY[m.x1, m.x2])) AS same
FROM mgmt m JOIN sgd_predict_relation('mg_cols', 'mgmt') p ON p.ctid = m.ctid;
SELECT count(*) FROM sgd_predict_relation('mg_lr', 'mgmt');
SELECT count(*) FROM sgd_predict_relation('mg_lr', NULL); \echo SQLSTATE :SQLSTATE
SELECT count(*) FROM sgd_predict_relation('no_such_model', 'mgmt'); \echo SQLSTATE :SQLSTATE
CREATE TABLE mgmt_other (y int);
SELECT count(*) FROM sgd_predict_relation('mg_lr', 'mgmt_other'); \echo SQLSTATE :SQLSTATE
-- bug: on a partitioned table the result had only ctid, which every partition numbers from (0,1): a join back on
-- ctid matched each row with a row of every other partition; tableoid tells them apart
CREATE TABLE mgmt_parted (label int, features float8[], x1 float8, x2 float8, k int) PARTITION BY LIST (k);
CREATE TABLE mgmt_parted_0 PARTITION OF mgmt_parted FOR VALUES IN (0);
CREATE TABLE mgmt_parted_1 PARTITION OF mgmt_parted FOR VALUES IN (1);
INSERT INTO mgmt_parted SELECT label, features, x1, x2, n % 2 FROM (SELECT *, row_number() OVER () AS n FROM mgmt) m;
SELECT count(*) AS rows_on_ctid_alone FROM mgmt_parted m JOIN sgd_predict_relation('mg_cols', 'mgmt_parted') p
    ON p.ctid = m.ctid;
SELECT count(*) AS rows, (SELECT count(features) FROM mgmt_parted) AS with_features,
       bool_and(p.prediction = sgd_predict('mg_cols', ARRAY[m.x1, m.x2])) AS same
FROM mgmt_parted m JOIN sgd_predict_relation('mg_cols', 'mgmt_parted') p ON (p.tableoid, p.ctid) = (m.tableoid, m.ctid);
SELECT DISTINCT tableoid FROM sgd_predict_relation('mg_cols', 'mgmt_parted') ORDER BY 1;

-- sgd_drop_model
SELECT sgd_drop_model('mg_svm'); \echo SQLSTATE :SQLSTATE
SELECT count(*) FROM corgipile.models WHERE name = 'mg_svm';
SELECT sgd_drop_model('mg_svm');
SELECT sgd_drop_model(NULL); \echo SQLSTATE :SQLSTATE
-- a reader the owner granted the model to may use it, not drop it
DROP ROLE IF EXISTS corgipile_regress_carol;
CREATE ROLE corgipile_regress_carol;
SELECT sgd_grant_model('mg_lr', 'corgipile_regress_carol');
SET ROLE corgipile_regress_carol;
SELECT count(*) FROM sgd_training_info('mg_lr');
SELECT sgd_drop_model('mg_lr'); \echo SQLSTATE :SQLSTATE
SELECT sgd_drop_model('mg_soft'); \echo SQLSTATE :SQLSTATE
RESET ROLE;
SELECT count(*) FROM corgipile.models WHERE name = 'mg_lr';
SELECT sgd_revoke_model('mg_lr', 'corgipile_regress_carol');
DROP ROLE corgipile_regress_carol;
