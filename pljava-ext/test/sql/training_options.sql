-- Warm start (options => '{"warm_start": "model"}') and class weights (options => '{"class_weights": [1, 10]}').
-- One line per case; the SQLSTATE follows each failure.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SELECT setseed(0.25);
CREATE TABLE opts AS SELECT i AS id, (i % 2) AS label, (i % 3) AS label3,
                            ARRAY[random() + (i % 2), random() + (i % 3)] AS features
    FROM generate_series(1, 600) i;
-- positives are one row in ten
CREATE TABLE rare AS SELECT * FROM opts WHERE label = 0 OR id % 10 = 1;
CREATE TABLE opts3 AS SELECT label, features || 1.0::float8 AS features FROM opts;

-- warm start: a rate too small to move continues from the stored parameters (from scratch they would be ~0)
SELECT count(*) FROM train_sgd('opts', 'label', 'features', epochs => 2, seed => 1, model_name => 'ws_base');
SELECT count(*) FROM train_sgd('opts', 'label', 'features', epochs => 1, seed => 2, learning_rate => 1e-9,
                               model_name => 'ws_next', options => '{"warm_start": "ws_base", "average": false}');
SELECT max(abs(u.pa - u.pb)) < 1e-6 AS continued, max(abs(u.pb)) > 0.1 AS not_from_scratch
FROM corgipile.models ma, corgipile.models mb, unnest(ma.parameters, mb.parameters) AS u(pa, pb)
WHERE ma.name = 'ws_base' AND mb.name = 'ws_next';
SELECT spec->>'warm_start' AS warm_start, feature_mean = (SELECT feature_mean FROM corgipile.models WHERE name = 'ws_base') AS same_standardisation
FROM corgipile.models WHERE name = 'ws_next';
-- a model continues itself and replaces itself (the version it continued is kept)
SELECT count(*) FROM train_sgd('opts', 'label', 'features', epochs => 1, seed => 3, model_name => 'ws_base',
                               options => '{"warm_start": "ws_base", "overwrite": true}');
SELECT version, current FROM sgd_model_versions('ws_base');
-- what does not fit
SELECT * FROM train_sgd('opts', 'label', 'features', options => '{"warm_start": "no_such_model"}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('opts', 'label', 'features', model => 'svm', options => '{"warm_start": "ws_base"}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('opts3', 'label', 'features', options => '{"warm_start": "ws_base"}'); \echo SQLSTATE :SQLSTATE
SELECT count(*) FROM train_sgd('opts', 'label3', 'features', model => 'softmax', epochs => 1, seed => 1, model_name => 'ws_soft');
SELECT * FROM train_sgd('opts', 'label3', 'features', model => 'softmax', options => '{"warm_start": "ws_soft", "classes": 4}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('opts', 'label', 'features', options => '{"warm_start": ""}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('opts', 'label', 'features', options => '{"warm_start": 7}'); \echo SQLSTATE :SQLSTATE
-- another role's model does not exist for the caller
DROP ROLE IF EXISTS corgipile_regress_opts;
CREATE ROLE corgipile_regress_opts;
GRANT SELECT ON opts TO corgipile_regress_opts;
SET ROLE corgipile_regress_opts;
SELECT * FROM train_sgd('opts', 'label', 'features', options => '{"warm_start": "ws_base"}'); \echo SQLSTATE :SQLSTATE
RESET ROLE;
REVOKE SELECT ON opts FROM corgipile_regress_opts;
DROP ROLE corgipile_regress_opts;

-- class weights: weighing the rare positives predicts more of them; recorded in the spec
SELECT count(*) FROM train_sgd('rare', 'label', 'features', epochs => 3, seed => 1, model_name => 'cw_plain');
SELECT count(*) FROM train_sgd('rare', 'label', 'features', epochs => 3, seed => 1, model_name => 'cw_weighted',
                               options => '{"class_weights": [1, 10]}');
SELECT (SELECT count(*) FROM opts WHERE sgd_predict('cw_weighted', features) = 1)
       > (SELECT count(*) FROM opts WHERE sgd_predict('cw_plain', features) = 1) + 30 AS more_positives,
       (SELECT spec->'class_weights' FROM corgipile.models WHERE name = 'cw_weighted') AS recorded,
       (SELECT spec->'class_weights' FROM corgipile.models WHERE name = 'cw_plain') AS plain;
SELECT count(*) FROM train_sgd('opts', 'label3', 'features', model => 'softmax', epochs => 1, seed => 1,
                               options => '{"class_weights": [1, 1, 5]}');
-- bad weights
SELECT * FROM train_sgd('opts', 'label', 'features', options => '{"class_weights": [1]}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('opts', 'label', 'features', options => '{"class_weights": [1, 0]}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('opts', 'label', 'features', options => '{"class_weights": [1, "x"]}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('opts', 'label', 'features', options => '{"class_weights": 3}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('opts', 'label', 'features', options => '{"class_weights": [1, 2, 3]}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('opts', 'label3', 'features', model => 'softmax', options => '{"class_weights": [1, 2]}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('opts', 'label', 'features', model => 'linear', options => '{"class_weights": [1, 2]}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('opts', 'label', 'features', device => 'gpu', options => '{"class_weights": [1, 2]}'); \echo SQLSTATE :SQLSTATE
