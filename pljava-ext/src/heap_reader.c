/*-------------------------------------------------------------------------
 * heap_reader.c
 *	  Reads ranges of heap pages for Java (the reader natives behind HeapBlockSource, which documents the
 *	  output format), and corgipile._check_relation.
 *
 * The executor is bypassed, so this file does what it and a sequential scan would: SELECT privilege (table or
 * column level), refusal of row-level security, the active snapshot with heapgetpage()-style visibility, the
 * SERIALIZABLE predicate lock and conflict checks, a BAS_BULKREAD ring; heap relations and populated
 * materialized views only.  Each visible tuple is deformed once; every value goes through one converter per type.
 *-------------------------------------------------------------------------
 */
#include "corgipile.h"

#include "access/heapam.h"
#include "access/detoast.h"
#include "access/genam.h"
#include "access/toast_internals.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/fd.h"
#include "storage/predicate.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rls.h"

#define META_HEADER 5			/* readerReadPages: doubles of the header before the pairs */
#define WILLNEED_PAGES ((2 * 1024 * 1024) / BLCKSZ)
#define CACHESTAT_SYSCALL 451	/* __NR_cachestat (Linux >= 6.5, not alpha); ENOSYS: no drop */
#define MAX_READERS 8
#define PREFETCH_TUPLES 2		/* the reader asks the CPU for the tuple this far ahead (ReadPage) */

typedef enum FeatureKind
{
	FEATURES_COLUMNS,			/* one or more numeric scalar columns, dense */
	FEATURES_ARRAY,				/* one numeric array column, dense */
	FEATURES_SPARSE				/* integer index array + numeric value array */
} FeatureKind;

/* A column the reader converts: a numeric scalar, or a 1-D array of a numeric element type. */
typedef struct Column
{
	AttrNumber	att;
	Oid			type;			/* scalar type, or element type of an array */
	bool		array;
} Column;

typedef struct CorgiReader
{
	MemoryContext mcxt;			/* this reader's memory (child of the Java call's context) */
	MemoryContext tupleCxt;		/* detoasted values of one page */
	Relation	rel;
	Relation	toast;			/* its TOAST relation, or NULL */
	TupleDesc	desc;			/* the relation's, cut after the last attribute read */
	Snapshot	snapshot;
	BufferAccessStrategy strategy;
	BlockNumber nblocks;
	Column		label;
	FeatureKind kind;
	int			ncols;
	Column	   *cols;
	const char *spec, *shown;	/* features argument; relation as errors name it (readerOpen; " ...": after it) */
	int			dimension;		/* 0: arrays until the first tuple read */
	Datum	   *values;			/* heap_deform_tuple output */
	bool	   *nulls;
} CorgiReader;

static CorgiReader *readers[MAX_READERS];
static bool numericOverflow;	/* a numeric beyond float8's range was read (CheckFinite's 22003); reset per read */

/* The page ReadPage holds (one at a time) and the Java arrays a read writes into: released by CorgiReaderAbortPage. */
static Buffer curBuf = InvalidBuffer;
static bool curLocked = false;
static jdoubleArray curArrays[2];	/* records, then header and pairs (readerReadPages) */
static void *curAt[2];

/* Sink of a range: writes records while they fit, then only counts the doubles a page needs. */
typedef struct PageSink
{
	double	   *out;
	int64		cap;
	int64		pos;			/* records from the front */
	double	   *pairs;			/* their {label, tid} pairs, in order */
	int64		pairCap, back;	/* doubles of pairs: room, used (2 per tuple) */
	int64		skipped;
	bool		probe;			/* only find valueid: the first out-of-line feature value's TOAST id */
	Oid			valueid;
} PageSink;

static bool
IsNumericType(Oid t, bool array)
{
	return t == INT2OID || t == INT4OID || t == INT8OID || t == FLOAT4OID || t == FLOAT8OID ||
		t == NUMERICOID || (t == BOOLOID && !array);
}

/* The one converter of scalar values. */
static double
ScalarToDouble(Datum d, Oid t)
{
	double		x;

	switch (t)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
			return DatumGetInt32(d);
		case INT8OID:
			return (double) DatumGetInt64(d);
		case FLOAT4OID:
			return DatumGetFloat4(d);
		case FLOAT8OID:
			return DatumGetFloat8(d);
		case BOOLOID:
			return DatumGetBool(d) ? 1.0 : 0.0;
		case NUMERICOID:		/* out of range: +-Inf, told apart from numeric's own Infinity */
			x = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, d));
			numericOverflow |= __builtin_isinf(x) && !numeric_is_inf(DatumGetNumeric(d));
			return x;
	}
	elog(ERROR, "corgipile: unexpected type %u. Please report a bug.", t);
}

