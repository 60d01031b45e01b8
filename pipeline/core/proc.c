/* proc.c - fork/exec of helper programs, optionally as an unprivileged account (see proc.h). */
#include "pipeline/core/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* In the child: become run_as when root. Returns 0 or -1. */
static int drop_privileges(const char *run_as)
{
    if (!run_as || geteuid() != 0)
        return 0;
    struct passwd *pw = getpwnam(run_as);
    if (!pw)
        return -1;
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
        return -1;
    setenv("HOME", pw->pw_dir, 1);
    setenv("USER", pw->pw_name, 1);
    setenv("LOGNAME", pw->pw_name, 1);
    return 0;
}

ds_status ds_proc_run(char *const argv[], const char *run_as, ds_buf *out, int *exit_code, ds_err *err)
{
    if (run_as && geteuid() == 0 && !getpwnam(run_as))
        return ds_err_set(err, DS_ERR_CONFIG, "account %s does not exist (needed to run %s as non-root)", run_as,
                          argv[0]);
    int pipefd[2] = {-1, -1};
    if (out && pipe2(pipefd, O_CLOEXEC) != 0)
        return ds_err_set(err, DS_ERR_IO, "pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        if (out) {
            close(pipefd[0]);
            close(pipefd[1]);
        }
        return ds_err_set(err, DS_ERR_IO, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        if (out) {
            dup2(pipefd[1], 1);
            dup2(pipefd[1], 2);
        }
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        signal(SIGPIPE, SIG_DFL);
        if (drop_privileges(run_as) != 0) {
            dprintf(2, "cannot switch to account %s: %s\n", run_as, strerror(errno));
            _exit(126);
        }
        execvp(argv[0], argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    ds_status st = DS_OK;
    if (out) {
        close(pipefd[1]);
        char chunk[4096];
        ssize_t n;
        while ((n = read(pipefd[0], chunk, sizeof chunk)) != 0) {
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            if (ds_buf_append(out, chunk, (size_t)n) != DS_OK)
                st = ds_err_set(err, DS_ERR_NOMEM, "out of memory reading output of %s", argv[0]);
        }
        close(pipefd[0]);
    }
    int wst;
    while (waitpid(pid, &wst, 0) < 0) {
        if (errno != EINTR)
            return ds_err_set(err, DS_ERR_IO, "waitpid: %s", strerror(errno));
    }
    if (exit_code)
        *exit_code = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
    return st;
}

ds_status ds_proc_exec(char *const argv[], const char *run_as, ds_err *err)
{
    if (drop_privileges(run_as) != 0)
        return ds_err_set(err, DS_ERR_IO, "cannot switch to account %s", run_as);
    execvp(argv[0], argv);
    return ds_err_set(err, DS_ERR_IO, "cannot run %s: %s", argv[0], strerror(errno));
}
