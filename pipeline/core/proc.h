/* proc.h - running helper programs (initdb, pg_ctl, psql) with an argv, never through a shell.
 *
 * Owns: nothing beyond the call. When run_as is non-NULL and the process is root, the child
 * drops to that account (setgid/initgroups/setuid) before exec; PostgreSQL refuses to run as
 * root. Threading: fork/exec; safe to call from one thread of a multi-threaded process.
 */
#ifndef DS_CORE_PROC_H
#define DS_CORE_PROC_H

#include "pipeline/core/buf.h"
#include "pipeline/core/status.h"

/* Runs argv[0] (searched in PATH when it has no '/') and waits. Output (stdout+stderr) goes
 * into out when non-NULL, else is inherited. *exit_code gets the exit status (128+signal when
 * killed). Returns DS_OK when the program ran, whatever its exit status. */
ds_status ds_proc_run(char *const argv[], const char *run_as, ds_buf *out, int *exit_code, ds_err *err);

/* Replaces the current process (for `db psql`); returns only on failure. */
ds_status ds_proc_exec(char *const argv[], const char *run_as, ds_err *err);

#endif