/* The one converter of n elements of a checked 1-D array without NULLs: into dst, or float8 ones where they are. */
static const double *
ArrayToDoubles(ArrayType *arr, Oid elem, int n, double *dst)
{
	const char *p = ARR_DATA_PTR(arr);
	int			i;

#define CONVERT(ctype) for (i = 0; i < n; i++) dst[i] = (double) ((const ctype *) p)[i]; return dst
	switch (elem)
	{
		case FLOAT8OID:
			return (const double *) p;
		case FLOAT4OID:
			CONVERT(float4);
		case INT2OID:
			CONVERT(int16);
		case INT4OID:
			CONVERT(int32);
		case INT8OID:
			CONVERT(int64);
		case NUMERICOID:
			{
				Datum	   *elems;

				deconstruct_array(arr, NUMERICOID, -1, false, TYPALIGN_INT, &elems, NULL, &n);	/* n: the same */
				for (i = 0; i < n; i++)
					dst[i] = ScalarToDouble(elems[i], NUMERICOID);
				return dst;
			}
	}
	elog(ERROR, "corgipile: unexpected element type %u. Please report a bug.", elem);
}

static void
BadFeatures(Relation rel, const char *features)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("features \"%s\" of relation \"%s\" are not a supported feature type", features,
					RelationGetRelationName(rel)),
			 errhint("Use one float8[], real[], integer[], bigint[], smallint[] or numeric[] column; a "
					 "comma-separated list of numeric columns; or \"indices, values\" with an integer[] and a "
					 "float8[] column for sparse features.")));
}

/* A column by name, with SELECT privilege checked unless the whole table may be read; its converted type. */
static Column
LookupColumn(Relation rel, const char *name, const char *role, bool tableSelect)
{
	Column		c;
	Oid			type;
	Oid			elem;

	c.att = get_attnum(RelationGetRelid(rel), name);
	if (c.att == InvalidAttrNumber || c.att < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("%s column \"%s\" of relation \"%s\" does not exist", role, name,
						RelationGetRelationName(rel)),
				 errhint("Name a column as \\d lists it (names are not case-folded here).")));
	if (!tableSelect && pg_attribute_aclcheck(RelationGetRelid(rel), c.att, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, get_relkind_objtype(rel->rd_rel->relkind), RelationGetRelationName(rel));
	type = getBaseType(TupleDescAttr(RelationGetDescr(rel), c.att - 1)->atttypid);
	elem = get_element_type(type);
	c.array = OidIsValid(elem);
	c.type = c.array ? getBaseType(elem) : type;
	return c;
}

/* Opens the relation and checks what the executor would (kind, access method, privileges, row-level security,
 * columns); spec: one column, "indices, values" or scalar columns.  Fills r in the current memory context. */
