#!/bin/sh
# run_script_test.sh - rehearses the device run (tests/cuda/run_on_gpu.sh) on this machine, with
# the binaries of this build standing in for the carried folder:
#   1. a whole run inside a 240 s deadline: without a GPU every gpu test is skipped (none fails,
#      none is missing), the transformers step says "not run (no device)" or "not available",
#      the benchmarks are not run, and the table is written;
#   2. a run killed (SIGTERM) a few seconds in: the table is still written, and says so.
# Usage: run_script_test.sh BUILD_DIR
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/carry/bin" "$T/carry/lib"
for b in test_cuda_ops test_cuda_forward bench_cuda cuda_logits; do
    ln -s "$BUILD/$b" "$T/carry/bin/$b"
done
cp "$BUILD/gpu-tests.txt" "$T/carry/"
echo "glibc 2.17" > "$T/carry/REQUIRES"
fail() { echo "FAIL: $*"; exit 1; }

# 1. a whole run
start=$(date +%s)
rc=0
CARRY=$T/carry OUT=$T/out1 DEADLINE_S=240 bash "$ROOT/tests/cuda/run_on_gpu.sh" > "$T/log1" 2>&1 || rc=$?
took=$(( $(date +%s) - start ))
[ -f "$T/out1/table.txt" ] || fail "no table after a whole run"
cat "$T/out1/table.txt"
[ "$took" -le 240 ] || fail "the run took $took s, past its 240 s deadline"
listed=$(grep -c . "$T/carry/gpu-tests.txt")
grep -q "0 passed, 0 failed, $listed skipped, $listed/$listed ran" "$T/out1/table.txt" ||
    fail "the gpu tests line does not say $listed skipped of $listed"
grep -Eq "transformers reference.*(not run \(no device\)|transformers not available)" "$T/out1/table.txt" ||
    fail "the transformers step is not reported cleanly"
grep -q "binaries: carried" "$T/out1/table.txt" || fail "the carried binaries were not used"
[ "$rc" = 1 ] || fail "exit status $rc without a GPU (1 expected: nothing passed)"
grep -q "total time of this run" "$T/out1/run_on_gpu.log" || fail "the log lacks the table's end (tee cut short)"

# 2. a run killed early still leaves its table
CARRY=$T/carry OUT=$T/out2 DEADLINE_S=240 bash "$ROOT/tests/cuda/run_on_gpu.sh" > "$T/log2" 2>&1 &
pid=$!
# Without a GPU the whole run takes about two seconds: kill it as soon as it has written its
# first line, not after a fixed sleep that may outlast it.
i=0
while [ ! -s "$T/log2" ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM "$pid" 2>/dev/null || fail "the run ended before it could be killed"
wait "$pid" || true
[ -f "$T/out2/table.txt" ] || fail "no table after SIGTERM"
grep -q "timeout: run_on_gpu" "$T/out2/table.txt" || fail "the table does not say the run was terminated"
echo "ok: run_on_gpu.sh rehearsed in $took s; a killed run still wrote its table"
