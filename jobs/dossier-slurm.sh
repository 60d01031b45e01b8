#!/bin/bash
# dossier-slurm.sh - scale-out on a Slurm cluster: an array job whose tasks each run
# `dossier worker` against the one shared PostgreSQL. Task 0 also discovers the inputs
# (enqueue only is cheap and idempotent: the same bytes are one document), the others wait a
# moment, then every task claims documents from the queue with FOR UPDATE SKIP LOCKED and a
# lease; a task that dies leaves its lease to lapse and another task takes the document.
#
#   sbatch --array=0-7 jobs/dossier-slurm.sh            # 8 tasks
#   DOSSIER_CONFIG=/etc/dossier/dossier.yaml sbatch --array=0-31%16 jobs/dossier-slurm.sh
#
#SBATCH --job-name=dossier
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=06:00:00
#SBATCH --output=dossier-%A_%a.out
set -euo pipefail
# The site configuration, unless the caller names one (or sets DOSSIER_CONFIG empty for none).
if [ -z "${DOSSIER_CONFIG+set}" ] && [ -f /etc/dossier/dossier.yaml ]; then
    export DOSSIER_CONFIG=/etc/dossier/dossier.yaml
fi
DOSSIER=${DOSSIER:-dossier}
task=${SLURM_ARRAY_TASK_ID:-0}
workers=${DOSSIER_WORKERS:-${SLURM_CPUS_PER_TASK:-1}}
if [ "$task" = 0 ] && [ $# -gt 0 ]; then
    # Inputs given on the command line: task 0 runs them (enqueue + process).
    exec "$DOSSIER" run --workers "$workers" "$@"
fi
# Wait while task 0 may still be enqueueing: exit after 60 s with nothing to claim.
exec "$DOSSIER" worker --workers "$workers" --idle-wait 60