static void
ReaderSetup(CorgiReader *r, Oid relid, const char *label, const char *spec, const char *shown)
{
	Relation	rel;
	const char *name;
	bool		tableSelect;
	int			arrays = 0;
	AttrNumber	last;
	char	   *copy;
	char	   *tok;

	if ((r->rel = rel = try_relation_open(relid, AccessShareLock)) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid),
				 errhint("Name the relation instead, e.g. 'my_table' or 'my_schema.my_table'.")));
	name = RelationGetRelationName(rel);
	r->shown = shown && shown[0] != ' ' ? shown : psprintf("\"%s\"%s", name, shown ? shown : "");
	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("\"%s\" is a partitioned table", name),
				 errhint("Train on one partition, or on a table made with CREATE TABLE ... AS SELECT.")));
	if (rel->rd_rel->relkind != RELKIND_RELATION && rel->rd_rel->relkind != RELKIND_MATVIEW)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table or materialized view", name),
				 errhint("Views, indexes, sequences and foreign tables have no heap blocks to read: materialize "
						 "the data first, e.g. CREATE TABLE t2 AS SELECT * FROM %s.", quote_identifier(name))));
	if (rel->rd_rel->relam != HEAP_TABLE_AM_OID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("relation \"%s\" uses table access method \"%s\"", name, get_am_name(rel->rd_rel->relam)),
				 errhint("Only heap pages are read: copy the data into a heap table, e.g. CREATE TABLE t2 USING "
						 "heap AS SELECT * FROM %s.", quote_identifier(name))));
	if (!RelationIsPopulated(rel))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("materialized view \"%s\" has not been populated", name),
				 errhint("Use the REFRESH MATERIALIZED VIEW command.")));

	/* Columns (with column privileges unless the whole table may be read): label, then the features. */
	tableSelect = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
	r->label = LookupColumn(rel, label, "label", tableSelect);
	last = r->label.att;
	if (r->label.array || !IsNumericType(r->label.type, false))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("label column \"%s\" of relation \"%s\" has type %s", label, name,
						format_type_be(TupleDescAttr(RelationGetDescr(rel), r->label.att - 1)->atttypid)),
				 errhint("The label must be smallint, integer, bigint, real, double precision, numeric or boolean.")));
	r->cols = palloc(sizeof(Column) * (strlen(spec) / 2 + 1));	/* names of >= 1 character and commas */
	for (copy = pstrdup(r->spec = spec); (tok = strsep(&copy, ",")) != NULL; r->ncols++)
	{
		char	   *end = tok + strlen(tok);

		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		tok += strspn(tok, " \t");
		if (*tok == '\0' || r->ncols >= MaxHeapAttributeNumber)
			BadFeatures(rel, spec);
		r->cols[r->ncols] = LookupColumn(rel, tok, "features", tableSelect);
		if (!IsNumericType(r->cols[r->ncols].type, r->cols[r->ncols].array))
			BadFeatures(rel, spec);
		arrays += r->cols[r->ncols].array ? 1 : 0;
		last = Max(last, r->cols[r->ncols].att);
	}
	if (arrays == 0)
		r->kind = FEATURES_COLUMNS;
	else if (r->ncols == 1)
		r->kind = FEATURES_ARRAY;
	else if (r->ncols == 2 && arrays == 2 &&
			 (r->cols[0].type == INT2OID || r->cols[0].type == INT4OID || r->cols[0].type == INT8OID))
		r->kind = FEATURES_SPARSE;
	else
		BadFeatures(rel, spec);
	r->dimension = r->kind == FEATURES_COLUMNS ? r->ncols : 0;

	/* Row-level security would need the executor: refuse rather than leak rows. */
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("relation \"%s\" has row-level security enabled for this user", name),
				 errdetail("corgipile reads heap blocks directly and does not apply row-level security policies."),
				 errhint("Train on a copy made under your policies, e.g. CREATE TEMP TABLE t2 AS SELECT * FROM %s.",
						 quote_identifier(name))));
	/* deform up to the last attribute read; with the constraints' missing values of columns added later */
	r->desc = CreateTupleDescCopyConstr(RelationGetDescr(rel));
	r->desc->natts = last;
	r->values = palloc(sizeof(Datum) * r->desc->natts);
	r->nulls = palloc(sizeof(bool) * r->desc->natts);
}

/* ------------------------------------------------------------------ deforming one tuple */

/* A bad value of column c (NULL: both sparse arrays) of tuple tup, named with the relation as r shows it. */
static void
TupleError(CorgiReader *r, HeapTuple tup, const Column *c, int sqlstate, const char *problem, const char *hint)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("%s \"%s\" of tuple (%u,%u) of relation %s %s", c == &r->label ? "label" : c ? "features" :
					"sparse features", c ? NameStr(TupleDescAttr(r->desc, c->att - 1)->attname) : r->spec,
					ItemPointerGetBlockNumber(&tup->t_self), ItemPointerGetOffsetNumber(&tup->t_self),
					r->shown, problem),
			 errhint("%s", hint)));
}

/* v[0..n) of column c (NULL: scalar columns) to dst (may be v); 22000 if one is NaN or +-Inf (exponent all ones + 1
 * carries into bit 63: SIMD), 22003 if it is a numeric beyond float8's range. */
typedef uint64 U64x2 __attribute__((vector_size(16), aligned(8), may_alias));

