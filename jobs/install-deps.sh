#!/bin/sh
# install-deps.sh - installs the Debian 12 packages dossier needs to build, run and test.
# Idempotent: installs only what is missing. Needs root (or sudo) when something is missing.
# Usage: jobs/install-deps.sh [--runtime|--build]
#   --runtime  only what `dossier` needs to run (an installed binary)
#   --build    what building and running need (`make build`, `make run`)
#   (none)     also what the tests, sanitizers, fuzzers and benchmarks need (`make test`, CI)
set -eu

runtime="postgresql postgresql-client libpq5 libpoppler-glib8 poppler-utils libxml2 libcurl4 libyaml-0-2
libcairo2 libpango-1.0-0 libpangocairo-1.0-0 libjansson4 ca-certificates fonts-dejavu-core"
build="build-essential cmake pkg-config libpq-dev libpoppler-glib-dev libxml2-dev libcurl4-openssl-dev
libyaml-dev libcairo2-dev libpango1.0-dev libjansson-dev"
# Tests, sanitizers, fuzzing, benchmark baselines, report rendering checks.
test="clang clang-format universal-ctags libclang-rt-14-dev llvm libopenblas-dev chromium procps psmisc slurm-wlm munge python3"

case "${1:-}" in
--runtime) want="$runtime" ;;
--build) want="$runtime $build" ;;
"") want="$runtime $build $test" ;;
*) echo "install-deps: unknown option $1 (--runtime, --build or none)" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    echo "install-deps: all Debian packages present"
    exit 0
fi
echo "install-deps: installing$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root to install:$missing" >&2; exit 1; }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists once if they are missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then
    $SUDO apt-get update -qq
fi
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
# The Debian postgresql package starts a system cluster; dossier never uses it.
echo "install-deps: done"
