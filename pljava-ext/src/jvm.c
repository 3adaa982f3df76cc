/*-------------------------------------------------------------------------
 * jvm.c
 *	  The JVM of one backend: creation, signal masks, error and interrupt
 *	  bridging between PostgreSQL and Java.
 *
 * INTERFACE ROUTINES
 *	  CorgiJvmEnv		 - the JNIEnv of this backend, creating the JVM on first use
 *	  CorgiCallJson		 - call org.corgipile.pg.Entry.invoke(function, json)
 *	  CorgiCallPredict	 - call Entry.predict on a cached model
 *	  CorgiNative		 - the frame of every native (Java calling PostgreSQL)
 *
 * Rules (see JVM-BRIDGE.md, each one learned from a crash):
 *	- the JVM is created lazily in the backend, never in the postmaster or
 *	  _PG_init, and only once per process;
 *	- -Xrs, -Xss from the stack rlimit, no attach mechanism, no perf data, the
 *	  serial GC; JNI abort/exit hooks end this session, not the cluster;
 *	- PostgreSQL's asynchronous signals are blocked while Java runs (JVM
 *	  threads inherit the mask) and unblocked inside each native, so a pending
 *	  cancel is delivered exactly when Java calls checkInterrupts();
 *	- a PostgreSQL error never longjmps through Java frames: natives catch it,
 *	  copy it, throw a Java exception, refuse further natives, and the original
 *	  error is re-raised with its SQLSTATE once Java has returned;
 *	- only the backend's main thread may call natives;
 *	- local references live in a local frame popped after each call.
 *-------------------------------------------------------------------------
 */
#include "corgipile.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "port.h"
#include "utils/memutils.h"

#define ENTRY_CLASS "org/corgipile/pg/Entry"
#define PG_EXCEPTION_CLASS "org/corgipile/pg/PgException"

typedef jint (JNICALL * CreateJavaVMFn) (JavaVM **, void **, void *);

static JavaVM *corgiJvm = NULL;
static JNIEnv *corgiEnv = NULL;
static bool jvmAttempted = false;
static pthread_t mainThread;

static jclass entryClass;
static jclass pgExceptionClass;
static jclass oomClass;
static jmethodID invokeMethod;
static jmethodID describeMethod;
static jmethodID hasModelMethod;
static jmethodID loadModelMethod;
static jmethodID predictMethod;

/* State of the current Java call (one at a time: natives never call Java). */
static bool inJava = false;
static sigset_t pgSignalMask;		/* PostgreSQL's mask, restored in natives */
static ErrorData *pendingError = NULL;	/* copied in a native, re-raised later */
static MemoryContext callContext = NULL;	/* caller's context for this call */
static MemoryContext scratchContext = NULL;	/* reset after every native */

/*
 * The signals PostgreSQL handles asynchronously in a backend.  Blocked while
 * Java runs so that their handlers never run on a JVM thread; SIGURG is the
 * latch wake-up signal of PostgreSQL 15.
 */
static void
CorgiAsyncSignals(sigset_t *set, bool withQuit)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGALRM);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGURG);
	if (withQuit)
		sigaddset(set, SIGQUIT);
}

/*
 * JNI "abort" hook.  While the JVM is being created, HotSpot gives up this
 * way on bad options: end this session only.  Later it is a fatal error of
 * the running JVM (a crash in Java or in C code, after HotSpot wrote its error
 * report to stderr, i.e. the server log): die by SIGABRT, so that the
 * postmaster sees a crash and runs crash recovery (a FATAL exit would let it
 * carry on with whatever this process held in shared memory).
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

static char *
CorgiFindLibjvm(void)
{
	const char *javaHome = getenv("JAVA_HOME");
	char	   *candidate;

	if (corgipile_libjvm_path != NULL && corgipile_libjvm_path[0] != '\0')
		return pstrdup(corgipile_libjvm_path);
	if (javaHome != NULL && javaHome[0] != '\0')
	{
		candidate = psprintf("%s/lib/server/libjvm.so", javaHome);
		if (access(candidate, R_OK) == 0)
			return candidate;
	}
	return psprintf("%s/lib/server/libjvm.so", CORGIPILE_BUILD_JAVA_HOME);
}

static char *
CorgiFindClasspath(void)
{
	char		sharePath[MAXPGPATH];

	if (corgipile_classpath != NULL && corgipile_classpath[0] != '\0')
		return pstrdup(corgipile_classpath);
	get_share_path(my_exec_path, sharePath);
	return psprintf("%s/extension/corgipile.jar", sharePath);
}

/* -Xss equal to the backend's stack rlimit: HotSpot caps the main thread's stack at -Xss. */
static char *
CorgiStackOption(void)
{
	struct rlimit rl;
	long		kb = 8192;

	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		kb = (long) (rl.rlim_cur / 1024);
	if (kb < 1024)
		kb = 1024;
	if (kb > 1024 * 1024)
		kb = 1024 * 1024;
	return psprintf("-Xss%ldk", kb);
}

