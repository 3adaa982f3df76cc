-- corgipile 0.2.0: every model has an owner; row-level security keeps other roles from reading, replacing or
-- deleting it unless the owner granted it (sgd_grant_model); a model name is claimed before training, so two
-- concurrent trainings of one name cannot both store it.
--
-- Applied by Flyway after V2, and part of the extension's install script (0.2.0) and of its update script
-- corgipile--0.1.0--0.2.0.sql (pljava-ext/Makefile), so an updated database keeps its models: rows trained before
-- the update belong to the role that ran the update (ALTER EXTENSION runs as a superuser); reassign them with
-- UPDATE corgipile.models SET owner = 'role' WHERE ...

-- ------------------------------------------------------------------------------------------------- owners

ALTER TABLE corgipile.models
    ADD COLUMN owner   name   NOT NULL DEFAULT current_user,
    ADD COLUMN readers name[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN corgipile.models.owner IS 'Role that owns the model: only its members (or a superuser) replace, delete or grant it';
COMMENT ON COLUMN corgipile.models.readers IS 'Roles the owner granted the model to (sgd_grant_model); public: every role';

-- True when the current role has the privileges of role (is it, or a member that inherits it), or is a superuser.
-- A role that no longer exists (dropped after training) is nobody's: only superusers act for it.
CREATE FUNCTION corgipile.acts_as(role name) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                   WHERE r.rolname = role AND pg_catalog.pg_has_role(r.oid, 'USAGE'))
        OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = current_user AND r.rolsuper)
$fn$;
COMMENT ON FUNCTION corgipile.acts_as(name)
    IS 'Whether the current role has the privileges of the given role (membership with inherit, or superuser)';

-- True when the current role may use (read, predict with, evaluate) a model of this owner and readers.
CREATE FUNCTION corgipile.can_read_model(owner name, readers name[]) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
    SELECT corgipile.acts_as(owner) OR 'public' = ANY (readers)
        OR EXISTS (SELECT 1 FROM unnest(readers) AS g(role) WHERE corgipile.acts_as(g.role))
$fn$;
COMMENT ON FUNCTION corgipile.can_read_model(name, name[])
    IS 'Whether the current role may read a model with this owner and these readers';

-- The catalog was open to every role (SELECT, INSERT, DELETE by PUBLIC). Now every role may still train and store
-- its own models (train_sgd and the client write as the caller), but row-level security shows a role only the
-- models it owns or was granted, and lets only the owner update or delete them. The table's owner (the role that
-- created the extension or ran the migrations) and superusers bypass it, as for every table.
REVOKE ALL ON corgipile.models FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON corgipile.models TO PUBLIC;
ALTER TABLE corgipile.models ENABLE ROW LEVEL SECURITY;
CREATE POLICY models_read ON corgipile.models FOR SELECT USING (corgipile.can_read_model(owner, readers));
CREATE POLICY models_insert ON corgipile.models FOR INSERT WITH CHECK (corgipile.acts_as(owner));
CREATE POLICY models_update ON corgipile.models FOR UPDATE
    USING (corgipile.acts_as(owner)) WITH CHECK (corgipile.acts_as(owner));
CREATE POLICY models_delete ON corgipile.models FOR DELETE USING (corgipile.acts_as(owner));

-- ------------------------------------------------------------------------------------------- model names

-- Claims a model name for the rest of the transaction before training: an advisory transaction lock on the name
-- (two trainings of one name queue here instead of both training and the later one replacing the earlier), then
-- whether a model of that name exists, whoever owns it (SECURITY DEFINER: the caller may not see the row; the
-- answer reveals no more than the unique constraint would). Read-only transactions are refused here, before
-- training, instead of at the final write.
CREATE FUNCTION corgipile.claim_model_name(model_name text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
    IF current_setting('transaction_read_only')::boolean THEN
        RAISE EXCEPTION 'cannot store model "%" in a read-only transaction', model_name
            USING ERRCODE = 'read_only_sql_transaction',
                  HINT = 'Train in a read-write transaction, or omit model_name to train without storing the model.';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('corgipile.models'), pg_catalog.hashtext(model_name));
    RETURN EXISTS (SELECT 1 FROM corgipile.models m WHERE m.name = model_name);
