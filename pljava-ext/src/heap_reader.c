/*-------------------------------------------------------------------------
 * heap_reader.c
 *	  Reads ranges of heap pages for Java: org.corgipile.pg.Natives reader
 *	  natives behind HeapBlockSource.
 *
 * INTERFACE ROUTINES
 *	  readerOpen		- check the relation and columns, register the snapshot
 *	  readerInfo		- page count, feature dimension, sparse flag, skipped tuples
 *	  readerReadPages	- one JNI call per page range: visible tuples, deformed
 *						  into doubles in a direct ByteBuffer
 *	  readerClose		- release relation, snapshot and strategy
 *	  CorgiCheckRelation - the same checks, callable from SQL
 *
 * The executor is bypassed, so this file does what a sequential scan and the
 * executor would do: SELECT privilege (table or column level), refusal of
 * row-level security, the active snapshot with heapgetpage()-style visibility,
 * the SERIALIZABLE predicate lock and conflict checks, a BAS_BULKREAD ring,
 * and PrefetchBuffer for the range the caller reads next.
 *
 * Output format (native byte order, doubles): a 4-slot header {tuples, doubles
 * written, skipped so far, doubles needed when not even one page fitted}, then
 * per tuple: label, tid (page << 16 | offset), and either the dense features
 * or nnz, nnz indices, nnz values.  Doubles keep the Java decoder a bulk copy.
 *-------------------------------------------------------------------------
 */
#include "corgipile.h"

#include <math.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/predicate.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

#define HEADER_DOUBLES 4
#define MAX_READERS 8
#define MAX_FEATURE_COLUMNS 1600

typedef enum FeatureKind
{
	FEATURES_ARRAY,				/* one numeric array column, dense */
	FEATURES_COLUMNS,			/* one or more numeric scalar columns, dense */
	FEATURES_SPARSE				/* integer index array + numeric value array */
} FeatureKind;

typedef struct CorgiReader
{
	MemoryContext mcxt;			/* this reader's memory, deleted at close */
	MemoryContext tupleCxt;		/* detoasted arrays of one page */
	Relation	rel;
	Snapshot	snapshot;
	BufferAccessStrategy strategy;
	BlockNumber nblocks;
	AttrNumber	labelAtt;
	Oid			labelType;
	FeatureKind kind;
	int			ncols;
	AttrNumber *featAtts;
	Oid		   *featTypes;		/* scalar type, or element type of arrays */
	int			dimension;
	int64		skipped;		/* tuples with a NULL label or features */
	Buffer		curBuf;			/* for cleanup after an error */
	bool		curLocked;
} CorgiReader;

static CorgiReader *readers[MAX_READERS];

/* Sink of one page: writes records while they fit, otherwise only counts. */
typedef struct PageSink
{
	double	   *out;
	int64		cap;
	int64		pos;
	int64		tuples;
	int64		skipped;
	bool		overflow;
	int64		maxIndex;		/* sparse dimension probe */
	bool		probe;			/* no output: find the dimension */
	bool		stopAfterFirst;
} PageSink;

static bool
IsNumericScalar(Oid t)
{
	return t == INT2OID || t == INT4OID || t == INT8OID || t == FLOAT4OID || t == FLOAT8OID ||
		t == NUMERICOID || t == BOOLOID;
}

static bool
IsNumericElement(Oid t)
{
	return t == INT2OID || t == INT4OID || t == INT8OID || t == FLOAT4OID || t == FLOAT8OID || t == NUMERICOID;
}

static double
ScalarToDouble(Datum d, Oid t)
{
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
		case NUMERICOID:
			return DatumGetFloat8(DirectFunctionCall1(numeric_float8, d));
	}
	elog(ERROR, "corgipile: unexpected type %u. Please report a bug.", t);
	return 0;
}

static AttrNumber
LookupColumn(Relation rel, const char *name, const char *role)
{
	AttrNumber	att = get_attnum(RelationGetRelid(rel), name);

	if (att == InvalidAttrNumber || att < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("%s column \"%s\" of relation \"%s\" does not exist", role, name,
						RelationGetRelationName(rel))));
	return att;
}

