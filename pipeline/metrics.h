/* metrics.h - the run summary as a Prometheus textfile (node_exporter's textfile collector):
 * written to a temporary file and renamed, so the collector never reads half a file. */
#ifndef DS_PIPELINE_METRICS_H
#define DS_PIPELINE_METRICS_H

#include "pipeline/run.h"

ds_status ds_metrics_write_textfile(const char *path, const ds_run *run, const char *status, double wall_s,
                                    ds_err *err);

#endif