END
$fn$;
COMMENT ON FUNCTION corgipile.claim_model_name(text)
    IS 'internal: lock a model name until the end of the transaction; true when a model of that name exists';

-- The owner and readers a new model row of this name takes: those of the model it replaces (the caller must act
-- as its owner), or the caller and nobody for a new name. Raises duplicate_object / insufficient_privilege.
CREATE FUNCTION corgipile.model_write_owner(model_name text, overwrite boolean, OUT owner name, OUT readers name[])
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
    IF NOT corgipile.claim_model_name(model_name) THEN
        owner := current_user;
        readers := '{}';
        RETURN;
    END IF;
    IF NOT overwrite THEN
        RAISE EXCEPTION 'model "%" already exists', model_name
            USING ERRCODE = 'duplicate_object',
                  HINT = 'Choose another model_name, or pass options => ''{"overwrite": true}'' to replace it.';
    END IF;
    SELECT m.owner, m.readers INTO owner, readers
    FROM corgipile.models m WHERE m.name = model_name AND corgipile.acts_as(m.owner);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'must be owner of model "%" to replace it', model_name
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Only the owner of a model (or a superuser) can replace it; choose another model_name.';
    END IF;
END
$fn$;
COMMENT ON FUNCTION corgipile.model_write_owner(text, boolean)
    IS 'internal: claim a model name before training; the owner and readers the stored row takes';

-- ------------------------------------------------------------------------------------------------ grants

-- Looks up a model the current role owns, or raises undefined_object (invisible) / insufficient_privilege.
CREATE FUNCTION corgipile.owned_model_id(model_name text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    mid bigint := corgipile.model_id(model_name);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM corgipile.models m WHERE m.id = mid AND corgipile.acts_as(m.owner)) THEN
        RAISE EXCEPTION 'must be owner of model "%"', model_name
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Only the owner of a model (or a superuser) can grant, revoke, replace or delete it.';
    END IF;
    RETURN mid;
END
$fn$;

-- A grantee: an existing role, or public (every role).
CREATE FUNCTION corgipile.grantee(role name) RETURNS name
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    IF role IS NULL THEN
        RAISE EXCEPTION 'role must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF lower(role) = 'public' THEN
        RETURN 'public';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = role) THEN
        RAISE EXCEPTION 'role "%" does not exist', role
            USING ERRCODE = 'undefined_object', HINT = 'Pass a role name as in pg_roles, or public for every role.';
    END IF;
    RETURN role;
END
$fn$;

CREATE FUNCTION sgd_grant_model(model_name text, role name) RETURNS void
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_variable
DECLARE
    mid     bigint := corgipile.owned_model_id(model_name);
    grantee name := corgipile.grantee(role);
BEGIN
    UPDATE corgipile.models m SET readers = array_append(m.readers, grantee)
    WHERE m.id = mid AND NOT grantee = ANY (m.readers);
END
$fn$;
COMMENT ON FUNCTION sgd_grant_model(text, name)
    IS 'Let a role (or public) read a model: its parameters and statistics, sgd_predict, sgd_evaluate (owner only)';

CREATE FUNCTION sgd_revoke_model(model_name text, role name) RETURNS void
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_variable
DECLARE
    mid     bigint := corgipile.owned_model_id(model_name);
    grantee name := corgipile.grantee(role);
BEGIN
    UPDATE corgipile.models m SET readers = array_remove(m.readers, grantee) WHERE m.id = mid;
END
$fn$;
COMMENT ON FUNCTION sgd_revoke_model(text, name) IS 'Take back a grant of sgd_grant_model (owner only)';

-- ------------------------------------------------------------------------------------- in-database training

