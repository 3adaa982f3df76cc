-- C entry points of corgipile.so (extension only; everything else comes from the Flyway migrations above).
-- All PARALLEL UNSAFE: they run Java on the backend's main thread and read heap blocks under its snapshot.

CREATE FUNCTION corgipile._invoke(function text, args jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'corgipile_invoke' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgipile._invoke(text, jsonb) IS 'internal: call a corgipile Java function with JSON arguments';

CREATE FUNCTION corgipile._predict(model_id bigint, features double precision[], proba boolean)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'corgipile_predict' LANGUAGE C STABLE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgipile._predict(bigint, double precision[], boolean)
    IS 'internal: apply a stored model (cached per session by id)';

CREATE FUNCTION corgipile._check_relation(relation regclass, label text, features text) RETURNS void
    AS 'MODULE_PATHNAME', 'corgipile_check_relation' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgipile._check_relation(regclass, text, text)
    IS 'internal: the heap reader''s checks (relation kind, privileges, row-level security, columns)';
