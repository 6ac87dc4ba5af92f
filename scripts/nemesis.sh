#!/usr/bin/env bash
# Fault soak: three KvNode JVMs in network namespaces under four concurrent KV clients, with random faults (kill -9,
# SIGSTOP/SIGCONT, partitions) for N minutes, then the checks (linearizable history, identical replicas, no checksum
# error logged, service after every heal). Prints every fault as it is injected and a summary; exit status 0 when no
# anomaly was found. Needs root (network namespaces). Everything runs under run/nemesis (fresh each time; the
# history is kept there as history.txt, the nodes' logs as node-N.log).
# usage: scripts/nemesis.sh [--minutes N] [--seed S] [--clients N] | --short | --faults KILL_LEADER,PAUSE_RANDOM,...
# Environment: FLOTILLA_MVN_OPTS (e.g. -o), FLOTILLA_SKIP_BUILD=1, FLOTILLA_NEMESIS_HEAP (default -Xmx4g: the history
# of a 20-minute soak, 2-4 million operations, is held in memory for the checker).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[[ "$(id -u)" -eq 0 ]] || flotilla_die "the nemesis needs root (it makes network namespaces with ip netns)"
command -v ip > /dev/null || flotilla_die "ip (iproute2) not found"

args=("$@")
[[ ${#args[@]} -gt 0 ]] || args=(--minutes 20)
RUN_DIR="${FLOTILLA_ROOT}/run/nemesis"

flotilla_build
rm -rf "${RUN_DIR}"
mkdir -p "${RUN_DIR}"
# The runner stops its nodes and removes its namespaces and /dev/shm directories itself, on SIGINT/SIGTERM too.
java "${FLOTILLA_JVM_FLAGS[@]}" ${FLOTILLA_NEMESIS_HEAP:--Xmx4g} -XX:+UseParallelGC -cp "${FLOTILLA_CP}" \
    io.flotilla.samples.nemesis.NemesisRunner --run-dir "${RUN_DIR}" "${args[@]}" 2>&1 | tee "${RUN_DIR}/nemesis.log"
