-- corgipile introspection (issue 14): live training progress, training info, weights, feature statistics.
-- Pure SQL/PL/pgSQL: these work in a database with the extension and in one installed by Flyway alone.

-- ------------------------------------------------------------------------------------------- live progress

-- The JSON object a training backend publishes in its pg_stat_activity.query (org.corgipile.pg.LiveActivity):
-- 'corgipile train_sgd: epoch 3/10 on t (logistic, corgipile) {...}'. NULL for any other text, and for a text cut
-- short or not parseable (a monitoring view must not fail because of one backend).
CREATE FUNCTION corgipile.activity_json(query text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
BEGIN
    IF left(query, 19) <> 'corgipile train_sgd' OR strpos(query, '{') = 0 THEN
        RETURN NULL;
    END IF;
    RETURN substr(query, strpos(query, '{'))::jsonb;
EXCEPTION WHEN invalid_text_representation THEN
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION corgipile.activity_json(text)
    IS 'internal: the progress object of a training backend''s pg_stat_activity.query, or NULL';

-- One row per running train_sgd, in the spirit of pg_stat_progress_*: readable from any session (training runs
-- in its caller's transaction, so its progress travels through the backend's activity slot, not through a table).
-- pg_stat_activity's visibility applies: other roles' trainings are shown to superusers and pg_read_all_stats only.
CREATE VIEW corgipile.training_progress AS
SELECT a.pid,
       a.datname,
       a.usename,
       (p.j->>'relid')::oid                                       AS relid,
       coalesce(p.j->>'relation', (p.j->>'relid')::oid::regclass::text) AS relation,
       p.j->>'model_name'                                         AS model_name,
       p.j->>'model'                                              AS model,
       p.j->>'shuffle'                                            AS strategy,
       p.j->>'phase'                                              AS phase,
       (p.j->>'epoch')::integer                                   AS epoch,
       (p.j->>'epochs')::integer                                  AS epochs,
       (p.j->>'tuples')::bigint                                   AS tuples_done,
       nullif((p.j->>'total')::bigint, -1)                        AS tuples_total,
       (p.j->>'loss')::double precision                           AS loss,
       (p.j->>'lr')::double precision                             AS learning_rate,
       (p.j->'log'->-1->>1)::double precision                     AS last_epoch_loss,
       to_timestamp((p.j->>'started')::double precision / 1000)   AS started_at,
       clock_timestamp() - to_timestamp((p.j->>'started')::double precision / 1000)       AS elapsed,
       clock_timestamp() - to_timestamp((p.j->>'epoch_started')::double precision / 1000) AS epoch_elapsed
FROM pg_stat_activity a
CROSS JOIN LATERAL (SELECT corgipile.activity_json(a.query) AS j) p
WHERE p.j IS NOT NULL;
COMMENT ON VIEW corgipile.training_progress
    IS 'Running train_sgd calls: epoch, tuples done/total within the epoch, running loss, elapsed time';
GRANT SELECT ON corgipile.training_progress TO PUBLIC;

-- ------------------------------------------------------------------------------------------- training info

-- One row per epoch of a model (like BigQuery's ML.TRAINING_INFO): while a train_sgd with this model_name runs in
-- a session whose activity the caller may see, its finished epochs so far (running = true; the newest that fit in
-- the activity slot); otherwise the stored epoch log of corgipile.models.
CREATE FUNCTION sgd_training_info(model_name text)
RETURNS TABLE(epoch integer, loss double precision, accuracy double precision, validation_loss double precision,
              validation_accuracy double precision, learning_rate double precision, seconds double precision,
              tuples bigint, running boolean)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
#variable_conflict use_column
DECLARE
    live jsonb;
BEGIN
    IF model_name IS NULL THEN
        RAISE EXCEPTION 'model_name must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass the name of a trained model: SELECT name FROM corgipile.models.';
    END IF;
    SELECT corgipile.activity_json(a.query) INTO live
    FROM pg_stat_activity a
    WHERE corgipile.activity_json(a.query)->>'model_name' = sgd_training_info.model_name
    ORDER BY a.backend_start DESC LIMIT 1;
    IF live IS NOT NULL THEN
        RETURN QUERY
        SELECT (e->>0)::integer, (e->>1)::double precision, (e->>2)::double precision, (e->>3)::double precision,
               (e->>4)::double precision, (e->>5)::double precision, (e->>6)::double precision, (e->>7)::bigint,
               true
        FROM jsonb_array_elements(live->'log') AS e;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT (e->>'epoch')::integer, (e->>'loss')::double precision, (e->>'accuracy')::double precision,
           (e->>'validation_loss')::double precision, (e->>'validation_accuracy')::double precision,
           (e->>'learning_rate')::double precision, (e->>'seconds')::double precision, (e->>'tuples')::bigint,
           false
    FROM corgipile.models m, jsonb_array_elements(m.epoch_log) AS e
    WHERE m.id = corgipile.model_id(sgd_training_info.model_name)
    ORDER BY 1;
END
$fn$;
COMMENT ON FUNCTION sgd_training_info(text)
    IS 'One row per epoch of a model: loss, accuracy, validation metrics, learning rate, seconds (live while training)';
