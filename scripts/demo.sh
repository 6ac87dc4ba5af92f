#!/usr/bin/env bash
# The main job: a 3-node replicated KV cache on loopback survives a leader kill -9 under load, losing nothing
# acknowledged. Builds what it needs, runs everything under run/demo (fresh each time), stops all it started.
# Environment: FLOTILLA_DEMO_RATE (writes/s, default 2000), FLOTILLA_DEMO_WARMUP (s, default 3),
# FLOTILLA_DEMO_DURATION (measured s, default 15), FLOTILLA_DEMO_BASE_PORT (default 29110),
# FLOTILLA_DEMO_RESPONSE_TIMEOUT (client's leader-silence timeout, default 500ms), FLOTILLA_DEMO_DURABILITY (FSYNC, the
# safe default, or ASYNC), FLOTILLA_MVN_OPTS (e.g. -o), FLOTILLA_SKIP_BUILD=1.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RATE="${FLOTILLA_DEMO_RATE:-2000}"
WARMUP="${FLOTILLA_DEMO_WARMUP:-3}"
DURATION="${FLOTILLA_DEMO_DURATION:-15}"
KILL_AT=$((WARMUP + DURATION / 3))
RESTART_AT=$((WARMUP + 2 * DURATION / 3))
# The client moves on from a leader that has been silent this long (it cannot otherwise tell a dead leader).
FLOTILLA_CLIENT_PROPS=(-Dflotilla.client.response.timeout="${FLOTILLA_DEMO_RESPONSE_TIMEOUT:-500ms}")
RUN_DIR="${FLOTILLA_ROOT}/run/demo"
DURABILITY="${FLOTILLA_DEMO_DURABILITY:-FSYNC}"
MEMBERS="$(flotilla_members "${FLOTILLA_DEMO_BASE_PORT:-29110}")"
AERON_PREFIX="/dev/shm/flotilla-demo-$(id -u)-$$"
LOAD_PID=""

cleanup()
{
    local status=$?
    trap - EXIT INT TERM
    [[ -n "${LOAD_PID}" ]] && kill -TERM "${LOAD_PID}" 2> /dev/null || true
    for id in 0 1 2
    do
        flotilla_stop_node "${RUN_DIR}" "${id}" || true
        rm -rf "${AERON_PREFIX}-${id}"
    done
    exit "${status}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

flotilla_build
rm -rf "${RUN_DIR}"
mkdir -p "${RUN_DIR}"

flotilla_log "starting 3 KvNode JVMs (log durability ${DURABILITY}): ${MEMBERS}"
for id in 0 1 2
do
    flotilla_start_node "${RUN_DIR}" "${id}" "${MEMBERS}" "${AERON_PREFIX}" -Dflotilla.log.durability="${DURABILITY}"
done
flotilla_await_ready "${RUN_DIR}" 90 "${MEMBERS}" "${AERON_PREFIX}" -Dflotilla.log.durability="${DURABILITY}"
leader="$(flotilla_await_leader "${RUN_DIR}" 60)" || flotilla_die "no leader within 60 s: see ${RUN_DIR}/node-*.log"
flotilla_log "all three nodes up; leader: node ${leader}"

flotilla_log "load: ${RATE} PUT/s of unique keys, ${WARMUP} s warm-up + ${DURATION} s measured; leader kill -9 at ~${KILL_AT} s, restart at ~${RESTART_AT} s"
flotilla_client --endpoints "${MEMBERS}" load --rate "${RATE}" --warmup "${WARMUP}" --duration "${DURATION}" \
    --acks "${RUN_DIR}/acks.txt" --hgrm "${RUN_DIR}/latency.hgrm" > "${RUN_DIR}/load.log" 2>&1 &
LOAD_PID=$!
touch "${RUN_DIR}/load.log"
tail -n +1 -f "${RUN_DIR}/load.log" --pid "${LOAD_PID}" | sed -u 's/^/  client | /' &

sleep "${KILL_AT}"
victim="$(flotilla_leader "${RUN_DIR}")"
[[ -n "${victim}" ]] || flotilla_die "no live leader to kill"
victim_pid="$(flotilla_pid "${RUN_DIR}" "${victim}")"
flotilla_log "kill -9 leader node ${victim} (pid ${victim_pid})"
kill -9 "${victim_pid}"
flotilla_await_exit "${victim_pid}" 10 || flotilla_die "node ${victim} survived kill -9"
new_leader="$(flotilla_await_leader "${RUN_DIR}" 30)" || flotilla_die "no new leader within 30 s"
flotilla_log "new leader: node ${new_leader}"

sleep $((RESTART_AT - KILL_AT))
flotilla_log "restarting node ${victim} (it replays its log and catches up)"
flotilla_start_node "${RUN_DIR}" "${victim}" "${MEMBERS}" "${AERON_PREFIX}" -Dflotilla.log.durability="${DURABILITY}"

load_status=0
wait "${LOAD_PID}" || load_status=$?
LOAD_PID=""
sleep 0.3 # let tail flush the last lines
[[ ${load_status} -eq 0 ]] || flotilla_die "load run failed (exit ${load_status}): see ${RUN_DIR}/load.log"

echo
flotilla_log "checking every acknowledged write is readable (GETs through the log) ..."
verify_status=0
flotilla_client --endpoints "${MEMBERS}" verify "${RUN_DIR}/acks.txt" | sed 's/^/  /' || verify_status=1

flotilla_log "checking all three replicas hold the same state ..."
digest_status=0
flotilla_client digest --wait 60 "${RUN_DIR}/node-0" "${RUN_DIR}/node-1" "${RUN_DIR}/node-2" | sed 's/^/  /' ||
    digest_status=1

echo
echo "================ Flotilla demo summary ================"
echo "  3 KvNode JVMs on loopback, log durability ${DURABILITY}, COMPACT threading; ${RATE} writes/s offered"
grep -E '^(warm-up:|load:|latency|failover gap|client:)' "${RUN_DIR}/load.log" | sed 's/^/  /'
echo "  leader killed: node ${victim} at ~${KILL_AT} s; new leader: node ${new_leader}; node ${victim} restarted at ~${RESTART_AT} s"
if [[ ${verify_status} -eq 0 ]]
then
    echo "  acknowledged writes: ALL readable with their acknowledged value"
else
    echo "  acknowledged writes: SOME MISSING OR WRONG (see above)"
fi
if [[ ${digest_status} -eq 0 ]]
then
    echo "  replicas: all three identical (applied index and state digest)"
else
    echo "  replicas: NOT identical (see above)"
fi
echo "  logs and data: ${RUN_DIR}"
echo "======================================================="
[[ ${verify_status} -eq 0 && ${digest_status} -eq 0 ]]
