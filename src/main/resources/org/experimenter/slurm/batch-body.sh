# ---- the fixed part: no setting of yours below this line ----
# A Spark standalone cluster inside this allocation: the master on the first node (this one, where
# Slurm runs the batch script), a worker on every node (one srun task per node), the run as the
# driver on this node, then the cluster stopped. SIGTERM (scancel, the --signal before the time
# limit, a requeue) stops the run gracefully: no new experiments, running ones get the config's
# shutdown-grace, claimed rows go back to created; then the cluster stops.
set -uo pipefail
export EXPERIMENTER_CDS=0 # no detached class-archive maker left inside the job
export EXPERIMENTER_DAEMON=0 # the driver is this job's process, not a daemon that outlives it
export SPARK_SCALA_VERSION=2.13
say() { echo "experimenter-slurm: $*"; }
fail() { say "$*" >&2; exit 1; }
case "$EXPERIMENTER_HOME" in *[[:space:]]*) fail "EXPERIMENTER_HOME has a space: $EXPERIMENTER_HOME (Spark's class path settings cannot hold one)" ;; esac
[ -x "$EXPERIMENTER_HOME/scripts/experimenter" ] || fail "no scripts/experimenter in EXPERIMENTER_HOME=$EXPERIMENTER_HOME (the tool's checkout, on a disk every node sees)"
[ -f "$EXPERIMENTER_CONFIG" ] || fail "no config file $EXPERIMENTER_CONFIG"
[ -n "${SLURM_JOB_ID:-}" ] || fail "not inside a Slurm job (submit this script with sbatch)"
# shellcheck source=/dev/null
source "$EXPERIMENTER_HOME/scripts/lib.sh" # APP_JAR, CP_FILE, FLAGS_FILE, ensure_built
ensure_built
cp="$APP_JAR:$(cat "$CP_FILE")"
flags="$(cat "$FLAGS_FILE")"

# the allocation's nodes, one per line; the first is this one
if command -v scontrol >/dev/null; then
  nodes="$(scontrol show hostnames "$SLURM_JOB_NODELIST")"
else
  nodes="$("$EXPERIMENTER_HOME/scripts/experimenter" slurm hostnames "$SLURM_JOB_NODELIST")"
fi
node_count="$(grep -c . <<< "$nodes")"
[ "$node_count" -gt 0 ] || fail "no nodes in SLURM_JOB_NODELIST=$SLURM_JOB_NODELIST"
# Spark listens on each node's NodeAddr, the address Slurm itself reaches the node at (the node's
# name unless slurm.conf says otherwise); "name address" per line
addresses=""
while read -r node; do
  addr=""
  command -v scontrol >/dev/null && addr="$(scontrol show node "$node" 2>/dev/null | grep -o 'NodeAddr=[^ ]*' | head -n 1 | cut -d= -f2)"
  addresses+="$node ${addr:-$node}"$'\n'
done <<< "$nodes"
master_host="$(head -n 1 <<< "$addresses" | cut -d' ' -f2)"

# logs, the workers' work dirs and an empty Spark home, per job and restart (a requeued job starts again here)
run_dir="${EXPERIMENTER_SLURM_DIR:-$PWD}/experimenter-slurm-$SLURM_JOB_ID-${SLURM_RESTART_COUNT:-0}"
mkdir -p "$run_dir/spark-home/jars" || fail "cannot make $run_dir"
say "job $SLURM_JOB_ID (restart ${SLURM_RESTART_COUNT:-0}) on $node_count node(s): $(tr '\n' ' ' <<< "$nodes"); logs in $run_dir"

