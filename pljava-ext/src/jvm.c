/*-------------------------------------------------------------------------
 * jvm.c
 *	  The JVM of one backend: creation, signal masks, and the two frames that
 *	  carry errors and interrupts across JNI: CorgiRunJava (PostgreSQL calling
 *	  Java) and CorgiNative (Java calling PostgreSQL).
 *
 * Rules (see JVM-BRIDGE.md, each one learned from a crash):
 *	- the JVM is created lazily in the backend, once per process;
 *	- PostgreSQL's asynchronous signals are blocked whenever Java runs (JVM
 *	  threads inherit the mask) and restored inside each native, so a pending
 *	  cancel is delivered exactly when Java calls checkInterrupts();
 *	- a PostgreSQL error never longjmps through Java frames (CorgiNative);
 *	- text crosses as UTF-8 byte arrays (JNI's string functions speak
 *	  modified UTF-8, which mangles characters outside the BMP).
 *-------------------------------------------------------------------------
 */
#include "corgipile.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "miscadmin.h"
#include "port.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"
#include "utils/memutils.h"

typedef jint (JNICALL * CreateJavaVMFn) (JavaVM **, void **, void *);

static JNIEnv *corgiEnv = NULL;
static bool jvmAttempted = false;
static pthread_t mainThread;

static jclass entryClass;
static jclass pgExceptionClass;
static jclass illegalStateClass;	/* a native called outside a call or off the main thread */
static jmethodID invokeMethod;		/* byte[] invoke(byte[] function, byte[] json) */
static jmethodID describeMethod;	/* byte[] describe(Throwable) */
static jmethodID predictMethod;		/* double predict(long id, double[] features, boolean proba) */

/* State of the current Java call (one at a time: natives never call Java). */
static bool inJava = false;
static sigset_t pgSignalMask;		/* PostgreSQL's mask, restored in natives */
static ErrorData *pendingError = NULL;	/* copied in a native, re-raised later */
MemoryContext corgiCallContext = NULL;	/* caller's context for this call */
static MemoryContext scratchContext = NULL;	/* reset after every native */
static bool activityChanged = false;	/* pg_stat_activity shows progress (message -1) */

/*
 * HotSpot's handlers of the faults it raises itself (implicit null checks, polls), saved once the JVM exists.
 * OpenCL on the CPU (POCL, its LLVM) installs crash handlers over them: HotSpot's next fault then killed the backend.
 */
static const int jvmSignalNumbers[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
static struct sigaction jvmSignals[lengthof(jvmSignalNumbers)];

/* PostgreSQL's asynchronous signals (SIGURG: latch wake-up); SIGQUIT last, blocked only while the JVM is created. */
static const int pgSignalNumbers[] = {SIGHUP, SIGINT, SIGTERM, SIGALRM, SIGUSR1, SIGURG, SIGQUIT};

/* Blocks them, so no handler runs on a JVM thread. */
static void
CorgiBlockSignals(bool withQuit, sigset_t *old)
{
	sigset_t	set;

	sigemptyset(&set);
	for (int i = 0; i < lengthof(pgSignalNumbers) - (withQuit ? 0 : 1); i++)
		sigaddset(&set, pgSignalNumbers[i]);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

/*
 * JNI "abort" hook: while the JVM is created (bad options) end this session;
 * later it is a fatal error (a crash in Java or C, reported on stderr): die by
 * SIGABRT so that the postmaster runs crash recovery, unlike after a FATAL.
 */
static void JNICALL
CorgiJvmAbort(void)
{
	if (corgiEnv == NULL && pthread_equal(pthread_self(), mainThread))
		ereport(FATAL,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("the Java virtual machine of this session could not start"),
				 errhint("Check corgipile.jvm_options and corgipile.max_heap, and the server log.")));
	abort();
}

/* JNI "exit" hook: System.exit/halt must still run PostgreSQL's cleanup. */
static void JNICALL
CorgiJvmExit(jint code)
{
	if (pthread_equal(pthread_self(), mainThread))
		ereport(FATAL,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("the Java virtual machine of this session exited with code %d", (int) code)));
	abort();
}

