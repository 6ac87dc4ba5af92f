#!/usr/bin/env bash
# Side-by-side benchmark in ONE invocation: every target in TARGETS is started in its own JVM, run at each latency
# rate and for throughput, then a comparison table (ratios to Aeron Cluster and to ping) and PNG plots of the
# percentile distributions are written to perf/results/<UTC timestamp>/. See docs/performance.md.
#
# Knobs (environment): TARGETS RATES SIZE WARMUP DURATION WINDOW MODES IDLE NODES DURABILITY THREADING CLIENTS PEER_AUTH
# ADMIN_RATE ADMIN_WARMUP RESULTS SKIP_BUILD MVN_FLAGS JAVA_OPTS
# (JAVA_OPTS reaches every target JVM, e.g. -Dflotilla.* settings of a target's Context).
#   e.g. RATES=10000 DURATION=20 scripts/perf.sh
# Cluster size: NODES=3 (default), 5 or 7 builds Aeron Cluster and every flotilla* target with that many members, all
# in the target's one JVM (--nodes); e.g. NODES=5 scripts/perf.sh for the cost of five against three.
# Reads beside writes: TARGETS="ping flotilla flotilla-read-index flotilla-lease flotilla-follower-read" (queries
# answered without the log: ReadIndex at the leader, the leader's lease, ReadIndex at the followers).
# The admin endpoint's cost: TARGETS="ping flotilla flotilla-admin-load" (the same command load while every node
# serves a loop of /status and /metrics requests, docs/operations.md); ADMIN_RATE=N paces that loop at N requests/s over
# all nodes (default 0: one request after another, as fast as they answer), after ADMIN_WARMUP requests to each node's
# /status and /metrics (default 500) that warm the endpoints up before the target's own warm-up.
# Session messages: TARGETS="ping flotilla flotilla-egress" (each command's echo comes back as a message the state
# machine sends to the session, StateMachineContext.sendToSession, instead of as its response).
set -uo pipefail
cd "$(dirname "$0")/.."

# The systems compared, in table order. Adding one is one word here plus one line in
# perf/src/main/java/io/flotilla/perf/harness/Targets.java.
TARGETS=${TARGETS:-"ping aeron-cluster flotilla"}
RATES=${RATES:-"1000,10000"}
SIZE=${SIZE:-32}
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-10}
WINDOW=${WINDOW:-1024}
MODES=${MODES:-"latency,throughput"}
IDLE=${IDLE:-yield}
# Members of each cluster, Aeron Cluster's and Flotilla's alike (ping has none): 3, 5 or 7.
NODES=${NODES:-3}
case "$NODES" in
    3|5|7) ;;
    *) echo "NODES must be 3, 5 or 7, got '$NODES'" >&2; exit 2 ;;
esac
# Flotilla's log durability and media threading. ASYNC by default: Aeron Cluster's default (archive
# fileSyncLevel=0) does not fsync either, so both commit once a majority holds the command in its page cache.
DURABILITY=${DURABILITY:-ASYNC}
THREADING=${THREADING:-COMPACT}
# Flotilla client sessions. A session keeps at most 64 requests outstanding (an Aeron Cluster session has no such
# cap), so by default there are enough sessions for WINDOW; a paced latency run only ever uses the first.
CLIENTS=${CLIENTS:-$(( (WINDOW + 63) / 64 ))}
# Flotilla's consensus messages are signed (one HMAC-SHA256 per message, docs/security.md); PEER_AUTH=off runs its
# nodes unauthenticated (-Dflotilla.cluster.insecure=true) to measure what signing costs.
PEER_AUTH=${PEER_AUTH:-on}
ADMIN_RATE=${ADMIN_RATE:-0}
ADMIN_WARMUP=${ADMIN_WARMUP:-500}
PEER_AUTH_OPTS=()
[ "$PEER_AUTH" = off ] && PEER_AUTH_OPTS=(-Dflotilla.cluster.insecure=true)
RESULTS=${RESULTS:-perf/results/$(date -u +%Y%m%dT%H%M%SZ)}
JAR=perf/target/flotilla-benchmarks.jar
JVM_FLAGS=(--add-opens java.base/jdk.internal.misc=ALL-UNNAMED --add-opens java.base/java.util.zip=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED -Djava.net.preferIPv4Stack=true -Xms2g -Xmx2g
    # Room for every class a target loads, so that class loading does not set off a collection mid-run.
    -XX:MetaspaceSize=256m -Dperf.admin.rate="$ADMIN_RATE"
    -Dperf.admin.warmup="$ADMIN_WARMUP")

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "building (mvn -B -q -DskipTests -pl perf -am package ${MVN_FLAGS:-})"
    # shellcheck disable=SC2086
    mvn -B -q -ntp -DskipTests -pl perf -am ${MVN_FLAGS:-} package || { echo "build failed" >&2; exit 1; }
fi

mkdir -p "$RESULTS"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "command: TARGETS=\"$TARGETS\" RATES=$RATES SIZE=$SIZE WARMUP=$WARMUP DURATION=$DURATION WINDOW=$WINDOW MODES=$MODES IDLE=$IDLE NODES=$NODES DURABILITY=$DURABILITY THREADING=$THREADING CLIENTS=$CLIENTS PEER_AUTH=$PEER_AUTH ADMIN_RATE=$ADMIN_RATE ADMIN_WARMUP=$ADMIN_WARMUP scripts/perf.sh"
    echo "nodes: $NODES per cluster (aeron-cluster and flotilla* targets)"
    echo "java options: ${JAVA_OPTS:-}"
    echo "cpus: $(nproc)  load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "java: $(java -version 2>&1 | head -1)"
} > "$RESULTS/config.txt"
cat "$RESULTS/config.txt"

failed=()
for target in $TARGETS; do
    echo "=== $target"
    # shellcheck disable=SC2086
    if ! java "${JVM_FLAGS[@]}" "${PEER_AUTH_OPTS[@]}" ${JAVA_OPTS:-} "-Xlog:gc:file=$RESULTS/$target-gc.log" -cp "$JAR" io.flotilla.perf.harness.PerfMain \
        --target "$target" --mode "$MODES" --rate "$RATES" --size "$SIZE" --warmup "${WARMUP}s" \
        --duration "${DURATION}s" --window "$WINDOW" --idle "$IDLE" --nodes "$NODES" --durability "$DURABILITY" --threading "$THREADING" \
        --clients "$CLIENTS" --results "$RESULTS"; then
        failed+=("$target")
    fi
done
echo "load after run: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS/config.txt"

if [ -s "$RESULTS/summary.txt" ]; then
    java -cp "$JAR" io.flotilla.perf.harness.ComparisonTable "$RESULTS" | tee "$RESULTS/comparison.txt"
    shopt -s nullglob
    latency=("$RESULTS"/*-latency-*.hgrm)
    throughput=("$RESULTS"/*-throughput-*.hgrm)
    [ ${#latency[@]} -gt 0 ] && scripts/plot_hgrm "$RESULTS/latency.png" \
        "Round trip at fixed rates, ${SIZE} B (coordinated-omission corrected)" "${latency[@]}"
    [ ${#throughput[@]} -gt 0 ] && scripts/plot_hgrm "$RESULTS/throughput.png" \
        "Round trip at max throughput, window ${WINDOW}, ${SIZE} B" "${throughput[@]}"
fi
echo "results: $RESULTS"
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED targets: ${failed[*]}" >&2
    exit 1
fi
