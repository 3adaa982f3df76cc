/*-------------------------------------------------------------------------
 * corgipile.c
 *	  Module initialisation: the GUCs under the reserved prefix "corgipile."
 *	  (the JVM settings superuser-only, the read tuning user-settable).
 *
 * _PG_init runs in every backend that loads the library (and would run in the
 * postmaster with shared_preload_libraries).  It must never start the JVM:
 * a JVM does not survive fork(), so the JVM is created lazily, per backend, on
 * the first call of a corgipile function (jvm.c).
 *-------------------------------------------------------------------------
 */
#include "corgipile.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

char	   *corgipile_libjvm_path = NULL;
char	   *corgipile_jvm_options = NULL;
char	   *corgipile_classpath = NULL;
int			corgipile_max_heap_mb = 1024;
int			corgipile_prefetch_pages = 0;
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

	/*
	 * Read tuning only, so any user may set it.  PrefetchBuffer is one
	 * posix_fadvise(WILLNEED) of one page, i.e. one device request per page:
	 * for a whole block of MBs that costs far more than it saves on a
	 * seek-bound disk (and bypasses the kernel's read-ahead, which already
	 * reads a block's consecutive pages in large requests).  Hence 0.
	 */
	DefineCustomIntVariable("corgipile.prefetch_pages",
							"Leading pages of the next block PrefetchBuffer'ed while a block is read (random block order).",
							"0: no PrefetchBuffer; the kernel's read-ahead reads each block's consecutive pages.",
							&corgipile_prefetch_pages, 0, 0, 131072, PGC_USERSET, 0,
							NULL, NULL, NULL);

	/*
	 * Memory for the two shuffle buffers of a training run; it caps the block
	 * and buffer sizes derived from the table (Sizing.java), so a backend's
	 * memory does not grow with the table.  Any user may lower or raise it
	 * (it is checked against corgipile.max_heap at training time).
	 */
	DefineCustomIntVariable("corgipile.buffer_memory",
							"Memory for the shuffle buffers of train_sgd (both buffers of double buffering).",
							"Caps the block_size and buffer_size derived from the table; explicit arguments win.",
							&corgipile_buffer_memory_kb, 64 * 1024, 1024, MAX_KILOBYTES, PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("corgipile");
}