/*
 * POCL (the OpenCL driver for CPUs) finds no device at all when it cannot create its kernel cache, which it puts
 * under $POCL_CACHE_DIR, else $XDG_CACHE_HOME/pocl, else $HOME/.cache/pocl. A server's OS user often has no
 * writable home (the test clusters' user has /nonexistent), so device => 'gpu' would fail with "no OpenCL
 * device". When POCL_CACHE_DIR is unset and POCL's own default is not writable, point it at
 * <data directory>/corgipile_pocl_cache (always writable by the server, shared by its backends). Set before the
 * JVM exists: setenv is only safe while this process has a single thread. Other OpenCL drivers ignore it.
 */
static bool
CorgiWritableOrCreatable(const char *path)
{
	char	   *parent;
	char	   *slash;

	if (access(path, W_OK | X_OK) == 0)
		return true;
	if (errno != ENOENT)
		return false;
	parent = pstrdup(path);
	slash = strrchr(parent, '/');
	if (slash == NULL || slash == parent)
		return false;
	*slash = '\0';
	return CorgiWritableOrCreatable(parent);
}

static void
CorgiPrepareOpenCl(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char	   *defaultDir = NULL;
	char	   *dir;

	if (getenv("POCL_CACHE_DIR") != NULL)
		return;
	if (xdg != NULL && xdg[0] == '/')
		defaultDir = psprintf("%s/pocl", xdg);
	else if (home != NULL && home[0] == '/')
		defaultDir = psprintf("%s/.cache/pocl", home);
	if (defaultDir != NULL && CorgiWritableOrCreatable(defaultDir))
		return;
	dir = psprintf("%s/corgipile_pocl_cache", DataDir);
	if (mkdir(dir, S_IRWXU) != 0 && errno != EEXIST)
	{
		ereport(DEBUG1, (errmsg("corgipile: could not create POCL cache directory \"%s\": %m", dir)));
		return;
	}
	setenv("POCL_CACHE_DIR", dir, 0);
}

static void
CorgiAddOption(List **options, char *option)
{
	*options = lappend(*options, option);
}

static jclass
CorgiGlobalClass(JNIEnv *env, const char *name)
{
	jclass		local = (*env)->FindClass(env, name);
	jclass		global;

	if (local == NULL)
		return NULL;
	global = (*env)->NewGlobalRef(env, local);
	(*env)->DeleteLocalRef(env, local);
	return global;
}

