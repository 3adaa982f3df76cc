-- The catalog's one writer (corgipile.store_model) and kept model versions (sgd_model_versions,
-- sgd_restore_model, sgd_drop_model_versions); feature names stored with a model. One line per case; the SQLSTATE follows each failure.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP ROLE IF EXISTS corgipile_regress_vera;
DROP ROLE IF EXISTS corgipile_regress_walt;
CREATE ROLE corgipile_regress_vera;
CREATE ROLE corgipile_regress_walt;
CREATE SCHEMA regress_versions;
SET search_path = regress_versions, public;
GRANT USAGE ON SCHEMA regress_versions TO corgipile_regress_vera, corgipile_regress_walt;
GRANT CREATE ON SCHEMA regress_versions TO corgipile_regress_vera;
CREATE TABLE vera_data AS SELECT i % 2 AS label, ARRAY[(i % 2) + (i % 7) / 10.0, 1 - (i % 5) / 10.0] AS features
    FROM generate_series(1, 200) i;
ALTER TABLE vera_data OWNER TO corgipile_regress_vera;
-- the history is dumped by pg_dump with the catalog
SELECT array_agg(c::regclass::text ORDER BY c::regclass::text) FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'corgipile';

-- three trainings of one name: versions 1, 2, 3; the overwrites kept 1 and 2
SET ROLE corgipile_regress_vera;
SELECT count(*) AS epochs FROM train_sgd('vera_data', 'label', 'features', epochs => 1, seed => 1, model_name => 'vera_lr');
CREATE TABLE probe AS SELECT 1 AS version, sgd_predict_proba('vera_lr', '{1, 0.5}') AS p;
SELECT count(*) AS epochs FROM train_sgd('vera_data', 'label', 'features', epochs => 2, seed => 2, model_name => 'vera_lr', options => '{"overwrite": true}');
INSERT INTO probe SELECT 2, sgd_predict_proba('vera_lr', '{1, 0.5}');
SELECT count(*) AS epochs FROM train_sgd('vera_data', 'label', 'features', epochs => 3, seed => 3, model_name => 'vera_lr', options => '{"overwrite": true}');
INSERT INTO probe SELECT 3, sgd_predict_proba('vera_lr', '{1, 0.5}');
SELECT count(DISTINCT p) AS different_models FROM probe;
SELECT version, current, model_type, dimension, trained_in, source_relation, loss > 0 AS loss, created_at <= now() AS created
FROM sgd_model_versions('vera_lr');
SELECT name, version, jsonb_array_length(epoch_log) AS epochs FROM corgipile.model_versions ORDER BY version;
-- restoring version 1 makes it current as version 4: the same parameters predict the same
SELECT sgd_restore_model('vera_lr', 1);
SELECT sgd_predict_proba('vera_lr', '{1, 0.5}') = (SELECT p FROM probe WHERE version = 1) AS same_as_version_1;
SELECT version, jsonb_array_length(epoch_log) AS epochs FROM corgipile.models WHERE name = 'vera_lr';
SELECT array_agg(version ORDER BY version DESC) AS versions FROM sgd_model_versions('vera_lr');
-- the current version restores to itself (nothing changes); bad input
SELECT sgd_restore_model('vera_lr', 4);
SELECT sgd_restore_model('vera_lr', 7); \echo SQLSTATE :SQLSTATE
SELECT sgd_restore_model('vera_lr', NULL); \echo SQLSTATE :SQLSTATE
SELECT sgd_restore_model(NULL, 1); \echo SQLSTATE :SQLSTATE
SELECT sgd_restore_model('no_such_model', 1); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_model_versions('no_such_model'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_model_versions(NULL); \echo SQLSTATE :SQLSTATE

-- another role sees neither the model nor its history, and restores nothing
SET ROLE corgipile_regress_walt;
SELECT count(*) AS visible_versions FROM corgipile.model_versions;
SELECT * FROM sgd_model_versions('vera_lr'); \echo SQLSTATE :SQLSTATE
SELECT sgd_restore_model('vera_lr', 1); \echo SQLSTATE :SQLSTATE
INSERT INTO corgipile.model_versions (id, name, model_type, dimension, parameters, spec, corgipile_version, version, owner) VALUES (0, 'vera_lr', 'linear', 2, '{9, 9, 9}', '{}', 'x', 9, 'corgipile_regress_vera'); \echo SQLSTATE :SQLSTATE
UPDATE corgipile.model_versions SET parameters = '{9, 9, 9}'; \echo SQLSTATE :SQLSTATE
-- a reader the owner granted the model to lists its versions, and restores nothing
SET ROLE corgipile_regress_vera;
SELECT sgd_grant_model('vera_lr', 'corgipile_regress_walt');
SET ROLE corgipile_regress_walt;
SELECT count(*) AS versions FROM sgd_model_versions('vera_lr');
SELECT sgd_restore_model('vera_lr', 2); \echo SQLSTATE :SQLSTATE
DELETE FROM corgipile.model_versions; \echo SQLSTATE :SQLSTATE
SELECT sgd_drop_model_versions('vera_lr'); \echo SQLSTATE :SQLSTATE
SELECT count(*) AS versions FROM sgd_model_versions('vera_lr');

-- the owner drops the kept versions but the newest `keep` (current 4, kept 3, 2, 1); the current version stays
SET ROLE corgipile_regress_vera;
SELECT sgd_drop_model_versions('vera_lr', 2) AS dropped;
SELECT array_agg(version ORDER BY version DESC) AS versions FROM sgd_model_versions('vera_lr');
SELECT sgd_drop_model_versions('vera_lr', 5) AS dropped;
SELECT sgd_drop_model_versions('vera_lr') AS dropped;
SELECT array_agg(version ORDER BY version DESC) AS versions FROM sgd_model_versions('vera_lr');
SELECT sgd_predict_proba('vera_lr', '{1, 0.5}') = (SELECT p FROM probe WHERE version = 1) AS same_as_version_1;
SELECT sgd_restore_model('vera_lr', 2); \echo SQLSTATE :SQLSTATE
SELECT sgd_drop_model_versions('vera_lr', -1); \echo SQLSTATE :SQLSTATE
SELECT sgd_drop_model_versions('vera_lr', NULL); \echo SQLSTATE :SQLSTATE
SELECT sgd_drop_model_versions(NULL); \echo SQLSTATE :SQLSTATE
SELECT sgd_drop_model_versions('no_such_model'); \echo SQLSTATE :SQLSTATE
-- an overwrite after the drop keeps the replaced version again
SELECT count(*) AS epochs FROM train_sgd('vera_data', 'label', 'features', epochs => 1, seed => 5, model_name => 'vera_lr', options => '{"overwrite": true}');
SELECT array_agg(version ORDER BY version DESC) AS versions FROM sgd_model_versions('vera_lr');
-- the model's owner now, not the role a kept version was trained by, drops it
RESET ROLE;
UPDATE corgipile.models SET owner = 'corgipile_regress_walt' WHERE name = 'vera_lr';
SET ROLE corgipile_regress_vera;
SELECT sgd_drop_model_versions('vera_lr'); \echo SQLSTATE :SQLSTATE
SET ROLE corgipile_regress_walt;
SELECT sgd_drop_model_versions('vera_lr') AS dropped;
RESET ROLE;
UPDATE corgipile.models SET owner = 'corgipile_regress_vera' WHERE name = 'vera_lr';

-- corgipile.store_model: the one writer, for train_sgd and the client; bad input
SET ROLE corgipile_regress_vera;
SELECT corgipile.store_model('vera_hand', false, '{"model_type": "linear", "dimension": 2, "parameters": [1, 2, 0.5], "spec": {}, "corgipile_version": "test", "trained_in": "client", "features_column": "x1, x2"}') AS version;
SELECT name, owner, version, trained_in, feature_names, epoch_log, metrics, params FROM corgipile.models WHERE name = 'vera_hand';
SELECT corgipile.sql_predict('vera_hand', '{1, 1}') AS prediction;
SELECT corgipile.store_model('vera_hand', false, '{"model_type": "linear", "dimension": 2, "parameters": [1, 2, 0.5], "spec": {}, "corgipile_version": "test"}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model('vera_hand', true, '{"model_type": "linear", "dimension": 2, "parameters": [3, 4, 0.5], "spec": {}, "corgipile_version": "test", "owner": "corgipile_regress_walt", "version": 40}') AS version;
SELECT owner, version FROM corgipile.models WHERE name = 'vera_hand';
SELECT corgipile.store_model('vera_hand', true, '[1, 2]'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model('vera_hand', true, '{"model_type": "linear"}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model('vera_hand', true, '{"model_type": "tree", "dimension": 2, "parameters": [1], "spec": {}, "corgipile_version": "x"}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model('vera_hand', true, '{"model_type": "linear", "dimension": 2, "parameters": ["a"], "spec": {}, "corgipile_version": "x"}'); \echo SQLSTATE :SQLSTATE
-- parameters that do not fit the type and dimension are refused when stored (they were stored, and sgd_predict failed
-- later, or the plain-SQL predictions read a prefix of them and answered)
SELECT corgipile.store_model('vera_bad', false, '{"model_type": "linear", "dimension": 3, "parameters": [1, 2], "spec": {}, "corgipile_version": "x"}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model('vera_bad', false, '{"model_type": "logistic", "dimension": 2, "parameters": [1, 2, 3, 4, 5], "spec": {}, "corgipile_version": "x"}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model('vera_bad', false, '{"model_type": "softmax", "dimension": 2, "parameters": [1, 2, 3, 4, 5, 6], "spec": {}, "corgipile_version": "x"}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model('vera_bad', false, '{"model_type": "softmax", "dimension": 2, "parameters": [1, 2, 3, 4, 5, 6], "params": {"classes": 3}, "spec": {}, "corgipile_version": "x"}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model('vera_bad', false, '{"model_type": "mlp", "dimension": 2, "parameters": [1, 2, 3], "params": {"classes": 2}, "spec": {}, "corgipile_version": "x"}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model('vera_bad', false, '{"model_type": "mlp", "dimension": 2, "parameters": [1, 2, 3], "params": {"classes": 2, "hidden": [1]}, "spec": {}, "corgipile_version": "x"}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model('vera_bad', false, '{"model_type": "linear", "dimension": 2, "parameters": [1, 2, 0.5], "feature_mean": [0, 0], "spec": {}, "corgipile_version": "x"}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model('vera_bad', false, '{"model_type": "linear", "dimension": 2, "parameters": [1, 2, 0.5], "feature_mean": [0], "feature_std": [1], "spec": {}, "corgipile_version": "x"}'); \echo SQLSTATE :SQLSTATE
SELECT count(*) AS stored FROM corgipile.models WHERE name = 'vera_bad';
SELECT corgipile.store_model('', false, '{}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model(repeat('m', 201), false, '{}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model(NULL, false, '{}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.store_model('vera_hand', NULL, '{}'); \echo SQLSTATE :SQLSTATE
SET ROLE corgipile_regress_walt;
SELECT corgipile.store_model('vera_lr', true, '{"model_type": "linear", "dimension": 2, "parameters": [1, 2, 0.5], "spec": {}, "corgipile_version": "x"}'); \echo SQLSTATE :SQLSTATE
BEGIN READ ONLY;
SELECT corgipile.store_model('walt_ro', false, '{"model_type": "linear", "dimension": 2, "parameters": [1, 2, 0.5], "spec": {}, "corgipile_version": "x"}'); \echo SQLSTATE :SQLSTATE
ROLLBACK;

-- feature names: a column list, and the names `dataset import` keeps in the features column's comment
SET ROLE corgipile_regress_vera;
COMMENT ON COLUMN vera_data.features IS '{"feature_names": ["height", "weight"]}';
SELECT count(*) AS epochs FROM train_sgd('vera_data', 'label', 'features', epochs => 1, seed => 1, model_name => 'vera_named');
SELECT feature_names FROM corgipile.models WHERE name = 'vera_named';
SELECT feature_index, feature FROM sgd_weights('vera_named');
-- names that do not match the features, or a comment that is not JSON, are not names
COMMENT ON COLUMN vera_data.features IS '{"feature_names": ["height"]}';
SELECT count(*) AS epochs FROM train_sgd('vera_data', 'label', 'features', epochs => 1, seed => 1, model_name => 'vera_named', options => '{"overwrite": true}');
SELECT feature_names FROM corgipile.models WHERE name = 'vera_named';
SELECT feature FROM sgd_weights('vera_named');
COMMENT ON COLUMN vera_data.features IS 'two measurements';
SELECT count(*) AS epochs FROM train_sgd('vera_data', 'label', 'features', epochs => 1, seed => 1, model_name => 'vera_named', options => '{"overwrite": true}');
SELECT feature_names FROM corgipile.models WHERE name = 'vera_named';
-- the names stay with the model when the table changes: version 1 restored
SELECT sgd_restore_model('vera_named', 1);
COMMENT ON COLUMN vera_data.features IS NULL;
SELECT feature FROM sgd_weights('vera_named');

-- dropping a model drops its history
SELECT sgd_drop_model('vera_lr');
SELECT count(*) AS kept FROM corgipile.model_versions WHERE name = 'vera_lr';
SELECT count(*) AS epochs FROM train_sgd('vera_data', 'label', 'features', epochs => 1, seed => 1, model_name => 'vera_lr');
SELECT version, current FROM sgd_model_versions('vera_lr');
RESET ROLE;
DELETE FROM corgipile.models WHERE owner = 'corgipile_regress_vera';
SELECT count(*) AS kept FROM corgipile.model_versions WHERE owner = 'corgipile_regress_vera';
DROP SCHEMA regress_versions CASCADE;
DROP ROLE corgipile_regress_vera;
DROP ROLE corgipile_regress_walt;
