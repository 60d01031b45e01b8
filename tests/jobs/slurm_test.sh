#!/bin/sh
# slurm_test.sh - runs jobs/dossier-slurm.sh on a single-node Slurm cluster that the test starts
# (Debian's slurm-wlm and munge): an array job of two tasks sharing one queue in PostgreSQL.
# Task 0 enqueues and processes the inbox (`dossier run`), task 1 is a `dossier worker`; the
# database must end with every document loaded exactly once, by the two tasks together.
# Needs root (slurmd runs jobs as their user) and the packages; skips (77) without them.
DBNAME=t_jobs_slurm
. "$(dirname "$0")/../pipeline/testdb.sh"
for b in slurmctld slurmd sbatch munged; do
    command -v $b >/dev/null 2>&1 || [ -x /usr/sbin/$b ] || { echo "skip: $b not installed (slurm-wlm, munge)"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "skip: a Slurm node needs root"; exit 77; }
[ -r /etc/munge/munge.key ] || { echo "skip: no munge key"; exit 77; }
PATH=/usr/sbin:$PATH
S=$TMP/slurm
mkdir -p "$S/state" "$S/spool" "$S/log" "$S/munge"
chown munge:munge "$S/munge"
host=$(hostname -s)
cpus=$(nproc)
# Ports of our own, so another Slurm (or another run of this test) cannot collide with ours.
ctld_port=$((20000 + $$ % 20000))
slurmd_port=$((ctld_port + 1))
cat >"$S/slurm.conf" <<CONF
ClusterName=dossiertest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=2048 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
export SLURM_CONF=$S/slurm.conf
cleanup() {
    for pidfile in "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/munged.pid"; do
        if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
    done
}
trap cleanup EXIT
runuser -u munge -- munged --socket="$S/munge/munge.socket" --pid-file="$S/munge/munged.pid" \
    --log-file="$S/munge/munged.log" --seed-file="$S/munge/seed" || { echo "skip: munged does not start here"; exit 77; }
# Slurm finds munge's socket through its auth options.
echo "AuthInfo=socket=$S/munge/munge.socket" >>"$S/slurm.conf"
slurmctld -f "$S/slurm.conf" || { cat "$S/log/slurmctld.log"; fail "slurmctld did not start"; finish; }
slurmd -f "$S/slurm.conf" || { cat "$S/log/slurmd.log"; fail "slurmd did not start"; finish; }
i=0
until sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; do
    i=$((i + 1)); [ $i -gt 60 ] && { sinfo; tail -20 "$S/log/slurmctld.log"; fail "node never became idle"; finish; }
    sleep 1
done
echo "ok: single-node Slurm cluster up ($(sinfo -h -o '%N %T %c'))"

in=$TMP/inbox
mkdir -p "$in"
n=1
while [ $n -le 40 ]; do
    awk -v d=$n 'BEGIN { srand(d); for (k = 1; k <= 400 + int(rand() * 400); k++)
        printf "Paragraph %d of filing %d: revenue, liquidity and covenants discussed at length, note %d.\n\n", k, d, k }' >"$in/f$n.txt"
    n=$((n + 1))
done
"$DOSSIER_BIN" --db "$DSN" db migrate >/dev/null 2>&1
out=$(DOSSIER=$DOSSIER_BIN DOSSIER_DB_DSN=$DSN DOSSIER_CONFIG= DOSSIER_WORKERS=1 \
    sbatch --parsable --wait --array=0-1 --cpus-per-task=1 --mem=512M --chdir="$TMP" --output="$TMP/task-%a.out" \
    "$DS_SOURCE_DIR/jobs/dossier-slurm.sh" "$in" 2>&1) || { cat "$TMP"/task-*.out 2>/dev/null || true; fail "array job failed: $out"; }
echo "array job $out finished"
expect "every document loaded" "$(q "SELECT count(*) FROM documents WHERE status = 'loaded'")" 40
expect "no duplicates" "$(q "SELECT count(*) FROM (SELECT document_id, seq FROM chunks GROUP BY 1, 2 HAVING count(*) > 1) x")" 0
expect "both array tasks ran against the queue" "$(q "SELECT count(*) FROM runs WHERE status = 'ok'")" 2
expect "the two tasks shared the documents" "$(q "SELECT sum(docs_loaded) FROM runs")" 40
q "SELECT kind, docs_loaded FROM runs ORDER BY id" | sed 's/^/  task run: /'
finish
