#!/usr/bin/env bash
# A local KV cache cluster of 3, 5 or 7 nodes left running: scripts/cluster.sh start|stop|status|client ARGS...
#   start   build, start the KvNode JVMs (data under run/cluster), wait for a leader
#   stop    stop them (SIGTERM: clean shutdown) and remove their Aeron directories (a prefix of this run's own,
#           in run/cluster/aeron-prefix)
#   status  pid, role, term, applied index and state digest of each node, then the cluster tool's status table
#   client  run KvClient against the cluster, e.g. scripts/cluster.sh client put k v | get k | load --rate 1000/s
#           | digest --wait 10s | --help
#   tool    run the cluster tool against the nodes' admin endpoints with the run's admin token, e.g.
#           scripts/cluster.sh tool status | leader | members | transfer | snapshot --node all (docs/operations.md)
#   join ID start node ID empty (flotilla.join=true, ports BASE+10*ID) and ask the leader to add it: it joins as a
#           learner, catches up and is promoted to voter (flotilla member add); the commands after it include it
#   remove ID
#           ask the leader to remove member ID (the leader itself too: it hands over), then stop node ID
# Environment: FLOTILLA_NODES (3, 5 or 7; default 3, and the same for every command of one cluster),
# FLOTILLA_CLUSTER_BASE_PORT (default 29210), FLOTILLA_MVN_OPTS, FLOTILLA_SKIP_BUILD.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

flotilla_check_nodes
RUN_DIR="${FLOTILLA_ROOT}/run/cluster"
BASE_PORT="${FLOTILLA_CLUSTER_BASE_PORT:-29210}"
# The members: the founders, or as the last join or remove left them.
MEMBERS_FILE="${RUN_DIR}/members"
if [[ -s "${MEMBERS_FILE}" ]]
then
    MEMBERS="$(cat "${MEMBERS_FILE}")"
else
    MEMBERS="$(flotilla_members "${BASE_PORT}")"
fi
AERON_PREFIX="$(flotilla_run_aeron_prefix "${RUN_DIR}" cluster)"