/* The JVM options: ours, then corgipile.jvm_options; the hooks last. */
static JavaVMOption *
CorgiJvmOptions(const char *classpath, int *n)
{
	JavaVMOption *o = palloc0(sizeof(JavaVMOption) * (20 + strlen(corgipile_jvm_options) / 2));
	struct rlimit rl;
	long		stackKb = 8192;
	char	   *jsa = psprintf("%.*s.jsa", (int) strlen(classpath) - 4, classpath);	/* corgipile.jar -> .jsa */
	char	   *save = NULL;
	char	   *tok;
	int			i = 0;

	/* -Xss equal to the backend's stack rlimit: HotSpot caps the main thread's stack at -Xss */
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		stackKb = Min(Max((long) (rl.rlim_cur / 1024), 1024), 1024 * 1024);
	o[i++].optionString = psprintf("-Djava.class.path=%s", classpath);
	o[i++].optionString = "-Xrs";
	o[i++].optionString = psprintf("-Xss%ldk", stackKb);
	o[i++].optionString = psprintf("-Xmx%dm", corgipile_max_heap_mb);
	o[i++].optionString = psprintf("-Dcorgipile.max_heap=%d", corgipile_max_heap_mb);	/* Entry's hint */
	o[i++].optionString = "-XX:+DisableAttachMechanism";
	o[i++].optionString = "-XX:-UsePerfData";
	o[i++].optionString = "-XX:+ErrorFileToStderr";	/* not an hs_err file in the data directory */
	o[i++].optionString = "-XX:+UseSerialGC";
	/* The CDS archive make install builds beside the default jar; HotSpot silently ignores a stale one. */
	if (corgipile_classpath[0] == '\0' && access(jsa, R_OK) == 0)
	{
		o[i++].optionString = psprintf("-XX:SharedArchiveFile=%s", jsa);
		o[i++].optionString = "-Xshare:auto";
		o[i++].optionString = "-Xlog:cds=off";
		o[i++].optionString = "-Xlog:cds+dynamic=off";
	}
	o[i++].optionString = "-Djava.awt.headless=true";
	o[i++].optionString = "-Dfile.encoding=UTF-8";
	for (tok = strtok_r(pstrdup(corgipile_jvm_options), " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
		o[i++].optionString = tok;
	o[i].optionString = "abort";
	o[i++].extraInfo = (void *) CorgiJvmAbort;
	o[i].optionString = "exit";
	o[i++].extraInfo = (void *) CorgiJvmExit;
	*n = i;
	return o;
}

static jclass
CorgiGlobalClass(JNIEnv *env, const char *name)
{
	jclass		local = (*env)->FindClass(env, name);

	return local ? (*env)->NewGlobalRef(env, local) : NULL;
}

/* Classes, methods and natives; false when the jar does not match this library. */
static bool
CorgiLinkClasses(JNIEnv *env)
{
	entryClass = CorgiGlobalClass(env, "org/corgipile/pg/Entry");
	pgExceptionClass = CorgiGlobalClass(env, "org/corgipile/pg/PgException");
	illegalStateClass = CorgiGlobalClass(env, "java/lang/IllegalStateException");
	if (entryClass == NULL || pgExceptionClass == NULL || illegalStateClass == NULL)
		return false;
	invokeMethod = (*env)->GetStaticMethodID(env, entryClass, "invoke", "([B[B)[B");
	describeMethod = (*env)->GetStaticMethodID(env, entryClass, "describe", "(Ljava/lang/Throwable;)[B");
	predictMethod = (*env)->GetStaticMethodID(env, entryClass, "predict", "(J[DZ)D");
	return invokeMethod && describeMethod && predictMethod && CorgiRegisterNatives(env);
}

static void
CorgiCreateJvm(void)
{
	char		share[MAXPGPATH];
	const char *javaHome = getenv("JAVA_HOME");
	char	   *classpath = corgipile_classpath;
	char	   *libjvm = corgipile_libjvm_path;
	char	   *pocl;
	void	   *handle;
	CreateJavaVMFn create;
	JavaVM	   *jvm;
	JavaVMInitArgs args = {JNI_VERSION_10};
	sigset_t	saved;
	jint		rc;
	JNIEnv	   *env;
	bool		linked = false;

	if (jvmAttempted)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the Java virtual machine could not be started earlier in this session"),
				 errhint("Fix the cause reported by the first error, then open a new session.")));
	get_share_path(my_exec_path, share);
	if (classpath[0] == '\0')
		classpath = psprintf("%s/extension/corgipile.jar", share);
	if (strchr(classpath, ':') == NULL && access(classpath, R_OK) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("corgipile Java code not found at \"%s\": %m", classpath),
				 errhint("Run \"make install\" in pljava-ext, or set corgipile.classpath.")));
	/* libjvm: the GUC, then $JAVA_HOME of the server, then the JDK corgipile was built with */
	if (libjvm[0] == '\0' && javaHome != NULL && javaHome[0] != '\0')
		libjvm = psprintf("%s/lib/server/libjvm.so", javaHome);
	if (libjvm[0] == '\0' || (libjvm != corgipile_libjvm_path && access(libjvm, R_OK) != 0))
		libjvm = CORGIPILE_BUILD_JAVA_HOME "/lib/server/libjvm.so";
	handle = dlopen(libjvm, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL || (create = (CreateJavaVMFn) dlsym(handle, "JNI_CreateJavaVM")) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("could not load the Java virtual machine \"%s\": %s", libjvm,
						handle == NULL ? dlerror() : "no JNI_CreateJavaVM"),
				 errhint("Set corgipile.libjvm_path (superuser) to the libjvm.so of a Java 17 JDK, "
						 "or JAVA_HOME in the server's environment.")));
	args.options = CorgiJvmOptions(classpath, &args.nOptions);

	/* From here on a failure is final for this process: HotSpot cannot be created twice. */
	jvmAttempted = true;
	mainThread = pthread_self();
	if (scratchContext == NULL)
		scratchContext = AllocSetContextCreate(TopMemoryContext, "corgipile scratch", ALLOCSET_DEFAULT_SIZES);
	/* POCL (OpenCL on CPUs) finds no device without a writable kernel cache (set before any thread exists) */
	pocl = psprintf("%s/corgipile_pocl_cache", DataDir);
	if (getenv("POCL_CACHE_DIR") == NULL && (mkdir(pocl, S_IRWXU) == 0 || errno == EEXIST))
		setenv("POCL_CACHE_DIR", pocl, 0);

	/* JVM threads inherit this mask, kept until the classes are initialised (the jar starts "Common-Cleaner") */
	CorgiBlockSignals(true, &saved);
	rc = create(&jvm, (void **) &env, &args);
	if (rc == JNI_OK && !(linked = CorgiLinkClasses(env)))
	{
		(*env)->ExceptionDescribe(env);
		(*env)->ExceptionClear(env);
	}
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	for (int i = 0; rc == JNI_OK && i < lengthof(jvmSignalNumbers); i++)
		sigaction(jvmSignalNumbers[i], NULL, &jvmSignals[i]);
	if (rc != JNI_OK)
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("could not create the Java virtual machine (JNI error %d)", (int) rc),
				 errhint("Check corgipile.jvm_options and corgipile.max_heap; the server log may say more.")));
	if (!linked)
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("the corgipile Java classes in \"%s\" do not match this corgipile.so", classpath),
				 errhint("Reinstall the extension with \"make install\" (the jar and the library belong together).")));
	corgiEnv = env;
}

