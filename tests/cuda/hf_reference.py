#!/usr/bin/env python3
"""hf_reference.py - an independent reference for the CUDA backend on the device: Hugging Face
`transformers` builds the tiny random Qwen3-MoE from the same safetensors dossier loads and its
float32 logits are compared with the CUDA engine's (tests/cuda/cuda_logits.c):

  hf_reference.py CUDA_LOGITS_BIN CHECKPOINT_DIR

CHECKPOINT_DIR holds the float checkpoint and CHECKPOINT_DIR-awq its AutoAWQ int4 version
(`cuda_logits tiny DIR` writes both). The int4 weights are dequantised here, independently of
the project's code: W[n, k] = (q - zero) * scale with the AutoAWQ nibble order. Compared:
  fp32 engine vs transformers float32: normalised error < 1e-4 (float and int4 dequantised);
  bf16 engine: normalised error < 5e-2, and the same argmax on every row whose top two
  reference logits are more than 0.3 x the row's rms apart;
Prints "RESULT hf_<name> <value>" lines and a verdict; exit 0 when every comparison passes or
transformers/torch are not available (then "RESULT hf_available 0"), 1 when one fails.
"""
import json
import os
import subprocess
import sys
import tempfile

AWQ_ORDER = [0, 2, 4, 6, 1, 3, 5, 7]  # nibble i (bits 4i) holds column 8c + AWQ_ORDER[i]


def unpack(torch, packed):
    """int32 (R, C/8) -> uint8 (R, C) in AutoAWQ's column order."""
    r, c8 = packed.shape
    out = torch.empty((r, c8 * 8), dtype=torch.int32)
    for i, col in enumerate(AWQ_ORDER):
        out[:, col::8] = (packed >> (4 * i)) & 15
    return out


def dequantised_state(torch, awq_dir, group):
    from safetensors.torch import load_file
    state = {}
    for name in sorted(os.listdir(awq_dir)):
        if name.endswith(".safetensors"):
            state.update(load_file(os.path.join(awq_dir, name)))
    out = {}
    for name, t in state.items():
        if name.endswith(".qweight"):
            base = name[: -len(".qweight")]
            q = unpack(torch, t)                                   # (K, N)
            z = unpack(torch, state[base + ".qzeros"])             # (K/G, N)
            s = state[base + ".scales"].float()                    # (K/G, N)
            k = q.shape[0]
            zi = z.repeat_interleave(group, dim=0)[:k].float()
            si = s.repeat_interleave(group, dim=0)[:k]
            out[base + ".weight"] = ((q.float() - zi) * si).t().contiguous()
        elif name.endswith(".qzeros") or name.endswith(".scales"):
            continue
        else:
            out[name] = t.float()
    return out


def nerr(torch, a, b):
    d = (a.double() - b.double()).pow(2).sum()
    n = b.double().pow(2).sum()
    return float((d / n).sqrt()) if n > 0 else float(d.sqrt())


def decisive_differ(torch, got, ref, gap=0.3):
    top2 = ref.topk(2, dim=-1).values
    rms = ref.double().pow(2).mean(dim=-1).sqrt()
    clear = (top2[:, 0] - top2[:, 1]).double() > gap * rms
    differ = (got.argmax(-1) != ref.argmax(-1)) & clear
    return int(differ.sum()), int(clear.sum())


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, ckpt = sys.argv[1], sys.argv[2]
    try:
        import torch
        from transformers import AutoConfig, AutoModelForCausalLM
    except Exception as e:  # noqa: BLE001 - any import problem: no reference on this machine
        print("hf_reference: transformers not available: %s" % e)
        print("RESULT hf_available 0")
        return 0
    print("RESULT hf_available 1")
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    cfg = AutoConfig.from_pretrained(ckpt)
    V = cfg.vocab_size
    gen = torch.Generator().manual_seed(1234)
    tokens = torch.randint(0, V, (48,), generator=gen).tolist()
    failures = []

    def engine_logits(d, prec):
        with tempfile.NamedTemporaryFile(suffix=".f32", delete=False) as f:
            path = f.name
        try:
            r = subprocess.run([binary, "run", d, prec, path] + [str(t) for t in tokens],
                               capture_output=True, text=True, timeout=300)
            if r.returncode != 0:
                raise RuntimeError("cuda_logits %s %s: exit %d: %s" % (d, prec, r.returncode,
                                                                        (r.stdout + r.stderr).strip()[-400:]))
            data = open(path, "rb").read()
            return torch.frombuffer(bytearray(data), dtype=torch.float32).reshape(len(tokens), V)
        finally:
            os.unlink(path)

    def reference(state=None):
        model = AutoModelForCausalLM.from_pretrained(ckpt, torch_dtype=torch.float32)
        if state is not None:
            missing, unexpected = model.load_state_dict(state, strict=False)
            if [m for m in missing if "rotary" not in m] or unexpected:
                raise RuntimeError("dequantised weights do not fit: missing %s unexpected %s"
                                   % (missing[:4], unexpected[:4]))
        model.to(dev).eval()
        with torch.no_grad():
            out = model(torch.tensor([tokens], device=dev)).logits[0].float().cpu()
        del model
        return out

    group = json.load(open(os.path.join(ckpt + "-awq", "config.json")))["quantization_config"]["group_size"]
    cases = [("float", ckpt, None), ("awq", ckpt + "-awq", group)]
    for label, d, g in cases:
        try:
            ref = reference(dequantised_state(torch, d, g) if g else None)
            for prec, bound in (("fp32", 1e-4), ("bf16", 5e-2)):
                got = engine_logits(d, prec)
                e = nerr(torch, got, ref)
                differ, clear = decisive_differ(torch, got, ref)
                print("RESULT hf_%s_%s_nerr %.3g" % (label, prec, e))
                print("RESULT hf_%s_%s_argmax_differ %d/%d" % (label, prec, differ, clear))
                ok = e < bound and (prec == "fp32" or differ == 0)
                if prec == "fp32":
                    ok = ok and differ == 0
                print("%s checkpoint, %s engine vs transformers: error %.3g (bound %g), argmax differs on"
                      " %d of %d clear rows: %s" % (label, prec, e, bound, differ, clear, "ok" if ok else "FAIL"))
                if not ok:
                    failures.append("%s/%s" % (label, prec))
        except Exception as ex:  # noqa: BLE001 - reported as a failure of this case, the next runs
            print("%s checkpoint: reference failed: %s" % (label, ex))
            print("RESULT hf_%s_failed 1" % label)
            failures.append(label)
    print("RESULT hf_pass %d" % (0 if failures else 1))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
