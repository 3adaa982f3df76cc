/*-------------------------------------------------------------------------
 * corgipile.h
 *	  Shared declarations of the corgipile launcher: GUCs, the JVM bridge and
 *	  the heap-block reader.
 *
 * The C side is deliberately thin: it starts a JVM inside the backend, moves
 * PostgreSQL errors and interrupts across the JNI boundary safely, and reads
 * heap blocks for Java.  All training logic is Java (org.corgipile.pg and
 * org.corgipile.operators).
 *-------------------------------------------------------------------------
 */
#ifndef CORGIPILE_H
#define CORGIPILE_H

#include "postgres.h"

#include <jni.h>

#include "utils/elog.h"

/* GUCs (corgipile.c); all superuser-only, read once when the JVM starts. */
extern char *corgipile_libjvm_path;
extern char *corgipile_jvm_options;
extern char *corgipile_classpath;
extern int	corgipile_max_heap_mb;
extern int	corgipile_prefetch_pages;

/* jvm.c: the JVM of this backend */
extern JNIEnv *CorgiJvmEnv(void);
extern char *CorgiCallJson(const char *function, const char *argsJson);
extern double CorgiCallPredict(int64 modelId, const double *features, int n, bool proba);
extern bool CorgiHasModel(int64 modelId);
extern void CorgiLoadModel(int64 modelId, const char *json);

/* jvm.c: the frame of every native (called by Java on the backend's main thread) */
typedef void (*CorgiNativeBody) (JNIEnv *env, void *arg);
extern bool CorgiNative(JNIEnv *env, CorgiNativeBody body, void *arg);
extern char *CorgiUtf8(JNIEnv *env, jbyteArray bytes);
extern MemoryContext CorgiCallContext(void);

/* natives.c */
extern bool CorgiRegisterNatives(JNIEnv *env);
extern void CorgiRestoreActivity(void);

/* heap_reader.c: reader natives of org.corgipile.pg.Natives */
extern bool CorgiRegisterReaderNatives(JNIEnv *env, jclass cls);
extern void CorgiReaderAbortPage(void);
extern void CorgiCloseAllReaders(bool clean);
extern void CorgiCheckRelation(Oid relid, const char *label, const char *features);

#endif							/* CORGIPILE_H */
