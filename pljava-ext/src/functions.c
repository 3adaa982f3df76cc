/*-------------------------------------------------------------------------
 * functions.c
 *	  SQL-callable C functions.  The user-facing functions (train_sgd,
 *	  sgd_predict, sgd_evaluate, ...) are PL/pgSQL in the Flyway migrations of
 *	  the sql module; they call these private entry points in schema corgipile.
 *
 * INTERFACE ROUTINES
 *	  corgipile_invoke		   - corgipile._invoke(function, args jsonb) -> jsonb
 *	  corgipile_sgd_predict	   - sgd_predict(model_name, features) -> float8
 *	  corgipile_sgd_predict_proba - sgd_predict_proba(model_name, features) -> float8
 *	  corgipile_check_relation - corgipile._check_relation(relation, label, features)
 *-------------------------------------------------------------------------
 */
#include "corgipile.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"

PG_FUNCTION_INFO_V1(corgipile_invoke);
PG_FUNCTION_INFO_V1(corgipile_sgd_predict);
PG_FUNCTION_INFO_V1(corgipile_sgd_predict_proba);
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

/* The catalog id of a model name, or undefined_object. */
static int64
LookupModelId(text *name)
{
	Oid			argTypes[1] = {TEXTOID};
	Datum		values[1] = {PointerGetDatum(name)};
	bool		found = false;
	int64		id = 0;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "corgipile: SPI_connect failed");
	if (SPI_execute_with_args("SELECT id FROM corgipile.models WHERE name = $1",
							  1, argTypes, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "corgipile: could not look up a model");
	if (SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		found = !isnull;
		id = found ? DatumGetInt64(d) : 0;
	}
	SPI_finish();
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" does not exist", text_to_cstring(name)),
				 errhint("Trained models are listed in corgipile.models (SELECT name FROM corgipile.models).")));
	return id;
}

/*
 * Model name -> id, remembered for the rest of the statement in fn_extra: a
 * query predicting over a table looks the name up once.
 */
typedef struct PredictCache
{
	int64		id;
	text	   *name;
} PredictCache;

static Datum
PredictCommon(FunctionCallInfo fcinfo, bool proba)
{
	text	   *name = PG_GETARG_TEXT_PP(0);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	PredictCache *cache = (PredictCache *) fcinfo->flinfo->fn_extra;
	int			n;
	double		result;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features must be a one-dimensional array, not %d-dimensional", ARR_NDIM(arr))));
	if (array_contains_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("features must not contain NULL elements")));
	n = ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0];
	if (cache == NULL || VARSIZE_ANY_EXHDR(cache->name) != VARSIZE_ANY_EXHDR(name) ||
		memcmp(VARDATA_ANY(cache->name), VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name)) != 0)
	{
		int64		id = LookupModelId(name);
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (cache == NULL)
			cache = palloc0(sizeof(PredictCache));
		else if (cache->name != NULL)
			pfree(cache->name);
		cache->name = (text *) PG_DETOAST_DATUM_COPY(PointerGetDatum(name));
		cache->id = id;
		fcinfo->flinfo->fn_extra = cache;
		MemoryContextSwitchTo(old);
		if (!CorgiHasModel(id))
			CorgiLoadModel(id, FetchModelJson(id));
	}
	result = CorgiCallPredict(cache->id, (double *) ARR_DATA_PTR(arr), n, proba);
	if (isnan(result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/* sgd_predict(model_name, features): label, class index or value. */
Datum
corgipile_sgd_predict(PG_FUNCTION_ARGS)
{
	return PredictCommon(fcinfo, false);
}

/* sgd_predict_proba(model_name, features): positive-class probability, NULL for models without one. */
Datum
corgipile_sgd_predict_proba(PG_FUNCTION_ARGS)
{
	return PredictCommon(fcinfo, true);
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
