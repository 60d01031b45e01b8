/* status.c - messages and names of ds_status codes; ds_err helpers. Reentrant. */
#include "status.h"

#include <stdio.h>
#include <string.h>

static const char *const status_msgs[] = {
#define DS_STATUS_MSG_(name, msg) msg,
    DS_STATUS_MAP(DS_STATUS_MSG_)
#undef DS_STATUS_MSG_
};

static const char *const status_names[] = {
#define DS_STATUS_NAME_(name, msg) #name,
    DS_STATUS_MAP(DS_STATUS_NAME_)
#undef DS_STATUS_NAME_
};

const char *ds_status_str(ds_status s)
{
    if ((int)s < 0 || s >= DS_STATUS_COUNT_)
        return "unknown status";
    return status_msgs[s];
}

const char *ds_status_name(ds_status s)
{
    if ((int)s < 0 || s >= DS_STATUS_COUNT_)
        return "unknown";
    const char *n = status_names[s];
    if (strncmp(n, "DS_ERR_", 7) == 0)
        return n + 7; /* upper-case short name, e.g. "PARSE" */
    return "OK";
}

ds_status ds_err_setv(ds_err *err, ds_status code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        if (fmt)
            vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        else
            snprintf(err->msg, sizeof err->msg, "%s", ds_status_str(code));
    }
    return code;
}

ds_status ds_err_set(ds_err *err, ds_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ds_err_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

ds_status ds_err_prefix(ds_err *err, const char *fmt, ...)
{
    if (!err)
        return DS_ERR_INTERNAL;
    char head[256], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%.200s: %.300s", head, old);
    return err->code;
}

void ds_err_clear(ds_err *err)
{
    if (err) {
        err->code = DS_OK;
        err->msg[0] = '\0';
    }
}