master_pid=""
workers_pid=""
driver_pid=""
stopping=0
stop_cluster() {
  if [ -n "$workers_pid" ] && kill -0 "$workers_pid" 2>/dev/null; then
    kill -TERM "$workers_pid" 2>/dev/null # srun passes it on to the workers
    for _ in $(seq 1 40); do kill -0 "$workers_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$workers_pid" 2>/dev/null
  fi
  if [ -n "$master_pid" ] && kill -0 "$master_pid" 2>/dev/null; then
    kill -TERM "$master_pid" 2>/dev/null
    for _ in $(seq 1 20); do kill -0 "$master_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$master_pid" 2>/dev/null
  fi
  wait 2>/dev/null
}
on_signal() {
  stopping=1
  say "$1: stopping the run gracefully (running experiments get the config's shutdown-grace)"
  if [ -n "$driver_pid" ]; then
    kill -TERM "$driver_pid" 2>/dev/null
  else
    stop_cluster
    exit 143
  fi
}
trap 'on_signal SIGTERM' TERM
trap 'on_signal SIGINT' INT

# shellcheck disable=SC2086
# (no REST submission server: its fixed port would clash with another job's master on the node)
SPARK_LOCAL_IP="$master_host" java $flags -Xmx512m -Dspark.master.rest.enabled=false -cp "$cp" \
  org.apache.spark.deploy.master.Master \
  --host "$master_host" --port 0 --webui-port 0 > "$run_dir/master.log" 2>&1 &
master_pid=$!
master_url=""
for _ in $(seq 1 240); do
  master_url="$(grep -o 'Starting Spark master at spark://[^ ]*' "$run_dir/master.log" | head -n 1 | sed 's/.* at //')"
  [ -n "$master_url" ] && break
  kill -0 "$master_pid" 2>/dev/null || break
  sleep 0.5
done
[ -n "$master_url" ] || { stop_cluster; fail "the Spark master did not start; see $run_dir/master.log"; }
say "Spark master $master_url"

# A worker per node with the node's CPUs (and memory, when the job asked for some per node)
# shellcheck disable=SC2016
srun --nodes="$node_count" --ntasks="$node_count" --ntasks-per-node=1 --kill-on-bad-exit=0 \
  bash -c 'host="$SLURMD_NODENAME"; while read -r n a; do [ "$n" = "$SLURMD_NODENAME" ] && host="$a"; done <<< "$5"
    SPARK_HOME="$1/spark-home" SPARK_LOCAL_IP="$host" exec java $2 -Xmx512m -cp "$3" \
    org.apache.spark.deploy.worker.Worker --host "$host" --webui-port 0 \
    --cores "$SLURM_CPUS_ON_NODE" ${SLURM_MEM_PER_NODE:+--memory "${SLURM_MEM_PER_NODE}m"} \
    --work-dir "$1/work-$SLURMD_NODENAME" "$4" > "$1/worker-$SLURMD_NODENAME.log" 2>&1' worker "$run_dir" "$flags" "$cp" "$master_url" "$addresses" &
workers_pid=$!
registered=0
for _ in $(seq 1 240); do
  registered="$(cat "$run_dir"/worker-*.log 2>/dev/null | grep -c 'Successfully registered with master')"
  [ "$registered" -ge "$node_count" ] && break
  kill -0 "$workers_pid" 2>/dev/null || break
  sleep 0.5
done
[ "$registered" -ge "$node_count" ] || { stop_cluster; fail "$registered of $node_count workers registered; see $run_dir/worker-*.log"; }
say "$registered worker(s) registered; running the grid of $EXPERIMENTER_CONFIG"

# the driver: the tool's run command on this node, against the allocation's master
EXPERIMENTER_JAVA_OPTS="${EXPERIMENTER_JAVA_OPTS:-} -Dspark.master=$master_url -Dspark.driver.host=$master_host -Dspark.executor.extraClassPath=$cp" \
  SPARK_LOCAL_IP="$master_host" "$EXPERIMENTER_HOME/scripts/experimenter" run --config "$EXPERIMENTER_CONFIG" &
driver_pid=$!
# wait returns early when a trapped signal arrives; the driver is waited for until it has ended
while :; do
  wait "$driver_pid"
  kill -0 "$driver_pid" 2>/dev/null || break
done
wait "$driver_pid"
status=$?
say "the run ended (exit code $status$([ "$stopping" = 1 ] && echo ', stopped by a signal')); stopping the cluster"
stop_cluster
exit "$status"