/* ------------------------------------------------------------------ calls from PostgreSQL into Java */

jbyteArray
CorgiJavaBytes(JNIEnv *env, const char *s)
{
	jsize		n = (jsize) strlen(s);
	jbyteArray	bytes = (*env)->NewByteArray(env, n);

	if (bytes != NULL)
		(*env)->SetByteArrayRegion(env, bytes, 0, n, (const jbyte *) s);
	return bytes;
}

/*
 * The exception a call left as "SQLSTATE\0message\0detail\0hint" (Entry.describe);
 * none when a native caught a PostgreSQL error, which is re-raised instead.
 */
static char *
CorgiCollectException(JNIEnv *env)
{
	jthrowable ex = (*env)->ExceptionOccurred(env);
	jbyteArray parts;

	(*env)->ExceptionClear(env);
	if (pendingError != NULL)
		return NULL;
	parts = (jbyteArray) (*env)->CallStaticObjectMethod(env, entryClass, describeMethod, ex);
	if (!(*env)->ExceptionCheck(env) && parts != NULL)
		return CorgiUtf8(env, parts);
	/* Describing failed too (Entry.describe answers an exhausted heap itself) */
	(*env)->ExceptionClear(env);
	return psprintf("XX000%cunexpected Java exception in corgipile%c%cPlease report a bug.", 0, 0, 0);
}

