/* rope.c - rotary position tables: inverse frequencies (default and YaRN) and the cos/sin rows
 * of a position, computed as the Hugging Face rope initialisation does, in fp32.
 * Pure functions; reentrant.
 */
#include "model/model_internal.h"

#include <math.h>

static double correction_dim(double rotations, int dim, double base, double max_pos)
{
    return (dim * log(max_pos / (rotations * 2.0 * M_PI))) / (2.0 * log(base));
}

void ds_rope_inv_freq(const ds_model_config *cfg, float *inv_freq, float *attn_factor)
{
    const int dim = cfg->head_dim, half = dim / 2;
    const double base = cfg->rope_theta;
    *attn_factor = 1.0f;
    for (int i = 0; i < half; i++) {
        /* base ** (2i / dim) with the exponent formed in fp32, as torch does */
        float e = (float)(2 * i) / (float)dim;
        float pos_freq = (float)pow(base, (double)e);
        inv_freq[i] = 1.0f / pos_freq;
    }
    if (cfg->rope_scaling.type != DS_MODEL_ROPE_YARN)
        return;
    const double factor = cfg->rope_scaling.factor;
    double low = correction_dim(cfg->rope_scaling.beta_fast, dim, base,
                                cfg->rope_scaling.original_max_position_embeddings);
    double high = correction_dim(cfg->rope_scaling.beta_slow, dim, base,
                                 cfg->rope_scaling.original_max_position_embeddings);
    if (cfg->rope_scaling.truncate) {
        low = floor(low);
        high = ceil(high);
    }
    if (low < 0)
        low = 0;
    if (high > dim - 1)
        high = dim - 1;
    if (low == high)
        high += 0.001;
    for (int i = 0; i < half; i++) {
        float extrap = inv_freq[i];
        float e = (float)(2 * i) / (float)dim;
        float interp = 1.0f / ((float)factor * (float)pow(base, (double)e));
        float ramp = (float)(((float)i - (float)low) / (float)(high - low));
        ramp = ramp < 0 ? 0 : ramp > 1 ? 1 : ramp;
        float extrap_factor = 1.0f - ramp;
        inv_freq[i] = interp * (1.0f - extrap_factor) + extrap * extrap_factor;
    }
    *attn_factor = (float)cfg->rope_scaling.attention_factor;
}

void ds_rope_row(const float *inv_freq, int half, float attn_factor, int pos, float *cos_out, float *sin_out)
{
    for (int i = 0; i < half; i++) {
        float ang = (float)pos * inv_freq[i];
        cos_out[i] = (float)cos((double)ang) * attn_factor;
        sin_out[i] = (float)sin((double)ang) * attn_factor;
    }
}
