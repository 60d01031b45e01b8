#!/usr/bin/env bash
# run_on_gpu.sh - the device run of the CUDA backend, in one go, inside one global deadline, on
# a GPU machine with no registry access. From the repository root:
#     bash tests/cuda/run_on_gpu.sh            (DEADLINE_S, default 540 s, for a 600 s call)
# Binaries: the carried folder gpu-carry/ (built on the CPU machine by `sh tests/cuda/carry.sh`
# and carried with the working tree) when its binaries load here; else, as a fallback, a build
# here (cmake -DDOSSIER_GPU_ONLY=ON: the engine and its GPU targets only, which needs the -dev
# packages of GLib and jansson, none of the pipeline's).
# Steps, each capped by the time left:
#   1. machine: GPU, driver, nvcc, glibc against gpu-carry/REQUIRES;
#   2. the gpu tests (the list in gpu-tests.txt): each CUDA op against its CPU twin, the forward
#      pass against the CPU backend, tensor parallelism with 2 GPUs; a test's exit status is
#      its result (0 passed, 77 skipped, 124 timed out, else failed), and the number of results
#      must equal the number of tests listed;
#   3. the independent reference: transformers builds the tiny Qwen3-MoE from the same
#      safetensors and its logits are compared with the CUDA engine's (tests/cuda/hf_reference.py);
#   4. benchmarks: attention at 8K-200K tokens against PyTorch SDPA, one MoE layer against the
#      Hugging Face block, 70K prefill + 512 tokens on a Qwen3-30B-A3B shape, bf16 and int4.
# The table ($OUT/table.txt, else build folder) is written by an EXIT/TERM trap, so a run killed
# at its limit still returns it; the full log is $OUT/run_on_gpu.log.
# Exit status: 0 when the binaries ran and no gpu test failed, 1 otherwise.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
START=$(date +%s)
DEADLINE_S=${DEADLINE_S:-540}
CARRY=${CARRY:-$ROOT/gpu-carry}
BUILD=${BUILD:-$ROOT/build-gpu}
DEST=${OUT:-$BUILD}
mkdir -p "$DEST"
LOG=$DEST/run_on_gpu.log
TABLE=$DEST/table.txt
RES=$DEST/results.txt
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dossier-gpu.XXXXXX")
: > "$LOG"
: > "$RES"
exec > >(tee -a "$LOG") 2>&1
TEE_PID=$!
PY=${PYTHON:-python3}

left() { echo $(( DEADLINE_S - ( $(date +%s) - START ) )); }
# cap N: N seconds, or what is left before the deadline less a margin for the table.
cap() { local l; l=$(( $(left) - 15 )); [ "$l" -lt "$1" ] && echo "$l" || echo "$1"; }
step() { echo; echo "== [$(( $(date +%s) - START )) s, $(left) s left] $*"; }
note() { echo "RESULT $1 $2" >> "$RES"; }
val() { awk -v k="$1" '$1 == "RESULT" && $2 == k { v = $3 } END { if (v == "") print "-"; else print v }' "$RES"; }

BIN=""
bin_how="none"
tests_line="not run"
tests_ok=0
torch_ok=0
hf_line="not run"
GPUS=0
GPU_NAME="no GPU"