static Oid
ColumnType(Relation rel, AttrNumber att)
{
	return getBaseType(TupleDescAttr(RelationGetDescr(rel), att - 1)->atttypid);
}

static void
CheckColumnPrivilege(Relation rel, AttrNumber att)
{
	if (pg_attribute_aclcheck(RelationGetRelid(rel), att, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, get_relkind_objtype(rel->rd_rel->relkind),
					   RelationGetRelationName(rel));
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

/*
 * Opens the relation and checks everything the executor would: relation kind,
 * privileges, row-level security, column names and types.  Fills r.
 */
static void
ReaderSetup(CorgiReader *r, Oid relid, const char *label, const char *features)
{
	Relation	rel;
	char		relkind;
	char	   *copy;
	char	   *save = NULL;
	char	   *tok;
	List	   *names = NIL;
	ListCell   *lc;
	int			i;

	if (get_rel_name(relid) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	rel = relation_open(relid, AccessShareLock);
	r->rel = rel;
	relkind = rel->rd_rel->relkind;
	if (relkind == RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("\"%s\" is a partitioned table", RelationGetRelationName(rel)),
				 errhint("Train on one partition, or on a table made with CREATE TABLE ... AS SELECT.")));
	if (relkind != RELKIND_RELATION && relkind != RELKIND_MATVIEW)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table or materialized view", RelationGetRelationName(rel)),
				 errhint("corgipile reads heap blocks; views, indexes, sequences and foreign tables have none. "
						 "Materialize the data first: CREATE TABLE ... AS SELECT ...")));

	/* Columns: label, then the features specification. */
	r->labelAtt = LookupColumn(rel, label, "label");
	r->labelType = ColumnType(rel, r->labelAtt);
	if (!IsNumericScalar(r->labelType))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("label column \"%s\" of relation \"%s\" has type %s", label,
						RelationGetRelationName(rel), format_type_be(r->labelType)),
				 errhint("The label must be smallint, integer, bigint, real, double precision, numeric or boolean.")));

	copy = pstrdup(features);
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
	{
		char	   *end;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*tok == '\0')
			BadFeatures(rel, features);
		names = lappend(names, tok);
	}
	if (names == NIL || list_length(names) > MAX_FEATURE_COLUMNS)
		BadFeatures(rel, features);
	r->ncols = list_length(names);
	r->featAtts = palloc(sizeof(AttrNumber) * r->ncols);
	r->featTypes = palloc(sizeof(Oid) * r->ncols);
	i = 0;
	foreach(lc, names)
	{
		AttrNumber	att = LookupColumn(rel, (char *) lfirst(lc), "features");
		Oid			type = ColumnType(rel, att);
		Oid			elem = get_element_type(type);

		r->featAtts[i] = att;
		r->featTypes[i] = OidIsValid(elem) ? getBaseType(elem) : type;
		if (OidIsValid(elem) && !IsNumericElement(r->featTypes[i]))
			BadFeatures(rel, features);
		if (!OidIsValid(elem) && !IsNumericScalar(type))
			BadFeatures(rel, features);
		if (OidIsValid(elem))
		{
			if (r->ncols == 1)
				r->kind = FEATURES_ARRAY;
			else if (r->ncols == 2)
				r->kind = FEATURES_SPARSE;
			else
				BadFeatures(rel, features);
		}
		i++;
	}
	if (r->ncols == 1 && r->kind != FEATURES_ARRAY)
		r->kind = FEATURES_COLUMNS;
	else if (r->ncols >= 2 && r->kind != FEATURES_SPARSE)
		r->kind = FEATURES_COLUMNS;
	if (r->kind == FEATURES_SPARSE)
	{
		Oid			idxType = r->featTypes[0];
		bool		bothArrays = OidIsValid(get_element_type(ColumnType(rel, r->featAtts[0]))) &&
			OidIsValid(get_element_type(ColumnType(rel, r->featAtts[1])));

		if (!bothArrays || (idxType != INT2OID && idxType != INT4OID && idxType != INT8OID))
			BadFeatures(rel, features);
	}
	if (r->kind == FEATURES_COLUMNS)
		r->dimension = r->ncols;

	/* Privileges: the whole table, or every column read. */
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
	{
		CheckColumnPrivilege(rel, r->labelAtt);
		for (i = 0; i < r->ncols; i++)
			CheckColumnPrivilege(rel, r->featAtts[i]);
	}
	/* Row-level security would need the executor: refuse rather than leak rows. */
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("relation \"%s\" has row-level security enabled for this user",
						RelationGetRelationName(rel)),
				 errdetail("corgipile reads heap blocks directly and does not apply row-level security policies."),
				 errhint("Train on a copy made under your policies, e.g. CREATE TEMP TABLE t2 AS SELECT * FROM %s.",
						 quote_identifier(RelationGetRelationName(rel)))));
}