/* Raises what the Java call left behind: first the PostgreSQL error a native caught, then a Java failure. */
static void
CorgiRaise(const char *failure)
{
	const char *message;
	const char *detail;
	const char *hint;

	if (pendingError != NULL)
	{
		ErrorData  *edata = pendingError;

		pendingError = NULL;
		ReThrowError(edata);
	}
	if (failure == NULL)
		return;
	message = failure + strlen(failure) + 1;
	detail = message + strlen(message) + 1;
	hint = detail + strlen(detail) + 1;
	ereport(ERROR,
			(errcode(strlen(failure) == 5 ? MAKE_SQLSTATE(failure[0], failure[1], failure[2], failure[3], failure[4])
					 : ERRCODE_INTERNAL_ERROR),
			 errmsg_internal("%s", message),
			 *detail ? errdetail_internal("%s", detail) : 0,
			 *hint ? errhint("%s", hint) : 0));
}

/*
 * One call into Entry: invoke (text: function or NULL for sgd_predict's model,
 * JSON arguments) or predict.  Arguments are made inside the call's local
 * frame; mask, frame, readers and scratch memory are restored.
 */
typedef struct JavaCall
{
	jmethodID  *method;
	int64		modelId;
	const char *text[2];
	const double *features;
	int			n;
	bool		proba;
	char	   *result;			/* invoke: the UTF-8 answer */
	double		value;			/* predict */
} JavaCall;

