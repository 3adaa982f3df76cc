-- One shuffle_once (issue 16): the extension copied the table ORDER BY random() (seeded through setseed, or not at
-- all without a seed), the client shuffled in memory, the benchmark rewrote the table its own way. Now all three
-- call corgipile.shuffle_once_copy: the rows in the order of a hash of their position (tableoid, ctid) keyed by the
-- seed, so one seed gives one data order in server mode, in client mode and in the benchmark. The seed is the
-- run's (drawn and recorded by the engine when not given), so the recorded seed reproduces the run.

-- The label and feature columns of relation, copied in shuffle_once's order into a new table: a temporary table of
-- this session (target NULL; the caller drops it) or the permanent table target (the benchmark). The order is a
-- function of the rows' positions and the seed only, not of the session.
CREATE FUNCTION corgipile.shuffle_once_copy(relation regclass, label text, features text, seed bigint,
                                            target text DEFAULT NULL)
RETURNS regclass
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    columns   text;
    copy_name text := coalesce(target, 'corgipile_shuffle_once_' || pg_backend_pid() || '_' || txid_current());
BEGIN
    IF relation IS NULL OR label IS NULL OR features IS NULL OR seed IS NULL THEN
        RAISE EXCEPTION 'relation, label, features and seed must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT string_agg(quote_ident(btrim(c)), ', ') INTO columns FROM unnest(string_to_array(features, ',')) AS c;
    EXECUTE format('CREATE %s TABLE %I AS SELECT %I, %s FROM %s '
                   'ORDER BY hashtextextended(tableoid::text || ctid::text, %s), tableoid, ctid',
                   CASE WHEN target IS NULL THEN 'TEMPORARY' ELSE '' END, copy_name, label, columns, relation, seed);
    RETURN (CASE WHEN target IS NULL THEN 'pg_temp.' ELSE '' END || quote_ident(copy_name))::regclass;
END
$fn$;
COMMENT ON FUNCTION corgipile.shuffle_once_copy(regclass, text, text, bigint, text)
    IS 'internal: shuffle_once''s copy (label and feature columns in the order of the seed), in every mode';

-- corgipile.train of V7 with the copy above.
CREATE OR REPLACE FUNCTION corgipile.train(relation regclass, label text, features text, model_name text,
                                validation_relation regclass, arguments jsonb, options jsonb)
RETURNS SETOF corgipile.epoch_result
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    plan          jsonb;
    result        jsonb;
    old_version   integer;
    model_owner   name;
    model_readers name[];
    source        regclass := relation;
    shuffled      regclass;
    started       timestamptz;
    prep          double precision := 0;
    leaves        jsonb;
    vleaves       jsonb;
BEGIN
    PERFORM corgipile.require_extension('train_sgd');
    IF relation IS NULL OR label IS NULL OR features IS NULL THEN
        RAISE EXCEPTION 'relation, label and features must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF options IS NULL OR jsonb_typeof(options) <> 'object' THEN
        RAISE EXCEPTION 'options must be a JSON object, got %', coalesce(options::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'For example options => ''{"l1": 0.001}''.';
    END IF;
    -- {spec (named arguments, options over them; as given), dimension, overwrite, shuffle}, or 22023
    plan := corgipile._invoke('train_arguments', jsonb_build_object(
        'arguments', arguments, 'options', options, 'model_name', model_name));
    leaves := corgipile.relation_leaves(relation, label, features);
    vleaves := corgipile.local_leaves(corgipile.relation_leaves(validation_relation, label, features),
                                      validation_relation);
    IF model_name IS NOT NULL THEN
        -- Claim the name now (lock, exists?, owner?), not after training: see corgipile.claim_model_name.
        SELECT w.owner, w.readers INTO model_owner, model_readers
        FROM corgipile.model_write_owner(model_name, (plan->>'overwrite')::boolean) w;
    END IF;

    -- shuffle_once (Bismarck; MADlib after a manual shuffle): one copy in the order of the seed
    -- (corgipile.shuffle_once_copy), then read in storage order; the copy time is added to the first epoch.
    -- (on foreign partitions each server shuffles its share once in memory instead: rows stay on their servers)
    IF plan->>'shuffle' = 'shuffle_once' AND jsonb_array_length(coalesce(leaves->'foreign', '[]')) = 0 THEN
        IF leaves IS NULL THEN
            PERFORM corgipile._check_relation(relation, label, features);
        ELSE
            PERFORM corgipile._check_relation(l::bigint::oid::regclass, label, features)
            FROM jsonb_array_elements_text(corgipile.local_leaves(leaves, relation)) AS l;
            leaves := NULL;
        END IF;
        started := clock_timestamp();
        shuffled := corgipile.shuffle_once_copy(relation, label, features, (plan->'spec'->>'seed')::bigint);
        source := shuffled;
        prep := extract(epoch FROM clock_timestamp() - started);
    END IF;

    result := corgipile.train_relation(jsonb_build_object(
        'relation', source::oid::bigint, 'relation_name', relation::text, 'label', label, 'features', features,
        'spec', plan->'spec', 'dimension', plan->'dimension',
        'validation', validation_relation::oid::bigint, 'prep_seconds', prep,
        'validations', vleaves, 'validation_name', validation_relation::text), leaves);

    IF shuffled IS NOT NULL THEN
        EXECUTE format('DROP TABLE %s', shuffled);
    END IF;

    IF model_name IS NOT NULL THEN
        DELETE FROM corgipile.models m WHERE m.name = model_name RETURNING m.version INTO old_version;
        BEGIN
            INSERT INTO corgipile.models (name, model_type, dimension, parameters, feature_mean, feature_std,
                                          params, spec, seed, source_relation, label_column, features_column,
                                          epoch_log, metrics, trained_in, version, corgipile_version, owner,
                                          readers)
            VALUES (model_name, result->'model'->>'type', (result->'model'->>'dimension')::integer,
                    corgipile.jsonb_to_float8_array(result->'model'->'parameters'),
                    corgipile.jsonb_to_float8_array(result->'model'->'mean'),
                    corgipile.jsonb_to_float8_array(result->'model'->'std'),
                    result->'model'->'params', result->'spec', (result->'spec'->>'seed')::bigint, relation::text,
                    label, features, result->'epochs', result->'metrics', 'server', coalesce(old_version, 0) + 1,
                    result->>'corgipile_version', model_owner, model_readers);
        EXCEPTION WHEN unique_violation THEN
            -- Only under REPEATABLE READ or SERIALIZABLE: the claim's snapshot predates a concurrent training's
            -- commit of the same name.
            RAISE EXCEPTION 'model "%" already exists', model_name
                USING ERRCODE = 'duplicate_object',
                      HINT = 'Another transaction stored a model of this name while this one trained.';
        END;
    END IF;

    RETURN QUERY
    SELECT (e->>'epoch')::integer, (e->>'loss')::double precision, (e->>'accuracy')::double precision,
           (e->>'validation_loss')::double precision, (e->>'validation_accuracy')::double precision,
           (e->>'learning_rate')::double precision, (e->>'seconds')::double precision, (e->>'tuples')::bigint,
           e->>'device'
    FROM jsonb_array_elements(result->'epochs') AS e;
END
$fn$;
COMMENT ON FUNCTION corgipile.train(regclass, text, text, text, regclass, jsonb, jsonb)
    IS 'internal: train_sgd''s steps (the engine resolves the arguments; SQL claims, copies, trains, stores)';
