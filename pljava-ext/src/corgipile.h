/*-------------------------------------------------------------------------
 * corgipile.h
 *	  The C side is a thin bridge: it starts a JVM inside the backend, moves
 *	  PostgreSQL errors and interrupts across JNI, and reads heap pages for
 *	  Java.  All training logic is Java (org.corgipile.pg, .operators).
 *-------------------------------------------------------------------------
 */
#ifndef CORGIPILE_H
#define CORGIPILE_H

#include "postgres.h"

#include <jni.h>

/* GUCs (corgipile.c): the JVM's superuser-only, read once when it starts; buffer_memory any user's. */
extern char *corgipile_libjvm_path;
extern char *corgipile_jvm_options;
extern char *corgipile_classpath;
extern int	corgipile_max_heap_mb;
extern int	corgipile_buffer_memory_kb;

/* jvm.c: the JVM of this backend */
extern char *CorgiCallJson(const char *function, const char *argsJson);	/* function NULL: sgd_predict's model */
extern double CorgiCallPredict(int64 modelId, const double *features, int n, bool proba);

/* jvm.c: the frame of every native (called by Java on the backend's main thread) */
typedef void (*CorgiNativeBody) (JNIEnv *env, void *arg);
extern bool CorgiNative(JNIEnv *env, CorgiNativeBody body, void *arg);
extern char *CorgiUtf8(JNIEnv *env, jbyteArray bytes);
extern jbyteArray CorgiJavaBytes(JNIEnv *env, const char *s);
extern MemoryContext corgiCallContext;	/* the context of the running Java call */

extern bool CorgiRegisterNatives(JNIEnv *env);

/* heap_reader.c: the reader natives of org.corgipile.pg.Natives */
extern jbyteArray JNICALL readerOpen(JNIEnv *env, jclass cls, jlong relid, jbyteArray label, jbyteArray features,
									 jbyteArray shown, jlongArray info);
extern jint JNICALL readerReadPages(JNIEnv *env, jclass cls, jlong handle, jlong first, jint pages, jdoubleArray rows,
								   jint offset, jint length, jdoubleArray header);
extern jint JNICALL readerWillNeed(JNIEnv *env, jclass cls, jlong handle, jboolean toast, jlong first, jint pages);
extern jint JNICALL readerToastBlock(JNIEnv *env, jclass cls, jlong handle, jlong page);
extern void JNICALL readerClose(JNIEnv *env, jclass cls, jlong handle);
extern void CorgiReaderAbortPage(JNIEnv *env);
extern void CorgiCloseAllReaders(bool clean);

#endif							/* CORGIPILE_H */
