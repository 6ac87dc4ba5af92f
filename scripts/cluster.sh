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
# Environment: FLOTILLA_NODES (3, 5 or 7; default 3, and the same for every command of one cluster),
# FLOTILLA_CLUSTER_BASE_PORT (default 29210), FLOTILLA_MVN_OPTS, FLOTILLA_SKIP_BUILD.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

flotilla_check_nodes
RUN_DIR="${FLOTILLA_ROOT}/run/cluster"
MEMBERS="$(flotilla_members "${FLOTILLA_CLUSTER_BASE_PORT:-29210}")"
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
    *)
        echo "usage: $0 start|stop|status|client ARGS...|tool ARGS..." >&2
        exit 2
        ;;
esac
