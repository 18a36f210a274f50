# Shared by the fault scripts: a PostgreSQL table for FaultExperiment, the standalone cluster,
# the execution log and the final check (org.experimenter.testing.FaultReport).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
ensure_test_classes

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}" PGDATABASE="${PGDATABASE:-test}"
pg_url="jdbc:postgresql://$PGHOST:$PGPORT/$PGDATABASE"

# write_conf DIR TABLE ROWS SLEEP_MS EXTRA: the config of one check, printed as its path
write_conf() {
  local dir="$1" table="$2" rows="$3" sleep_ms="$4" extra="$5"
  cat >"$dir/$table.conf" <<CONF
database { url = "$pg_url", user = "$PGUSER", table = $table }
keyfields { x { type = int, values = { start = 0, stop = $rows } } }
resultfields { score = double }
custom { execution-log = "$dir/executions.log", sleep-ms = $sleep_ms }
experiment-class = org.experimenter.testing.FaultExperiment
$extra
CONF
  echo "$dir/$table.conf"
}

# started_cluster is 1 when this script started the cluster (and so stops it at the end)
started_cluster=0
ensure_cluster() {
  if ! "$root/scripts/dev/cluster" status >/dev/null 2>&1; then
    "$root/scripts/dev/cluster" start
    started_cluster=1
  fi
}
stop_cluster_if_started() {
  if [ "$started_cluster" = 1 ]; then "$root/scripts/dev/cluster" stop; fi
}

# submit_run CONF OUT: experimenter run on the standalone cluster in the background; sets run_pid
submit_run() {
  SUBMIT_OPTS="--jars $TEST_JAR --conf spark.ui.enabled=false" "$root/scripts/dev/cluster" submit run -c "$1" >"$2" 2>&1 &
  run_pid=$!
}

# await_executions LOG N SECONDS: until the log has N lines from at least two processes
await_executions() {
  local log="$1" n="$2" deadline=$((SECONDS + $3))
  until [ -f "$log" ] && [ "$(wc -l <"$log")" -ge "$n" ] && [ "$(cut -d' ' -f2 "$log" | sort -u | wc -l)" -ge 2 ]; do
    if [ "$SECONDS" -gt "$deadline" ]; then echo "timed out waiting for $n executions in $log" >&2; return 1; fi
    sleep 0.2
  done
}

# executor_retries: database operations the executors of the cluster retried (their logs)
executor_retries() {
  cat "$root"/target/cluster/worker*/app-*/*/stderr 2>/dev/null | grep -c "retrying in" || true
}
