-- sgd_evaluate: a stored model on a relation read by the same heap reader as training.
-- The SQLSTATE follows each failing statement.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE SCHEMA regress_evaluate;
SET search_path = regress_evaluate, public;
CREATE TABLE good AS SELECT (i % 2) AS label, ARRAY[(i % 2) * 2 - 1, 1]::float8[] AS features,
    (i % 2) * 2 - 1 AS x1, 1 AS x2 FROM generate_series(1, 200) i;
CREATE TABLE ragged (label int, features float8[]);
INSERT INTO ragged VALUES (0, '{1,2}'), (1, '{1,2,3}');
CREATE TABLE three_wide AS SELECT (i % 2) AS label, ARRAY[1, 2, 3]::float8[] AS features FROM generate_series(1, 10) i;
SELECT count(*) AS epochs FROM train_sgd('good', 'label', 'features', epochs => 3, seed => 1, model_name => 'e_log');
SELECT metric, CASE WHEN metric = 'tuples' THEN value ELSE round(value::numeric, 2) END AS value
    FROM sgd_evaluate('e_log', 'good', 'label', 'features') WHERE metric IN ('accuracy', 'tuples');
SELECT metric, value FROM sgd_evaluate('e_log', 'good', 'label', 'x1, x2') WHERE metric IN ('accuracy', 'tuples');
SELECT * FROM sgd_evaluate('nope', 'good', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_evaluate('e_log', 'ragged', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_evaluate('e_log', 'three_wide', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_evaluate('e_log', 'good', 'label', 'x1'); \echo SQLSTATE :SQLSTATE
-- unknown_label_column_has_a_hint: sgd_evaluate's 42703 had none; train_sgd's is the same check (the reader's)
SELECT * FROM sgd_evaluate('e_log', 'good', 'nope', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'nope', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_evaluate('e_log', 'no_such_table', 'label', 'features'); \echo SQLSTATE :SQLSTATE
-- bug: features_beyond_the_training_range_were_silent_nan: a finite value far outside those the model was trained
-- on overflows once standardised (1e308 / its training standard deviation); sgd_predict said 0, sgd_predict_proba and
-- sgd_predict_relation NULL, sgd_evaluate a NULL loss and accuracy 0.5, train_sgd a NULL validation loss. Each is
-- 22003 naming the value.
CREATE TABLE small AS SELECT (i % 2) AS label, ARRAY[(i % 2) * 0.02 - 0.01, 1]::float8[] AS features
    FROM generate_series(1, 200) i;
SELECT count(*) AS epochs FROM train_sgd('small', 'label', 'features', epochs => 1, seed => 1, model_name => 'e_small');
CREATE TABLE far AS SELECT (i % 2) AS label, ARRAY[1e308 * ((i % 2) * 2 - 1), 1]::float8[] AS features
    FROM generate_series(1, 10) i;
SELECT sgd_predict('e_small', '{1e308, 1}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict_proba('e_small', '{-1e308, 1}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict('e_small', '{1e300, 1}') IN (0, 1) AS finite_once_standardised;
SELECT * FROM sgd_predict_relation('e_small', 'far'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_evaluate('e_small', 'far', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT validation_loss, validation_accuracy
    FROM train_sgd('small', 'label', 'features', epochs => 1, validation_relation => 'far'); \echo SQLSTATE :SQLSTATE
RESET search_path;
DROP SCHEMA regress_evaluate CASCADE;
DELETE FROM corgipile.models WHERE name LIKE 'e\_%';