write_table() {
    local tv
    {
        echo "dossier CUDA backend on $GPU_NAME ($GPUS GPU(s)), $(date -u +%Y-%m-%dT%H:%MZ); binaries: $bin_how"
        echo
        printf '| %-44s | %-22s | %-24s |\n' "measurement" "dossier (CUDA)" "PyTorch, same GPU"
        printf '|%s|%s|%s|\n' "----------------------------------------------" "------------------------" "--------------------------"
        printf '| %-44s | %-22s | %-24s |\n' "gpu tests" "$tests_line" "-"
        printf '| %-44s | %-22s | %-24s |\n' "transformers reference (tiny Qwen3-MoE)" "$hf_line" "-"
        for t in 8192 32768 131072 204800; do
            tv=$(val torch_attention_${t}_tflops)
            [ "$torch_ok" = 1 ] || tv="PyTorch not available"
            printf '| %-44s | %-22s | %-24s |\n' "attention, causal, $t tokens (TFLOP/s)" "$(val attention_${t}_tflops)" "$tv"
            printf '| %-44s | %-22s | %-24s |\n' "  3 rows vs float64, $t tokens (max rel err)" "$(val attention_${t}_rowcheck)" "limit 0.03"
        done
        tv=$(val torch_moe_8192_ms)
        [ "$torch_ok" = 1 ] || tv="PyTorch not available"
        printf '| %-44s | %-22s | %-24s |\n' "MoE layer, 8192 tokens, bf16 (ms)" "$(val moe_bf16_8192_ms)" "$tv"
        printf '| %-44s | %-22s | %-24s |\n' "MoE layer, 8192 tokens, int4 AWQ (ms)" "$(val moe_awq_8192_ms)" "-"
        printf '| %-44s | %-22s | %-24s |\n' "MoE layer, 1 token (decode), bf16 (ms)" "$(val moe_bf16_1_ms)" "-"
        for k in bf16 awq; do
            printf '| %-44s | %-22s | %-24s |\n' "70K prefill + 512 tokens, $k: prefill (s)" "$(val e2e_${k}_prefill_s)" "-"
            printf '| %-44s | %-22s | %-24s |\n' "70K prefill + 512 tokens, $k: decode (s)" "$(val e2e_${k}_decode_s)" "-"
            printf '| %-44s | %-22s | %-24s |\n' "70K prefill + 512 tokens, $k: total (s)" "$(val e2e_${k}_total_s)" "target < 10 s"
        done
        grep -E '^RESULT (timeout|failed)_' "$RES" | sed -E 's/^RESULT (timeout|failed)_([^ ]*) .*/\1: \2/'
        echo
        echo "total time of this run: $(( $(date +%s) - START )) s of a ${DEADLINE_S} s deadline"
    } > "$TABLE"
}

finish() {
    local rc=$1
    trap - EXIT TERM INT
    write_table
    echo
    echo "== table"
    cat "$TABLE"
    rm -rf "$WORK"
    exec >&- 2>&-          # close the pipe so tee ends, then wait for it to write everything
    wait "$TEE_PID" 2>/dev/null
    exit "$rc"
}
trap 'finish $([ "$tests_ok" = 1 ] && echo 0 || echo 1)' EXIT
trap 'echo "run_on_gpu.sh: terminated at $(( $(date +%s) - START )) s"; note timeout_run_on_gpu 1; finish 1' TERM INT

# run LIMIT NAME CMD...: the command's output to the log, its RESULT lines kept; a timeout or a
# failure is recorded under NAME.
run() {
    local lim name rc
    lim=$(cap "$1"); name=$2; shift 2
    if [ "$lim" -le 5 ]; then note "timeout_$name" 1; echo "skipped $name: deadline reached"; return 0; fi
    timeout -k 5 "$lim" "$@" > "$WORK/out.txt" 2>&1
    rc=$?
    cat "$WORK/out.txt"
    grep '^RESULT' "$WORK/out.txt" >> "$RES"
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then note "timeout_$name" 1
    elif [ "$rc" != 0 ]; then note "failed_$name" "$rc"; fi
    return 0
}

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | head -5
GPUS=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | wc -l)
[ "$GPUS" -gt 0 ] && GPU_NAME=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
[ "$GPUS" -gt 0 ] || echo "no device: nvidia-smi finds no GPU"
echo "driver: $(cat /proc/driver/nvidia/version 2>/dev/null | head -1 || echo none)"
echo "nvcc: $(nvcc --version 2>/dev/null | tail -1 || echo 'not found')"
echo "glibc: $(ldd --version 2>/dev/null | head -1)"
echo "cores: $(nproc)"

