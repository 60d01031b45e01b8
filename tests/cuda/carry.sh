#!/bin/sh
# carry.sh - builds, on this machine, what the device run needs, into gpu-carry/ (one command,
# from the repository root: `sh tests/cuda/carry.sh`), and checks it:
#   - the gpu tests, bench_cuda and cuda_logits, linked with -Wl,--as-needed so they record only
#     the shared libraries they use; each library outside the device image's list (CUDA
#     runtime, cuBLAS, NCCL, libc, libstdc++, libm, libgcc, the loader) is copied to
#     gpu-carry/lib, and every binary's needs are then checked against list + carried;
#   - the newest glibc symbol version the binaries need, written to gpu-carry/REQUIRES, which
#     run_on_gpu.sh compares with the device's glibc before it trusts the binaries;
#   - the tiny checkpoints of the transformers reference (gpu-carry/models);
#   - the whole folder under 64 MiB (the device tool carries at most that).
# The device run is then: run_on_gpu.sh with gpu-carry carried (README, "On a GPU machine").
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${BUILD:-$ROOT/build-carry}
C=${CARRY:-$ROOT/gpu-carry}
ALLOWED='^(linux-vdso|ld-linux-x86-64|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|libcudart|libcublas|libcublasLt|libnccl)\.so'

LAUNCH=""
command -v ccache >/dev/null && LAUNCH="-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache"
# shellcheck disable=SC2086 # LAUNCH is two words or none
cmake -S "$ROOT" -B "$B" -DDOSSIER_CUDA=ON -DDOSSIER_GPU_ONLY=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo $LAUNCH \
    -DCMAKE_EXE_LINKER_FLAGS=-Wl,--as-needed >/dev/null
cmake --build "$B" -j"$(nproc)" --target gpu_carry_build
rm -rf "$C"
mkdir -p "$C/bin" "$C/lib" "$C/models"
for b in test_cuda_ops test_cuda_forward bench_cuda cuda_logits; do
    cp "$B/$b" "$C/bin/$b"
    strip --strip-debug "$C/bin/$b"
done
cp "$B/gpu-tests.txt" "$C/gpu-tests.txt"

# Libraries outside the list travel with the binaries (found where this machine resolves them).
for b in "$C"/bin/*; do
    ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | while read -r name path; do
        if ! printf '%s\n' "$name" | grep -Eq "$ALLOWED"; then
            cp -L "$path" "$C/lib/$name"
        fi
    done
done
# Check: every NEEDED entry of every binary and carried library is on the list or carried.
bad=0
for f in "$C"/bin/* "$C"/lib/*; do
    [ -f "$f" ] || continue
    for n in $(readelf -d "$f" | awk '/NEEDED/ { gsub(/[\[\]]/, "", $5); print $5 }'); do
        if ! printf '%s\n' "$n" | grep -Eq "$ALLOWED" && [ ! -f "$C/lib/$n" ]; then
            echo "carry.sh: $(basename "$f") needs $n, which is neither in the device image nor carried" >&2
            bad=1
        fi
    done
done
[ $bad = 0 ] || exit 1
glibc=$(for f in "$C"/bin/* "$C"/lib/*; do objdump -T "$f" 2>/dev/null; done |
        grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
echo "glibc $glibc" > "$C/REQUIRES"
"$C/bin/cuda_logits" tiny "$C/models/tiny" >/dev/null
size=$(du -sb "$C" | cut -f1)
if [ "$size" -ge $((64 * 1024 * 1024)) ]; then
    echo "carry.sh: $C is $size bytes, over the 64 MiB the device run may carry" >&2
    exit 1
fi
echo "gpu-carry: $(ls "$C/bin" | tr '\n' ' ')| carried libraries: $(ls "$C/lib" | tr '\n' ' ')| needs glibc >= $glibc | $((size / 1024 / 1024)) MiB"
for b in "$C"/bin/*; do
    printf '  %-18s %s\n' "$(basename "$b")" "$(readelf -d "$b" | awk '/NEEDED/ { gsub(/[\[\]]/, "", $5); printf "%s ", $5 }')"
done
