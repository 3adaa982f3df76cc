/*-------------------------------------------------------------------------
 * corgipile.c
 *	  The GUCs (prefix "corgipile."; JVM settings superuser-only) and the
 *	  SQL-callable C functions corgipile._invoke, sgd_predict and
 *	  sgd_predict_proba (the rest of the SQL surface is PL/pgSQL from the
 *	  Flyway migrations; _check_relation is in heap_reader.c).  _PG_init never
 *	  starts the JVM (it would not survive fork()): jvm.c creates it lazily.
 *-------------------------------------------------------------------------
 */
#include "corgipile.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

PG_MODULE_MAGIC;

char	   *corgipile_libjvm_path = NULL;
char	   *corgipile_jvm_options = NULL;
char	   *corgipile_classpath = NULL;
int			corgipile_max_heap_mb = 1024;
int			corgipile_buffer_memory_kb = 64 * 1024;

void		_PG_init(void);

void
_PG_init(void)
{
	/*
	 * Every JVM setting is PGC_SUSET: a JVM option can load arbitrary native
	 * code into the backend, so only a superuser may choose them.
	 */
	DefineCustomStringVariable("corgipile.libjvm_path",
							   "Path of libjvm.so used to start the JVM in the backend.",
							   "Empty: $JAVA_HOME/lib/server/libjvm.so of the server environment, then the JDK "
							   "corgipile was built with.",
							   &corgipile_libjvm_path, "", PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("corgipile.jvm_options",
							   "Extra JVM options, separated by spaces (e.g. -XX:+UseCompressedOops).",
							   "Read when the backend starts its JVM (first corgipile call of a session).",
							   &corgipile_jvm_options, "", PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("corgipile.classpath",
							   "Class path of the in-database Java code.",
							   "Empty: corgipile.jar in the extension directory of the installation.",
							   &corgipile_classpath, "", PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("corgipile.max_heap",
							"Maximum Java heap of each backend's JVM (-Xmx).",
							"The heap is outside work_mem and is not returned to the OS until the session ends.",
							&corgipile_max_heap_mb, 1024, 16, 1024 * 1024, PGC_SUSET, GUC_UNIT_MB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("corgipile.buffer_memory",
							"Memory for the shuffle buffers of train_sgd (both buffers of double buffering).",
							"Caps the block_size and buffer_size derived from the table; explicit arguments win.",
							&corgipile_buffer_memory_kb, 64 * 1024, 1024, MAX_KILOBYTES, PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("corgipile");
}

PG_FUNCTION_INFO_V1(corgipile_invoke);
PG_FUNCTION_INFO_V1(corgipile_sgd_predict);
PG_FUNCTION_INFO_V1(corgipile_sgd_predict_proba);

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

/* The first column of the first row of query (one parameter $1 = arg) as text, or NULL. */
static char *
SpiLookup(const char *query, Oid argType, Datum arg)
{
	MemoryContext caller = CurrentMemoryContext;
	char	   *value = NULL;

	if (SPI_connect() != SPI_OK_CONNECT ||
		SPI_execute_with_args(query, 1, &argType, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "corgipile: could not read corgipile.models");
	if (SPI_processed == 1 && (value = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1)) != NULL)
		value = MemoryContextStrdup(caller, value);
	SPI_finish();
	return value;
}

/* Model name -> id, remembered for the rest of the statement in fn_extra: a query over a table looks it up once. */
typedef struct PredictCache
{
	int64		id;
	char		name[FLEXIBLE_ARRAY_MEMBER];
} PredictCache;

static Datum
PredictCommon(FunctionCallInfo fcinfo, bool proba)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	PredictCache *cache = (PredictCache *) fcinfo->flinfo->fn_extra;
	int			n;
	double		result;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features must be a one-dimensional array, not %d-dimensional", ARR_NDIM(arr)),
				 errhint("Pass one feature vector per call, e.g. '{1.5, 2}'.")));
	if (array_contains_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("features must not contain NULL elements"),
				 errhint("Replace missing values before predicting, e.g. with coalesce.")));
	n = ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0];
	if (cache == NULL || strcmp(cache->name, name) != 0)
	{
		/* the catalog's one lookup (undefined_object for a model that does not exist or the caller may not read) */
		char	   *id = SpiLookup("SELECT corgipile.model_id($1)", TEXTOID, PointerGetDatum(PG_GETARG_TEXT_PP(0)));

		if (id == NULL)
			elog(ERROR, "corgipile.model_id returned NULL for model \"%s\"", name);
		if (cache != NULL)
			pfree(cache);
		cache = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, offsetof(PredictCache, name) + strlen(name) + 1);
		strcpy(cache->name, name);
		cache->id = strtoll(id, NULL, 10);
		fcinfo->flinfo->fn_extra = cache;
		/* the model row as JSON for Java's model cache, only on a miss of that cache (function NULL: no SQL caller) */
		if (strcmp(CorgiCallJson(NULL, psprintf("{\"id\": %s}", id)), "false") == 0)
		{
			char	   *row = SpiLookup("SELECT to_jsonb(m)::text FROM corgipile.models m WHERE m.id = $1",
										INT8OID, Int64GetDatum(cache->id));

			if (row == NULL)	/* hidden since model_id found it: model_id's error (a row-level security policy) */
				ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("model \"%s\" does not exist", name),
								errhint("Trained models are listed in corgipile.models (SELECT name FROM "
										"corgipile.models).")));
			(void) CorgiCallJson(NULL, psprintf("{\"id\": %s, \"row\": %s}", id, row));
		}
	}
	result = CorgiCallPredict(cache->id, (double *) ARR_DATA_PTR(arr), n, proba);
	if (__builtin_isnan(result))
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
