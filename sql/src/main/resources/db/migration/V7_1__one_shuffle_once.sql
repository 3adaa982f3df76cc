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
