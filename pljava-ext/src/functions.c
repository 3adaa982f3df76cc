/*-------------------------------------------------------------------------
 * functions.c
 *	  SQL-callable C functions.  The user-facing functions (train_sgd,
 *	  sgd_predict, sgd_evaluate, ...) are PL/pgSQL in the Flyway migrations of
 *	  the sql module; they call these private entry points in schema corgipile.
 *
 * INTERFACE ROUTINES
 *	  corgipile_invoke		   - corgipile._invoke(function, args jsonb) -> jsonb
 *	  corgipile_predict		   - corgipile._predict(model_id, features, proba) -> float8
 *	  corgipile_check_relation - corgipile._check_relation(relation, label, features)
 *-------------------------------------------------------------------------
 */
#include "corgipile.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"

PG_FUNCTION_INFO_V1(corgipile_invoke);
PG_FUNCTION_INFO_V1(corgipile_predict);
PG_FUNCTION_INFO_V1(corgipile_check_relation);

/* Calls the Java function named by argument 1 with the jsonb argument 2; returns its jsonb answer. */
Datum
corgipile_invoke(PG_FUNCTION_ARGS)
{
	char	   *function = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Jsonb	   *args = PG_GETARG_JSONB_P(1);
	char	   *argsText = JsonbToCString(NULL, &args->root, VARSIZE(args));
	char	   *result = CorgiCallJson(function, argsText);

	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(result)));
}

/* The model row as JSON, for the Java model cache (only on a cache miss). */
static char *
FetchModelJson(int64 modelId)
{
	Oid			argTypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(modelId)};
	char	   *json = NULL;
	MemoryContext caller = CurrentMemoryContext;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "corgipile: SPI_connect failed");
	if (SPI_execute_with_args("SELECT to_jsonb(m)::text FROM corgipile.models m WHERE m.id = $1",
							  1, argTypes, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "corgipile: could not read model %lld", (long long) modelId);
	if (SPI_processed == 1)
	{
		char	   *s = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (s != NULL)
			json = MemoryContextStrdup(caller, s);
	}
	SPI_finish();
	if (json == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model with id %lld does not exist", (long long) modelId)));
	return json;
}

/* Applies a stored model to one feature vector; the restored model is cached per backend by id. */
Datum
corgipile_predict(PG_FUNCTION_ARGS)
{
	int64		modelId = PG_GETARG_INT64(0);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	bool		proba = PG_GETARG_BOOL(2);
	int			n;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features must be a one-dimensional array, not %d-dimensional", ARR_NDIM(arr))));
	if (array_contains_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("features must not contain NULL elements")));
	if (ARR_ELEMTYPE(arr) != FLOAT8OID)
		elog(ERROR, "corgipile: features must be float8[]. Please report a bug.");
	n = ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0];
	if (!CorgiHasModel(modelId))
		CorgiLoadModel(modelId, FetchModelJson(modelId));
	PG_RETURN_FLOAT8(CorgiCallPredict(modelId, (double *) ARR_DATA_PTR(arr), n, proba));
}

/* The reader's checks (kind, privileges, row-level security, columns) without reading. */
Datum
corgipile_check_relation(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *label = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *features = text_to_cstring(PG_GETARG_TEXT_PP(2));

	CorgiCheckRelation(relid, label, features);
	PG_RETURN_VOID();
}
