-- Scale-out (issue 15): partitioned tables, on one server and across several.
--
-- train_sgd, sgd_evaluate and corgipile.scan_stats accept a partitioned table: the heap reader reads every local
-- leaf partition as a table of its own (same snapshot, each partition's own SELECT privilege and row-level security
-- check) and shuffles blocks across all of them. corgipile.relation_leaves finds the leaves and checks the parent.

-- ------------------------------------------------------------------------------------------------- partitions

-- The leaves of a partitioned relation, or NULL for any other relation: {"local": [oid of each non-empty local
-- leaf, in partition-tree order], "foreign": [{"oid", "name", "server"} of each postgres_fdw leaf]}. Checks the
-- parent as a query on it would (SELECT on the table or on the columns read; row-level security refused, as the
-- heap reader refuses it on a table); each leaf is checked again when the reader opens it.
CREATE FUNCTION corgipile.relation_leaves(relation regclass, label text, features text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    cols   text[];
    leaves jsonb;
    f      jsonb;
BEGIN
    IF relation IS NULL OR (SELECT c.relkind FROM pg_class c WHERE c.oid = relation) <> 'p' THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(btrim(c)) INTO cols FROM unnest(string_to_array(features, ',')) AS c;
    IF NOT has_table_privilege(relation, 'SELECT')
       AND NOT (has_column_privilege(relation, label, 'SELECT')
                AND (SELECT bool_and(has_column_privilege(relation, c, 'SELECT')) FROM unnest(cols) AS c)) THEN
        RAISE EXCEPTION 'permission denied for table %', relation
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Training reads the label and feature columns: GRANT SELECT on them (and on each partition).';
    END IF;
    IF row_security_active(relation) THEN
        RAISE EXCEPTION 'relation % has row-level security enabled for this user', relation
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'corgipile reads heap blocks directly and does not apply row-level security policies.',
                  HINT = format('Train on a copy made under your policies, e.g. CREATE TEMP TABLE t2 AS SELECT * FROM %s.',
                                relation);
    END IF;
    SELECT jsonb_build_object(
               'local', coalesce(jsonb_agg(t.relid::oid::bigint ORDER BY t.n)
                                 FILTER (WHERE c.relkind IN ('r', 'm') AND pg_relation_size(t.relid) > 0), '[]'),
               'foreign', coalesce(jsonb_agg(jsonb_build_object(
                                      'oid', t.relid::oid::bigint, 'name', t.relid::text, 'server', s.srvname,
                                      'remote', format('%I.%I',
                                          coalesce((SELECT o.option_value FROM pg_options_to_table(ft.ftoptions) o
                                                    WHERE o.option_name = 'schema_name'), n.nspname),
                                          coalesce((SELECT o.option_value FROM pg_options_to_table(ft.ftoptions) o
                                                    WHERE o.option_name = 'table_name'), c.relname)))
                                   ORDER BY t.n) FILTER (WHERE c.relkind = 'f'), '[]'))
    INTO leaves
    FROM pg_partition_tree(relation) WITH ORDINALITY AS t(relid, parentrelid, isleaf, level, n)
    JOIN pg_class c ON c.oid = t.relid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_foreign_table ft ON ft.ftrelid = t.relid
    LEFT JOIN pg_foreign_server s ON s.oid = ft.ftserver
    WHERE t.isleaf;
    -- Foreign leaves are read on their servers, by the role of this user's mapping: the coordinator checks here
    -- that this user could read them through the foreign tables (the servers check the mapped role's rights).
    FOR f IN SELECT * FROM jsonb_array_elements(leaves->'foreign') LOOP
        IF NOT has_table_privilege((f->>'oid')::oid, 'SELECT')
           AND NOT (has_column_privilege((f->>'oid')::oid, label, 'SELECT')
                    AND (SELECT bool_and(has_column_privilege((f->>'oid')::oid, c, 'SELECT')) FROM unnest(cols) AS c))
        THEN
            RAISE EXCEPTION 'permission denied for foreign table %', f->>'name'
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'Training over a foreign partition needs SELECT on it, as a query through it would.';
        END IF;
    END LOOP;
    RETURN leaves;
END
$fn$;
COMMENT ON FUNCTION corgipile.relation_leaves(regclass, text, text)
    IS 'internal: local and foreign leaf partitions of a partitioned relation (NULL otherwise), after checking the parent';

-- Local leaves only, for now: foreign (postgres_fdw) leaves are trained on their servers by corgipile.train_sharded.
CREATE FUNCTION corgipile.local_leaves(leaves jsonb, relation regclass) RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL UNSAFE AS $fn$
BEGIN
    IF leaves IS NULL THEN
        RETURN NULL;
    END IF;
    IF jsonb_array_length(leaves->'foreign') > 0 THEN
        RAISE EXCEPTION 'partition % of % is a foreign table', leaves->'foreign'->0->>'name', relation
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'corgipile reads heap blocks; train on the server that holds the partition.';
    END IF;
    RETURN leaves->'local';
END
$fn$;
COMMENT ON FUNCTION corgipile.local_leaves(jsonb, regclass) IS 'internal: the local leaves of relation_leaves, refusing foreign ones';

-- ------------------------------------------------------------------------------- partitions on other servers
--
-- When leaf partitions are postgres_fdw foreign tables, rows stay on their servers and only models travel: each
-- epoch the coordinator sends the current model to every server that holds partitions, each trains one local
-- CorgiPile epoch inside its own backend (corgipile.train_epoch), and the coordinator averages the parameters
-- weighted by the rows each server trained on (and trains its own local partitions itself meanwhile). Servers are
-- reached with dblink over the foreign server of the partition and this user's user mapping (dblink_connect with a
-- server name), one connection per server named corgipile_<server>, asynchronously (dblink_send_query /
-- dblink_get_result) so the servers work in parallel. Every server needs the corgipile extension.

-- One round on one server's partitions (or a local list): epoch >= 1 trains one epoch from the model sent
-- (NULL: the seed's initial model) and answers {parameters, dimension, tuples, running_loss, label_encoding,
-- seconds}; epoch 0 answers {metrics} of the model sent. relations are tables or partitioned tables of this server
-- (each read with this server's privilege and row-level security checks, for the role that runs this).
CREATE FUNCTION corgipile.train_epoch(relations text[], label text, features text, spec jsonb, model jsonb,
                                      epoch integer, shard integer DEFAULT 0, dimension integer DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    leaves jsonb := '[]';
    rel    regclass;
    l      jsonb;
    r      text;
BEGIN
    PERFORM corgipile.require_extension('corgipile.train_epoch');
    IF relations IS NULL OR cardinality(relations) = 0 OR label IS NULL OR features IS NULL OR epoch IS NULL THEN
        RAISE EXCEPTION 'relations, label, features and epoch must not be NULL or empty'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    FOREACH r IN ARRAY relations LOOP
        rel := r::regclass;
        l := corgipile.local_leaves(corgipile.relation_leaves(rel, label, features), rel);
        leaves := leaves || coalesce(l, jsonb_build_array(rel::oid::bigint));
    END LOOP;
    RETURN corgipile._invoke('train_epoch', jsonb_build_object(
        'relations', leaves, 'relation_name', array_to_string(relations, ', '), 'label', label, 'features', features,
        'spec', spec, 'model', model, 'epoch', epoch, 'shard', shard, 'dimension', dimension));
END
$fn$;
COMMENT ON FUNCTION corgipile.train_epoch(text[], text, text, jsonb, jsonb, integer, integer, integer)
    IS 'One round of sharded training on this server: one CorgiPile epoch from the model sent (epoch >= 1), or its metrics (epoch 0)';

-- Raises a server's error under a message that names the server, keeping its SQLSTATE, detail and hint.
CREATE FUNCTION corgipile.raise_server_error(msg text, state text, detail text, hint text) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $fn$
BEGIN
    IF coalesce(detail, '') = '' AND coalesce(hint, '') = '' THEN
        RAISE EXCEPTION USING MESSAGE = msg, ERRCODE = state;
    ELSIF coalesce(detail, '') = '' THEN
        RAISE EXCEPTION USING MESSAGE = msg, ERRCODE = state, HINT = hint;
    ELSIF coalesce(hint, '') = '' THEN
        RAISE EXCEPTION USING MESSAGE = msg, ERRCODE = state, DETAIL = detail;
    END IF;
    RAISE EXCEPTION USING MESSAGE = msg, ERRCODE = state, DETAIL = detail, HINT = hint;
END
$fn$;
COMMENT ON FUNCTION corgipile.raise_server_error(text, text, text, text)
    IS 'internal: re-raise an error of a server of sharded training under a message naming it';

-- Cancels whatever the connections still run and closes them (errors of dead connections ignored).
CREATE FUNCTION corgipile.shard_disconnect(conns text[]) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
DECLARE
    c text;
BEGIN
    FOREACH c IN ARRAY coalesce(conns, '{}') LOOP
        IF c = ANY (coalesce(dblink_get_connections(), '{}')) THEN
            BEGIN
                IF dblink_is_busy(c) = 1 THEN
                    PERFORM dblink_cancel_query(c);
                END IF;
            EXCEPTION WHEN OTHERS THEN
                NULL;
            END;
            PERFORM dblink_disconnect(c);
        END IF;
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION corgipile.shard_disconnect(text[]) IS 'internal: cancel and close the dblink connections of sharded training';

-- The coordinator: train_sgd's result (the JSON of corgipile._invoke('train')) over local and foreign leaves.
-- Any error (a server down or failing: named, with its SQLSTATE; a cancel or statement_timeout here) cancels the
-- servers' statements and closes the connections before it propagates, so no model row is written.
CREATE FUNCTION corgipile.train_sharded(args jsonb, leaves jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
DECLARE
    state    jsonb;
    servers  text[];
    conns    text[] := '{}';
    tables   text[];
    i        integer;
    ep       integer;
    kind     text;
    rounds   text[];
    reply    jsonb;
    replies  jsonb;
    started  timestamptz;
    info     record;
    e_state  text;
    e_msg    text;
    e_detail text;
    e_hint   text;
    waiting  text[];
    got      jsonb;
    ready    boolean;
BEGIN
    IF to_regprocedure('dblink_send_query(text,text)') IS NULL THEN
        RAISE EXCEPTION 'partitions of % are foreign tables; training them on their servers needs the dblink extension',
            args->>'relation_name'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'CREATE EXTENSION dblink in this database (it comes with postgresql-contrib, like postgres_fdw).';
    END IF;
    state := corgipile._invoke('shard_start', jsonb_build_object('spec', args->'spec'));
    rounds := CASE WHEN state->'spec'->>'train_metrics' = 'pass' THEN ARRAY['train', 'evaluate'] ELSE ARRAY['train'] END;
    SELECT array_agg(DISTINCT f->>'server' ORDER BY f->>'server') INTO servers
    FROM jsonb_array_elements(leaves->'foreign') AS f;
    BEGIN
        FOR i IN 1 .. cardinality(servers) LOOP
            conns := conns || ('corgipile_' || servers[i]);
            PERFORM corgipile.shard_disconnect(ARRAY[conns[i]]);
            BEGIN
                PERFORM dblink_connect(conns[i], servers[i]);
                SELECT * INTO info FROM dblink(conns[i], $q$
                    SELECT current_database()::text,
                           (SELECT extversion FROM pg_extension WHERE extname = 'corgipile')::text,
                           to_regprocedure('corgipile.train_epoch(text[],text,text,jsonb,jsonb,integer,integer,integer)')
                               IS NOT NULL$q$) AS t(db text, version text, has_epoch boolean);
            EXCEPTION WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT,
                                        e_detail = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT;
                PERFORM corgipile.raise_server_error(format('foreign server "%s": %s', servers[i], e_msg), e_state,
                    e_detail, coalesce(nullif(e_hint, ''),
                                       'Check that the server is up and this user has a user mapping for it.'));
            END;
            IF info.version IS NULL OR NOT info.has_epoch THEN
                RAISE EXCEPTION 'foreign server "%" has no corgipile extension% in database "%"', servers[i],
                    CASE WHEN info.version IS NULL THEN '' ELSE ' with corgipile.train_epoch (version ' || info.version || ')' END,
                    info.db
                    USING ERRCODE = 'feature_not_supported',
                          HINT = 'Every server that holds partitions trains them itself: CREATE EXTENSION corgipile there (ALTER EXTENSION corgipile UPDATE for an old version).';
            END IF;
        END LOOP;

        -- Start every server's JVM now, in parallel (as on one server, the epochs' seconds exclude it).
        FOR i IN 1 .. cardinality(servers) LOOP
            PERFORM dblink_send_query(conns[i], 'SELECT corgipile.jvm_info()');
        END LOOP;
        FOR i IN 1 .. cardinality(servers) LOOP
            BEGIN
                PERFORM 1 FROM dblink_get_result(conns[i]) AS t(r jsonb);
                PERFORM 1 FROM dblink_get_result(conns[i]) AS t(r jsonb);
            EXCEPTION WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT,
                                        e_detail = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT;
                PERFORM corgipile.raise_server_error(format('foreign server "%s" failed to start its JVM (SQLSTATE %s): %s',
                    servers[i], e_state, e_msg), e_state, e_detail, e_hint);
            END;
        END LOOP;

        FOR ep IN 1 .. (state->'spec'->>'epochs')::integer LOOP
            FOREACH kind IN ARRAY rounds LOOP
                started := clock_timestamp();
                FOR i IN 1 .. cardinality(servers) LOOP
                    SELECT array_agg(f->>'remote') INTO tables
                    FROM jsonb_array_elements(leaves->'foreign') AS f WHERE f->>'server' = servers[i];
                    IF dblink_send_query(conns[i], format(
                           'SELECT corgipile.train_epoch(%L::text[], %L, %L, %L::jsonb, %L::jsonb, %s, %s, %s)',
                           tables, args->>'label', args->>'features', state->'spec', state->'model',
                           CASE kind WHEN 'train' THEN ep ELSE 0 END, i, coalesce(args->>'dimension', 'NULL'))) <> 1
                    THEN
                        RAISE EXCEPTION 'foreign server "%" failed in epoch % (SQLSTATE 08006): could not send the query',
                            servers[i], ep
                            USING ERRCODE = 'connection_failure', DETAIL = dblink_error_message(conns[i]);
                    END IF;
                END LOOP;
                replies := '[]';
                IF jsonb_array_length(leaves->'local') > 0 THEN
                    reply := corgipile._invoke('train_epoch', jsonb_build_object(
                        'relations', leaves->'local', 'relation_name', args->>'relation_name',
                        'label', args->>'label', 'features', args->>'features', 'spec', state->'spec',
                        'model', state->'model', 'epoch', CASE kind WHEN 'train' THEN ep ELSE 0 END, 'shard', 0,
                        'dimension', args->'dimension'));
                    replies := replies || jsonb_build_object('server', 'local', 'reply', reply);
                END IF;
                -- Collect the replies as they come, so a failing server is noticed (and the others cancelled)
                -- while the rest still work; wait interruptibly (pg_sleep), so a cancel here lands. The replies
                -- are merged in server order, whatever order they arrived in (the average is then reproducible).
                waiting := servers;
                got := '{}';
                WHILE cardinality(waiting) > 0 LOOP
                    ready := false;
                    FOR i IN 1 .. cardinality(servers) LOOP
                        CONTINUE WHEN NOT servers[i] = ANY (waiting) OR dblink_is_busy(conns[i]) = 1;
                        reply := NULL;
                        BEGIN
                            SELECT t.r INTO reply FROM dblink_get_result(conns[i]) AS t(r jsonb);
                            PERFORM 1 FROM dblink_get_result(conns[i]) AS t(r jsonb);
                            IF reply IS NULL THEN
                                RAISE EXCEPTION 'the connection returned no result' USING ERRCODE = 'connection_failure',
                                    DETAIL = dblink_error_message(conns[i]);
                            END IF;
                        EXCEPTION WHEN OTHERS THEN
                            GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT,
                                                    e_detail = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT;
                            PERFORM corgipile.raise_server_error(format(
                                'foreign server "%s" failed in epoch %s (SQLSTATE %s): %s', servers[i], ep, e_state,
                                e_msg), e_state, e_detail, e_hint);
                        END;
                        got := got || jsonb_build_object(servers[i], reply);
                        waiting := array_remove(waiting, servers[i]);
                        ready := true;
                    END LOOP;
                    IF NOT ready THEN
                        PERFORM pg_sleep(0.002);
                    END IF;
                END LOOP;
                FOR i IN 1 .. cardinality(servers) LOOP
                    replies := replies || jsonb_build_object('server', servers[i], 'reply', got->servers[i]);
                END LOOP;
                state := corgipile._invoke('shard_merge', jsonb_build_object(
                    'state', state, 'kind', kind, 'epoch', ep, 'replies', replies,
                    'seconds', extract(epoch FROM clock_timestamp() - started)));
            END LOOP;
            -- validation_relation (on the coordinator) with the averaged model; the epoch's NOTICE
            state := corgipile._invoke('shard_epoch_end', jsonb_build_object(
                'state', state, 'label', args->>'label', 'features', args->>'features',
                'validation', args->'validation', 'validations', args->'validations',
                'validation_name', args->'validation_name'));
        END LOOP;
    EXCEPTION WHEN OTHERS OR query_canceled THEN
        -- OTHERS alone would miss a cancel or statement_timeout of this statement (57014)
        PERFORM corgipile.shard_disconnect(conns);
        RAISE;
    END;
    PERFORM corgipile.shard_disconnect(conns);
    RETURN corgipile._invoke('shard_finish', jsonb_build_object('state', state));
END
$fn$;
COMMENT ON FUNCTION corgipile.train_sharded(jsonb, jsonb)
    IS 'internal: train_sgd over partitions on other servers (one epoch per server per round, averaged by rows)';

-- train_sgd's training step: over a table or local partitions in this backend, or over foreign partitions on
-- their servers (corgipile.train_sharded).
CREATE FUNCTION corgipile.train_relation(args jsonb, leaves jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
BEGIN
    IF leaves IS NOT NULL AND jsonb_array_length(leaves->'foreign') > 0 THEN
        RETURN corgipile.train_sharded(args, leaves);
    END IF;
    RETURN corgipile._invoke('train', args || jsonb_build_object('relations', leaves->'local'));
END
$fn$;
COMMENT ON FUNCTION corgipile.train_relation(jsonb, jsonb) IS 'internal: train_sgd''s training step (local or sharded)';

-- ------------------------------------------------------------------ train_sgd, sgd_evaluate, scan_stats again

-- train_sgd of V3, over partitioned tables: local leaves read here, foreign leaves trained on their servers.
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
    leaves      jsonb;
    vleaves     jsonb;
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
    leaves := corgipile.relation_leaves(relation, label, features);
    vleaves := corgipile.local_leaves(corgipile.relation_leaves(validation_relation, label, features),
                                      validation_relation);
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
    -- (on foreign partitions each server shuffles its share once in memory instead: rows stay on their servers)
    IF spec->>'shuffle' = 'shuffle_once' AND jsonb_array_length(coalesce(leaves->'foreign', '[]')) = 0 THEN
        IF leaves IS NULL THEN
            PERFORM corgipile._check_relation(relation, label, features);
        ELSE
            PERFORM corgipile._check_relation(l::bigint::oid::regclass, label, features)
            FROM jsonb_array_elements_text(corgipile.local_leaves(leaves, relation)) AS l;
            leaves := NULL;
        END IF;
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

    result := corgipile.train_relation(jsonb_build_object(
        'relation', source::oid::bigint, 'relation_name', relation::text, 'label', label, 'features', features,
        'spec', spec - 'dimension', 'dimension', spec->'dimension',
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
COMMENT ON FUNCTION train_sgd(regclass, text, text, text, text, integer, double precision, integer,
                              double precision, integer, double precision, text, regclass, bigint, text, jsonb)
    IS 'Train a model with CorgiPile shuffled SGD on the heap blocks of a table; one row per epoch';

CREATE OR REPLACE FUNCTION sgd_evaluate(model_name text, relation regclass, label text, features text)
RETURNS TABLE(metric text, value double precision)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    result jsonb;
    mid    bigint;
BEGIN
    PERFORM corgipile.require_extension('sgd_evaluate');
    IF relation IS NULL OR label IS NULL OR features IS NULL THEN
        RAISE EXCEPTION 'relation, label and features must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    mid := corgipile.model_id(model_name);
    result := corgipile._invoke('evaluate', jsonb_build_object(
        'model', (SELECT to_jsonb(m) FROM corgipile.models m WHERE m.id = mid),
        'relation', relation::oid::bigint, 'label', label, 'features', features, 'relation_name', relation::text,
        'relations', corgipile.local_leaves(corgipile.relation_leaves(relation, label, features), relation)));
    RETURN QUERY
    SELECT e->>0, (e->>1)::double precision FROM jsonb_array_elements(result->'metrics') AS e;
END
$fn$;
COMMENT ON FUNCTION sgd_evaluate(text, regclass, text, text)
    IS 'Metrics of a stored model on a relation: accuracy, precision, recall, f1, auc, log_loss or rmse, mae, r2';

CREATE OR REPLACE FUNCTION corgipile.scan_stats(relation regclass, label text, features text, block_pages integer DEFAULT 1280)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
BEGIN
    PERFORM corgipile.require_extension('corgipile.scan_stats');
    RETURN corgipile._invoke('scan_stats', jsonb_build_object('relation', relation::oid::bigint, 'label', label,
                                                              'features', features, 'block_pages', block_pages,
                                                              'relation_name', relation::text,
                                                              'relations', corgipile.local_leaves(
                                                                  corgipile.relation_leaves(relation, label, features),
                                                                  relation)));
END
$fn$;
COMMENT ON FUNCTION corgipile.scan_stats(regclass, text, text, integer)
    IS 'Reads a relation through the heap-block reader: tuples, pages, label and feature sums, seconds';

