#!/usr/bin/env bash
# The snapshot figures of issue 12 in ONE invocation: each mode runs in its own JVM and prints a table; results go to
# perf/results/<UTC timestamp>/ (snapshot-<mode>.txt, .hgrm files of the latency runs, GC logs). See
# docs/performance.md, "Snapshots".
#
# Modes (MODES, space separated, in this order by default):
#   restart  restart time after COMMANDS commands over KEYS keys, snapshots on and off
#   install  a blank member joins a cluster holding STATE_BYTES through a snapshot install (MB/s)
#   latency  client latency at RATE while the leader and a follower snapshot STATE_BYTES, against without
#   soak     RSS, direct/mapped memory, data directories, log and snapshot indexes over SOAK_MINUTES at SOAK_RATE
#
# Knobs (environment): MODES COMMANDS KEYS VALUE_BYTES SNAPSHOT_LOG_ENTRIES RESTART_SNAPSHOT_LOG_ENTRIES STATE_BYTES
# STATE_VALUE_BYTES RATE SIZE WARMUP DURATION SOAK_MINUTES SOAK_RATE SAMPLE_SECONDS DURABILITY THREADING HEAP
# SOAK_HEAP RESULTS SKIP_BUILD MVN_FLAGS JAVA_OPTS
#   quick:  COMMANDS=1000000 STATE_BYTES=64m SOAK_MINUTES=2 scripts/perf-snapshots.sh
#   50M:    MODES=restart COMMANDS=1000000,10000000,50000000 scripts/perf-snapshots.sh
set -uo pipefail
cd "$(dirname "$0")/.."

MODES=${MODES:-"restart install latency soak"}
COMMANDS=${COMMANDS:-1000000,10000000}
KEYS=${KEYS:-100000}
VALUE_BYTES=${VALUE_BYTES:-32}
# Entries between snapshots. The soak uses the engine's default (flotilla.snapshot.log.entries), what a node does out
# of the box; the restart a quarter of it, so that the 1 M run has snapshots too and the replay after the last one
# stays under 1.25 x 250k entries whatever the length of the history.
SNAPSHOT_LOG_ENTRIES=${SNAPSHOT_LOG_ENTRIES:-1000000}
RESTART_SNAPSHOT_LOG_ENTRIES=${RESTART_SNAPSHOT_LOG_ENTRIES:-250000}
STATE_BYTES=${STATE_BYTES:-1g}
STATE_VALUE_BYTES=${STATE_VALUE_BYTES:-10240}
RATE=${RATE:-10000}
SIZE=${SIZE:-32}
WARMUP=${WARMUP:-5}
# Long enough for both snapshots of a 1 GB state to finish inside the measured period.
DURATION=${DURATION:-30}
SOAK_MINUTES=${SOAK_MINUTES:-30}
SOAK_RATE=${SOAK_RATE:-50000}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-10}
DURABILITY=${DURABILITY:-ASYNC}
THREADING=${THREADING:-COMPACT}
# install and latency hold three copies of the state in one JVM (plus a snapshot view): about 3.5 x STATE_BYTES.
HEAP=${HEAP:-8g}
# The soak's heap is touched in full at start (-XX:+AlwaysPreTouch), so RSS moves only with memory off the heap.
SOAK_HEAP=${SOAK_HEAP:-2g}
RESULTS=${RESULTS:-perf/results/$(date -u +%Y%m%dT%H%M%SZ)-snapshots}
JAR=perf/target/flotilla-benchmarks.jar
JVM_FLAGS=(--add-opens java.base/jdk.internal.misc=ALL-UNNAMED --add-opens java.base/java.util.zip=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED -Djava.net.preferIPv4Stack=true)

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "building (mvn -B -q -DskipTests -pl perf -am package ${MVN_FLAGS:-})"
    # shellcheck disable=SC2086
    mvn -B -q -ntp -DskipTests -pl perf -am ${MVN_FLAGS:-} package || { echo "build failed" >&2; exit 1; }
fi

mkdir -p "$RESULTS"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "command: MODES=\"$MODES\" COMMANDS=$COMMANDS KEYS=$KEYS VALUE_BYTES=$VALUE_BYTES SNAPSHOT_LOG_ENTRIES=$SNAPSHOT_LOG_ENTRIES RESTART_SNAPSHOT_LOG_ENTRIES=$RESTART_SNAPSHOT_LOG_ENTRIES STATE_BYTES=$STATE_BYTES STATE_VALUE_BYTES=$STATE_VALUE_BYTES RATE=$RATE SIZE=$SIZE WARMUP=$WARMUP DURATION=$DURATION SOAK_MINUTES=$SOAK_MINUTES SOAK_RATE=$SOAK_RATE SAMPLE_SECONDS=$SAMPLE_SECONDS DURABILITY=$DURABILITY THREADING=$THREADING HEAP=$HEAP SOAK_HEAP=$SOAK_HEAP scripts/perf-snapshots.sh"
    echo "java options: ${JAVA_OPTS:-}"
    echo "cpus: $(nproc)  load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "java: $(java -version 2>&1 | head -1)"
} > "$RESULTS/config.txt"
cat "$RESULTS/config.txt"

failed=()
for mode in $MODES; do
    case "$mode" in
        restart|install|latency|soak) ;;
        *) echo "unknown mode '$mode' (restart, install, latency, soak)" >&2; failed+=("$mode"); continue ;;
    esac
    echo "=== snapshot-$mode"
    if [ "$mode" = soak ]; then
        heap=("-Xms$SOAK_HEAP" "-Xmx$SOAK_HEAP" -XX:+AlwaysPreTouch)
    else
        heap=("-Xms$HEAP" "-Xmx$HEAP")
    fi
    threshold=$SNAPSHOT_LOG_ENTRIES
    [ "$mode" = restart ] && threshold=$RESTART_SNAPSHOT_LOG_ENTRIES
    # shellcheck disable=SC2086
    if ! java "${JVM_FLAGS[@]}" "${heap[@]}" ${JAVA_OPTS:-} "-Xlog:gc:file=$RESULTS/snapshot-$mode-gc.log" -cp "$JAR" \
        io.flotilla.perf.harness.PerfMain --target flotilla --mode "snapshot-$mode" \
        --commands "$COMMANDS" --keys "$KEYS" --value-bytes "$VALUE_BYTES" --snapshot-log-entries "$threshold" \
        --state-bytes "$STATE_BYTES" --state-value-bytes "$STATE_VALUE_BYTES" --rate "$RATE" --size "$SIZE" \
        --warmup "${WARMUP}s" --duration "${DURATION}s" --soak-minutes "$SOAK_MINUTES" --soak-rate "$SOAK_RATE" \
        --sample-seconds "$SAMPLE_SECONDS" --durability "$DURABILITY" --threading "$THREADING" \
        --results "$RESULTS" 2> "$RESULTS/snapshot-$mode-stderr.log"; then
        failed+=("$mode")
        tail -5 "$RESULTS/snapshot-$mode-stderr.log" >&2
    fi
done
echo "load after run: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS/config.txt"
shopt -s nullglob
latency=("$RESULTS"/flotilla-snapshot-latency-*.hgrm)
[ ${#latency[@]} -gt 0 ] && scripts/plot_hgrm "$RESULTS/snapshot-latency.png" \
    "Round trip at ${RATE} msg/s with and without snapshots of ${STATE_BYTES} (coordinated-omission corrected)" \
    "${latency[@]}"
echo "results: $RESULTS"
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED modes: ${failed[*]}" >&2
    exit 1
fi