-- train_sgd of V2, with the name claimed before training and the owner written.
CREATE OR REPLACE FUNCTION train_sgd(
    relation            regclass,
    label               text,
    features            text,
    model               text DEFAULT 'logistic',
    shuffle             text DEFAULT 'corgipile',
    epochs              integer DEFAULT 10,
    learning_rate       double precision DEFAULT 0.1,
    batch_size          integer DEFAULT 1,
    l2                  double precision DEFAULT 0,
    block_size          integer DEFAULT 1280,
    buffer_size         double precision DEFAULT NULL,
    model_name          text DEFAULT NULL,
    validation_relation regclass DEFAULT NULL,
    seed                bigint DEFAULT NULL,
    device              text DEFAULT 'cpu',
    options             jsonb DEFAULT '{}')
RETURNS SETOF corgipile.epoch_result
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    spec        jsonb;
    result      jsonb;
    overwrite   boolean;
    old_version integer;
    model_owner name;
    model_readers name[];
    source      regclass := relation;
    tmp_name    text;
    columns     text;
    started     timestamptz;
    prep        double precision := 0;
BEGIN
    PERFORM corgipile.require_extension('train_sgd');
    IF relation IS NULL OR label IS NULL OR features IS NULL THEN
        RAISE EXCEPTION 'relation, label and features must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF options IS NULL OR jsonb_typeof(options) <> 'object' THEN
        RAISE EXCEPTION 'options must be a JSON object, got %', coalesce(options::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'For example options => ''{"l1": 0.001}''.';
    END IF;
    -- Named arguments first, options override them (options also carry the rarer arguments: schedule, decay, l1,
    -- early_stop_patience, standardize, hidden, classes, train_metrics, overwrite, dimension).
    spec := jsonb_strip_nulls(jsonb_build_object(
                'model', model, 'shuffle', shuffle, 'epochs', epochs, 'learning_rate', learning_rate,
                'batch_size', batch_size, 'l2', l2, 'block_size', block_size, 'buffer_size', buffer_size,
                'seed', seed, 'device', device)) || options;
    overwrite := lower(coalesce(spec->>'overwrite', 'false')) IN ('true', 'on', '1', 'yes');
    IF model_name IS NOT NULL THEN
        IF length(model_name) NOT BETWEEN 1 AND 200 THEN
            RAISE EXCEPTION 'model_name must have 1 to 200 characters, got %', length(model_name)
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        -- Claim the name now (lock, exists?, owner?), not after training: see corgipile.claim_model_name.
        SELECT w.owner, w.readers INTO model_owner, model_readers FROM corgipile.model_write_owner(model_name, overwrite) w;
    END IF;

    -- shuffle_once (Bismarck; MADlib after a manual shuffle): copy the data once in random order into a temporary
    -- table, then read that in storage order. The copy time is added to the first epoch.
    IF spec->>'shuffle' = 'shuffle_once' THEN
        PERFORM corgipile._check_relation(relation, label, features);
        started := clock_timestamp();
        IF spec ? 'seed' THEN
            PERFORM setseed(((spec->>'seed')::bigint % 2147483647) / 2147483647.0);
        END IF;
        SELECT string_agg(quote_ident(btrim(c)), ', ') INTO columns
        FROM unnest(string_to_array(features, ',')) AS c;
        tmp_name := 'corgipile_shuffle_once_' || pg_backend_pid() || '_' || txid_current();
        EXECUTE format('CREATE TEMPORARY TABLE %I AS SELECT %I, %s FROM %s ORDER BY random()',
                       tmp_name, label, columns, relation);
        source := ('pg_temp.' || quote_ident(tmp_name))::regclass;
        prep := extract(epoch FROM clock_timestamp() - started);
    END IF;

    result := corgipile._invoke('train', jsonb_build_object(
        'relation', source::oid::bigint, 'relation_name', relation::text, 'label', label, 'features', features,
        'spec', spec - 'dimension', 'dimension', spec->'dimension',
        'validation', validation_relation::oid::bigint, 'prep_seconds', prep));

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
COMMENT ON FUNCTION train_sgd(regclass, text, text, text, text, integer, double precision, integer,
                              double precision, integer, double precision, text, regclass, bigint, text, jsonb)
    IS 'Train a model with CorgiPile shuffled SGD on the heap blocks of a table; one row per epoch';