/* ------------------------------------------------------------------ deforming one tuple */

static void
Emit(PageSink *s, double v)
{
	if (s->pos < s->cap)
		s->out[s->pos] = v;
	else
		s->overflow = true;
	s->pos++;
}

static inline void
CheckFinite(double v, HeapTuple tup, const char *what)
{
	if (unlikely(isnan(v) || isinf(v)))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s of tuple (%u,%u) %s NaN or Infinity", what,
						ItemPointerGetBlockNumber(&tup->t_self), ItemPointerGetOffsetNumber(&tup->t_self),
						strcmp(what, "label") == 0 ? "is" : "contain"),
				 errhint("Filter or fix those rows first, e.g. into a new table.")));
}

/*
 * True when none of v[0..n) is NaN or +-Infinity, i.e. no exponent field is
 * all ones.  Branch-free integer arithmetic the compiler can vectorise: the
 * exponent bits plus one exponent unit carry into bit 63 exactly for an
 * all-ones exponent.  CheckFinite then finds and reports the offending value.
 */
static inline bool
AllFinite(const double *v, int n)
{
	const uint64 expMask = UINT64CONST(0x7FF0000000000000);
	const uint64 expUnit = UINT64CONST(0x0010000000000000);
	uint64		acc = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		uint64		bits;

		memcpy(&bits, &v[i], sizeof(bits));
		acc |= (bits & expMask) + expUnit;
	}
	return (acc >> 63) == 0;
}

/* Elements of a 1-D numeric array without NULLs, as doubles (palloc'd in the current context). */
static double *
ArrayToDoubles(Datum d, Oid elem, int *n, HeapTuple tup)
{
	ArrayType  *arr = DatumGetArrayTypeP(d);
	double	   *out;
	int			count;
	int			i;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features of tuple (%u,%u) are a %d-dimensional array; expected one dimension",
						ItemPointerGetBlockNumber(&tup->t_self), ItemPointerGetOffsetNumber(&tup->t_self),
						ARR_NDIM(arr))));
	count = ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0];
	if (array_contains_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("features of tuple (%u,%u) contain a NULL element",
						ItemPointerGetBlockNumber(&tup->t_self), ItemPointerGetOffsetNumber(&tup->t_self))));
	out = palloc(sizeof(double) * Max(count, 1));
	switch (elem)
	{
		case FLOAT8OID:
			memcpy(out, ARR_DATA_PTR(arr), sizeof(double) * count);
			break;
		case FLOAT4OID:
			for (i = 0; i < count; i++)
				out[i] = ((float4 *) ARR_DATA_PTR(arr))[i];
			break;
		case INT4OID:
			for (i = 0; i < count; i++)
				out[i] = ((int32 *) ARR_DATA_PTR(arr))[i];
			break;
		case INT2OID:
			for (i = 0; i < count; i++)
				out[i] = ((int16 *) ARR_DATA_PTR(arr))[i];
			break;
		case INT8OID:
			for (i = 0; i < count; i++)
				out[i] = (double) ((int64 *) ARR_DATA_PTR(arr))[i];
			break;
		default:
			{
				Datum	   *elems;
				int16		typlen;
				bool		typbyval;
				char		typalign;

				get_typlenbyvalalign(elem, &typlen, &typbyval, &typalign);
				deconstruct_array(arr, elem, typlen, typbyval, typalign, &elems, NULL, &count);
				for (i = 0; i < count; i++)
					out[i] = ScalarToDouble(elems[i], elem);
			}
	}
	*n = count;
	return out;
}

