-- Every bad input gives a clear error with its SQLSTATE, and the session lives on.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SELECT setseed(0.25);
CREATE TABLE good AS SELECT i AS id, (i % 2) AS label, ARRAY[random(), (i % 2)::float8] AS features
    FROM generate_series(1, 200) i;
CREATE TABLE texty (label text, features float8[], words text);
INSERT INTO texty VALUES ('a', '{1,2}', 'x');
CREATE TABLE ragged (label int, features float8[]);
INSERT INTO ragged VALUES (0, '{1,2}'), (1, '{1,2,3}');
CREATE TABLE nans (label int, features float8[]);
INSERT INTO nans VALUES (0, '{1,2}'), (1, '{NaN,2}');
CREATE TABLE infs (label float8, features float8[]);
INSERT INTO infs VALUES ('Infinity', '{1,2}');
CREATE TABLE empty (label int, features float8[]);
CREATE TABLE only_nulls (label int, features float8[]);
INSERT INTO only_nulls VALUES (NULL, '{1,2}'), (1, NULL);
CREATE TABLE null_elems (label int, features float8[]);
INSERT INTO null_elems VALUES (1, '{1,NULL}');
CREATE TABLE multi (label int, features float8[]);
INSERT INTO multi VALUES (1, '{{1,2},{3,4}}');
CREATE TABLE labels3 (label int, features float8[]);
INSERT INTO labels3 SELECT i % 3, ARRAY[i::float8] FROM generate_series(1, 30) i;
CREATE VIEW good_view AS SELECT * FROM good;
CREATE INDEX good_idx ON good (id);
CREATE TABLE secret (label int, features float8[]);
INSERT INTO secret VALUES (1, '{1,2}');
CREATE TABLE guarded (label int, features float8[]);
INSERT INTO guarded VALUES (1, '{1,2}');
ALTER TABLE guarded ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON guarded USING (label = 1);
DROP ROLE IF EXISTS corgipile_regress_user;
CREATE ROLE corgipile_regress_user;
GRANT SELECT ON good, guarded TO corgipile_regress_user;
CREATE FUNCTION alive() RETURNS text LANGUAGE sql AS $$ SELECT 'alive' $$;

-- relation, columns and types
SELECT * FROM train_sgd('no_such_table', 'label', 'features');
SELECT alive();
SELECT * FROM train_sgd('good', 'no_such_column', 'features');
SELECT * FROM train_sgd('texty', 'label', 'features');
SELECT * FROM train_sgd('good', 'label', 'no_such_column');
SELECT * FROM train_sgd('texty', 'features', 'words');
SELECT * FROM train_sgd('good_view', 'label', 'features');
SELECT * FROM train_sgd('good_idx', 'label', 'features');
CREATE SEQUENCE a_sequence;
SELECT * FROM train_sgd('a_sequence', 'label', 'features');
CREATE TABLE parted (label int, features float8[]) PARTITION BY LIST (label);
SELECT * FROM train_sgd('parted', 'label', 'features');
SELECT alive();
-- data
SELECT * FROM train_sgd('ragged', 'label', 'features');
SELECT * FROM train_sgd('nans', 'label', 'features');
SELECT * FROM train_sgd('infs', 'label', 'features');
SELECT * FROM train_sgd('empty', 'label', 'features');
SELECT * FROM train_sgd('only_nulls', 'label', 'features');
SELECT * FROM train_sgd('null_elems', 'label', 'features');
SELECT * FROM train_sgd('multi', 'label', 'features');
SELECT * FROM train_sgd('good', 'label', 'features, id');
SELECT * FROM train_sgd('good', 'label', ' , ');
SELECT * FROM train_sgd('labels3', 'label', 'features', model => 'logistic');
SELECT * FROM train_sgd('labels3', 'label', 'features', model => 'softmax', options => '{"classes": 2}');
SELECT alive();
-- arguments
SELECT * FROM train_sgd('good', 'label', 'features', model => 'forest');
SELECT * FROM train_sgd('good', 'label', 'features', shuffle => 'sometimes');
SELECT * FROM train_sgd('good', 'label', 'features', learning_rate => 0);
SELECT * FROM train_sgd('good', 'label', 'features', learning_rate => -1);
SELECT * FROM train_sgd('good', 'label', 'features', epochs => 0);
SELECT * FROM train_sgd('good', 'label', 'features', buffer_size => 0);
SELECT * FROM train_sgd('good', 'label', 'features', buffer_size => 0.5, block_size => 2);
SELECT * FROM train_sgd('good', 'label', 'features', block_size => 0);
SELECT * FROM train_sgd('good', 'label', 'features', batch_size => 0);
SELECT * FROM train_sgd('good', 'label', 'features', device => 'tpu');
SELECT * FROM train_sgd('good', 'label', 'features', model_name => '');
SELECT * FROM train_sgd('good', 'label', 'features', options => '{"epochs": "many"}');
SELECT * FROM train_sgd('good', 'label', 'features', options => '{"colour": "red"}');
SELECT * FROM train_sgd('good', 'label', 'features', options => '[1]');
SELECT alive();
-- privileges and row-level security
SET ROLE corgipile_regress_user;
SELECT * FROM train_sgd('secret', 'label', 'features');
SELECT * FROM train_sgd('guarded', 'label', 'features');
RESET ROLE;
SELECT alive();
-- model names, prediction
SELECT epoch, tuples FROM train_sgd('good', 'label', 'features', epochs => 2, seed => 1, model_name => 'm1');
SELECT epoch, tuples FROM train_sgd('good', 'label', 'features', epochs => 1, seed => 1, model_name => 'm1');
SELECT epoch, tuples FROM train_sgd('good', 'label', 'features', epochs => 1, seed => 1, model_name => 'm1',
                                    options => '{"overwrite": true}');
SELECT name, model_type, dimension, version, jsonb_array_length(epoch_log) FROM corgipile.models;
SELECT sgd_predict('m1', '{0.5,1}') IN (0, 1) AS predicted;
SELECT sgd_predict('m1', '{0.5,1,2}');
SELECT sgd_predict('m1', '{}');
SELECT sgd_predict('m1', '{NaN,1}');
SELECT sgd_predict('nope', '{0.5,1}');
SELECT sgd_predict_proba('nope', '{0.5,1}');
SELECT * FROM sgd_evaluate('nope', 'good', 'label', 'features');
SELECT * FROM sgd_evaluate('m1', 'ragged', 'label', 'features');
SELECT alive();
DROP OWNED BY corgipile_regress_user;
DROP ROLE corgipile_regress_user;
