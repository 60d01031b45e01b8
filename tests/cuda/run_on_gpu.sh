#!/usr/bin/env bash
# run_on_gpu.sh - the device run of the CUDA backend, in one go, on a GPU machine (made for an
# H200 with 16 cores and no internet; under 8 minutes):
#   1. configure and build with CUDA (cmake -DDOSSIER_CUDA=ON, -j16): the gpu tests and bench_cuda;
#   2. run the gpu tests (ctest -L gpu): every CUDA op against its CPU twin, the forward pass
#      against the CPU backend, tensor parallelism when 2 GPUs are present;
#   3. benchmark and print ONE table: attention TFLOP/s at 8K, 32K, 128K and 200K tokens against
#      PyTorch scaled_dot_product_attention on the same GPU; one MoE layer (8192 tokens) against
#      the Hugging Face MoE block in PyTorch; end to end, a 70K-token prefill plus 512 generated
#      tokens on a Qwen3-30B-A3B-shaped model with random weights made on the device, bf16 and
#      int4 AWQ. PyTorch figures read "PyTorch not available" when `import torch` fails.
# The full log and the table go under $OUT when it is set (else the build folder):
#   $OUT/run_on_gpu.log, $OUT/table.txt.
# Each step has its own time limit so that one slow part cannot take the whole budget; a step
# that fails or times out shows as such in the table. Exit status: 0 when the build worked and
# every gpu test passed or was skipped, 1 otherwise.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build-gpu}
DEST=${OUT:-$BUILD}
mkdir -p "$BUILD" "$DEST"
LOG=$DEST/run_on_gpu.log
TABLE=$DEST/table.txt
RES=$DEST/results.txt
: > "$LOG"
: > "$RES"
exec > >(tee -a "$LOG") 2>&1
START=$(date +%s)
JOBS=${JOBS:-16}
PY=${PYTHON:-python3}
step() { echo; echo "== [$(( $(date +%s) - START )) s] $*"; }

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | head -5
nproc
GPUS=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | wc -l)

step "configure"
build_ok=1
# warnings are errors in CI; here a newer compiler's new warning must not stop the device run
cmake -S "$ROOT" -B "$BUILD" -DDOSSIER_CUDA=ON -DDOSSIER_WERROR=OFF -DCMAKE_BUILD_TYPE=Release \
  || build_ok=0
step "build"
if [ $build_ok = 1 ]; then
  timeout 300 cmake --build "$BUILD" -j"$JOBS" --target test_cuda_ops test_cuda_forward bench_cuda \
    || build_ok=0
fi

tests_line="not run (build failed)"
tests_ok=0
if [ $build_ok = 1 ]; then
  step "gpu tests"
  (cd "$BUILD" && timeout 240 ctest -L gpu -j4 --output-on-failure) | tee "$DEST/ctest.txt"
  lines=$(grep -E 'Test +#[0-9]+:' "$DEST/ctest.txt")
  passed=$(printf '%s\n' "$lines" | grep -c ' Passed' || true)
  failed=$(printf '%s\n' "$lines" | grep -cE '\*\*\*(Failed|Timeout|Exception)|Not Run|SEGFAULT|Child aborted' || true)
  skipped=$(printf '%s\n' "$lines" | grep -c 'Skipped' || true)
  tests_line="$passed passed, $failed failed, $skipped skipped"
  [ "$failed" = 0 ] && [ "$passed" -gt 0 ] && tests_ok=1
fi

run() { # run LIMIT_S CMD...: output to the log, RESULT lines collected
  local lim=$1; shift
  timeout "$lim" "$@" 2>&1 | tee -a "$DEST/bench.txt" | grep '^RESULT' >> "$RES"
  local rc=${PIPESTATUS[0]}
  [ "$rc" = 124 ] && echo "RESULT timeout_$(basename "$1")_$2 1" >> "$RES"
  return 0
}

torch_ok=0
if $PY -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  torch_ok=1
fi
B=$BUILD/bench_cuda
if [ $build_ok = 1 ]; then
  step "attention"
  run 120 "$B" attention --tokens 8192,32768,131072,204800
  [ $torch_ok = 1 ] && run 120 $PY "$ROOT/tests/bench/torch_ref.py" attention 8192,32768,131072,204800
  step "moe layer"
  run 60 "$B" moe --tokens 8192
  run 60 "$B" moe --tokens 8192 --awq
  [ $torch_ok = 1 ] && run 60 $PY "$ROOT/tests/bench/torch_ref.py" moe 8192
  step "end to end, bf16"
  run 150 "$B" e2e --prompt 70000 --gen 512
  step "end to end, int4 AWQ"
  run 150 "$B" e2e --prompt 70000 --gen 512 --awq
fi

val() { awk -v k="$1" '$1 == "RESULT" && $2 == k { v = $3 } END { if (v == "") print "-"; else print v }' "$RES"; }
tval() { if [ $torch_ok = 1 ]; then val "$1"; else echo "PyTorch not available"; fi; }

{
  echo "dossier CUDA backend on $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1) ($GPUS GPU(s)), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  printf '| %-44s | %-22s | %-24s |\n' "measurement" "dossier (CUDA)" "PyTorch, same GPU"
  printf '|%s|%s|%s|\n' "----------------------------------------------" "------------------------" "--------------------------"
  for t in 8192 32768 131072 204800; do
    printf '| %-44s | %-22s | %-24s |\n' "attention, causal, $t tokens (TFLOP/s)" "$(val attention_${t}_tflops)" "$(tval torch_attention_${t}_tflops)"
  done
  printf '| %-44s | %-22s | %-24s |\n' "MoE layer, 8192 tokens, bf16 (ms)" "$(val moe_bf16_8192_ms)" "$(tval torch_moe_8192_ms)"
  printf '| %-44s | %-22s | %-24s |\n' "MoE layer, 8192 tokens, int4 AWQ (ms)" "$(val moe_awq_8192_ms)" "-"
  printf '| %-44s | %-22s | %-24s |\n' "MoE layer, 1 token (decode), bf16 (ms)" "$(val moe_bf16_1_ms)" "-"
  for k in bf16 awq; do
    printf '| %-44s | %-22s | %-24s |\n' "70K prefill + 512 tokens, $k: prefill (s)" "$(val e2e_${k}_prefill_s)" "-"
    printf '| %-44s | %-22s | %-24s |\n' "70K prefill + 512 tokens, $k: decode (s)" "$(val e2e_${k}_decode_s)" "-"
    printf '| %-44s | %-22s | %-24s |\n' "70K prefill + 512 tokens, $k: total (s)" "$(val e2e_${k}_total_s)" "target < 10 s"
  done
  printf '| %-44s | %-22s | %-24s |\n' "gpu tests (ctest -L gpu)" "$tests_line" "-"
  grep '^RESULT timeout_' "$RES" | sed 's/^RESULT /timed out: /'
  echo
  echo "total time of this run: $(( $(date +%s) - START )) s"
} > "$TABLE"

step "table"
cat "$TABLE"
[ $build_ok = 1 ] && [ $tests_ok = 1 ]