case "${1:-}" in
    start)
        flotilla_build
        mkdir -p "${RUN_DIR}"
        for id in $(flotilla_ids "${MEMBERS}")
        do
            if flotilla_alive "${RUN_DIR}" "${id}"
            then
                flotilla_log "node ${id} already running (pid $(flotilla_pid "${RUN_DIR}" "${id}"))"
            else
                flotilla_start_node "${RUN_DIR}" "${id}" "${MEMBERS}" "${AERON_PREFIX}"
                flotilla_log "node ${id} started (pid $(flotilla_pid "${RUN_DIR}" "${id}")), log ${RUN_DIR}/node-${id}.log"
            fi
        done
        flotilla_await_ready "${RUN_DIR}" 90 "${MEMBERS}" "${AERON_PREFIX}"
        leader="$(flotilla_await_leader "${RUN_DIR}" 60)" || flotilla_die "no leader within 60 s: see ${RUN_DIR}/node-*.log"
        flotilla_log "leader: node ${leader}; members ${MEMBERS}"
        flotilla_log "admin endpoints: $(flotilla_admin_nodes "${MEMBERS}") (token in ${RUN_DIR}/admin.token)"
        flotilla_log "try: scripts/cluster.sh client put greeting hello && scripts/cluster.sh client get greeting"
        flotilla_log "     scripts/cluster.sh tool status"
        ;;
    stop)
        for id in $(flotilla_ids "${MEMBERS}")
        do
            flotilla_stop_node "${RUN_DIR}" "${id}"
            rm -rf "${AERON_PREFIX}-${id}"
        done
        rm -f "${RUN_DIR}/aeron-prefix" # the next start takes a new prefix
        flotilla_log "stopped (data kept in ${RUN_DIR}; delete it for a fresh cluster)"
        ;;
    status)
        for id in $(flotilla_ids "${MEMBERS}")
        do
            if flotilla_alive "${RUN_DIR}" "${id}"
            then
                echo "node ${id}: pid $(flotilla_pid "${RUN_DIR}" "${id}") $(cat "${RUN_DIR}/node-${id}/kv-status" 2> /dev/null)"
            else
                echo "node ${id}: not running"
            fi
        done
        FLOTILLA_SKIP_BUILD="${FLOTILLA_SKIP_BUILD:-1}" flotilla_build
        flotilla_tool "${RUN_DIR}" "${MEMBERS}" status
        ;;
    tool)
        shift
        FLOTILLA_SKIP_BUILD="${FLOTILLA_SKIP_BUILD:-1}" flotilla_build
        flotilla_tool "${RUN_DIR}" "${MEMBERS}" "$@"
        ;;
    client)
        shift
        FLOTILLA_SKIP_BUILD="${FLOTILLA_SKIP_BUILD:-1}" flotilla_build
        if [[ "${1:-}" == digest ]]
        then
            shift
            flotilla_client digest "$@" $(flotilla_data_dirs "${RUN_DIR}" "${MEMBERS}")
        else
            flotilla_client --endpoints "${MEMBERS}" "$@"
        fi
        ;;
    join)
        id="${2:-}"
        [[ "${id}" =~ ^[0-9]+$ ]] || flotilla_die "usage: $0 join ID (a member id the cluster has not used)"
        grep -qE "(^|,)${id}=" <<< "${MEMBERS}" && flotilla_die "member ${id} is in the cluster already: ${MEMBERS}"
        # Member ids are never reused: a node with the data of an earlier member of that id must not join as new.
        [[ ! -e "${RUN_DIR}/node-${id}" ]] || flotilla_die "${RUN_DIR}/node-${id} holds the data of an earlier" \
            "member ${id}: join under another id, or delete that directory if it is certain to be no member"
        flotilla_build
        member="$(flotilla_member "${BASE_PORT}" "${id}")"
        flotilla_start_joining "${RUN_DIR}" "${id}" "${MEMBERS},${member}" "${AERON_PREFIX}"
        # Recorded at once: stop and status see the node whatever the change does.
        echo "${MEMBERS},${member}" > "${MEMBERS_FILE}"
        flotilla_log "node ${id} started empty (pid $(flotilla_pid "${RUN_DIR}" "${id}")), log ${RUN_DIR}/node-${id}.log;" \
            "asking the leader to add it"
        flotilla_tool "${RUN_DIR}" "${MEMBERS},${member}" member add --id "${id}" --endpoint "${member#*=}" \
            --timeout 60s || flotilla_die "member add of ${id} failed (above): node ${id} is left running;" \
            "'$0 tool members' tells whether it is a member, '$0 remove ${id}' takes it out"
        flotilla_log "node ${id} is a voter; members ${MEMBERS},${member}"
        ;;
    remove)
        id="${2:-}"
        [[ "${id}" =~ ^[0-9]+$ ]] || flotilla_die "usage: $0 remove ID"
        grep -qE "(^|,)${id}=" <<< "${MEMBERS}" || flotilla_die "member ${id} is not in the cluster: ${MEMBERS}"
        FLOTILLA_SKIP_BUILD="${FLOTILLA_SKIP_BUILD:-1}" flotilla_build
        status=0
        answer="$(flotilla_tool "${RUN_DIR}" "${MEMBERS}" member remove --id "${id}" --timeout 60s 2>&1)" || status=$?
        echo "${answer}"
        # A node that never became a member (a failed join) is stopped all the same; any other failure changes nothing.
        [[ ${status} -eq 0 || "${answer}" == *NOT_A_MEMBER* ]] ||
            flotilla_die "member remove of ${id} failed (above): node ${id} is left running"
        flotilla_stop_node "${RUN_DIR}" "${id}"
        rm -rf "${AERON_PREFIX}-${id}"
        MEMBERS="$(tr ',' '\n' <<< "${MEMBERS}" | grep -v "^${id}=" | paste -sd, -)"
        echo "${MEMBERS}" > "${MEMBERS_FILE}"
        flotilla_log "node ${id} removed and stopped (its data kept in ${RUN_DIR}/node-${id}); members ${MEMBERS}"
        ;;
    *)
        echo "usage: $0 start|stop|status|client ARGS...|tool ARGS...|join ID|remove ID" >&2
        exit 2
        ;;
esac