static void
CorgiCreateJvm(void)
{
	char	   *libjvm;
	char	   *classpath;
	void	   *handle;
	CreateJavaVMFn create;
	List	   *options = NIL;
	JavaVMOption *jopts;
	JavaVMInitArgs args;
	sigset_t	block;
	sigset_t	saved;
	ListCell   *lc;
	int			i;
	jint		rc;
	JNIEnv	   *env;
	bool		classesOk = false;

	if (jvmAttempted)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the Java virtual machine could not be started earlier in this session"),
				 errhint("Fix the cause reported by the first error, then open a new session.")));

	classpath = CorgiFindClasspath();
	if (strchr(classpath, ':') == NULL && access(classpath, R_OK) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("corgipile Java code not found at \"%s\": %m", classpath),
				 errhint("Run \"make install\" in pljava-ext, or set corgipile.classpath.")));

	libjvm = CorgiFindLibjvm();
	handle = dlopen(libjvm, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("could not load the Java virtual machine \"%s\": %s", libjvm, dlerror()),
				 errhint("Set corgipile.libjvm_path (superuser) to the libjvm.so of a Java 17 JDK, "
						 "or JAVA_HOME in the server's environment.")));
	create = (CreateJavaVMFn) dlsym(handle, "JNI_CreateJavaVM");
	if (create == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("\"%s\" is not a Java virtual machine: no JNI_CreateJavaVM", libjvm)));

	CorgiAddOption(&options, psprintf("-Djava.class.path=%s", classpath));
	CorgiAddOption(&options, "-Xrs");
	CorgiAddOption(&options, CorgiStackOption());
	CorgiAddOption(&options, psprintf("-Xmx%dm", corgipile_max_heap_mb));
	CorgiAddOption(&options, "-XX:+DisableAttachMechanism");
	CorgiAddOption(&options, "-XX:-UsePerfData");
	/* HotSpot's crash report into the server log, not an hs_err file in the data directory */
	CorgiAddOption(&options, "-XX:+ErrorFileToStderr");
	CorgiAddOption(&options, "-XX:+UseSerialGC");
	CorgiAddOption(&options, "-Djava.awt.headless=true");
	CorgiAddOption(&options, "-Dfile.encoding=UTF-8");
	if (corgipile_jvm_options != NULL)
	{
		char	   *copy = pstrdup(corgipile_jvm_options);
		char	   *save = NULL;
		char	   *tok;

		for (tok = strtok_r(copy, " \t\n", &save); tok != NULL; tok = strtok_r(NULL, " \t\n", &save))
			CorgiAddOption(&options, tok);
	}

	jopts = palloc0(sizeof(JavaVMOption) * (list_length(options) + 2));
	i = 0;
	foreach(lc, options)
		jopts[i++].optionString = (char *) lfirst(lc);
	jopts[i].optionString = "abort";
	jopts[i++].extraInfo = (void *) CorgiJvmAbort;
	jopts[i].optionString = "exit";
	jopts[i++].extraInfo = (void *) CorgiJvmExit;

	args.version = JNI_VERSION_10;
	args.nOptions = i;
	args.options = jopts;
	args.ignoreUnrecognized = JNI_FALSE;

	/* From here on a failure is final for this process: HotSpot cannot be created twice. */
	jvmAttempted = true;
	mainThread = pthread_self();

	if (scratchContext == NULL)
		scratchContext = AllocSetContextCreate(TopMemoryContext, "corgipile scratch",
											   ALLOCSET_DEFAULT_SIZES);

	CorgiPrepareOpenCl();

	/*
	 * JVM threads inherit this mask: none of them may run a PostgreSQL signal
	 * handler.  It stays blocked until the classes are loaded and initialised
	 * (opening the jar starts threads such as "Common-Cleaner"); later, Java
	 * only runs on this thread with the mask of CorgiBeginJava.
	 */
	CorgiAsyncSignals(&block, true);
	pthread_sigmask(SIG_BLOCK, &block, &saved);
	rc = create(&corgiJvm, (void **) &env, &args);
	if (rc == JNI_OK)
	{
		entryClass = CorgiGlobalClass(env, ENTRY_CLASS);
		pgExceptionClass = CorgiGlobalClass(env, PG_EXCEPTION_CLASS);
		oomClass = CorgiGlobalClass(env, "java/lang/OutOfMemoryError");
		if (entryClass != NULL)
		{
			invokeMethod = (*env)->GetStaticMethodID(env, entryClass, "invoke",
													 "(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;");
			describeMethod = (*env)->GetStaticMethodID(env, entryClass, "describe",
													   "(Ljava/lang/Throwable;)[Ljava/lang/String;");
			hasModelMethod = (*env)->GetStaticMethodID(env, entryClass, "hasModel", "(J)Z");
			loadModelMethod = (*env)->GetStaticMethodID(env, entryClass, "loadModel", "(JLjava/lang/String;)V");
			predictMethod = (*env)->GetStaticMethodID(env, entryClass, "predict", "(J[DZ)D");
		}
		classesOk = entryClass != NULL && pgExceptionClass != NULL && oomClass != NULL && invokeMethod != NULL &&
			describeMethod != NULL && hasModelMethod != NULL && loadModelMethod != NULL &&
			predictMethod != NULL && CorgiRegisterNatives(env);
		if (!classesOk)
		{
			(*env)->ExceptionDescribe(env);
			(*env)->ExceptionClear(env);
		}
	}
	pthread_sigmask(SIG_SETMASK, &saved, NULL);

	if (rc != JNI_OK)
	{
		corgiJvm = NULL;
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("could not create the Java virtual machine (JNI error %d)", (int) rc),
				 errhint("Check corgipile.jvm_options and corgipile.max_heap; the server log may say more.")));
	}
	if (!classesOk)
	{
		corgiJvm = NULL;
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("the corgipile Java classes in \"%s\" do not match this corgipile.so", classpath),
				 errhint("Reinstall the extension with \"make install\" (the jar and the library belong together).")));
	}
	corgiEnv = env;
}