static void
DimensionMismatch(HeapTuple tup, int got, int expected)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("features of tuple (%u,%u) have %d elements; expected %d like the first tuple",
					ItemPointerGetBlockNumber(&tup->t_self), ItemPointerGetOffsetNumber(&tup->t_self), got,
					expected),
			 errhint("Every feature array of a relation must have the same length.")));
}

/* One visible tuple: skip when label or features are NULL, else emit (or probe) its record. */
static void
DeformTuple(CorgiReader *r, HeapTuple tup, PageSink *s)
{
	TupleDesc	desc = RelationGetDescr(r->rel);
	bool		isnull;
	Datum		d;
	Datum		featDatum = (Datum) 0;
	double		label;
	int			i;
	double		tid = (double) (((uint64) ItemPointerGetBlockNumber(&tup->t_self) << 16) |
								ItemPointerGetOffsetNumber(&tup->t_self));

	d = heap_getattr(tup, r->labelAtt, desc, &isnull);
	if (isnull)
	{
		s->skipped++;
		return;
	}
	label = ScalarToDouble(d, r->labelType);
	for (i = 0; i < r->ncols; i++)
	{
		Datum		f = heap_getattr(tup, r->featAtts[i], desc, &isnull);

		if (isnull)
		{
			s->skipped++;
			return;
		}
		if (i == 0)
			featDatum = f;		/* kept for the float8[] path: one attribute lookup per tuple, not two */
	}
	CheckFinite(label, tup, "label");

	if (r->kind == FEATURES_COLUMNS)
	{
		Emit(s, label);
		Emit(s, tid);
		for (i = 0; i < r->ncols; i++)
		{
			double		v = ScalarToDouble(heap_getattr(tup, r->featAtts[i], desc, &isnull), r->featTypes[i]);

			CheckFinite(v, tup, "features");
			Emit(s, v);
		}
	}
	else if (r->kind == FEATURES_ARRAY && r->featTypes[0] == FLOAT8OID && !s->probe)
	{
		/* The common case, float8[]: checked and copied straight into the output, no intermediate array. */
		ArrayType  *arr = DatumGetArrayTypeP(featDatum);
		int			n = ARR_NDIM(arr) == 1 ? ARR_DIMS(arr)[0] : 0;
		const double *v = (const double *) ARR_DATA_PTR(arr);

		if (ARR_NDIM(arr) != 1 || n != r->dimension || ARR_HASNULL(arr))
		{
			/* the general path raises the precise error */
			(void) ArrayToDoubles(PointerGetDatum(arr), FLOAT8OID, &n, tup);
			DimensionMismatch(tup, n, r->dimension);
		}
		if (s->pos + 2 + n <= s->cap)
		{
			double	   *dst = s->out + s->pos + 2;

			/* copy first, then check the copy while it is in L1 (one branch per array, not two per element) */
			memcpy(dst, v, sizeof(double) * n);
			if (unlikely(!AllFinite(dst, n)))
				for (i = 0; i < n; i++)
					CheckFinite(dst[i], tup, "features");
			s->out[s->pos] = label;
			s->out[s->pos + 1] = tid;
		}
		else
		{
			if (unlikely(!AllFinite(v, n)))
				for (i = 0; i < n; i++)
					CheckFinite(v[i], tup, "features");
			s->overflow = true;
		}
		s->pos += 2 + n;
	}
	else if (r->kind == FEATURES_ARRAY)
	{
		int			n;
		double	   *v = ArrayToDoubles(heap_getattr(tup, r->featAtts[0], desc, &isnull), r->featTypes[0],
									   &n, tup);

		if (s->probe)
		{
			if (n < 1)
				DimensionMismatch(tup, n, 1);
			r->dimension = n;
			s->tuples++;
			return;
		}
		if (n != r->dimension)
			DimensionMismatch(tup, n, r->dimension);
		for (i = 0; i < n; i++)
			CheckFinite(v[i], tup, "features");
		if (s->pos + 2 + n <= s->cap)
		{
			s->out[s->pos] = label;
			s->out[s->pos + 1] = tid;
			memcpy(s->out + s->pos + 2, v, sizeof(double) * n);
		}
		else
			s->overflow = true;
		s->pos += 2 + n;
	}
	else
	{
		int			ni;
		int			nv;
		double	   *idx = ArrayToDoubles(heap_getattr(tup, r->featAtts[0], desc, &isnull), r->featTypes[0],
										 &ni, tup);
		double	   *val = ArrayToDoubles(heap_getattr(tup, r->featAtts[1], desc, &isnull), r->featTypes[1],
										 &nv, tup);

		if (ni != nv)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("sparse features of tuple (%u,%u) have %d indices but %d values",
							ItemPointerGetBlockNumber(&tup->t_self), ItemPointerGetOffsetNumber(&tup->t_self),
							ni, nv)));
		for (i = 0; i < ni; i++)
		{
			CheckFinite(val[i], tup, "features");
			if (idx[i] < 0 || (!s->probe && idx[i] >= r->dimension))
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("sparse index %.0f of tuple (%u,%u) is outside [0, %d)", idx[i],
								ItemPointerGetBlockNumber(&tup->t_self), ItemPointerGetOffsetNumber(&tup->t_self),
								r->dimension),
						 errhint("Indices are 0-based; pass options => '{\"dimension\": N}' with N above the largest index.")));
			if (idx[i] > s->maxIndex)
				s->maxIndex = (int64) idx[i];
		}
		if (s->probe)
		{
			s->tuples++;
			return;
		}
		Emit(s, label);
		Emit(s, tid);
		Emit(s, ni);
		for (i = 0; i < ni; i++)
			Emit(s, idx[i]);
		for (i = 0; i < ni; i++)
			Emit(s, val[i]);
	}
	s->tuples++;
}

