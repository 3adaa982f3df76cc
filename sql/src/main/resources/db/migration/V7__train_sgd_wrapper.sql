-- train_sgd as a thin wrapper (issue 16): V2, V3 and V5 each repeated its whole PL/pgSQL body and V6 rewrote its
-- defaults by text replacement. From here on:
--   * train_sgd declares the signature and the defaults users see, once, and forwards every argument to
--     corgipile.train; it does nothing else, so no later migration needs to redefine it;
--   * the engine (Java, corgipile._invoke('train_arguments')) merges the named arguments with options, validates
--     them with the one options parser and checks the model name; a new option or a new default is a Java change;
--   * corgipile.train keeps only the steps that need SQL, in order: check the call, ask the engine, find the leaf
--     partitions, claim the model name, the shuffle_once copy, train (corgipile.train_relation), store the row,
--     return the epochs. A later change to one step (the catalog write, the sharded path) replaces that step.

-- ------------------------------------------------------------------------------------- in-database training

-- train_sgd's steps (see above). Arguments: the call's, with the named hyper-parameters as one JSON object
-- (NULL: not given).
CREATE FUNCTION corgipile.train(relation regclass, label text, features text, model_name text,
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
    tmp_name      text;
    columns       text;
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

    -- shuffle_once (Bismarck; MADlib after a manual shuffle): copy the data once in random order into a temporary
    -- table, then read that in storage order. The copy time is added to the first epoch.
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
        IF plan->'spec' ? 'seed' AND jsonb_typeof(plan->'spec'->'seed') <> 'null' THEN
            PERFORM setseed(((plan->'spec'->>'seed')::bigint % 2147483647) / 2147483647.0);
        END IF;
        SELECT string_agg(quote_ident(btrim(c)), ', ') INTO columns
        FROM unnest(string_to_array(features, ',')) AS c;
        tmp_name := 'corgipile_shuffle_once_' || pg_backend_pid() || '_' || txid_current();
        EXECUTE format('CREATE TEMPORARY TABLE %I AS SELECT %I, %s FROM %s ORDER BY random()',
                       tmp_name, label, columns, relation);
        source := ('pg_temp.' || quote_ident(tmp_name))::regclass;
        prep := extract(epoch FROM clock_timestamp() - started);
    END IF;

    result := corgipile.train_relation(jsonb_build_object(
        'relation', source::oid::bigint, 'relation_name', relation::text, 'label', label, 'features', features,
        'spec', plan->'spec', 'dimension', plan->'dimension',
        'validation', validation_relation::oid::bigint, 'prep_seconds', prep,
        'validations', vleaves, 'validation_name', validation_relation::text), leaves);

    IF tmp_name IS NOT NULL THEN
        EXECUTE format('DROP TABLE pg_temp.%I', tmp_name);
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

-- The signature and defaults of V2 with V6's NULL defaults for block_size and learning_rate (the engine derives
-- them). LANGUAGE sql: the body is one call.
CREATE OR REPLACE FUNCTION train_sgd(
    relation            regclass,
    label               text,
    features            text,
    model               text DEFAULT 'logistic',
    shuffle             text DEFAULT 'corgipile',
    epochs              integer DEFAULT 10,
    learning_rate       double precision DEFAULT NULL,
    batch_size          integer DEFAULT 1,
    l2                  double precision DEFAULT 0,
    block_size          integer DEFAULT NULL,
    buffer_size         double precision DEFAULT NULL,
    model_name          text DEFAULT NULL,
    validation_relation regclass DEFAULT NULL,
    seed                bigint DEFAULT NULL,
    device              text DEFAULT 'cpu',
    options             jsonb DEFAULT '{}')
RETURNS SETOF corgipile.epoch_result
LANGUAGE sql VOLATILE PARALLEL UNSAFE AS $fn$
    SELECT * FROM corgipile.train(relation, label, features, model_name, validation_relation,
        jsonb_build_object('model', model, 'shuffle', shuffle, 'epochs', epochs, 'learning_rate', learning_rate,
                           'batch_size', batch_size, 'l2', l2, 'block_size', block_size,
                           'buffer_size', buffer_size, 'seed', seed, 'device', device),
        options)
$fn$;
COMMENT ON FUNCTION train_sgd(regclass, text, text, text, text, integer, double precision, integer,
                              double precision, integer, double precision, text, regclass, bigint, text, jsonb)
    IS 'Train a model with CorgiPile shuffled SGD on the heap blocks of a table; one row per epoch';