static void
CorgiRunJava(JavaCall *c)
{
	JNIEnv	   *env;
	char	   *failure = NULL;
	volatile bool clean = false;

	if (corgiEnv == NULL)
		CorgiCreateJvm();
	if (!pthread_equal(pthread_self(), mainThread))
		elog(ERROR, "corgipile called outside the backend's main thread. Please report a bug.");
	if (inJava)
		elog(ERROR, "corgipile: nested Java call. Please report a bug.");
	env = corgiEnv;
	if ((*env)->PushLocalFrame(env, 64) != 0)
	{
		(*env)->ExceptionClear(env);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("Java heap exhausted in corgipile")));
	}
	pendingError = NULL;
	corgiCallContext = CurrentMemoryContext;
	CorgiBlockSignals(false, &pgSignalMask);
	inJava = true;
	PG_TRY();
	{
		jvalue		a[3] = {{.j = c->modelId}, {.l = NULL}, {.z = c->proba}};

		if (c->method == &invokeMethod && (c->text[0] == NULL || (a[0].l = CorgiJavaBytes(env, c->text[0])) != NULL))
			a[1].l = CorgiJavaBytes(env, c->text[1]);
		else if (c->method == &predictMethod && (a[1].l = (*env)->NewDoubleArray(env, c->n)) != NULL)
			(*env)->SetDoubleArrayRegion(env, a[1].l, 0, c->n, c->features);
		if ((*env)->ExceptionCheck(env))
			;					/* no heap for the arguments: described below */
		else if (c->method == &invokeMethod)
		{
			jbyteArray	r = (*env)->CallStaticObjectMethodA(env, entryClass, invokeMethod, a);

			if (!(*env)->ExceptionCheck(env) && r != NULL)
				c->result = CorgiUtf8(env, r);
		}
		else
			c->value = (*env)->CallStaticDoubleMethodA(env, entryClass, predictMethod, a);
		if ((*env)->ExceptionCheck(env))
			failure = CorgiCollectException(env);
		clean = pendingError == NULL;
	}
	PG_FINALLY();
	{
		/* After an error the readers are only forgotten: the abort releases what they hold. */
		inJava = false;
		pthread_sigmask(SIG_SETMASK, &pgSignalMask, NULL);
		(*env)->PopLocalFrame(env, NULL);
		CorgiCloseAllReaders(clean);
		/* progress shown in pg_stat_activity ends with a clean call (after an error: with the next clean one) */
		if (clean && activityChanged && debug_query_string != NULL)
			pgstat_report_activity(STATE_RUNNING, debug_query_string);
		activityChanged = activityChanged && !clean;
		MemoryContextReset(scratchContext);
	}
	PG_END_TRY();
	CorgiRaise(failure);
}

char *
CorgiCallJson(const char *function, const char *argsJson)
{
	JavaCall	c = {&invokeMethod, 0, {function, argsJson}};

	CorgiRunJava(&c);
	if (c.result == NULL)
		elog(ERROR, "corgipile: Java function %s returned nothing. Please report a bug.", function);
	return c.result;
}

double
CorgiCallPredict(int64 modelId, const double *features, int n, bool proba)
{
	JavaCall	c = {&predictMethod, modelId, {NULL}, features, n, proba};

	CorgiRunJava(&c);
	return c.value;
}

/* ------------------------------------------------------------------ natives: calls from Java into PostgreSQL */

/*
 * The frame of every native (the only way Java calls PostgreSQL): main thread,
 * during a call, no pending error; PostgreSQL's signal mask while body runs in
 * the scratch context inside PG_TRY; an error is copied for CorgiRaise, the
 * reader's page released and a PgException thrown.  True when body completed.
 */
bool
CorgiNative(JNIEnv *env, CorgiNativeBody body, void *arg)
{
	MemoryContext old = CurrentMemoryContext;
	char		buf[1024];

	if (!inJava || !pthread_equal(pthread_self(), mainThread))
	{
		(*env)->ThrowNew(env, illegalStateClass, "PostgreSQL natives may only be called on the backend's main "
						 "thread during a corgipile call");
		return false;
	}
	if (pendingError == NULL)
	{
		pthread_sigmask(SIG_SETMASK, &pgSignalMask, NULL);
		PG_TRY();
		{
			MemoryContextSwitchTo(scratchContext);
			body(env, arg);
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(corgiCallContext);
			pendingError = CopyErrorData();
			FlushErrorState();
			CorgiReaderAbortPage(env);
		}
		PG_END_TRY();
		MemoryContextSwitchTo(old);
		CorgiBlockSignals(false, NULL);
		MemoryContextReset(scratchContext);
	}
	if (pendingError == NULL)
		return true;
	/* this error or an earlier native's, as a PgException (CorgiRaise re-raises the original) */
	snprintf(buf, sizeof(buf), "%s: %s", unpack_sql_state(pendingError->sqlerrcode),
			 pendingError->message ? pendingError->message : "error");
	(*env)->ThrowNew(env, pgExceptionClass, buf);
	return false;
}

