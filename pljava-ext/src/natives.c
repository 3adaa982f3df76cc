/*-------------------------------------------------------------------------
 * natives.c
 *	  Small natives of org.corgipile.pg.Natives: interrupts, messages and
 *	  progress.  Each runs its body in CorgiNative, the frame of every native.
 *
 * checkInterrupts() is how cancel, statement_timeout and termination reach
 * Java: the signals stay pending while Java runs (they are blocked) and are
 * delivered when CorgiNative restores PostgreSQL's mask; then
 * CHECK_FOR_INTERRUPTS raises the error, which is caught, turned into a Java
 * exception, and re-raised with SQLSTATE 57014 when Java has returned.
 *-------------------------------------------------------------------------
 */
#include "corgipile.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"

static bool activityChanged = false;

static void
CheckInterruptsBody(JNIEnv *env, void *arg)
{
	CHECK_FOR_INTERRUPTS();
}

static void JNICALL
checkInterrupts(JNIEnv *env, jclass cls)
{
	CorgiNative(env, CheckInterruptsBody, NULL);
}

typedef struct MessageArgs
{
	jint		level;			/* 0: NOTICE, 1: INFO, 2: WARNING, 3: LOG (server log only); -1: activity */
	jbyteArray	text;
} MessageArgs;

static void
MessageBody(JNIEnv *env, void *arg)
{
	MessageArgs *a = (MessageArgs *) arg;
	char	   *text = CorgiUtf8(env, a->text);

	if (a->level < 0)
	{
		/* progress in pg_stat_activity.query of this backend, restored when the call ends */
		pgstat_report_activity(STATE_RUNNING, text);
		activityChanged = true;
	}
	else
		ereport(a->level == 1 ? INFO : a->level == 2 ? WARNING : a->level == 3 ? LOG : NOTICE,
				(errmsg_internal("%s", text)));
}

static void JNICALL
message(JNIEnv *env, jclass cls, jint level, jbyteArray text)
{
	MessageArgs a = {level, text};

	CorgiNative(env, MessageBody, &a);
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
	{"message", "(I[B)V", (void *) message},
};

bool
CorgiRegisterNatives(JNIEnv *env)
{
	jclass		cls = (*env)->FindClass(env, "org/corgipile/pg/Natives");

	return cls != NULL && (*env)->RegisterNatives(env, cls, methods, lengthof(methods)) == 0 &&
		CorgiRegisterReaderNatives(env, cls);
}
