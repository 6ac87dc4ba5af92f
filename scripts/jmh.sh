#!/usr/bin/env bash
# The JMH suites of the hot paths in one invocation, each with the GC profiler (allocation per operation):
# CodecBenchmark (AppendEntries encode / validate + decode), RaftCoreBenchmark (propose -> commit through three
# in-memory Raft cores) and LogAppendBenchmark (encode + append to the archive log, ASYNC and FSYNC).
# Output: perf/results/jmh-<UTC timestamp>/jmh.txt and jmh.json (git-ignored). See docs/performance.md.
#
# Knobs (environment): BENCHMARKS (regex, default all three), JMH_ARGS (extra JMH options, e.g. "-f 1 -wi 1 -i 3"),
# SKIP_BUILD=1 to reuse perf/target/flotilla-benchmarks.jar, MVN_FLAGS (e.g. -o).
set -uo pipefail
cd "$(dirname "$0")/.."

BENCHMARKS=${BENCHMARKS:-"CodecBenchmark|RaftCoreBenchmark|LogAppendBenchmark"}
RESULTS=${RESULTS:-perf/results/jmh-$(date -u +%Y%m%dT%H%M%SZ)}
JAR=perf/target/flotilla-benchmarks.jar

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "building (mvn -B -q -DskipTests -pl perf -am package ${MVN_FLAGS:-})"
    # shellcheck disable=SC2086
    mvn -B -q -ntp -DskipTests -pl perf -am ${MVN_FLAGS:-} package || { echo "build failed" >&2; exit 1; }
fi

mkdir -p "$RESULTS"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "cpus: $(nproc)  load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$RESULTS/jmh.txt"
# shellcheck disable=SC2086
java -jar "$JAR" "io.flotilla.perf.jmh.($BENCHMARKS)" -prof gc -rf json -rff "$RESULTS/jmh.json" ${JMH_ARGS:-} \
    2>&1 | tee -a "$RESULTS/jmh.txt"
status=${PIPESTATUS[0]}
echo "load after run: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS/jmh.txt"
echo "results: $RESULTS"
exit "$status"
