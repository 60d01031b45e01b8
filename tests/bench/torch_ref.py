#!/usr/bin/env python3
"""torch_ref.py - the PyTorch baselines of bench_cuda, measured on the same GPU.

  torch_ref.py attention 8192,32768,131072,204800
      torch.nn.functional.scaled_dot_product_attention, causal, bf16, batch 1, 32 query heads,
      4 key/value heads (enable_gqa, or the heads repeated on older versions), head_dim 128;
      TFLOP/s counted as bench_cuda counts them: 4 * D * Hq * T (T + 1) / 2.
  torch_ref.py moe 8192
      one Qwen3-MoE sparse block as the Hugging Face implementation computes it (router,
      softmax in fp32, top-8, renormalised, a loop over the 128 experts with index_add),
      hidden 2048, moe_intermediate 768, bf16 weights.

Prints "RESULT <name> <value>" lines (and "RESULT torch_available 0" when torch cannot be
imported or has no CUDA). Never fails on timings.
"""
import sys


def main():
    try:
        import torch
        import torch.nn.functional as F
        if not torch.cuda.is_available():
            raise RuntimeError("no CUDA")
    except Exception as e:  # noqa: BLE001 - any import problem means no baseline
        print("torch_ref: PyTorch not available: %s" % e)
        print("RESULT torch_available 0")
        return 0
    print("RESULT torch_available 1")
    print("torch %s on %s" % (torch.__version__, torch.cuda.get_device_name(0)))
    mode = sys.argv[1] if len(sys.argv) > 1 else "attention"
    arg = sys.argv[2] if len(sys.argv) > 2 else ""

    def timed(fn, min_ms=1500.0, max_reps=20):
        fn()
        torch.cuda.synchronize()
        total, reps = 0.0, 0
        while reps < max_reps and (reps < 2 or total < min_ms):
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a.record()
            fn()
            b.record()
            torch.cuda.synchronize()
            total += a.elapsed_time(b)
            reps += 1
            if total > 4 * min_ms:
                break
        return total / reps

    if mode == "attention":
        Hq, Hkv, D = 32, 4, 128
        for t in [int(x) for x in (arg or "8192,32768,131072,204800").split(",") if x]:
            # one size at a time: an out-of-memory or other failure at one size keeps the others
            try:
                attention_size(torch, F, timed, t, Hq, Hkv, D)
            except Exception as e:  # noqa: BLE001 - reported, the next size still runs
                print("torch sdpa %7d tokens: failed: %s" % (t, str(e).splitlines()[0] if str(e) else type(e).__name__))
                print("RESULT torch_attention_%d_failed 1" % t)
            sys.stdout.flush()
            torch.cuda.empty_cache()
    elif mode == "moe":
        T, H, E, K, Fi = int(arg or 8192), 2048, 128, 8, 768
        g = torch.Generator(device="cuda").manual_seed(7)
        s = (3.0 / H) ** 0.5
        x = torch.randn(T, H, device="cuda", dtype=torch.bfloat16, generator=g)
        router = (torch.rand(E, H, device="cuda", generator=g) * 2 - 1).mul(3 * s).bfloat16()
        w_gate = (torch.rand(E, Fi, H, device="cuda", generator=g) * 2 - 1).mul(s).bfloat16()
        w_up = (torch.rand(E, Fi, H, device="cuda", generator=g) * 2 - 1).mul(s).bfloat16()
        w_down = (torch.rand(E, H, Fi, device="cuda", generator=g) * 2 - 1).mul((3.0 / Fi) ** 0.5).bfloat16()

        def block():
            logits = x @ router.t()
            w = F.softmax(logits, dim=1, dtype=torch.float)
            w, sel = torch.topk(w, K, dim=-1)
            w = (w / w.sum(dim=-1, keepdim=True)).to(x.dtype)
            out = torch.zeros_like(x)
            mask = F.one_hot(sel, num_classes=E).permute(2, 1, 0)
            hit = torch.greater(mask.sum(dim=(-1, -2)), 0).nonzero()
            for e in hit.squeeze(-1).tolist():
                idx, top_x = torch.where(mask[e])
                cur = x[top_x]
                h = F.silu(cur @ w_gate[e].t()) * (cur @ w_up[e].t())
                out.index_add_(0, top_x, (h @ w_down[e].t()) * w[top_x, idx, None])
            return out

        with torch.no_grad():
            ms = timed(block, min_ms=1000.0)
        print("torch moe block %d tokens: %.3f ms" % (T, ms))
        print("RESULT torch_moe_%d_ms %.3f" % (T, ms))
    return 0


def attention_size(torch, F, timed, t, Hq, Hkv, D):
    """Times causal scaled_dot_product_attention at t tokens and prints its RESULT line."""
    q = torch.randn(1, Hq, t, D, device="cuda", dtype=torch.bfloat16)
    k = torch.randn(1, Hkv, t, D, device="cuda", dtype=torch.bfloat16)
    v = torch.randn(1, Hkv, t, D, device="cuda", dtype=torch.bfloat16)
    try:
        F.scaled_dot_product_attention(q[:, :, :64], k[:, :, :64], v[:, :, :64], is_causal=True,
                                       enable_gqa=True)
        fn = lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)  # noqa: E731
    except TypeError:
        k, v = k.repeat_interleave(Hq // Hkv, dim=1), v.repeat_interleave(Hq // Hkv, dim=1)
        fn = lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True)  # noqa: E731
    ms = timed(fn)
    tflops = 4.0 * D * Hq * t * (t + 1) / 2.0 / (ms * 1e-3) / 1e12
    print("torch sdpa %7d tokens: %8.1f TFLOP/s (%.2f ms)" % (t, tflops, ms))
    print("RESULT torch_attention_%d_tflops %.2f" % (t, tflops))


if __name__ == "__main__":
    sys.exit(main())
