-- The models catalog: owners, row-level security, grants, model names claimed before training, read-only
-- transactions, pg_dump marking. One line per case; the SQLSTATE follows each statement that fails.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP ROLE IF EXISTS corgipile_regress_alice;
DROP ROLE IF EXISTS corgipile_regress_bob;
CREATE ROLE corgipile_regress_alice;
CREATE ROLE corgipile_regress_bob;
CREATE SCHEMA regress_catalog;
SET search_path = regress_catalog, public;
GRANT USAGE ON SCHEMA regress_catalog TO corgipile_regress_alice, corgipile_regress_bob;
CREATE TABLE alice_data AS SELECT i % 2 AS label, ARRAY[(i % 2) + (i % 7) / 10.0, 1 - (i % 5) / 10.0] AS features
    FROM generate_series(1, 200) i;
ALTER TABLE alice_data OWNER TO corgipile_regress_alice;
-- the catalog and its sequence are dumped by pg_dump
SELECT array_agg(c::regclass::text ORDER BY c::regclass::text) FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'corgipile';
SELECT relrowsecurity FROM pg_class WHERE oid = 'corgipile.models'::regclass;
-- the owner trains: the row records its owner
SET ROLE corgipile_regress_alice;
SELECT count(*) AS epochs FROM train_sgd('alice_data', 'label', 'features', epochs => 1, seed => 1, model_name => 'alice_lr');
SELECT name, owner, readers, version FROM corgipile.models;
SELECT sgd_predict('alice_lr', '{1, 0.5}') AS alice_predicts;
-- another role sees nothing, and cannot change, replace, forge or grant the model
SET ROLE corgipile_regress_bob;
SELECT count(*) AS visible FROM corgipile.models;
SELECT sgd_predict('alice_lr', '{1, 0.5}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict_proba('alice_lr', '{1, 0.5}'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.sql_predict('alice_lr', '{1, 0.5}'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_evaluate('alice_lr', 'alice_data', 'label', 'features'); \echo SQLSTATE :SQLSTATE
DELETE FROM corgipile.models WHERE name = 'alice_lr';
UPDATE corgipile.models SET parameters = '{9, 9, 9}' WHERE name = 'alice_lr';
INSERT INTO corgipile.models (name, model_type, dimension, parameters, spec, corgipile_version, owner) VALUES ('forged', 'linear', 2, '{1, 1, 1}', '{}', 'x', 'corgipile_regress_alice'); \echo SQLSTATE :SQLSTATE
INSERT INTO corgipile.models (name, model_type, dimension, parameters, spec, corgipile_version) VALUES ('alice_lr', 'linear', 2, '{9, 9, 9}', '{}', 'x'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('alice_data', 'label', 'features', model_name => 'alice_lr'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('alice_data', 'label', 'features', model_name => 'alice_lr', options => '{"overwrite": true}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_grant_model('alice_lr', 'corgipile_regress_bob'); \echo SQLSTATE :SQLSTATE
SELECT sgd_revoke_model('alice_lr', 'corgipile_regress_bob'); \echo SQLSTATE :SQLSTATE
-- the owner's model is unchanged
SET ROLE corgipile_regress_alice;
SELECT sgd_predict('alice_lr', '{1, 0.5}') AS alice_predicts, version FROM corgipile.models;
-- grants: a grantee reads and predicts, but does not replace, delete or grant
SELECT sgd_grant_model('alice_lr', 'corgipile_regress_bob');
SELECT sgd_grant_model('alice_lr', 'corgipile_regress_bob');
SELECT sgd_grant_model('alice_lr', 'corgipile_no_such_role'); \echo SQLSTATE :SQLSTATE
SELECT sgd_grant_model('no_such_model', 'corgipile_regress_bob'); \echo SQLSTATE :SQLSTATE
SELECT sgd_grant_model('alice_lr', NULL); \echo SQLSTATE :SQLSTATE
SELECT readers FROM corgipile.models WHERE name = 'alice_lr';
SET ROLE corgipile_regress_bob;
SELECT name, owner FROM corgipile.models;
SELECT sgd_predict('alice_lr', '{1, 0.5}') AS bob_predicts;
DELETE FROM corgipile.models WHERE name = 'alice_lr';
SELECT sgd_grant_model('alice_lr', 'public'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('alice_data', 'label', 'features', model_name => 'alice_lr', options => '{"overwrite": true}'); \echo SQLSTATE :SQLSTATE
-- revoke; public grants
SET ROLE corgipile_regress_alice;
SELECT sgd_revoke_model('alice_lr', 'corgipile_regress_bob');
-- again, a grant that is not there: nothing to do and nothing said, as REVOKE of a privilege never granted
SELECT sgd_revoke_model('alice_lr', 'corgipile_regress_bob') AS revoked_again;
SELECT sgd_grant_model('alice_lr', 'PUBLIC');
SELECT readers FROM corgipile.models WHERE name = 'alice_lr';
SET ROLE corgipile_regress_bob;
SELECT count(*) AS visible_to_public FROM corgipile.models;
SET ROLE corgipile_regress_alice;
SELECT sgd_revoke_model('alice_lr', 'public');
SET ROLE corgipile_regress_bob;
SELECT count(*) AS visible FROM corgipile.models;
-- the owner replaces its model: version + 1, owner and grants kept
SET ROLE corgipile_regress_alice;
SELECT sgd_grant_model('alice_lr', 'corgipile_regress_bob');
SELECT count(*) AS epochs FROM train_sgd('alice_data', 'label', 'features', epochs => 1, seed => 2, model_name => 'alice_lr', options => '{"overwrite": true}');
SELECT name, owner, readers, version FROM corgipile.models;
-- a read-only transaction with model_name fails before training; without model_name it trains
BEGIN READ ONLY;
SELECT * FROM train_sgd('alice_data', 'label', 'features', model_name => 'read_only'); \echo SQLSTATE :SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT count(*) AS epochs FROM train_sgd('alice_data', 'label', 'features', epochs => 1);
ROLLBACK;
-- a superuser acts for every owner
RESET ROLE;
SELECT count(*) AS epochs FROM train_sgd('alice_data', 'label', 'features', epochs => 1, seed => 3, model_name => 'alice_lr', options => '{"overwrite": true}');
SELECT name, owner, readers, version FROM corgipile.models WHERE name = 'alice_lr';
DELETE FROM corgipile.models WHERE owner = 'corgipile_regress_alice';
DROP SCHEMA regress_catalog CASCADE;
DROP ROLE corgipile_regress_alice;
DROP ROLE corgipile_regress_bob;
