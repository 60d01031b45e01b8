/* model_pass.h - what the model benchmarks (bench_model, bench_a3b) time in common: clocks,
 * peak memory, the median of timed passes, the multiply-adds of a token, and one pass of a
 * prefill followed by greedy decode steps (tests/bench/model_pass.c).
 * Threading: one pass at a time per model, as the engine requires.
 */
#ifndef DS_TESTS_BENCH_MODEL_PASS_H
#define DS_TESTS_BENCH_MODEL_PASS_H

#include "model/model.h"

#include <stdint.h>

double bp_now(void);       /* monotonic seconds */
double bp_cpu_now(void);   /* CPU seconds of this process, user + system */
long bp_peak_rss_mb(void); /* peak resident memory of this process, MB */
/* Median of v[0..n) (sorts v). */
double bp_median(double *v, int n);
/* Multiply-adds per token of the matmuls (the output layer excluded) and of attention at context
 * ctx. */
double bp_macs_per_token(const ds_model_config *c, double ctx);
/* One pass from an empty sequence: prefill of tok[0..np), then ng greedy steps; lg: vocab
 * floats. Seconds of the prefill and of the decode steps into *tp and *td, CPU seconds of both
 * into *cpu. 0, or -1 with the error on stderr. */
int bp_one_pass(ds_model *m, ds_model_seq *sq, const int32_t *tok, int np, int ng, float *lg, double *tp, double *td,
                double *cpu);

#endif
