-- Arguments of train_sgd: each invalid value is refused before any work with 22023 (or a limit with 54000).
-- The SQLSTATE follows each failing statement.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE SCHEMA regress_arguments;
SET search_path = regress_arguments, public;
CREATE TABLE good AS SELECT i AS id, (i % 2) AS label, ARRAY[(i % 2) + 0.1 * (i % 5), 1]::float8[] AS features,
    (i % 3) AS three FROM generate_series(1, 200) i;
CREATE TABLE wide33k AS SELECT 0 AS label, array_fill(0.5::float8, ARRAY[33000]) AS features;
CREATE TABLE wide140k AS SELECT 0 AS label, array_fill(0.5::float8, ARRAY[140000]) AS features;
SELECT * FROM train_sgd('good', 'label', 'features', model => 'forest'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', shuffle => 'sometimes'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', learning_rate => 0); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', learning_rate => -1); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', learning_rate => 'NaN'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', epochs => 0); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', epochs => -1); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', buffer_size => 0); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', buffer_size => 0.5, block_size => 2); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', block_size => 0); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', batch_size => 0); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', l2 => -1); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', device => 'tpu'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', model_name => ''); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', model_name => repeat('m', 201)); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', options => '{"epochs": "many"}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', options => '{"colour": "red"}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', options => '[1]'); \echo SQLSTATE :SQLSTATE
-- NULL derives learning_rate, block_size, buffer_size and seed; a NULL model, shuffle, epochs, batch_size, l2 or
-- device is 22004 (each trained with its default, so a NULL from a subquery went unnoticed)
SELECT * FROM train_sgd('good', 'label', 'features', epochs => NULL); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', model => NULL); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', shuffle => NULL); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', batch_size => NULL); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', l2 => NULL); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', device => NULL, epochs => (SELECT 1 WHERE false)); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', options => '{"epochs": null}'); \echo SQLSTATE :SQLSTATE
-- so is a JSON null of an argument options alone carry (it trained as if not given)
SELECT * FROM train_sgd('good', 'label', 'features', options => '{"l1": null}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', options => '{"warm_start": null, "standardize": null, "learning_rate": null}'); \echo SQLSTATE :SQLSTATE
SELECT count(*) AS epochs FROM train_sgd('good', 'label', 'features', epochs => NULL, options => '{"epochs": 1}');
SELECT * FROM train_sgd(NULL, 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_evaluate('a_none', 'good', NULL, 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'three', 'features', model => 'softmax', options => '{"classes": 1}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', model => 'mlp', options => '{"hidden": [0]}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('wide33k', 'label', 'features', model => 'softmax', options => '{"classes": 65536}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('wide140k', 'label', 'features', model => 'mlp', options => '{"hidden": [16384]}'); \echo SQLSTATE :SQLSTATE
SELECT count(*) AS epochs FROM train_sgd('good', 'label', 'features', epochs => 1, model_name => 'a_exists');
SELECT * FROM train_sgd('good', 'label', 'features', model_name => 'a_exists'); \echo SQLSTATE :SQLSTATE
SELECT count(*) AS epochs FROM train_sgd('good', 'label', 'features', epochs => 2, model_name => 'a_exists',
    options => '{"overwrite": true}');
SELECT count(*) AS epochs FROM train_sgd('good', 'label', 'features', epochs => 1, learning_rate => 1e-9,
    batch_size => 1000, block_size => 1, buffer_size => 1, l2 => 0, seed => 0);
RESET search_path;
DROP SCHEMA regress_arguments CASCADE;
DELETE FROM corgipile.models WHERE name LIKE 'a\_%';