JNIEnv *
CorgiJvmEnv(void)
{
	if (corgiEnv == NULL)
		CorgiCreateJvm();
	if (!pthread_equal(pthread_self(), mainThread))
		elog(ERROR, "corgipile called outside the backend's main thread. Please report a bug.");
	return corgiEnv;
}

MemoryContext
CorgiCallContext(void)
{
	return callContext;
}

/* ------------------------------------------------------------------ calls from PostgreSQL into Java */

/* Error of the Java call, copied out of the JVM before any ereport (which must not unwind Java state). */
typedef struct JavaFailure
{
	bool		failed;
	char		sqlstate[6];
	char	   *message;
	char	   *detail;
	char	   *hint;
} JavaFailure;

static char *
CorgiCopyJString(JNIEnv *env, jstring s)
{
	const char *utf;
	char	   *copy;

	if (s == NULL)
		return NULL;
	utf = (*env)->GetStringUTFChars(env, s, NULL);
	if (utf == NULL)
		return NULL;
	copy = pstrdup(utf);
	(*env)->ReleaseStringUTFChars(env, s, utf);
	return copy;
}

/* Turns the pending Java exception into a JavaFailure (never throws, never ereports but for palloc). */
static void
CorgiCollectException(JNIEnv *env, JavaFailure *failure)
{
	jthrowable ex = (*env)->ExceptionOccurred(env);
	jobjectArray parts;

	(*env)->ExceptionClear(env);
	failure->failed = true;
	memcpy(failure->sqlstate, "XX000", 6);
	failure->message = "unexpected Java exception in corgipile";
	failure->detail = NULL;
	failure->hint = NULL;

	parts = (jobjectArray) (*env)->CallStaticObjectMethod(env, entryClass, describeMethod, ex);
	if ((*env)->ExceptionCheck(env) || parts == NULL)
	{
		/* Describing failed too (usually: the heap is still exhausted). */
		bool		oom = (*env)->IsInstanceOf(env, ex, oomClass);

		(*env)->ExceptionClear(env);
		if (oom)
		{
			memcpy(failure->sqlstate, "53200", 6);
			failure->message = "Java heap exhausted in corgipile";
			failure->hint = psprintf("Raise corgipile.max_heap (now %d MB) or lower the buffer size.",
									 corgipile_max_heap_mb);
		}
		return;
	}
	{
		char	   *state = CorgiCopyJString(env, (jstring) (*env)->GetObjectArrayElement(env, parts, 0));

		if (state != NULL && strlen(state) == 5)
			memcpy(failure->sqlstate, state, 6);
		failure->message = CorgiCopyJString(env, (jstring) (*env)->GetObjectArrayElement(env, parts, 1));
		failure->detail = CorgiCopyJString(env, (jstring) (*env)->GetObjectArrayElement(env, parts, 2));
		failure->hint = CorgiCopyJString(env, (jstring) (*env)->GetObjectArrayElement(env, parts, 3));
		if (failure->message == NULL)
			failure->message = "unexpected Java exception in corgipile";
	}
	(*env)->ExceptionClear(env);
}