static inline void
CheckFinite(CorgiReader *r, double *dst, const double *v, int n, HeapTuple tup, const Column *c)
{
	const uint64 expMask = UINT64CONST(0x7FF0000000000000);
	const uint64 expUnit = UINT64CONST(0x0010000000000000);
	U64x2		acc = {0};
	uint64		tail = 0;
	int			i;

	for (i = 0; i + 2 <= n; i += 2)
		acc |= ((*(U64x2 *) &dst[i] = *(const U64x2 *) &v[i]) & expMask) + expUnit;
	for (; i < n; i++)
		tail |= ((((uint64 *) dst)[i] = ((const uint64 *) v)[i]) & expMask) + expUnit;
	if (unlikely(((acc[0] | acc[1] | tail) >> 63) != 0))
	{
		for (i = 0; c == NULL && __builtin_isfinite(dst[i]); i++)
			;					/* the first bad scalar column */
		TupleError(r, tup, c ? c : &r->cols[i],
				   numericOverflow ? ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE : ERRCODE_DATA_EXCEPTION,
				   psprintf("%s %s", c == &r->label ? "is" : "contain",
							numericOverflow ? "a numeric beyond the range of double precision" : "NaN or Infinity"),
				   numericOverflow ? "Double precision holds magnitudes up to about 1e308: rescale those values "
				   "first, e.g. into a new table." : "Filter or fix those rows first, e.g. into a new table.");
	}
}

/* The 1-D feature array of a tuple (detoasted in the current context), without NULL elements; *n its length. */
static ArrayType *
FeatureArray(CorgiReader *r, const Column *c, HeapTuple tup, int *n)
{
	ArrayType  *arr = DatumGetArrayTypeP(r->values[c->att - 1]);

	if (ARR_NDIM(arr) > 1)
		TupleError(r, tup, c, ERRCODE_ARRAY_SUBSCRIPT_ERROR, psprintf("are a %d-dimensional array; expected one "
				   "dimension", ARR_NDIM(arr)), "Store each row's features as a flat array, e.g. into a new table.");
	if (array_contains_nulls(arr))
		TupleError(r, tup, c, ERRCODE_NULL_VALUE_NOT_ALLOWED, "contain a NULL element",
				   "Replace the NULL elements (e.g. with coalesce) or leave those rows out, e.g. in a new table.");
	*n = ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0];
	return arr;
}

/* Room for a record of n doubles and its pair; NULL once the page does not fit (pos and back count the need). */
static double *
Reserve(PageSink *s, int64 n)
{
	double	   *dst = s->out + s->pos;

	s->pos += n;
	s->back += 2;
	return s->pos > s->cap || s->back > s->pairCap ? NULL : dst;
}

/* One visible tuple, deformed once: skip when label or features are NULL, else emit its record. */
static void
DeformTuple(CorgiReader *r, HeapTuple tup, PageSink *s)
{
	Datum	   *v = r->values;
	double		label;
	double	   *dst;
	int			n;
	int			i;

	heap_deform_tuple(tup, r->desc, v, r->nulls);
	for (i = -1; i < r->ncols; i++)
		if (r->nulls[(i < 0 ? r->label.att : r->cols[i].att) - 1])
		{
			s->skipped++;
			return;
		}
	if (s->probe)
	{
		struct varatt_external ext;
		Pointer		p = DatumGetPointer(v[r->cols[r->ncols - 1].att - 1]);

		if (!OidIsValid(s->valueid) && VARATT_IS_EXTERNAL_ONDISK(p))
		{
			VARATT_EXTERNAL_GET_POINTER(ext, p);
			s->valueid = ext.va_valueid;
		}
		return;
	}
	label = ScalarToDouble(v[r->label.att - 1], r->label.type);
	CheckFinite(r, &label, &label, 1, tup, &r->label);
	if (r->kind == FEATURES_COLUMNS)
	{
		if ((dst = Reserve(s, r->ncols)) == NULL)
			return;
		for (i = 0; i < r->ncols; i++)
			dst[i] = ScalarToDouble(v[r->cols[i].att - 1], r->cols[i].type);
		CheckFinite(r, dst, dst, r->ncols, tup, NULL);
	}
	else if (r->kind == FEATURES_ARRAY)
	{
		ArrayType  *arr = FeatureArray(r, &r->cols[0], tup, &n);

		if (n == 0)
			TupleError(r, tup, &r->cols[0], ERRCODE_DATA_EXCEPTION, "are an empty array", "Every feature array "
					   "needs at least one element: leave out the rows whose array is empty (cardinality 0).");
		r->dimension = r->dimension == 0 ? n : r->dimension;	/* the first tuple's length */
		if (n != r->dimension)
			TupleError(r, tup, &r->cols[0], ERRCODE_DATA_EXCEPTION, psprintf("have %d elements; expected %d like "
					   "the first tuple", n, r->dimension), "Every feature array of a relation must have the same "
					   "length.");
		if ((dst = Reserve(s, n)) == NULL)
			return;
		CheckFinite(r, dst, ArrayToDoubles(arr, r->cols[0].type, n, dst), n, tup, &r->cols[0]);
	}
	else
	{
		int			nv;
		ArrayType  *idx = FeatureArray(r, &r->cols[0], tup, &n);
		ArrayType  *val = FeatureArray(r, &r->cols[1], tup, &nv);

		if (n != nv)
			TupleError(r, tup, NULL, ERRCODE_DATA_EXCEPTION, psprintf("have %d indices but %d values", n, nv),
					   "Each row needs one value per index.");
		if ((dst = Reserve(s, 1 + 2 * (int64) n)) == NULL)
			return;
		dst[0] = n;
		ArrayToDoubles(idx, r->cols[0].type, n, dst + 1);
		CheckFinite(r, dst + 1 + n, ArrayToDoubles(val, r->cols[1].type, n, dst + 1 + n), n, tup, &r->cols[1]);
	}
	dst = s->pairs + s->back - 2;
	dst[0] = label;
	dst[1] = (double) (((uint64) ItemPointerGetBlockNumber(&tup->t_self) << 16) |
					   ItemPointerGetOffsetNumber(&tup->t_self));
}