/*
 * One heap page, as heapgetpage() + heapgettup_pagemode() see it: prune
 * opportunistically, collect visible line pointers under a share lock (with
 * the serializable conflict check), then deform them holding only the pin.
 */
static void
ReadPage(CorgiReader *r, BlockNumber blk, PageSink *s)
{
	Buffer		buf;
	Page		page;
	OffsetNumber lines;
	OffsetNumber off;
	OffsetNumber visible[MaxHeapTuplesPerPage];
	int			nvisible = 0;
	bool		allVisible;
	int			i;
	MemoryContext old;

	buf = ReadBufferExtended(r->rel, MAIN_FORKNUM, blk, RBM_NORMAL, r->strategy);
	r->curBuf = buf;
	heap_page_prune_opt(r->rel, buf);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	r->curLocked = true;
	page = BufferGetPage(buf);
	TestForOldSnapshot(r->snapshot, r->rel, page);
	lines = PageGetMaxOffsetNumber(page);
	allVisible = PageIsAllVisible(page) && !r->snapshot->takenDuringRecovery;
	for (off = FirstOffsetNumber; off <= lines; off = OffsetNumberNext(off))
	{
		ItemId		lpp = PageGetItemId(page, off);
		HeapTupleData tup;
		bool		valid;

		if (!ItemIdIsNormal(lpp))
			continue;
		tup.t_tableOid = RelationGetRelid(r->rel);
		tup.t_data = (HeapTupleHeader) PageGetItem(page, lpp);
		tup.t_len = ItemIdGetLength(lpp);
		ItemPointerSet(&tup.t_self, blk, off);
		valid = allVisible ? true : HeapTupleSatisfiesVisibility(&tup, r->snapshot, buf);
		HeapCheckForSerializableConflictOut(valid, r->rel, &tup, buf, r->snapshot);
		if (valid)
			visible[nvisible++] = off;
	}
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	r->curLocked = false;

	old = MemoryContextSwitchTo(r->tupleCxt);
	for (i = 0; i < nvisible && !(s->stopAfterFirst && s->tuples > 0); i++)
	{
		HeapTupleData tup;
		ItemId		lpp = PageGetItemId(page, visible[i]);

		tup.t_tableOid = RelationGetRelid(r->rel);
		tup.t_data = (HeapTupleHeader) PageGetItem(page, lpp);
		tup.t_len = ItemIdGetLength(lpp);
		ItemPointerSet(&tup.t_self, blk, visible[i]);
		DeformTuple(r, &tup, s);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(r->tupleCxt);
	ReleaseBuffer(buf);
	r->curBuf = InvalidBuffer;
}

/* Dense arrays: the length of the first visible array; sparse: largest index + 1 unless given. */
static void
ProbeDimension(CorgiReader *r, int sparseDimension)
{
	PageSink	s = {0};
	BlockNumber blk;

	if (r->kind == FEATURES_COLUMNS)
		return;
	if (r->kind == FEATURES_SPARSE && sparseDimension > 0)
	{
		r->dimension = sparseDimension;
		return;
	}
	s.probe = true;
	s.maxIndex = -1;
	s.stopAfterFirst = (r->kind == FEATURES_ARRAY);
	for (blk = 0; blk < r->nblocks && !(s.stopAfterFirst && s.tuples > 0); blk++)
	{
		CHECK_FOR_INTERRUPTS();
		ReadPage(r, blk, &s);
	}
	if (s.tuples == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation \"%s\" has no rows with a non-NULL label and features",
						RelationGetRelationName(r->rel)),
				 errhint("Load data first; rows whose label or features are NULL are skipped.")));
	if (r->kind == FEATURES_SPARSE)
	{
		if (s.maxIndex + 1 > INT_MAX / 2)
			ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							errmsg("sparse dimension %lld is too large", (long long) (s.maxIndex + 1))));
		r->dimension = (int) Max(s.maxIndex + 1, 1);
	}
}