static void
CorgiBeginJava(JNIEnv *env)
{
	sigset_t	block;

	if (inJava)
		elog(ERROR, "corgipile: nested Java call. Please report a bug.");
	if ((*env)->PushLocalFrame(env, 64) != 0)
	{
		(*env)->ExceptionClear(env);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("Java heap exhausted in corgipile")));
	}
	pendingError = NULL;
	callContext = CurrentMemoryContext;
	CorgiAsyncSignals(&block, false);
	pthread_sigmask(SIG_BLOCK, &block, &pgSignalMask);
	inJava = true;
}

/*
 * Back in PostgreSQL: restore the signal mask, drop local references, close
 * the readers Java left open.  After an error the readers are only forgotten:
 * the transaction abort releases their relations, snapshots and buffers.
 */
static void
CorgiEndJava(JNIEnv *env, bool clean)
{
	inJava = false;
	pthread_sigmask(SIG_SETMASK, &pgSignalMask, NULL);
	(*env)->PopLocalFrame(env, NULL);
	CorgiCloseAllReaders(clean);
	if (clean)
		CorgiRestoreActivity();
	if (scratchContext != NULL)
		MemoryContextReset(scratchContext);
}

/* Raise what the Java call left behind: first the PostgreSQL error a native caught, then a Java failure. */
static void
CorgiRaise(JavaFailure *failure)
{
	if (pendingError != NULL)
	{
		ErrorData  *edata = pendingError;

		pendingError = NULL;
		ReThrowError(edata);
	}
	if (failure->failed)
		ereport(ERROR,
				(errcode(MAKE_SQLSTATE(failure->sqlstate[0], failure->sqlstate[1], failure->sqlstate[2],
									   failure->sqlstate[3], failure->sqlstate[4])),
				 errmsg_internal("%s", failure->message),
				 failure->detail ? errdetail_internal("%s", failure->detail) : 0,
				 failure->hint ? errhint("%s", failure->hint) : 0));
}

typedef void (*JavaCall) (JNIEnv *env, void *arg);

