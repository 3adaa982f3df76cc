-- Sharded training with one server's defaults (issue 15 follow-up): train_sgd over foreign partitions standardises
-- dense features with the whole table's statistics, averages iterates, infers softmax/mlp classes and stops early,
-- like train_sgd on one server.
--
-- corgipile.train_sharded runs the rounds the coordinator's Java plans (state->'rounds'): before epoch 1 a
-- "profile" round (corgipile.train_epoch with epoch -1: each server's feature mean and sum of squared deviations and
-- its label range, combined on the coordinator weighted by rows), then each epoch "train" (and "evaluate" with
-- train_metrics pass); and it ends the epochs when early stopping says so (state->'stop').
--
-- Only those two places change, so train_sharded is rewritten from its own definition (pg_get_functiondef, as V6
-- did for train_sgd) instead of being repeated here; a definition that no longer has them fails the migration.
DO $migration$
DECLARE
    def  text;
    edit text;
BEGIN
    def := pg_get_functiondef('corgipile.train_sharded(jsonb, jsonb)'::regprocedure);
    edit := replace(def, $$CASE kind WHEN 'train' THEN ep ELSE 0 END$$,
                    $$CASE kind WHEN 'train' THEN ep WHEN 'profile' THEN -1 ELSE 0 END$$);
    IF edit = def THEN
        RAISE EXCEPTION 'V9: corgipile.train_sharded has no round epoch to patch';
    END IF;
    def := edit;
    edit := replace(def, $$FOREACH kind IN ARRAY rounds LOOP$$,
                    $$EXIT WHEN coalesce((state->>'stop')::boolean, false);
            FOREACH kind IN ARRAY ARRAY(SELECT r.k FROM jsonb_array_elements_text(state->'rounds')
                                        WITH ORDINALITY AS r(k, n) ORDER BY r.n) LOOP$$);
    IF edit = def THEN
        RAISE EXCEPTION 'V9: corgipile.train_sharded has no round loop to patch';
    END IF;
    EXECUTE edit;
END
$migration$;

COMMENT ON FUNCTION corgipile.train_epoch(text[], text, text, jsonb, jsonb, integer, integer, integer)
    IS 'One round of sharded training on this server: one CorgiPile epoch from the model sent (epoch >= 1), its metrics (epoch 0) or its data profile (epoch -1)';