/* One heap page as heapgetpage() sees it: visible tuples under a share lock, deformed under the pin. */
static void
ReadPage(CorgiReader *r, BlockNumber blk, PageSink *s)
{
	Buffer		buf;
	Page		page;
	OffsetNumber lines;
	OffsetNumber off;
	HeapTupleData visible[MaxHeapTuplesPerPage];
	int			nvisible = 0;
	uint32		ahead;
	bool		allVisible;
	bool		ssi = CheckForSerializableConflictOutNeeded(r->rel, r->snapshot);	/* its first test, once a page */
	MemoryContext old;

	buf = ReadBufferExtended(r->rel, MAIN_FORKNUM, blk, RBM_NORMAL, r->strategy);
	curBuf = buf;
	heap_page_prune_opt(r->rel, buf);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	curLocked = true;
	page = BufferGetPage(buf);
	TestForOldSnapshot(r->snapshot, r->rel, page);
	lines = PageGetMaxOffsetNumber(page);
	allVisible = PageIsAllVisible(page) && !r->snapshot->takenDuringRecovery;
	for (off = FirstOffsetNumber; off <= lines; off = OffsetNumberNext(off))
	{
		ItemId		lpp = PageGetItemId(page, off);
		HeapTuple	tup = &visible[nvisible];
		bool		valid;

		if (!ItemIdIsNormal(lpp))
			continue;
		tup->t_tableOid = RelationGetRelid(r->rel);
		tup->t_data = (HeapTupleHeader) PageGetItem(page, lpp);
		tup->t_len = ItemIdGetLength(lpp);
		ItemPointerSet(&tup->t_self, blk, off);
		valid = allVisible || HeapTupleSatisfiesVisibility(tup, r->snapshot, buf);
		if (ssi)
			HeapCheckForSerializableConflictOut(valid, r->rel, tup, buf, r->snapshot);
		for (ahead = 0; valid && nvisible < PREFETCH_TUPLES && ahead < tup->t_len; ahead += 64)
			__builtin_prefetch((char *) tup->t_data + ahead);	/* the first ones, during this walk */
		nvisible += valid ? 1 : 0;
	}
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	curLocked = false;

	old = MemoryContextSwitchTo(r->tupleCxt);
	for (int i = 0; i < nvisible; i++)
	{
		/* tuple i + PREFETCH_TUPLES comes from memory while tuple i is deformed: -25% of the reader's CPU */
		for (ahead = 0; i + PREFETCH_TUPLES < nvisible && ahead < visible[i + PREFETCH_TUPLES].t_len; ahead += 64)
			__builtin_prefetch((char *) visible[i + PREFETCH_TUPLES].t_data + ahead);
		DeformTuple(r, &visible[i], s);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(r->tupleCxt);
	curBuf = InvalidBuffer;
	ReleaseBuffer(buf);
}

/* Releases the page and the Java arrays an error interrupted (the native frame, after an error), or a done read's. */
void
CorgiReaderAbortPage(JNIEnv *env)
{
	for (int i = 1; i >= 0; i--)
		if (curAt[i] != NULL)
			(*env)->ReleasePrimitiveArrayCritical(env, curArrays[i], curAt[i], 0);
	curAt[0] = curAt[1] = NULL;
	if (curLocked)
		LockBuffer(curBuf, BUFFER_LOCK_UNLOCK);
	if (BufferIsValid(curBuf))
		ReleaseBuffer(curBuf);
	curBuf = InvalidBuffer;
	curLocked = false;
}

static CorgiReader *
ReaderFromHandle(jlong handle)
{
	if (handle < 1 || handle > MAX_READERS || readers[handle - 1] == NULL)
		elog(ERROR, "corgipile: heap reader %lld is closed. Please report a bug.", (long long) handle);
	return readers[handle - 1];
}

/* Closes reader *(jlong *) handle: the body of readerClose, and CorgiCloseAllReaders's close (env unused). */
static void
ReaderClose(JNIEnv *env, void *handle)
{
	CorgiReader *r = ReaderFromHandle(*(jlong *) handle);

	readers[*(jlong *) handle - 1] = NULL;
	FreeAccessStrategy(r->strategy);
	UnregisterSnapshot(r->snapshot);
	if (r->toast != NULL)
		relation_close(r->toast, NoLock);
	relation_close(r->rel, NoLock); /* the lock is kept until the end of the transaction */
	MemoryContextDelete(r->mcxt);
}

/* When a Java call ends; after an error only forgotten (the abort releases them, the call's context their memory). */
void
CorgiCloseAllReaders(bool clean)
{
	for (jlong h = 1; h <= MAX_READERS; h++)
		if (readers[h - 1] != NULL && clean)
			ReaderClose(NULL, &h);
		else
			readers[h - 1] = NULL;
}

/* corgipile._check_relation(relation, label, features): the reader's checks, nothing read or registered. */
PG_FUNCTION_INFO_V1(corgipile_check_relation);
Datum
corgipile_check_relation(PG_FUNCTION_ARGS)
{
	CorgiReader r = {0};

	ReaderSetup(&r, PG_GETARG_OID(0), text_to_cstring(PG_GETARG_TEXT_PP(1)), text_to_cstring(PG_GETARG_TEXT_PP(2)),
				NULL);
	relation_close(r.rel, NoLock);
	PG_RETURN_VOID();
}

/* ------------------------------------------------------------------ natives */

/* The arguments and results of the reader natives. */
typedef struct ReaderArgs
{
	jlong		handle;			/* readerOpen: the relation's OID */
	jlong		first;
	jint		pages;
	bool		toast;
	jdoubleArray rows, header;	/* readerReadPages: records into rows[offset, offset + length), the rest into header */
	jint		offset, length;
	jint		result;			/* readerReadPages: pages consumed; readerToastBlock: a TOAST block or -1; readerWillNeed: segments not cached */
	jbyteArray	label;			/* readerOpen: UTF-8 names, the answers */
	jbyteArray	features;
	jbyteArray	shown;			/* the relation as errors name it; NULL: its name in quotes */
	jlong		info[5];
	char	   *name;
} ReaderArgs;

/* Set up in a new memory context; registered in readers[] only once every check has passed. */
static void
ReaderOpenBody(JNIEnv *env, void *arg)
{
	ReaderArgs *a = (ReaderArgs *) arg;
	MemoryContext mcxt = AllocSetContextCreate(corgiCallContext, "corgipile reader", ALLOCSET_DEFAULT_SIZES);
	CorgiReader *r = MemoryContextAllocZero(mcxt, sizeof(CorgiReader));
	int			slot;

	for (slot = 0; slot < MAX_READERS && readers[slot] != NULL; slot++)
		;
	if (slot == MAX_READERS)
		elog(ERROR, "corgipile: too many heap readers open. Please report a bug.");
	r->mcxt = mcxt;
	r->tupleCxt = AllocSetContextCreate(mcxt, "corgipile reader page", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(mcxt);
	ReaderSetup(r, (Oid) a->handle, CorgiUtf8(env, a->label), CorgiUtf8(env, a->features),
				a->shown ? CorgiUtf8(env, a->shown) : NULL);
	if (!ActiveSnapshotSet())
		elog(ERROR, "corgipile: no active snapshot. Please report a bug.");
	r->snapshot = RegisterSnapshot(GetActiveSnapshot());
	r->strategy = GetAccessStrategy(BAS_BULKREAD);
	r->nblocks = RelationGetNumberOfBlocks(r->rel);
	if (OidIsValid(r->rel->rd_rel->reltoastrelid))
		r->toast = relation_open(r->rel->rd_rel->reltoastrelid, AccessShareLock);
	/* Like a sequential scan: lock the whole relation for SERIALIZABLE conflict detection. */
	PredicateLockRelation(r->rel, r->snapshot);
	readers[slot] = r;
	a->info[0] = slot + 1;
	a->info[1] = r->nblocks;
	a->info[2] = r->dimension;
	a->info[3] = r->kind == FEATURES_SPARSE;
	a->info[4] = r->toast == NULL ? 0 : RelationGetNumberOfBlocks(r->toast);
	a->name = pstrdup(RelationGetRelationName(r->rel));
}

/* Opens a reader (label, features, shown: UTF-8); info gets {handle, pages, dimension or 0, sparse, TOAST pages}. */
jbyteArray	JNICALL
readerOpen(JNIEnv *env, jclass cls, jlong relid, jbyteArray label, jbyteArray features, jbyteArray shown,
		   jlongArray info)
{
	ReaderArgs	a = {.handle = relid, .label = label, .features = features, .shown = shown};

	if (!CorgiNative(env, ReaderOpenBody, &a))
		return NULL;
	(*env)->SetLongArrayRegion(env, info, 0, 5, a.info);
	return CorgiJavaBytes(env, a.name);
}

/*
 * posix_fadvise(WILLNEED) of pages [first, first + pages) of the heap or its
 * TOAST relation per 2 MB (max(read_ahead_kb, max_sectors_kb)): a random
 * order's block is read in a few large requests while others are decoded.
 * cachestat (Linux 6.5): at most a quarter cached, those pages are dropped first (each
 * would split the read, docs/in-database.md, TOAST); all cached, nothing is announced (the
 * kernel would only walk the pages). a->result: the segments not all cached (0: a warm range).
 */
static void
WillNeedBody(JNIEnv *env, void *arg)
{
	ReaderArgs *a = (ReaderArgs *) arg;
	CorgiReader *r = ReaderFromHandle(a->handle);
	Relation	rel = a->toast ? r->toast : r->rel;
	BlockNumber first = (BlockNumber) Max(a->first, 0);
	BlockNumber n = rel == NULL ? 0 : (BlockNumber) Max(Min((int64) a->pages, (int64) (a->toast ?
														RelationGetNumberOfBlocks(rel) : r->nblocks) - a->first), 0);
#ifdef USE_POSIX_FADVISE
	char	   *path = n == 0 ? NULL : relpathbackend(rel->rd_node, rel->rd_backend, MAIN_FORKNUM);

	while (a->first >= 0 && n > 0)
	{
		BlockNumber inSeg = Min(n, RELSEG_SIZE - first % RELSEG_SIZE);
		char	   *file = first < RELSEG_SIZE ? path : psprintf("%s.%u", path, first / RELSEG_SIZE);
		int			fd = OpenTransientFile(file, O_RDONLY | PG_BINARY);
		uint64		range[2] = {(uint64) (first % RELSEG_SIZE) * BLCKSZ, (uint64) inSeg * BLCKSZ}, cached[5] = {0};

		if (fd >= 0 && syscall(CACHESTAT_SYSCALL, fd, range, cached, 0) == 0 && cached[0] > 0 /* pages */
			&& cached[0] * getpagesize() * 4 <= range[1])
			(void) posix_fadvise(fd, (off_t) range[0], (off_t) range[1], POSIX_FADV_DONTNEED);
		a->result += cached[0] * getpagesize() < range[1];
		for (uint64 done = cached[0] * getpagesize() >= range[1] ? range[1] : 0; fd >= 0 && done < range[1]; done += WILLNEED_PAGES * BLCKSZ)
			(void) posix_fadvise(fd, range[0] + done, Min(WILLNEED_PAGES * BLCKSZ, range[1] - done), POSIX_FADV_WILLNEED);
		if (fd >= 0)
			CloseTransientFile(fd);
		first += inSeg;
		n -= inSeg;
	}
#endif
}

jint		JNICALL
readerWillNeed(JNIEnv *env, jclass cls, jlong handle, jboolean toast, jlong first, jint pages)
{
	ReaderArgs	a = {.handle = handle, .first = first, .pages = pages, .toast = toast};

	return CorgiNative(env, WillNeedBody, &a) ? a.result : -1;
}

/* a->result: the TOAST block of the first chunk of the first out-of-line feature value of a visible tuple on heap
 * page a->first (found through the TOAST index), or -1.  Array and sparse features only: others are by value. */
static void
ToastBlockBody(JNIEnv *env, void *arg)
{
	ReaderArgs *a = (ReaderArgs *) arg;
	CorgiReader *r = ReaderFromHandle(a->handle);
	PageSink	s = {.probe = true};
	Relation   *indexes;
	int			count;
	int			valid;
	ScanKeyData key;
	SnapshotData snapshot;
	SysScanDesc scan;
	HeapTuple	chunk;

	a->result = -1;
	if (r->toast == NULL || r->kind == FEATURES_COLUMNS || a->first < 0 || a->first >= r->nblocks)
		return;
	ReadPage(r, (BlockNumber) a->first, &s);
	if (!OidIsValid(s.valueid))
		return;
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(s.valueid));
	init_toast_snapshot(&snapshot);
	valid = toast_open_indexes(r->toast, AccessShareLock, &indexes, &count);
	scan = systable_beginscan_ordered(r->toast, indexes[valid], &snapshot, 1, &key);
	if ((chunk = systable_getnext_ordered(scan, ForwardScanDirection)) != NULL)
		a->result = (jint) ItemPointerGetBlockNumber(&chunk->t_self);
	systable_endscan_ordered(scan);
	toast_close_indexes(indexes, count, AccessShareLock);
}

jint		JNICALL
readerToastBlock(JNIEnv *env, jclass cls, jlong handle, jlong page)
{
	ReaderArgs	a = {.handle = handle, .first = page};

	return CorgiNative(env, ToastBlockBody, &a) ? a.result : -1;
}

static void
ReadPagesBody(JNIEnv *env, void *arg)
{
	ReaderArgs *a = (ReaderArgs *) arg;
	CorgiReader *r = ReaderFromHandle(a->handle);
	PageSink	s;
	double		need = 0;		/* doubles the first page's records need when they did not fit */
	jsize		metaLength = (*env)->GetArrayLength(env, a->header);
	BlockNumber blk = (BlockNumber) Max(a->first, 0);
	BlockNumber end = (BlockNumber) Min((int64) r->nblocks, a->first + (int64) a->pages);

	if (a->offset < 0 || a->length < 0 || a->offset + (int64) a->length > (*env)->GetArrayLength(env, a->rows) ||
		metaLength < META_HEADER + 2 * MaxHeapTuplesPerPage)
		elog(ERROR, "corgipile: reader output outside its arrays. Please report a bug.");
	/* pinned: no GC and no other JNI call until CorgiReaderAbortPage releases them (also after an error) */
	for (int i = 0; i < 2; i++)
		if ((curAt[i] = (*env)->GetPrimitiveArrayCritical(env, curArrays[i] = i ? a->header : a->rows, NULL)) == NULL)
			elog(ERROR, "corgipile: out of memory pinning the reader's output");
	s = (PageSink) {(double *) curAt[0] + a->offset, a->length, 0, (double *) curAt[1] + META_HEADER,
					 metaLength - META_HEADER};
	numericOverflow = false;
	for (; blk < end; blk++, a->result++)
	{
		PageSink	before = s;

		CHECK_FOR_INTERRUPTS();
		ReadPage(r, blk, &s);
		if (s.pos > s.cap || s.back > s.pairCap)	/* the page did not fit: Reserve gave NULL */
		{
			need = a->result == 0 ? (double) s.pos : 0;
			s = before;
			break;
		}
	}
	memcpy(curAt[1], (double[META_HEADER]) {s.back / 2, s.pos, s.skipped, need, r->dimension},
		   sizeof(double[META_HEADER]));
	CorgiReaderAbortPage(env);
}

/* Pages [first, first + pages) into rows[offset, offset + length) until full; returns the pages consumed. */
jint		JNICALL
readerReadPages(JNIEnv *env, jclass cls, jlong handle, jlong first, jint pages, jdoubleArray rows, jint offset,
				jint length, jdoubleArray header)
{
	ReaderArgs	a = {handle, first, pages, .rows = rows, .offset = offset, .length = length, .header = header};

	return CorgiNative(env, ReadPagesBody, &a) ? a.result : -1;
}

void		JNICALL
readerClose(JNIEnv *env, jclass cls, jlong handle)
{
	CorgiNative(env, ReaderClose, &handle);
}
