/* statedir.c - the state directory and the paths under it (see statedir.h). */
#include "pipeline/statedir.h"

#include "pipeline/core/alloc.h"

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DOSSIER_SOURCE_DIR
#define DOSSIER_SOURCE_DIR ""
#endif
#ifndef DOSSIER_BINARY_DIR
#define DOSSIER_BINARY_DIR ""
#endif

#define SYSTEM_STATE_DIR "/var/lib/dossier"

/* 1 when this process's executable lies in the build folder it was built in (not a copy). */
static int running_from_checkout(void)
{
    static const char bin[] = DOSSIER_BINARY_DIR;
    if (!bin[0] || !DOSSIER_SOURCE_DIR[0])
        return 0;
    char exe[PATH_MAX], real_bin[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || !realpath(bin, real_bin))
        return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    return strcmp(exe, real_bin) == 0;
}

static int writable_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode) && access(p, W_OK | X_OK) == 0;
}

static ds_status put(char *out, size_t cap, ds_err *err, const char *fmt, const char *a, const char *b)
{
    if ((size_t)snprintf(out, cap, fmt, a, b) >= cap)
        return ds_err_set(err, DS_ERR_CONFIG, "state directory path is too long");
    return DS_OK;
}

ds_status ds_state_dir(const ds_config *cfg, char *out, size_t cap, const char **why, ds_err *err)
{
    const char *w = NULL;
    ds_status st;
    if (cfg->state_dir && *cfg->state_dir) {
        if (cfg->state_dir[0] != '/')
            return ds_err_set(err, DS_ERR_CONFIG, "state.dir must be an absolute path (got \"%s\")", cfg->state_dir);
        w = "state.dir";
        st = put(out, cap, err, "%s%s", cfg->state_dir, "");
    } else if (running_from_checkout()) {
        w = "the checkout, run from its build tree";
        st = put(out, cap, err, "%s%s", DOSSIER_SOURCE_DIR, "/var");
    } else if (geteuid() == 0 || writable_dir(SYSTEM_STATE_DIR)) {
        w = "root, or an account that can write it";
        st = put(out, cap, err, "%s%s", SYSTEM_STATE_DIR, "");
    } else {
        const char *xdg = getenv("XDG_STATE_HOME");
        if (xdg && xdg[0] == '/') {
            w = "$XDG_STATE_HOME/dossier";
            st = put(out, cap, err, "%s%s", xdg, "/dossier");
        } else {
            const char *home = getenv("HOME");
            const struct passwd *pw = (home && home[0] == '/') ? NULL : getpwuid(getuid());
            if (pw)
                home = pw->pw_dir;
            if (!home || home[0] != '/')
                return ds_err_set(err, DS_ERR_CONFIG, "no state directory: set state.dir (DOSSIER_STATE_DIR)");
            w = "~/.local/state/dossier";
            st = put(out, cap, err, "%s%s", home, "/.local/state/dossier");
        }
    }
    if (st == DS_OK && why)
        *why = w;
    return st;
}

/* *slot made absolute under dir when relative. */
static ds_status under(char **slot, const char *dir, const char *key, ds_err *err)
{
    if (!*slot || !**slot || (*slot)[0] == '/')
        return DS_OK;
    size_t n = strlen(dir) + strlen(*slot) + 2;
    char *p = ds_malloc(n);
    if (!p)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    snprintf(p, n, "%s/%s", dir, *slot);
    if (strlen(p) >= PATH_MAX) {
        ds_free(p);
        return ds_err_set(err, DS_ERR_CONFIG, "%s: path under the state directory is too long", key);
    }
    ds_free(*slot);
    *slot = p;
    return DS_OK;
}

ds_status ds_state_resolve(ds_config *cfg, ds_err *err)
{
    int rel_pg = cfg->db_pgdata && cfg->db_pgdata[0] && cfg->db_pgdata[0] != '/';
    int rel_cache = cfg->fetch_cache_dir && cfg->fetch_cache_dir[0] && cfg->fetch_cache_dir[0] != '/';
    if (!rel_pg && !rel_cache)
        return DS_OK;
    char dir[PATH_MAX];
    ds_status st = ds_state_dir(cfg, dir, sizeof dir, NULL, err);
    if (st == DS_OK)
        st = under(&cfg->db_pgdata, dir, "db.pgdata", err);
    if (st == DS_OK)
        st = under(&cfg->fetch_cache_dir, dir, "fetch.cache_dir", err);
    return st;
}
