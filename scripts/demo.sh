#!/usr/bin/env bash
# The main job: a replicated KV cache of 3 nodes (or 5 or 7: FLOTILLA_NODES) on loopback survives a leader kill -9
# under load, losing nothing acknowledged. The nodes snapshot every few thousand entries and compact their logs; the killed leader comes back
# with its data directory deleted (a replaced disk) and rejoins through a snapshot install from the new leader; killed
# again while it is still fenced out of elections and restarted without the rejoin setting, it stays fenced until it
# has caught up (the fence is in its node state file).
# Before the load, a host without the cluster key forges consensus messages to every node: all are refused.
# Afterwards every acknowledged write is read back three ways: GETs through the log, and queries answered without it
# (ReadIndex at the followers, and from the leader's lease). Each node serves an admin HTTP endpoint on loopback: the
# cluster tool (scripts/flotilla) shows the cluster before and after, hands leadership over before the load, and the
# leader's Prometheus metrics are sampled at the end. Last, a rolling restart under load: each node in turn (the
# leader first) is stopped with SIGTERM (a leader hands leadership over first and every node sends its clients to the
# leader), restarted and caught up before the next; the longest time the client waited for an acknowledgement while
# each node was restarted is printed (goal: under 50 ms), beside the longest of the same load run with no node stopped
# (the host's own noise), and those writes are read back too. Then, under load, the
# cluster grows by two nodes (each started empty with flotilla.join=true, added as a learner, caught up through a
# snapshot install, promoted to voter: scripts/flotilla member add) and a follower is replaced by a new node (member
# replace, then the old one stopped); those writes are read back from the members that remain and their replicas
# compared. Throughout, a
# subscriber follows the KV change feed (KvClient feed: the state machine's messages to its session) through the
# failover and the rolling restart; at the end it checks it received every acknowledged write once and in order.
# Builds what it needs, runs everything under run/demo (fresh each time), stops all it started.
# Environment: FLOTILLA_NODES (3, 5 or 7; default 3), FLOTILLA_DEMO_RATE (writes/s, default 2000), FLOTILLA_DEMO_WARMUP (s, default 3),
# FLOTILLA_DEMO_DURATION (measured s, default 15), FLOTILLA_DEMO_BASE_PORT (default 29110),
# FLOTILLA_DEMO_RESPONSE_TIMEOUT (client's leader-silence timeout, default 500ms), FLOTILLA_DEMO_DURABILITY (FSYNC, the
# safe default, or ASYNC), FLOTILLA_DEMO_SNAPSHOT_ENTRIES (entries between snapshots, default 5000),
# FLOTILLA_DEMO_ROLL_DURATION (measured s of load per restarted node, default 8; 0 skips the rolling restart),
# FLOTILLA_DEMO_ROLL_RATE (writes/s during the rolling restart and the membership changes, default half
# FLOTILLA_DEMO_RATE), FLOTILLA_DEMO_GROW_DURATION (s of load while the cluster grows and a node is replaced, default
# 45; 0 skips the membership changes),
# FLOTILLA_MVN_OPTS (e.g. -o), FLOTILLA_SKIP_BUILD=1.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
flotilla_check_nodes

RATE="${FLOTILLA_DEMO_RATE:-2000}"
WARMUP="${FLOTILLA_DEMO_WARMUP:-3}"
DURATION="${FLOTILLA_DEMO_DURATION:-15}"
KILL_AT=$((WARMUP + DURATION / 3))
RESTART_AT=$((WARMUP + 2 * DURATION / 3))
# The client moves on from a leader that has been silent this long (it cannot otherwise tell a dead leader).
FLOTILLA_CLIENT_PROPS=(-Dflotilla.client.response.timeout="${FLOTILLA_DEMO_RESPONSE_TIMEOUT:-500ms}")
RUN_DIR="${FLOTILLA_ROOT}/run/demo"
DURABILITY="${FLOTILLA_DEMO_DURABILITY:-FSYNC}"
SNAPSHOT_ENTRIES="${FLOTILLA_DEMO_SNAPSHOT_ENTRIES:-5000}"
ROLL_DURATION="${FLOTILLA_DEMO_ROLL_DURATION:-8}"
# Half the main rate by default: on two cores the restarted JVM competes with three nodes and the client.
ROLL_RATE="${FLOTILLA_DEMO_ROLL_RATE:-$((RATE / 2))}"
GROW_DURATION="${FLOTILLA_DEMO_GROW_DURATION:-45}"
# The rolling restart's goal for the longest client-visible gap per restarted node.
ROLL_GOAL_MS=50
# Small snapshot thresholds and archive segments: within the demo every node snapshots several times and compaction
# purges the log prefix a blank node would need, so it must get an install. 1 MiB segments of a log with 256 KiB
# terms (a segment is a multiple of the term length).
# A membership change waits for the new node to catch up: the admin endpoint answers within 30 s.
NODE_PROPS=(-Dflotilla.log.durability="${DURABILITY}" -Dflotilla.snapshot.log.entries="${SNAPSHOT_ENTRIES}"
    -Dflotilla.snapshot.retain.entries=1000 -Dflotilla.archive.segment.length=1m -Dflotilla.log.term.length=256k
    -Dflotilla.admin.request.timeout=30s)
