-- Introspection: corgipile.training_progress, sgd_training_info. One-line edge cases; errors show their SQLSTATE.
SET client_min_messages = warning;
\set VERBOSITY verbose
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
SELECT * FROM sgd_training_info(NULL);
SELECT * FROM sgd_training_info('no_such_model');
SELECT * FROM sgd_training_info('');