/* Runs one call into Java with the signal mask, local frame and error protocol of this file. */
static void
CorgiRunJava(JavaCall call, void *arg)
{
	JNIEnv	   *env = CorgiJvmEnv();
	JavaFailure failure = {0};

	CorgiBeginJava(env);
	PG_TRY();
	{
		call(env, arg);
		if ((*env)->ExceptionCheck(env))
			CorgiCollectException(env, &failure);
	}
	PG_CATCH();
	{
		CorgiEndJava(env, false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	CorgiEndJava(env, pendingError == NULL);
	CorgiRaise(&failure);
}

typedef struct InvokeCall
{
	const char *function;
	const char *args;
	char	   *result;
} InvokeCall;

static void
CorgiInvokeCall(JNIEnv *env, void *arg)
{
	InvokeCall *c = (InvokeCall *) arg;
	jstring		jfn = (*env)->NewStringUTF(env, c->function);
	jstring		jargs = jfn ? (*env)->NewStringUTF(env, c->args) : NULL;
	jstring		jres;

	if (jargs == NULL)
		return;
	jres = (jstring) (*env)->CallStaticObjectMethod(env, entryClass, invokeMethod, jfn, jargs);
	if (!(*env)->ExceptionCheck(env))
		c->result = CorgiCopyJString(env, jres);
}

char *
CorgiCallJson(const char *function, const char *argsJson)
{
	InvokeCall	c = {function, argsJson, NULL};

	CorgiRunJava(CorgiInvokeCall, &c);
	if (c.result == NULL)
		elog(ERROR, "corgipile: Java function %s returned nothing. Please report a bug.", function);
	return c.result;
}

typedef struct PredictCall
{
	int64		modelId;
	const double *features;
	int			n;
	bool		proba;
	const char *modelJson;		/* loadModel when set */
	bool		has;
	double		result;
} PredictCall;

static void
CorgiPredictCall(JNIEnv *env, void *arg)
{
	PredictCall *c = (PredictCall *) arg;
	jdoubleArray arr = (*env)->NewDoubleArray(env, c->n);

	if (arr == NULL)
		return;
	(*env)->SetDoubleArrayRegion(env, arr, 0, c->n, c->features);
	c->result = (*env)->CallStaticDoubleMethod(env, entryClass, predictMethod, (jlong) c->modelId, arr,
											   c->proba ? JNI_TRUE : JNI_FALSE);
}

static void
CorgiHasModelCall(JNIEnv *env, void *arg)
{
	PredictCall *c = (PredictCall *) arg;

	c->has = (*env)->CallStaticBooleanMethod(env, entryClass, hasModelMethod, (jlong) c->modelId);
}

static void
CorgiLoadModelCall(JNIEnv *env, void *arg)
{
	PredictCall *c = (PredictCall *) arg;
	jstring		js = (*env)->NewStringUTF(env, c->modelJson);

	if (js != NULL)
		(*env)->CallStaticVoidMethod(env, entryClass, loadModelMethod, (jlong) c->modelId, js);
}

bool
CorgiHasModel(int64 modelId)
{
	PredictCall c = {0};

	c.modelId = modelId;
	CorgiRunJava(CorgiHasModelCall, &c);
	return c.has;
}

void
CorgiLoadModel(int64 modelId, const char *json)
{
	PredictCall c = {0};

	c.modelId = modelId;
	c.modelJson = json;
	CorgiRunJava(CorgiLoadModelCall, &c);
}

double
CorgiCallPredict(int64 modelId, const double *features, int n, bool proba)
{
	PredictCall c = {0};

	c.modelId = modelId;
	c.features = features;
	c.n = n;
	c.proba = proba;
	CorgiRunJava(CorgiPredictCall, &c);
	return c.result;
}

/* ------------------------------------------------------------------ natives: calls from Java into PostgreSQL */

/* Throws the PostgreSQL error a native caught as a PgException (the original is re-raised by CorgiRaise). */
static void
CorgiThrowPending(JNIEnv *env)
{
	char		buf[1024];

	snprintf(buf, sizeof(buf), "%s: %s", unpack_sql_state(pendingError->sqlerrcode),
			 pendingError->message ? pendingError->message : "error");
	(*env)->ThrowNew(env, pgExceptionClass, buf);
}

/*
 * The frame of every native, the only place where Java calls PostgreSQL:
 *	- only on the backend's main thread, during a corgipile call, and not after
 *	  an earlier native failed (its error is pending);
 *	- PostgreSQL's signal mask while body runs, so pending cancel/timeout
 *	  signals are delivered now (and CHECK_FOR_INTERRUPTS sees them);
 *	- body runs in the scratch context, reset afterwards, inside PG_TRY: an
 *	  error is copied for CorgiRaise, the state flushed, the page a reader held
 *	  released, and a PgException thrown; it never longjmps through Java.
 * Returns true when body completed.
 */
bool
CorgiNative(JNIEnv *env, CorgiNativeBody body, void *arg)
{
	MemoryContext old = CurrentMemoryContext;
	volatile bool ok = true;
	sigset_t	block;

	if (!inJava || !pthread_equal(pthread_self(), mainThread))
	{
		jclass		cls = (*env)->FindClass(env, "java/lang/IllegalStateException");

		if (cls != NULL)
			(*env)->ThrowNew(env, cls, "PostgreSQL natives may only be called on the backend's main thread "
							 "during a corgipile call");
		return false;
	}
	if (pendingError != NULL)
	{
		CorgiThrowPending(env);
		return false;
	}
	pthread_sigmask(SIG_SETMASK, &pgSignalMask, NULL);
	PG_TRY();
	{
		MemoryContextSwitchTo(scratchContext);
		body(env, arg);
	}
	PG_CATCH();
	{
		ok = false;
		MemoryContextSwitchTo(callContext);
		pendingError = CopyErrorData();
		FlushErrorState();
		CorgiReaderAbortPage();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	CorgiAsyncSignals(&block, false);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	MemoryContextReset(scratchContext);
	if (!ok)
		CorgiThrowPending(env);
	return ok;
}

/* A NUL-terminated copy of UTF-8 bytes from Java (String.getBytes(UTF_8)); call inside a native's body. */
char *
CorgiUtf8(JNIEnv *env, jbyteArray bytes)
{
	jsize		n = (*env)->GetArrayLength(env, bytes);
	char	   *s = palloc(n + 1);

	(*env)->GetByteArrayRegion(env, bytes, 0, n, (jbyte *) s);
	s[n] = '\0';
	return s;
}