BASE_PORT="${FLOTILLA_DEMO_BASE_PORT:-29110}"
MEMBERS="$(flotilla_members "${BASE_PORT}")"
# The members now: MEMBERS until the cluster grows and a node is replaced.
CURRENT_MEMBERS="${MEMBERS}"
AERON_PREFIX="$(flotilla_new_aeron_prefix demo)"
LOAD_PID=""
FEED_PID=""
FEED_WATCH_PID=""
# What a node logs when it has taken a snapshot itself, compacted its log after one, and installed one from the leader.
SNAPSHOT_TAKEN_RE=': snapshot at index [0-9]+ term [0-9]+, [0-9]+ bytes'
LOG_COMPACTED_RE=': log compacted from [0-9]+ to [0-9]+\.\.'
SNAPSHOT_INSTALLED_RE=': installed a snapshot of [0-9]+ bytes at index [0-9]+'
# A node killed after it received a whole snapshot, before it installed it, loads it at its restart instead.
SNAPSHOT_LOADED_AFTER_INSTALL_RE=': loaded the snapshot at index [0-9]+ term [0-9]+ \([0-9]+ bytes\)'
TERM_LEARNED="from the other voters: follows a leader"
FENCE_RESUMED="rejoining after data loss (begun before a restart"
FENCE_LIFTED="takes part in elections again"

