/*-------------------------------------------------------------------------
 * natives.c
 *	  Small natives of org.corgipile.pg.Natives: interrupts and progress.
 *
 * checkInterrupts() is how cancel, statement_timeout and termination reach
 * Java: the signals stay pending while Java runs (they are blocked) and are
 * delivered when CorgiNativeEnter restores PostgreSQL's mask; then
 * CHECK_FOR_INTERRUPTS raises the error, which is caught, turned into a Java
 * exception, and re-raised with SQLSTATE 57014 when Java has returned.
 *-------------------------------------------------------------------------
 */
#include "corgipile.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"
#include "utils/memutils.h"

static bool activityChanged = false;

static void JNICALL
checkInterrupts(JNIEnv *env, jclass cls)
{
	MemoryContext old = CurrentMemoryContext;
	volatile bool failed = false;

	if (!CorgiNativeEnter(env))
		return;
	PG_TRY();
	{
		CHECK_FOR_INTERRUPTS();
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

/* level 0: NOTICE, 1: INFO, 2: WARNING, 3: LOG (server log only) */
static void
EmitMessage(int level, const char *msg)
{
	int			elevel = level == 1 ? INFO : level == 2 ? WARNING : level == 3 ? LOG : NOTICE;

	ereport(elevel, (errmsg_internal("%s", msg)));
}

/* Shows progress in pg_stat_activity.query of this backend (restored when the call ends). */
static void
SetActivity(int unused, const char *msg)
{
	pgstat_report_activity(STATE_RUNNING, msg);
	activityChanged = true;
}

/*
 * The shared shape of the natives that hand a Java string to PostgreSQL: borrow
 * the UTF-8 chars, run body inside PG_TRY, release the chars before a captured
 * error becomes a Java exception.
 */
static void
WithJavaString(JNIEnv *env, jstring jmsg, int arg, void (*body) (int, const char *))
{
	MemoryContext old = CurrentMemoryContext;
	volatile bool failed = false;
	const char *msg;

	msg = (*env)->GetStringUTFChars(env, jmsg, NULL);
	if (msg == NULL)
		return;
	if (!CorgiNativeEnter(env))
	{
		(*env)->ReleaseStringUTFChars(env, jmsg, msg);
		return;
	}
	PG_TRY();
	{
		body(arg, msg);
	}
	PG_CATCH();
	{
		CorgiNativeCaptureError();
		failed = true;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	CorgiNativeLeave();
	(*env)->ReleaseStringUTFChars(env, jmsg, msg);
	if (failed)
		CorgiThrowPending(env);
}

static void JNICALL
message(JNIEnv *env, jclass cls, jint level, jstring jmsg)
{
	WithJavaString(env, jmsg, (int) level, EmitMessage);
}

static void JNICALL
reportActivity(JNIEnv *env, jclass cls, jstring jmsg)
{
	WithJavaString(env, jmsg, 0, SetActivity);
}

void
CorgiRestoreActivity(void)
{
	if (activityChanged && debug_query_string != NULL)
		pgstat_report_activity(STATE_RUNNING, debug_query_string);
	activityChanged = false;
}

static JNINativeMethod methods[] = {
	{"checkInterrupts", "()V", (void *) checkInterrupts},
	{"message", "(ILjava/lang/String;)V", (void *) message},
	{"reportActivity", "(Ljava/lang/String;)V", (void *) reportActivity},
};

bool
CorgiRegisterNatives(JNIEnv *env)
{
	jclass		cls = (*env)->FindClass(env, "org/corgipile/pg/Natives");

	if (cls == NULL)
		return false;
	return (*env)->RegisterNatives(env, cls, methods, lengthof(methods)) == 0 && CorgiRegisterReaderNatives(env);
}