/* Releases what an interrupted page read left (after an error was caught in a native). */
static void
ReaderAbortPage(CorgiReader *r)
{
	if (BufferIsValid(r->curBuf))
	{
		if (r->curLocked)
			LockBuffer(r->curBuf, BUFFER_LOCK_UNLOCK);
		ReleaseBuffer(r->curBuf);
	}
	r->curBuf = InvalidBuffer;
	r->curLocked = false;
}

static void
ReaderClose(int slot, bool clean)
{
	CorgiReader *r = readers[slot];

	readers[slot] = NULL;
	if (r == NULL)
		return;
	if (clean)
	{
		ReaderAbortPage(r);
		if (r->strategy != NULL)
			FreeAccessStrategy(r->strategy);
		if (r->snapshot != NULL)
			UnregisterSnapshot(r->snapshot);
		if (r->rel != NULL)
			relation_close(r->rel, NoLock);	/* the lock is kept until the end of the transaction */
	}
	MemoryContextDelete(r->mcxt);
}

void
CorgiCloseAllReaders(bool clean)
{
	int			i;

	for (i = 0; i < MAX_READERS; i++)
		ReaderClose(i, clean);
}

/* Creates the reader in readers[slot] (there at once, so that an error cannot leak it). */
static CorgiReader *
ReaderCreate(int slot, Oid relid, const char *label, const char *features)
{
	MemoryContext mcxt = AllocSetContextCreate(TopMemoryContext, "corgipile reader", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	CorgiReader *r = palloc0(sizeof(CorgiReader));

	r->mcxt = mcxt;
	readers[slot] = r;
	r->curBuf = InvalidBuffer;
	r->tupleCxt = AllocSetContextCreate(mcxt, "corgipile reader page", ALLOCSET_DEFAULT_SIZES);
	ReaderSetup(r, relid, label, features);
	if (!ActiveSnapshotSet())
		elog(ERROR, "corgipile: no active snapshot. Please report a bug.");
	r->snapshot = RegisterSnapshot(GetActiveSnapshot());
	r->strategy = GetAccessStrategy(BAS_BULKREAD);
	r->nblocks = RelationGetNumberOfBlocks(r->rel);
	/* Like a sequential scan: lock the whole relation for SERIALIZABLE conflict detection. */
	PredicateLockRelation(r->rel, r->snapshot);
	MemoryContextSwitchTo(old);
	return r;
}

/* SQL-level check (used before shuffle_once copies the table): the reader's checks, then close. */
void
CorgiCheckRelation(Oid relid, const char *label, const char *features)
{
	int			i;

	for (i = 0; i < MAX_READERS; i++)
		if (readers[i] == NULL)
			break;
	if (i == MAX_READERS)
		elog(ERROR, "corgipile: too many open readers. Please report a bug.");
	(void) ReaderCreate(i, relid, label, features);
	ReaderClose(i, true);
}

/* ------------------------------------------------------------------ natives */

static CorgiReader *
ReaderFromHandle(JNIEnv *env, jlong handle)
{
	if (handle < 1 || handle > MAX_READERS || readers[handle - 1] == NULL)
	{
		CorgiThrowJava(env, "java/lang/IllegalStateException", "heap reader is closed");
		return NULL;
	}
	return readers[handle - 1];
}

static jlong JNICALL
readerOpen(JNIEnv *env, jclass cls, jlong relid, jstring jlabel, jstring jfeatures, jint sparseDimension)
{
	MemoryContext old = CurrentMemoryContext;
	const char *label;
	const char *features;
	volatile jlong handle = 0;
	int			slot;

	for (slot = 0; slot < MAX_READERS; slot++)
		if (readers[slot] == NULL)
			break;
	if (slot == MAX_READERS)
	{
		CorgiThrowJava(env, "java/lang/IllegalStateException", "too many heap readers open");
		return 0;
	}
	label = (*env)->GetStringUTFChars(env, jlabel, NULL);
	features = label ? (*env)->GetStringUTFChars(env, jfeatures, NULL) : NULL;
	if (features == NULL)
	{
		if (label != NULL)
			(*env)->ReleaseStringUTFChars(env, jlabel, label);
		return 0;				/* OutOfMemoryError pending */
	}
	if (CorgiNativeEnter(env))
	{
		PG_TRY();
		{
			CorgiReader *r;

			MemoryContextSwitchTo(CorgiScratchContext());
			r = ReaderCreate(slot, (Oid) relid, pstrdup(label), pstrdup(features));
			ProbeDimension(r, sparseDimension);
			handle = slot + 1;
		}
		PG_CATCH();
		{
			if (readers[slot] != NULL)
				ReaderAbortPage(readers[slot]);
			CorgiNativeCaptureError();
		}
		PG_END_TRY();
		MemoryContextSwitchTo(old);
		CorgiNativeLeave();
		if (handle == 0)
			CorgiThrowPending(env);
	}
	(*env)->ReleaseStringUTFChars(env, jlabel, label);
	(*env)->ReleaseStringUTFChars(env, jfeatures, features);
	return handle;
}

/* {page count, dimension, sparse (0/1), skipped tuples so far} */
static jlongArray JNICALL
readerInfo(JNIEnv *env, jclass cls, jlong handle)
{
	CorgiReader *r = ReaderFromHandle(env, handle);
	jlong		info[4];
	jlongArray	arr;

	if (r == NULL)
		return NULL;
	info[0] = r->nblocks;
	info[1] = r->dimension;
	info[2] = r->kind == FEATURES_SPARSE ? 1 : 0;
	info[3] = r->skipped;
	arr = (*env)->NewLongArray(env, 4);
	if (arr != NULL)
		(*env)->SetLongArrayRegion(env, arr, 0, 4, info);
	return arr;
}

/*
 * Reads pages [first, first + pages) (clamped to the page count) into buf
 * until it is full; returns the number of pages consumed completely, so the
 * caller continues from first + result.  0 with pages > 0 means not even one
 * page fitted: header slot 3 then says how many doubles it needs.
 */
static jint JNICALL
readerReadPages(JNIEnv *env, jclass cls, jlong handle, jlong first, jint pages, jlong nextFirst, jobject jbuf)
{
	CorgiReader *r = ReaderFromHandle(env, handle);
	double	   *out;
	jlong		capBytes;
	volatile jint consumed = 0;
	volatile bool failed = false;
	MemoryContext old = CurrentMemoryContext;

	if (r == NULL)
		return -1;
	out = (double *) (*env)->GetDirectBufferAddress(env, jbuf);
	capBytes = (*env)->GetDirectBufferCapacity(env, jbuf);
	if (out == NULL || capBytes < (jlong) (HEADER_DOUBLES * sizeof(double)))
	{
		CorgiThrowJava(env, "java/lang/IllegalArgumentException", "reader buffer must be a direct ByteBuffer");
		return -1;
	}
	if (!CorgiNativeEnter(env))
		return -1;
	PG_TRY();
	{
		PageSink	s = {0};
		int64		total = HEADER_DOUBLES;
		int64		tuples = 0;
		BlockNumber blk;
		BlockNumber end = (BlockNumber) Min((int64) r->nblocks, first + (int64) pages);

		MemoryContextSwitchTo(CorgiScratchContext());
		/*
		 * Optionally ask the kernel for the first corgipile.prefetch_pages
		 * pages of the next range while this one is deformed and consumed.
		 * Each PrefetchBuffer is a buffer-table lookup plus a posix_fadvise
		 * of one 8 kB page, i.e. one device request per page: on a
		 * seek-bound disk, fadvising a whole range of 1280 pages made a cold
		 * random-order epoch 100x slower than storage order, while the
		 * kernel's read-ahead alone reads each range's consecutive pages in
		 * large requests.  Hence default 0.  Never when the next range
		 * simply continues this one (storage order): read-ahead covers that.
		 */
		if (corgipile_prefetch_pages > 0 &&
			nextFirst >= 0 && nextFirst < r->nblocks && nextFirst != (jlong) end)
		{
			int64		ahead = Min((int64) pages, (int64) corgipile_prefetch_pages);
			BlockNumber pend = (BlockNumber) Min((int64) r->nblocks, nextFirst + ahead);

			for (blk = (BlockNumber) nextFirst; blk < pend; blk++)
				(void) PrefetchBuffer(r->rel, MAIN_FORKNUM, blk);
		}
		out[3] = 0;
		for (blk = (BlockNumber) Max(first, 0); blk < end; blk++)
		{
			CHECK_FOR_INTERRUPTS();
			s.out = out;
			s.cap = capBytes / (jlong) sizeof(double);
			s.pos = total;
			s.tuples = 0;
			s.skipped = 0;
			s.overflow = false;
			ReadPage(r, blk, &s);
			if (s.overflow)
			{
				if (consumed == 0)
					out[3] = (double) s.pos;
				break;
			}
			total = s.pos;
			tuples += s.tuples;
			r->skipped += s.skipped;
			consumed++;
		}
		out[0] = (double) tuples;
		out[1] = (double) total;
		out[2] = (double) r->skipped;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(old);
		ReaderAbortPage(r);
		CorgiNativeCaptureError();
		failed = true;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	CorgiNativeLeave();
	if (failed)
	{
		CorgiThrowPending(env);
		return -1;
	}
	return consumed;
}

static void JNICALL
readerClose(JNIEnv *env, jclass cls, jlong handle)
{
	MemoryContext old = CurrentMemoryContext;
	volatile bool failed = false;

	if (handle < 1 || handle > MAX_READERS || readers[handle - 1] == NULL)
		return;
	if (!CorgiNativeEnter(env))
		return;
	PG_TRY();
	{
		ReaderClose((int) handle - 1, true);
	}
	PG_CATCH();
	{
		CorgiNativeCaptureError();
		failed = true;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	CorgiNativeLeave();
	if (failed)
		CorgiThrowPending(env);
}

static JNINativeMethod readerMethods[] = {
	{"readerOpen", "(JLjava/lang/String;Ljava/lang/String;I)J", (void *) readerOpen},
	{"readerInfo", "(J)[J", (void *) readerInfo},
	{"readerReadPages", "(JJIJLjava/nio/ByteBuffer;)I", (void *) readerReadPages},
	{"readerClose", "(J)V", (void *) readerClose},
};

bool
CorgiRegisterReaderNatives(JNIEnv *env)
{
	jclass		cls = (*env)->FindClass(env, "org/corgipile/pg/Natives");

	if (cls == NULL)
		return false;
	return (*env)->RegisterNatives(env, cls, readerMethods, lengthof(readerMethods)) == 0;
}
