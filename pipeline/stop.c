/* stop.c - the SIGINT/SIGTERM stop flag and parent-death signal of workers (see stop.h). */
#include "pipeline/stop.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
static pid_t watched_parent; /* a worker's parent; 0 in a process that is no worker */

static void on_stop(int sig)
{
    stop_signal = sig;
    /* The next signal of either kind takes the default action: a second Ctrl-C kills. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

void ds_stop_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int ds_stop_requested(void)
{
    if (!stop_signal && watched_parent && getppid() != watched_parent)
        stop_signal = SIGTERM; /* the parent died and its signal did not arrive */
    return (int)stop_signal;
}

int ds_stop_with_parent(pid_t parent_pid)
{
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
        return -1;
    watched_parent = parent_pid;
    return getppid() == parent_pid ? 0 : -1;
}