step "binaries"
if [ -x "$CARRY/bin/test_cuda_ops" ] && [ -f "$CARRY/gpu-tests.txt" ]; then
    need=$(awk '{print $2}' "$CARRY/REQUIRES" 2>/dev/null)
    have=$(ldd --version 2>/dev/null | head -1 | grep -o '[0-9]\+\.[0-9]\+$')
    missing=$(LD_LIBRARY_PATH="$CARRY/lib" ldd "$CARRY"/bin/* 2>&1 | grep 'not found' | sort -u)
    if [ -n "$missing" ]; then
        echo "carried binaries cannot load here: $missing"
    elif [ -n "$need" ] && [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1)" != "$need" ]; then
        echo "carried binaries need glibc $need, this machine has $have"
    else
        BIN=$CARRY/bin; MANIFEST=$CARRY/gpu-tests.txt; bin_how="carried ($CARRY)"
        export LD_LIBRARY_PATH="$CARRY/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    fi
fi
if [ -z "$BIN" ]; then
    echo "building here (fallback)"
    if cmake -S "$ROOT" -B "$BUILD" -DDOSSIER_CUDA=ON -DDOSSIER_GPU_ONLY=ON -DDOSSIER_WERROR=OFF -DCMAKE_BUILD_TYPE=Release \
         && timeout -k 5 "$(cap 300)" cmake --build "$BUILD" -j"$(nproc)" --target gpu_carry_build; then
        BIN=$BUILD; MANIFEST=$BUILD/gpu-tests.txt; bin_how="built here"
    else
        bin_how="none: no carried binaries and the build failed"
        tests_line="not run (no binaries)"
    fi
fi

if [ -n "$BIN" ]; then
    step "gpu tests"
    export DS_SOURCE_DIR=$ROOT DS_BINARY_DIR=$WORK TMPDIR=$WORK
    listed=0; passed=0; failed=0; skipped=0; results=0
    while IFS="$(printf '\t')" read -r name prog arg; do
        [ -n "$name" ] || continue
        listed=$((listed + 1))
        lim=$(cap 240)
        if [ "$lim" -le 5 ]; then echo "$name: not run, deadline reached"; note "timeout_$name" 1; continue; fi
        echo "-- $name ($prog $arg, limit $lim s)"
        timeout -k 5 "$lim" "$BIN/$prog" "$arg"
        rc=$?
        results=$((results + 1))
        case $rc in
            0) passed=$((passed + 1)); echo "$name: passed" ;;
            77) skipped=$((skipped + 1)); echo "$name: skipped" ;;
            124|137) failed=$((failed + 1)); note "timeout_$name" 1; echo "$name: TIMED OUT" ;;
            *) failed=$((failed + 1)); note "failed_$name" "$rc"; echo "$name: FAILED (exit $rc)" ;;
        esac
    done < "$MANIFEST"
    tests_line="$passed passed, $failed failed, $skipped skipped, $results/$listed ran"
    [ "$failed" = 0 ] && [ "$results" = "$listed" ] && [ "$listed" -gt 0 ] && [ "$passed" -gt 0 ] && tests_ok=1

    step "transformers reference"
    if [ "$GPUS" -gt 0 ] && [ -d "$CARRY/models/tiny" -o -x "$BIN/cuda_logits" ]; then
        models=$CARRY/models
        [ -d "$models/tiny" ] || { mkdir -p "$WORK/models"; "$BIN/cuda_logits" tiny "$WORK/models/tiny"; models=$WORK/models; }
        run 120 hf_reference "$PY" "$ROOT/tests/cuda/hf_reference.py" "$BIN/cuda_logits" "$models/tiny"
        case "$(val hf_available)/$(val hf_pass)" in
            0/*) hf_line="transformers not available" ;;
            1/1) hf_line="agrees (see log)" ;;
            1/0) hf_line="DIFFERS (see log)" ;;
            *) hf_line="did not finish" ;;
        esac
    else
        hf_line="not run (no device)"
    fi

    if "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
        torch_ok=1
    fi
    if [ "$GPUS" -gt 0 ]; then
        B=$BIN/bench_cuda
        step "attention"
        run 150 attention "$B" attention --tokens 8192,32768,131072,204800
        [ $torch_ok = 1 ] && run 100 torch_attention "$PY" "$ROOT/tests/bench/torch_ref.py" attention 8192,32768,131072,204800
        step "moe layer"
        run 50 moe_bf16 "$B" moe --tokens 8192
        run 50 moe_awq "$B" moe --tokens 8192 --awq
        [ $torch_ok = 1 ] && run 50 torch_moe "$PY" "$ROOT/tests/bench/torch_ref.py" moe 8192
        step "end to end, bf16"
        run 120 e2e_bf16 "$B" e2e --prompt 70000 --gen 512
        step "end to end, int4 AWQ"
        run 120 e2e_awq "$B" e2e --prompt 70000 --gen 512 --awq
    else
        step "benchmarks"
        echo "no device: benchmarks not run"
    fi
fi
exit 0   # the EXIT trap writes the table and sets the status