cleanup()
{
    local status=$?
    trap - EXIT INT TERM
    [[ -n "${LOAD_PID}" ]] && kill -TERM "${LOAD_PID}" 2> /dev/null || true
    [[ -n "${FEED_WATCH_PID}" ]] && kill -TERM "${FEED_WATCH_PID}" 2> /dev/null || true
    [[ -n "${FEED_PID}" ]] && kill -TERM "${FEED_PID}" 2> /dev/null || true
    for id in $(flotilla_started "${RUN_DIR}")
    do
        flotilla_stop_node "${RUN_DIR}" "${id}" || true
    done
    rm -rf "${AERON_PREFIX}"-*
    exit "${status}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# watch_snapshots: reads `tail -F` of the node logs, prints a line per snapshot taken or installed and per log
# compaction, as it happens.
watch_snapshots()
{
    local line node=""
    while IFS= read -r line
    do
        if [[ "${line}" =~ ^==\>\ .*/node-([0-9]+)\.log\ \<==$ ]]
        then
            node="${BASH_REMATCH[1]}"
        elif [[ "${line}" =~ ${SNAPSHOT_TAKEN_RE} || "${line}" =~ ${LOG_COMPACTED_RE} ||
            "${line}" =~ ${SNAPSHOT_INSTALLED_RE} ]]
        then
            echo "  node ${node} | ${line#*member [0-9]*: }"
        fi
    done
}

# snapshot_summary ID: from node ID's log, the snapshots it took (and the newest), its log compactions (and where
# its log began after the last).
snapshot_summary()
{
    local log="${RUN_DIR}/node-$1.log" taken newest compactions first
    taken="$(grep -cE "${SNAPSHOT_TAKEN_RE}" "${log}" || true)"
    newest="$(grep -E "${SNAPSHOT_TAKEN_RE}" "${log}" | tail -n 1 | sed -E 's/.*snapshot at index ([0-9]+) .*/\1/')"
    compactions="$(grep -cE "${LOG_COMPACTED_RE}" "${log}" || true)"
    first="$(grep -E "${LOG_COMPACTED_RE}" "${log}" | tail -n 1 | sed -E 's/.*log compacted from [0-9]+ to ([0-9]+)\.\..*/\1/')"
    echo "node $1: ${taken} snapshots taken${newest:+ (newest at index ${newest})}, log compacted ${compactions} times${first:+ (then beginning at index ${first})}"
}

flotilla_build
rm -rf "${RUN_DIR}"
mkdir -p "${RUN_DIR}"

flotilla_log "starting ${FLOTILLA_NODES} KvNode JVMs (log durability ${DURABILITY}, a snapshot every ~${SNAPSHOT_ENTRIES} entries): ${MEMBERS}"
for id in $(flotilla_ids "${MEMBERS}")
do
    flotilla_start_node "${RUN_DIR}" "${id}" "${MEMBERS}" "${AERON_PREFIX}" "${NODE_PROPS[@]}"
done
flotilla_await_ready "${RUN_DIR}" 90 "${MEMBERS}" "${AERON_PREFIX}" "${NODE_PROPS[@]}"
leader="$(flotilla_await_leader "${RUN_DIR}" 60)" || flotilla_die "no leader within 60 s: see ${RUN_DIR}/node-*.log"
flotilla_log "all ${FLOTILLA_NODES} nodes up; leader: node ${leader}; the cluster tool's view (scripts/flotilla status, from each" \
    "node's admin HTTP endpoint):"
flotilla_tool "${RUN_DIR}" "${MEMBERS}" status | sed 's/^/  /'
flotilla_log "handing leadership over before any load, as before maintenance (scripts/flotilla transfer):"
flotilla_tool "${RUN_DIR}" "${MEMBERS}" transfer | sed 's/^/  /' ||
    flotilla_die "leadership transfer failed: see ${RUN_DIR}/node-*.log"

flotilla_log "a host without the cluster key forges consensus messages to every node (AppendEntries as the leader," \
    "TimeoutNow, RequestVote with the transfer flag 1,000 terms ahead, AppendResponse with the largest term) ..."
rogue_targets=()
for id in $(flotilla_ids "${MEMBERS}")
do
    rogue_targets+=("${AERON_PREFIX}-${id}=$(flotilla_pid "${RUN_DIR}" "${id}")")
done
java "${FLOTILLA_JVM_FLAGS[@]}" ${FLOTILLA_CLIENT_HEAP} -cp "${FLOTILLA_CP}" io.flotilla.samples.nemesis.RogueHostCheck \
    "${MEMBERS}" "${rogue_targets[@]}" 2>> "${RUN_DIR}/rogue.log" ||
    flotilla_die "a node acted on a forged message: see the lines above and ${RUN_DIR}/node-*.log"

flotilla_log "a subscriber follows the change feed (KvClient feed; every change as a message to its session) ..."
flotilla_client --endpoints "${MEMBERS}" feed --stop-file "${RUN_DIR}/feed.stop" --acks "${RUN_DIR}/feed-acks.txt" \
    > "${RUN_DIR}/feed.log" 2>&1 &
FEED_PID=$!
feed_deadline=$((SECONDS + 30))
until grep -q '^subscribed: ' "${RUN_DIR}/feed.log" 2> /dev/null
do
    kill -0 "${FEED_PID}" 2> /dev/null || flotilla_die "the feed ended early: see ${RUN_DIR}/feed.log"
    [[ ${SECONDS} -lt ${feed_deadline} ]] || flotilla_die "the feed did not subscribe within 30 s: see ${RUN_DIR}/feed.log"
    sleep 0.2
done
sed 's/^/  feed | /' "${RUN_DIR}/feed.log"
# feed_progress: every 3 s, when it changed, how many changes the subscriber has received and the latest.
feed_progress()
{
    local count shown=""
    while sleep 3
    do
        count="$(grep -c -E '^[0-9]+ ' "${RUN_DIR}/feed.log" || true)"
        [[ "${count}" == "${shown}" ]] && continue
        shown="${count}"
        echo "  feed | ${count} changes so far; latest: $(grep -E '^[0-9]+ ' "${RUN_DIR}/feed.log" | tail -n 1 | cut -c1-60)"
    done
}
feed_progress &
FEED_WATCH_PID=$!

flotilla_log "load: ${RATE} PUT/s of unique keys, ${WARMUP} s warm-up + ${DURATION} s measured; leader kill -9 at ~${KILL_AT} s, restart with an empty data directory at ~${RESTART_AT} s"
flotilla_client --endpoints "${MEMBERS}" load --rate "${RATE}/s" --warmup "${WARMUP}s" --duration "${DURATION}s" \
    --acks "${RUN_DIR}/acks.txt" --hgrm "${RUN_DIR}/latency.hgrm" > "${RUN_DIR}/load.log" 2>&1 &
LOAD_PID=$!
touch "${RUN_DIR}/load.log"
tail -n +1 -f "${RUN_DIR}/load.log" --pid "${LOAD_PID}" | sed -u 's/^/  client | /' &
tail -n +1 -F --pid "${LOAD_PID}" $(flotilla_data_dirs "${RUN_DIR}" "${MEMBERS}" | sed 's/$/.log/') 2> /dev/null |
    watch_snapshots &
WATCH_PID=$!

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
# Safe for one node at a time (docs/fault-testing.md): the blank node learns the term from the others before it
# follows anyone and votes only once caught up, and a majority of them has committed writes since the kill, so any
# majority the wiped node is in also holds every committed entry.
flotilla_log "deleting node ${victim}'s data directory (a replaced disk) and restarting it empty; the others have" \
    "compacted their logs, so it must rejoin through a snapshot install"
rm -rf "${RUN_DIR}/node-${victim}"
victim_log="${RUN_DIR}/node-${victim}.log"
rejoin_start="$(wc -l < "${victim_log}")"
flotilla_start_node "${RUN_DIR}" "${victim}" "${MEMBERS}" "${AERON_PREFIX}" "${NODE_PROPS[@]}" \
    -Dflotilla.rejoin.after.data.loss=true
# Its voting fence is durable: killed again once it has learned the term, before it has caught up, and restarted
# without the setting, it must still be fenced (its node state file says so) until it catches up.
fence_status=0
await_log_line()
{
    local from="$1" timeout="$2" deadline=$((SECONDS + $2))
    shift 2
    until tail -n +"$((from + 1))" "${victim_log}" | grep -q -F "$@"
    do
        [[ ${SECONDS} -lt ${deadline} ]] || return 1
        sleep 0.05
    done
}
await_log_line "${rejoin_start}" 30 -e "${TERM_LEARNED}" -e "${FENCE_LIFTED}" ||
    flotilla_die "node ${victim} learned no term within 30 s: see ${victim_log}"
if tail -n +"$((rejoin_start + 1))" "${victim_log}" | grep -q -F "${FENCE_LIFTED}"
then
    fence_line="it caught up before it could be killed while fenced"
else
    victim_pid="$(flotilla_pid "${RUN_DIR}" "${victim}")"
    flotilla_log "kill -9 node ${victim} again while it is fenced (it has learned the term, not caught up yet);" \
        "restarting it without flotilla.rejoin.after.data.loss"
    kill -9 "${victim_pid}"
    flotilla_await_exit "${victim_pid}" 10 || flotilla_die "node ${victim} survived kill -9"
    second_start="$(wc -l < "${victim_log}")"
    flotilla_start_node "${RUN_DIR}" "${victim}" "${MEMBERS}" "${AERON_PREFIX}" "${NODE_PROPS[@]}"
    if await_log_line "${second_start}" 30 -e "${FENCE_RESUMED}" && await_log_line "${second_start}" 60 -e "${FENCE_LIFTED}"
    then
        fence_line="killed again while fenced and restarted without the rejoin setting, it was still fenced (its state file said so) until it caught up"
    else
        fence_line="KILLED AGAIN WHILE FENCED, IT DID NOT SAY IT WAS STILL FENCED, OR NEVER CAUGHT UP: see ${victim_log}"
        fence_status=1
    fi
fi
echo "  node ${victim} | ${fence_line}"

load_status=0
wait "${LOAD_PID}" || load_status=$?
LOAD_PID=""
wait "${WATCH_PID}" || true # its tail ends within a second of the load
[[ ${load_status} -eq 0 ]] || flotilla_die "load run failed (exit ${load_status}): see ${RUN_DIR}/load.log"

echo
flotilla_log "checking node ${victim} rejoined through a snapshot install ..."
install_line=""
install_deadline=$((SECONDS + 30))
while [[ -z "${install_line}" && ${SECONDS} -lt ${install_deadline} ]]
do
    install_line="$(tail -n +"$((rejoin_start + 1))" "${victim_log}" | grep -E "${SNAPSHOT_INSTALLED_RE}" | head -n 1 || true)"
    if [[ -z "${install_line}" ]] && tail -n +"$((rejoin_start + 1))" "${victim_log}" | grep -q -F "(a restart during its install)"
    then
        install_line="$(tail -n +"$((rejoin_start + 1))" "${victim_log}" | grep -E "${SNAPSHOT_LOADED_AFTER_INSTALL_RE}" | head -n 1 || true)"
        [[ -z "${install_line}" ]] || install_line="received the whole snapshot before it was killed again and, at its restart, ${install_line#*member [0-9]*: }"
    fi
    [[ -n "${install_line}" ]] || sleep 0.2
done
install_status=0
if [[ -n "${install_line}" ]]
then
    install_line="${install_line#*member [0-9]*: }"
    echo "  node ${victim} | ${install_line}"
else
    echo "  node ${victim} logged no snapshot install within 30 s: see ${RUN_DIR}/node-${victim}.log"
    install_status=1
fi

flotilla_log "checking every acknowledged write is readable: GETs through the log, then as queries without the log" \
    "(ReadIndex at the followers, and from the leader's lease) ..."
verify_status=0
flotilla_client --endpoints "${MEMBERS}" verify --get-mode log "${RUN_DIR}/acks.txt" | sed 's/^/  /' || verify_status=1
flotilla_client --endpoints "${MEMBERS}" verify --get-mode read-index --prefer-followers "${RUN_DIR}/acks.txt" |
    sed 's/^/  /' || verify_status=1
flotilla_client --endpoints "${MEMBERS}" verify --get-mode lease "${RUN_DIR}/acks.txt" | sed 's/^/  /' ||
    verify_status=1

flotilla_log "checking all ${FLOTILLA_NODES} replicas hold the same state ..."
digest_status=0
flotilla_client digest --wait 60s $(flotilla_data_dirs "${RUN_DIR}" "${MEMBERS}") | sed 's/^/  /' ||
    digest_status=1

# await_measured_load LOG PID: wait (60 s at most) until the load run PID writing LOG is a second into its measured
# part (it reports each second; its 1 s warm-up takes the first).
await_measured_load()
{
    local deadline=$((SECONDS + 60))
    until grep -Eq '^t= ?2s' "$1" 2> /dev/null
    do
        kill -0 "$2" 2> /dev/null || flotilla_die "the load ended early: see $1"
        [[ ${SECONDS} -lt ${deadline} ]] || flotilla_die "the load did not start: see $1"
        sleep 0.1
    done
}

# roll_one ID: one step of the rolling restart: a load run, during which node ID is stopped with SIGTERM, started
# again and caught up; appends "ID ROLE GAP_MS STOP_MS NEW_LEADER GAP_AT_S" to ROLL_RESULTS.
roll_one()
{
    local id="$1" role="follower" load_pid pid stop_start stop_ms gap gap_at new_leader
    [[ "$(flotilla_leader "${RUN_DIR}")" == "${id}" ]] && role="leader"
    flotilla_client --endpoints "${MEMBERS}" load --rate "${ROLL_RATE}/s" --warmup 1s --duration "${ROLL_DURATION}s" \
        --acks "${RUN_DIR}/roll-${id}-acks.txt" > "${RUN_DIR}/roll-${id}.log" 2>&1 &
    load_pid=$!
    # Stop the node a second into the measured part.
    await_measured_load "${RUN_DIR}/roll-${id}.log" "${load_pid}"
    pid="$(flotilla_pid "${RUN_DIR}" "${id}")"
    stop_start="$(date +%s%N)"
    flotilla_stop_node "${RUN_DIR}" "${id}"
    stop_ms=$((($(date +%s%N) - stop_start) / 1000000))
    kill -0 "${pid}" 2> /dev/null && flotilla_die "node ${id} did not stop"
    new_leader="$(flotilla_await_leader "${RUN_DIR}" 30)" || flotilla_die "no leader after stopping node ${id}"
    flotilla_log "node ${id} (${role}) stopped with SIGTERM in ${stop_ms} ms; leader: node ${new_leader}; restarting it"
    flotilla_start_node "${RUN_DIR}" "${id}" "${MEMBERS}" "${AERON_PREFIX}" "${NODE_PROPS[@]}"
    flotilla_await_caught_up "${RUN_DIR}" "${id}" 60 || flotilla_die "node ${id} did not catch up within 60 s"
    flotilla_log "node ${id} is back and caught up with the leader"
    # The load prints its gap when it ends, which may be after the node has caught up: read it after the wait.
    local load_status=0
    wait "${load_pid}" || load_status=$?
    gap="$(sed -n 's/^failover gap: longest time between acknowledged writes = \([0-9.]*\) ms.*/\1/p' \
        "${RUN_DIR}/roll-${id}.log")"
    # When the gap began, in the load's time: the stop came at t=2 s, so a later one is the restart's or catch-up's.
    gap_at="$(sed -n 's/^failover gap: .*(starting at t=\([0-9.]*\) s)$/\1/p' "${RUN_DIR}/roll-${id}.log")"
    if [[ ${load_status} -ne 0 || -z "${gap}" ]]
    then
        # Reported in the summary; the next node is still restarted.
        flotilla_log "WARNING: the load during node ${id}'s restart failed: see ${RUN_DIR}/roll-${id}.log" >&2
        roll_status=1
        gap="${gap:-?}-FAILED"
    fi
    flotilla_log "longest client-visible gap while node ${id} (${role}) was restarted: ${gap} ms at t=${gap_at:-?} s"
    ROLL_RESULTS+=("${id} ${role} ${gap} ${stop_ms} ${new_leader} ${gap_at:-?}")
}

# roll_steady: the same load run with no node stopped, as the yardstick of the gaps above: the longest gap the host
# itself causes (three node JVMs and the client on these cores); sets STEADY_GAP to "GAP_MS GAP_AT_S".
roll_steady()
{
    local gap gap_at
    flotilla_client --endpoints "${MEMBERS}" load --rate "${ROLL_RATE}/s" --warmup 1s --duration "${ROLL_DURATION}s" \
        --acks "${RUN_DIR}/roll-steady-acks.txt" > "${RUN_DIR}/roll-steady.log" 2>&1 || roll_status=1
    gap="$(sed -n 's/^failover gap: longest time between acknowledged writes = \([0-9.]*\) ms.*/\1/p' \
        "${RUN_DIR}/roll-steady.log")"
    gap_at="$(sed -n 's/^failover gap: .*(starting at t=\([0-9.]*\) s)$/\1/p' "${RUN_DIR}/roll-steady.log")"
    STEADY_GAP="${gap:-?} ${gap_at:-?}"
    flotilla_log "the same load with no node stopped: longest client-visible gap ${gap:-?} ms at t=${gap_at:-?} s"
}

ROLL_RESULTS=()
STEADY_GAP=""
roll_status=0
if [[ "${ROLL_DURATION}" -gt 0 ]]
then
    echo
    first="$(flotilla_await_leader "${RUN_DIR}" 30)" || flotilla_die "no leader before the rolling restart"
    flotilla_log "rolling restart under load (${ROLL_RATE} PUT/s, a new load run per node): each node in turn, the leader" \
        "(node ${first}) first, stopped with SIGTERM, restarted, caught up; the client times out a silent leader" \
        "after ${FLOTILLA_DEMO_RESPONSE_TIMEOUT:-500ms}"
    roll_steady
    for id in "${first}" $(flotilla_ids "${MEMBERS}")
    do
        [[ "${id}" == "${first}" && ${#ROLL_RESULTS[@]} -gt 0 ]] && continue
        roll_one "${id}"
    done
    flotilla_log "reading back the writes acknowledged during the rolling restart (GETs through the log) ..."
    cat "${RUN_DIR}"/roll-*-acks.txt > "${RUN_DIR}/roll-acks.txt"
    flotilla_client --endpoints "${MEMBERS}" verify --get-mode log "${RUN_DIR}/roll-acks.txt" | sed 's/^/  /' ||
        roll_status=1
fi

# member_change ID OP [ARGS...]: asks the leader to add node ID (scripts/flotilla member OP --id ID --endpoint ...
# ARGS); the members spec then names it. Appends "ID OP MS" to GROW_RESULTS (MS: how long the change took, the new
# node's catch-up included).
member_change()
{
    local id="$1" op="$2" endpoint start_ns ms status=0
    shift 2
    endpoint="$(flotilla_member "${BASE_PORT}" "${id}")"
    endpoint="${endpoint#*=}"
    flotilla_log "scripts/flotilla member ${op} --id ${id} --endpoint ${endpoint} $*"
    start_ns="$(date +%s%N)"
    flotilla_tool "${RUN_DIR}" "${CURRENT_MEMBERS},${id}=${endpoint}" member "${op}" --id "${id}" \
        --endpoint "${endpoint}" "$@" --timeout 40s > "${RUN_DIR}/member-${id}.txt" 2>&1 || status=$?
    ms=$((($(date +%s%N) - start_ns) / 1000000))
    sed 's/^/  /' "${RUN_DIR}/member-${id}.txt"
    [[ ${status} -eq 0 ]] || flotilla_die "member ${op} of node ${id} failed: see above and ${RUN_DIR}/node-*.log"
    CURRENT_MEMBERS="${CURRENT_MEMBERS},${id}=${endpoint}"
    GROW_RESULTS+=("${id} ${op} ${ms}")
}

GROW_RESULTS=()
grow_status=0
if [[ "${GROW_DURATION}" -gt 0 ]]
then
    echo
    flotilla_log "membership changes under load (${ROLL_RATE} PUT/s for ${GROW_DURATION} s): two nodes join, then a" \
        "follower is replaced by a new node; first the three new nodes start, empty, with flotilla.join=true" \
        "(no member until added) ..."
    for id in ${FLOTILLA_NODES} $((FLOTILLA_NODES + 1)) $((FLOTILLA_NODES + 2))
    do
        # Its members spec: the founders and itself.
        flotilla_start_joining "${RUN_DIR}" "${id}" "${MEMBERS},$(flotilla_member "${BASE_PORT}" "${id}")" \
            "${AERON_PREFIX}" "${NODE_PROPS[@]}"
    done
    flotilla_client --endpoints "${MEMBERS}" load --rate "${ROLL_RATE}/s" --warmup 1s --duration "${GROW_DURATION}s" \
        --acks "${RUN_DIR}/grow-acks.txt" > "${RUN_DIR}/grow.log" 2>&1 &
    LOAD_PID=$!
    await_measured_load "${RUN_DIR}/grow.log" "${LOAD_PID}"
    grown_from="${FLOTILLA_NODES}"
    member_change "${FLOTILLA_NODES}" add
    member_change $((FLOTILLA_NODES + 1)) add
    replaced=""
    for id in $(flotilla_ids "${MEMBERS}")
    do
        [[ "${id}" != "$(flotilla_leader "${RUN_DIR}")" ]] && replaced="${id}" && break
    done
    member_change $((FLOTILLA_NODES + 2)) replace --replaces "${replaced}"
    under_load="yes"
    kill -0 "${LOAD_PID}" 2> /dev/null || under_load="no: the load ended first"
    CURRENT_MEMBERS="$(tr ',' '\n' <<< "${CURRENT_MEMBERS}" | grep -v "^${replaced}=" | paste -sd, -)"
    flotilla_log "node ${replaced} is no longer a member: stopping it"
    flotilla_stop_node "${RUN_DIR}" "${replaced}"
    load_status=0
    wait "${LOAD_PID}" || load_status=$?
    LOAD_PID=""
    [[ ${load_status} -eq 0 ]] || flotilla_die "the load during the membership changes failed: see ${RUN_DIR}/grow.log"
    grep -E '^(load:|latency|failover gap)' "${RUN_DIR}/grow.log" | sed 's/^/  client | /'
    flotilla_log "the members now (scripts/flotilla members):"
    flotilla_tool "${RUN_DIR}" "${CURRENT_MEMBERS}" members | sed 's/^/  /' || true
    flotilla_log "reading back the writes acknowledged during the membership changes, from the members now (GETs" \
        "through the log, then ReadIndex at the followers, the new ones included) ..."
    flotilla_client --endpoints "${CURRENT_MEMBERS}" verify --get-mode log "${RUN_DIR}/grow-acks.txt" | sed 's/^/  /' ||
        grow_status=1
    flotilla_client --endpoints "${CURRENT_MEMBERS}" verify --get-mode read-index --prefer-followers \
        "${RUN_DIR}/grow-acks.txt" | sed 's/^/  /' || grow_status=1
    flotilla_log "checking the $(flotilla_ids "${CURRENT_MEMBERS}" | wc -w) members hold the same state ..."
    flotilla_client digest --wait 60s $(flotilla_data_dirs "${RUN_DIR}" "${CURRENT_MEMBERS}") | sed 's/^/  /' ||
        grow_status=1
fi

flotilla_log "stopping the subscriber: it writes a fence and waits for its change, then checks every acknowledged" \
    "write of the load runs was received once and in order ..."
kill -TERM "${FEED_WATCH_PID}" 2> /dev/null || true
FEED_WATCH_PID=""
cat "${RUN_DIR}/acks.txt" "${RUN_DIR}"/roll-*-acks.txt "${RUN_DIR}"/grow-acks.txt > "${RUN_DIR}/feed-acks.txt" 2> /dev/null ||
    true
touch "${RUN_DIR}/feed.stop"
feed_status=0
wait "${FEED_PID}" || feed_status=$?
FEED_PID=""
grep -v -E '^[0-9]+ ' "${RUN_DIR}/feed.log" | sed 's/^/  feed | /'
feed_summary="$(grep '^feed: ' "${RUN_DIR}/feed.log" || echo "feed: NO SUMMARY (exit ${feed_status}): see ${RUN_DIR}/feed.log")"

flotilla_log "the cluster after the run (scripts/flotilla status), and a few of the leader's Prometheus metrics (GET /metrics):"
flotilla_tool "${RUN_DIR}" "${CURRENT_MEMBERS}" status | sed 's/^/  /' || true
final_leader="$(flotilla_leader "${RUN_DIR}")"
if [[ -n "${final_leader}" ]]
then
    flotilla_http_get "localhost:$(flotilla_admin_port "${CURRENT_MEMBERS}" "${final_leader}")" /metrics |
        grep -E '^flotilla_(role|term|elections_total|transfer_elections_total|snapshots_installed_total|follower_lag|commit_latency_seconds_count)[{ ]' |
        sed 's/^/  /'
fi

echo
echo "================ Flotilla demo summary ================"
echo "  ${FLOTILLA_NODES} KvNode JVMs on loopback, log durability ${DURABILITY}, COMPACT threading; ${RATE} writes/s offered"
grep -E '^(warm-up:|load:|latency|failover gap|client:)' "${RUN_DIR}/load.log" | sed 's/^/  /'
echo "  leader killed: node ${victim} at ~${KILL_AT} s; new leader: node ${new_leader}; node ${victim} restarted with an empty data directory at ~${RESTART_AT} s"
echo "  snapshots (every ~${SNAPSHOT_ENTRIES} entries, 1000 entries kept behind each, 1 MiB archive segments):"
for id in $(flotilla_ids "${MEMBERS}")
do
    echo "    $(snapshot_summary "${id}")"
done
if [[ ${install_status} -eq 0 ]]
then
    echo "  node ${victim}, wiped, rejoined: it ${install_line}"
else
    echo "  node ${victim}: NO SNAPSHOT INSTALL SEEN (see above)"
fi
echo "  node ${victim}'s voting fence: ${fence_line}"
if [[ ${verify_status} -eq 0 ]]
then
    echo "  acknowledged writes: ALL readable with their acknowledged value (through the log, ReadIndex at the followers, lease)"
else
    echo "  acknowledged writes: SOME MISSING OR WRONG (see above)"
fi
if [[ ${digest_status} -eq 0 ]]
then
    echo "  replicas: all ${FLOTILLA_NODES} identical (applied index and state digest)"
else
    echo "  replicas: NOT identical (see above)"
fi
if [[ ${#ROLL_RESULTS[@]} -gt 0 ]]
then
    echo "  rolling restart under load (${ROLL_RATE} writes/s; SIGTERM, restart, catch up; one node at a time), longest client-visible gap"
    echo "  per restarted node (goal: under ${ROLL_GOAL_MS} ms), and when it began in the load run (the stop came at t=2 s;"
    echo "  later, the gap was the restarted node's start or catch-up, not the stop):"
    read -r steady_gap steady_at <<< "${STEADY_GAP}"
    echo "    no node stopped (the same load run, the host's own noise): ${steady_gap} ms at t=${steady_at} s"
    for result in "${ROLL_RESULTS[@]}"
    do
        read -r id role gap stop_ms new_leader gap_at <<< "${result}"
        verdict="met"
        [[ "${gap}" =~ ^[0-9.]+$ ]] && awk -v g="${gap}" -v goal="${ROLL_GOAL_MS}" 'BEGIN { exit !(g < goal) }' ||
            verdict="NOT met"
        echo "    node ${id} (${role}$([[ "${role}" == leader ]] && echo ", handed over to node ${new_leader}")," \
            "stopped in ${stop_ms} ms): ${gap} ms at t=${gap_at} s (${verdict})"
    done
    if [[ ${roll_status} -eq 0 ]]
    then
        echo "  writes acknowledged during the rolling restart: ALL readable through the log"
    else
        echo "  rolling restart: A LOAD RUN FAILED, OR WRITES MISSING OR WRONG (see above)"
    fi
fi
if [[ ${#GROW_RESULTS[@]} -gt 0 ]]
then
    echo "  membership changes under load (${ROLL_RATE} writes/s; all made while it ran: ${under_load}), each taking (the"
    echo "  new node's catch-up included):"
    for result in "${GROW_RESULTS[@]}"
    do
        read -r id op ms <<< "${result}"
        case "${op}" in
            add) echo "    node ${id} joined empty, caught up, promoted to voter: ${ms} ms" ;;
            *) echo "    node ${id} joined empty, caught up, replaced voter node ${replaced}: ${ms} ms" ;;
        esac
    done
    echo "  members: ${grown_from} -> $((grown_from + 2)) -> $((grown_from + 2)) (node ${replaced} replaced); now $(flotilla_ids "${CURRENT_MEMBERS}")"
    if [[ ${grow_status} -eq 0 ]]
    then
        echo "  writes acknowledged during the changes: ALL readable from the members now; their replicas identical"
    else
        echo "  membership changes: WRITES MISSING OR WRONG, OR REPLICAS DIFFERENT (see above)"
    fi
fi
if [[ ${feed_status} -eq 0 ]]
then
    echo "  change feed (one subscriber, through the failover, the rolling restart and the membership changes): ${feed_summary}"
else
    echo "  change feed: CHECK FAILED: ${feed_summary} (see ${RUN_DIR}/feed.log)"
fi
echo "  logs and data: ${RUN_DIR}"
echo "======================================================="
[[ ${verify_status} -eq 0 && ${digest_status} -eq 0 && ${install_status} -eq 0 && ${fence_status} -eq 0 &&
    ${roll_status} -eq 0 &&
    ${grow_status} -eq 0 && ${feed_status} -eq 0 ]]