/* A NUL-terminated palloc'd copy of UTF-8 bytes from Java (String.getBytes(UTF_8)). */
char *
CorgiUtf8(JNIEnv *env, jbyteArray bytes)
{
	jsize		n = (*env)->GetArrayLength(env, bytes);
	char	   *s = palloc(n + 1);

	(*env)->GetByteArrayRegion(env, bytes, 0, n, (jbyte *) s);
	s[n] = '\0';
	return s;
}

/* checkInterrupts(): how cancel, statement_timeout and termination reach Java (pending signals land in CorgiNative). */
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

/* arg: {level: 0 NOTICE, 1 INFO, 2 WARNING, 3 LOG; -1 activity, -2 kept after the call}, {UTF-8 text} */
static void
MessageBody(JNIEnv *env, void *arg)
{
	jint		level = ((jvalue *) arg)[0].i;
	char	   *text = CorgiUtf8(env, ((jvalue *) arg)[1].l);

	if (level < 0)
	{
		/* progress in pg_stat_activity.query of this backend, restored when the call ends (-1) or not (-2) */
		pgstat_report_activity(STATE_RUNNING, text);
		activityChanged = level == -1;
	}
	else
		ereport(level == 1 ? INFO : level == 2 ? WARNING : level == 3 ? LOG : NOTICE,
				(errmsg_internal("%s", text)));
}

static void JNICALL
message(JNIEnv *env, jclass cls, jint level, jbyteArray text)
{
	jvalue		a[2] = {{.i = level}, {.l = text}};

	CorgiNative(env, MessageBody, a);
}

/* Puts HotSpot's handlers back; the bits of the signals (jvmSignalNumbers) whose handler had been replaced. */
static jlong
keepJvmSignals(void)
{
	jlong		replaced = 0;
	struct sigaction now;

	for (int i = 0; i < lengthof(jvmSignalNumbers); i++)
		if (sigaction(jvmSignalNumbers[i], &jvmSignals[i], &now) == 0 && now.sa_sigaction != jvmSignals[i].sa_sigaction)
			replaced |= 1 << i;
	return replaced;
}

/* corgipile.buffer_memory in kB (0), MyDatabaseId (1), is_superuser (2), keepJvmSignals (3); arg: {which, value} */
static void
BackendValueBody(JNIEnv *env, void *arg)
{
	jlong	   *a = (jlong *) arg;

	a[1] = a[0] == 3 ? keepJvmSignals() : a[0] == 0 ? corgipile_buffer_memory_kb
		: a[0] == 1 ? (jlong) MyDatabaseId : session_auth_is_superuser;
}

static jlong JNICALL
backendValue(JNIEnv *env, jclass cls, jint which)
{
	jlong		a[2] = {which, 0};

	CorgiNative(env, BackendValueBody, a);	/* the main thread's check, as for every native */
	return a[1];
}

/* Every native of org.corgipile.pg.Natives. */
bool
CorgiRegisterNatives(JNIEnv *env)
{
	JNINativeMethod methods[] = {
		{"checkInterrupts", "()V", (void *) checkInterrupts},
		{"message", "(I[B)V", (void *) message},
		{"readerOpen", "(J[B[B[B[J)[B", (void *) readerOpen},
		{"readerReadPages", "(JJI[DII[D)I", (void *) readerReadPages},
		{"readerWillNeed", "(JZJI)I", (void *) readerWillNeed},
		{"readerToastBlock", "(JJ)I", (void *) readerToastBlock},
		{"readerClose", "(J)V", (void *) readerClose},
		{"backendValue", "(I)J", (void *) backendValue},
	};
	jclass		cls = (*env)->FindClass(env, "org/corgipile/pg/Natives");

	return cls != NULL && (*env)->RegisterNatives(env, cls, methods, lengthof(methods)) == 0;
}
