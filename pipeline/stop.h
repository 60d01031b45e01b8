/* stop.h - orderly stop on SIGINT and SIGTERM: the first signal asks the run to stop at the
 * next safe point (between documents, between a document's stages, between discovered
 * inputs); the run then releases its leases, marks itself `interrupted`, writes its metrics and
 * exits with 128 + the signal number. A second signal kills at once (default action).
 * Worker processes also die with their parent: PR_SET_PDEATHSIG delivers SIGTERM, and, should
 * that signal be lost, a worker whose parent is no longer its parent reads as stopped too.
 *
 * Owns: the one process-wide flag a signal handler can set (a handler takes no context) and
 * the pid of the parent a worker watches; nothing else. Threading: the flag is a sig_atomic_t, read from any thread.
 */
#ifndef DS_PIPELINE_STOP_H
#define DS_PIPELINE_STOP_H

#include <sys/types.h>

/* Installs the SIGINT/SIGTERM handlers (idempotent). */
void ds_stop_install(void);
/* The signal that asked for a stop (SIGTERM when a worker's parent is gone), 0 when none. */
int ds_stop_requested(void);
/* In a forked worker: asks the kernel to send SIGTERM when the parent dies, and watches
 * parent_pid; returns -1 when the parent is already gone, so the caller exits at once. */
int ds_stop_with_parent(pid_t parent_pid);

#endif
