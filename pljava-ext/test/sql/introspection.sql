-- Introspection: corgipile.training_progress, sgd_training_info. One-line edge cases; the SQLSTATE follows each failure.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SELECT setseed(0.75);
CREATE TABLE intro AS SELECT i AS id, (i % 2) AS label, ARRAY[random() + (i % 2), random()] AS features
    FROM generate_series(1, 400) i;
SELECT count(*) FROM train_sgd('intro', 'label', 'features', epochs => 3, seed => 11, model_name => 'intro_lr');

-- training_progress: nothing runs in another session; this session's own query is not a training
SELECT count(*) FROM corgipile.training_progress;
SELECT column_name FROM information_schema.columns
WHERE table_schema = 'corgipile' AND table_name = 'training_progress' ORDER BY ordinal_position;

-- the activity text parser: only a complete corgipile object, never an error
SELECT corgipile.activity_json(NULL);
SELECT corgipile.activity_json('SELECT 1');
SELECT corgipile.activity_json('corgipile train_sgd: epoch 1/2 on t (logistic, corgipile)');
SELECT corgipile.activity_json('corgipile train_sgd: epoch 1/2 on t (logistic, corgipile) {"epoch": 1, "tup');
SELECT corgipile.activity_json('corgipile train_sgd: epoch 1/2 on t (logistic, corgipile) {"epoch": 1}');
SELECT corgipile.activity_json('SELECT ''corgipile train_sgd'' {"epoch": 1}');

-- sgd_training_info: one row per epoch of the stored log
SELECT epoch, tuples, loss > 0 AS loss, accuracy > 0.5 AS accuracy, validation_loss, learning_rate > 0 AS lr,
       seconds >= 0 AS seconds, running
FROM sgd_training_info('intro_lr');
SELECT (SELECT count(*) FROM sgd_training_info('intro_lr')) = jsonb_array_length(epoch_log) AS all_epochs
FROM corgipile.models WHERE name = 'intro_lr';
SELECT * FROM sgd_training_info(NULL); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_training_info('no_such_model'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_training_info(''); \echo SQLSTATE :SQLSTATE

-- sgd_weights: one row per feature and a bias, names from the features argument
SELECT class, feature_index, feature, weight <> 0 AS nonzero FROM sgd_weights('intro_lr');
ALTER TABLE intro ADD COLUMN x1 float8, ADD COLUMN x2 real, ADD COLUMN tag text, ADD COLUMN flag boolean;
UPDATE intro SET x1 = features[1], x2 = features[2], tag = 'a', flag = true;
UPDATE intro SET x2 = NULL WHERE id <= 10;
SELECT count(*) FROM train_sgd('intro', 'label', 'x1, x1', epochs => 1, seed => 1, model_name => 'intro_cols');
SELECT class, feature_index, feature FROM sgd_weights('intro_cols');
SELECT count(*) FROM train_sgd('intro', 'label', 'features', model => 'softmax', epochs => 1, seed => 1,
                               model_name => 'intro_softmax');
SELECT class, feature_index, feature FROM sgd_weights('intro_softmax');
SELECT (SELECT array_agg(weight ORDER BY class, feature_index NULLS LAST) FROM sgd_weights('intro_softmax'))
       = parameters AS same_as_catalog FROM corgipile.models WHERE name = 'intro_softmax';
SELECT count(*) FROM train_sgd('intro', 'label', 'features', model => 'mlp', epochs => 1, seed => 1,
                               model_name => 'intro_mlp');
SELECT * FROM sgd_weights('intro_mlp'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_weights(NULL); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_weights('no_such_model'); \echo SQLSTATE :SQLSTATE

-- sgd_feature_info: per feature min/max/mean/stddev/nulls, arrays or column lists
SELECT feature_index, feature, min >= 0 AND max <= 2 AS in_range, round(mean::numeric, 1) AS mean,
       stddev > 0 AS spread, nulls
FROM sgd_feature_info('intro', 'features');
SELECT feature_index, feature, min = CASE feature WHEN 'x1' THEN (SELECT min(x1) FROM intro)
                                                  ELSE (SELECT min(x2) FROM intro) END AS min_ok, nulls
FROM sgd_feature_info('intro', 'x1, x2');
SELECT feature, min, max, mean, round(stddev::numeric, 6) AS stddev, nulls FROM sgd_feature_info('intro', 'id');
SELECT * FROM sgd_feature_info('intro', 'tag'); \echo SQLSTATE :SQLSTATE
-- the reader's types, as train_sgd takes them: a boolean column counts as 0/1; an oid is not a feature, and a
-- 2-D array is the reader's 2202E, not a flattened vector
SELECT feature, min, max, mean, nulls FROM sgd_feature_info('intro', 'flag, x1') WHERE feature = 'flag';
ALTER TABLE intro ADD COLUMN o oid, ADD COLUMN grid float8[];
UPDATE intro SET o = 1, grid = '{1,2}';
SELECT * FROM sgd_feature_info('intro', 'o'); \echo SQLSTATE :SQLSTATE
SELECT count(*) FROM sgd_feature_info('intro', 'grid');
UPDATE intro SET grid = '{{1,2},{3,4}}' WHERE id = 3;
SELECT * FROM sgd_feature_info('intro', 'grid'); \echo SQLSTATE :SQLSTATE
\set VERBOSITY sqlstate
SELECT * FROM train_sgd('intro', 'label', 'grid', epochs => 1);
\set VERBOSITY default
ALTER TABLE intro DROP COLUMN o, DROP COLUMN grid;
SELECT * FROM sgd_feature_info('intro', 'no_such_column'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_feature_info('intro', 'x1,,x2'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_feature_info('intro', ''); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_feature_info('intro', NULL); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_feature_info(NULL, 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_feature_info('no_such_table', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_feature_info('intro', 'features, features'); \echo SQLSTATE :SQLSTATE

-- corgipile.storage_probe: the device timing train_sgd's default block size uses (cached per disk); its values
-- depend on the machine's disk, so only the refusals here
SELECT corgipile.storage_probe(NULL); \echo SQLSTATE :SQLSTATE
SELECT corgipile.storage_probe('intro', NULL); \echo SQLSTATE :SQLSTATE
SELECT corgipile.storage_probe('no_such_table'); \echo SQLSTATE :SQLSTATE
DROP ROLE IF EXISTS corgipile_regress_prober;
CREATE ROLE corgipile_regress_prober;
SET ROLE corgipile_regress_prober;
SELECT corgipile.storage_probe('intro'); \echo SQLSTATE :SQLSTATE
RESET ROLE;
GRANT SELECT ON intro TO corgipile_regress_prober;
SET ROLE corgipile_regress_prober;
SELECT corgipile.storage_probe('intro', refresh => true); \echo SQLSTATE :SQLSTATE
RESET ROLE;
REVOKE SELECT ON intro FROM corgipile_regress_prober;
DROP ROLE corgipile_regress_prober;
