# Shared helpers for scripts/demo.sh and scripts/cluster.sh (sourced, not run).

FLOTILLA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Aeron and Agrona need these on Java 17+; IPv4 for loopback UDP.
FLOTILLA_JVM_FLAGS=(--add-opens java.base/jdk.internal.misc=ALL-UNNAMED --add-opens java.base/java.util.zip=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED -Djava.net.preferIPv4Stack=true)
FLOTILLA_NODE_HEAP="${FLOTILLA_NODE_HEAP:--Xmx384m}"
FLOTILLA_CLIENT_HEAP="${FLOTILLA_CLIENT_HEAP:--Xmx512m}"
FLOTILLA_CLIENT_PROPS=()
# How many nodes the demo and scripts/cluster.sh start: 3, 5 or 7.
FLOTILLA_NODES="${FLOTILLA_NODES:-3}"

flotilla_log()
{
    printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*"
}

flotilla_die()
{
    flotilla_log "ERROR: $*" >&2
    exit 1
}

# Build the samples module and what it needs; leaves samples/target/classpath.txt. FLOTILLA_MVN_OPTS adds flags
# (e.g. -o to stay offline). Sets FLOTILLA_CP.
flotilla_build()
{
    command -v java > /dev/null || flotilla_die "java not found: install Java 17"
    command -v mvn > /dev/null || flotilla_die "mvn not found: install Maven 3.8+"
    local java_major
    java_major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    [[ "${java_major%%.*}" -ge 17 ]] || flotilla_die "Java 17 or later needed, found ${java_major}"

    if [[ -z "${FLOTILLA_SKIP_BUILD:-}" ]]
    then
        flotilla_log "building (mvn -B -q -DskipTests package -pl samples -am) ..."
        mkdir -p "${FLOTILLA_ROOT}/run"
        if ! (cd "${FLOTILLA_ROOT}" &&
            mvn -B -q ${FLOTILLA_MVN_OPTS:-} -DskipTests package -pl samples -am > run/build.log 2>&1)
        then
            tail -n 40 "${FLOTILLA_ROOT}/run/build.log" >&2
            flotilla_die "build failed: see ${FLOTILLA_ROOT}/run/build.log"
        fi
    fi
    local jar
    jar="$(ls "${FLOTILLA_ROOT}"/samples/target/flotilla-samples-*.jar 2> /dev/null | grep -v -- '-tests' | head -1)"
    [[ -n "${jar}" && -f "${FLOTILLA_ROOT}/samples/target/classpath.txt" ]] ||
        flotilla_die "samples jar or classpath missing: run without FLOTILLA_SKIP_BUILD"
    FLOTILLA_CP="${jar}:$(cat "${FLOTILLA_ROOT}/samples/target/classpath.txt")"
}

# flotilla_check_nodes: fails unless FLOTILLA_NODES is 3, 5 or 7.
flotilla_check_nodes()
{
    [[ "${FLOTILLA_NODES}" =~ ^[357]$ ]] || flotilla_die "FLOTILLA_NODES must be 3, 5 or 7, got '${FLOTILLA_NODES}'"
}

# flotilla_member BASE ID: node ID's entry of a members spec on loopback: ID=localhost:BASE+10*ID:BASE+10*ID+1 (its
# admin endpoint takes BASE+10*ID+2; ids up to 9 fit below the next node's ports).
flotilla_member()
{
    echo "$2=localhost:$(($1 + 10 * $2)):$(($1 + 10 * $2 + 1))"
}

# flotilla_members BASE [COUNT]: the members spec of nodes 0 to COUNT-1 (default FLOTILLA_NODES) on loopback.
flotilla_members()
{
    local id spec=""
    for ((id = 0; id < ${2:-${FLOTILLA_NODES}}; id++))
    do
        spec="${spec:+${spec},}$(flotilla_member "$1" "${id}")"
    done
    echo "${spec}"
}

# flotilla_ids MEMBERS: the member ids of a members spec, one per word.
flotilla_ids()
{
    tr ',' '\n' <<< "$1" | sed 's/=.*//' | tr '\n' ' '
}

# flotilla_endpoint MEMBERS ID: node ID's host:consensusPort:ingressPort in a members spec.
flotilla_endpoint()
{
    tr ',' '\n' <<< "$1" | sed -n "s/^$2=//p"
}

# flotilla_data_dirs RUN_DIR MEMBERS: the data directory of each member, for KvClient digest.
flotilla_data_dirs()
{
    local id
    for id in $(flotilla_ids "$2")
    do
        echo "$1/node-${id}"
    done
}

# flotilla_admin_port MEMBERS ID: the port of node ID's admin HTTP endpoint (on loopback): its consensus port + 2.
flotilla_admin_port()
{
    local consensus
    consensus="$(tr ',' '\n' <<< "$1" | sed -n "s/^$2=[^:]*:\([0-9]*\):.*/\1/p")"
    echo $((consensus + 2))
}

# flotilla_admin_nodes MEMBERS: every node's admin endpoint, host:port comma-separated (scripts/flotilla --nodes).
flotilla_admin_nodes()
{
    local id nodes=""
    for id in $(flotilla_ids "$1")
    do
        nodes="${nodes:+${nodes},}localhost:$(flotilla_admin_port "$1" "${id}")"
    done
    echo "${nodes}"
}

# flotilla_tool RUN_DIR MEMBERS ARGS...: the cluster tool (scripts/flotilla) against this run's nodes and token.
flotilla_tool()
{
    local run_dir="$1" members="$2"
    shift 2
    FLOTILLA_ADMIN_NODES="$(flotilla_admin_nodes "${members}")" FLOTILLA_ADMIN_TOKEN_FILE="${run_dir}/admin.token" \
        java "${FLOTILLA_JVM_FLAGS[@]}" -Xmx128m -cp "${FLOTILLA_CP}" io.flotilla.admin.tool.FlotillaTool "$@"
}

# flotilla_http_get HOST:PORT PATH: the body of a plain HTTP GET (bash's /dev/tcp: no curl needed), 5 s at most.
flotilla_http_get()
{
    local host="${1%:*}" port="${1##*:}"
    timeout 5 bash -c 'exec 3<> "/dev/tcp/$0/$1" && printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$2" "$0" >&3 &&
        sed "1,/^\r\{0,1\}$/d" <&3' "${host}" "${port}" "$2"
}

# flotilla_new_aeron_prefix NAME: a prefix for the Aeron directories of one local cluster, unique to this user and
# this run (two clusters on one host, of two users or two runs, never share a directory): under /dev/shm.
flotilla_new_aeron_prefix()
{
    local base=/dev/shm
    [[ -d "${base}" ]] || base="${TMPDIR:-/tmp}"
    echo "${base}/flotilla-$1-$(id -u)-$$-${RANDOM}"
}

# flotilla_run_aeron_prefix RUN_DIR NAME: the Aeron directory prefix of the cluster whose data is in RUN_DIR, made on
# first use and kept in RUN_DIR/aeron-prefix, so that later commands (status, stop) find the same directories.
flotilla_run_aeron_prefix()
{
    local file="$1/aeron-prefix"
    if [[ ! -s "${file}" ]]
    then
        mkdir -p "$1"
        flotilla_new_aeron_prefix "$2" > "${file}"
    fi
    cat "${file}"
}

# flotilla_start_node RUN_DIR ID MEMBERS AERON_DIR_PREFIX [extra JVM args...]: starts a KvNode in the background,
# appending to RUN_DIR/node-ID.log; writes RUN_DIR/node-ID.pid. Started from a subshell so the node is not a job of
# this shell (no job notices when it is killed; its liveness is exactly `kill -0`).
flotilla_start_node()
{
    local run_dir="$1" id="$2" members="$3" aeron_prefix="$4"
    shift 4
    mkdir -p "${run_dir}/node-${id}"
    rm -f "${run_dir}/node-${id}/kv-status"
    # The run's cluster key, made by the first node started: every node signs its consensus messages with it.
    [[ -s "${run_dir}/cluster.key" ]] ||
        (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "${run_dir}/cluster.key")
    # The run's admin token: changes through a node's admin endpoint (transfer, snapshot, propose) need it.
    [[ -s "${run_dir}/admin.token" ]] ||
        (umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' > "${run_dir}/admin.token")
    (
        nohup java "${FLOTILLA_JVM_FLAGS[@]}" ${FLOTILLA_NODE_HEAP} -XX:+UseParallelGC \
            -Dflotilla.aeron.dir="${aeron_prefix}-${id}" -Dflotilla.cluster.key.file="${run_dir}/cluster.key" \
            -Dflotilla.admin.port="$(flotilla_admin_port "${members}" "${id}")" \
            -Dflotilla.admin.token.file="${run_dir}/admin.token" "$@" \
            -cp "${FLOTILLA_CP}" io.flotilla.samples.KvNode \
            --member-id "${id}" --members "${members}" --data-dir "${run_dir}/node-${id}" \
            >> "${run_dir}/node-${id}.log" 2>&1 < /dev/null &
        echo $! > "${run_dir}/node-${id}.pid"
    )
}

# flotilla_start_joining RUN_DIR ID MEMBERS AERON_DIR_PREFIX [extra JVM args...]: start node ID empty as a joining
# node (flotilla.join=true; MEMBERS names the cluster's members and it) and wait until it is up. It is no member until
# the leader adds it (flotilla member add), and catches up then.
flotilla_start_joining()
{
    local run_dir="$1" id="$2" members="$3" aeron_prefix="$4" deadline
    shift 4
    flotilla_start_node "${run_dir}" "${id}" "${members}" "${aeron_prefix}" "$@" -Dflotilla.join=true
    deadline=$((SECONDS + 60))
    until [[ -f "${run_dir}/node-${id}/kv-status" ]]
    do
        flotilla_alive "${run_dir}" "${id}" || flotilla_die "node ${id} exited while starting: see ${run_dir}/node-${id}.log"
        [[ ${SECONDS} -lt ${deadline} ]] || flotilla_die "node ${id} not ready within 60 s: see ${run_dir}/node-${id}.log"
        sleep 0.2
    done
}

# flotilla_await_ready RUN_DIR SECONDS MEMBERS AERON_DIR_PREFIX [extra JVM args...]: wait until every node of MEMBERS
# has published its status. A node whose process died while starting is reported (with its log tail) and started once more.
flotilla_await_ready()
{
    local run_dir="$1" timeout="$2" deadline=$((SECONDS + $2)) members="$3" aeron_prefix="$4" id ready ids
    shift 4
    ids="$(flotilla_ids "${members}")"
    local -A retried=()
    while [[ ${SECONDS} -lt ${deadline} ]]
    do
        ready=0
        for id in ${ids}
        do
            if ! flotilla_alive "${run_dir}" "${id}"
            then
                [[ -z "${retried[${id}]:-}" ]] || flotilla_die "node ${id} failed to start twice: see ${run_dir}/node-${id}.log"
                flotilla_log "WARNING: node ${id} exited while starting; last lines of its log:" >&2
                tail -n 5 "${run_dir}/node-${id}.log" | sed 's/^/    /' >&2
                flotilla_log "starting node ${id} again" >&2
                retried[${id}]=1
                flotilla_start_node "${run_dir}" "${id}" "${members}" "${aeron_prefix}" "$@"
            elif [[ -f "${run_dir}/node-${id}/kv-status" ]]
            then
                ready=$((ready + 1))
            fi
        done
        [[ ${ready} -eq $(wc -w <<< "${ids}") ]] && return 0
        sleep 0.2
    done
    flotilla_die "nodes not ready within ${timeout} s: see ${run_dir}/node-*.log"
}

# flotilla_await_exit PID SECONDS
flotilla_await_exit()
{
    local pid="$1" deadline=$((SECONDS + $2))
    while kill -0 "${pid}" 2> /dev/null
    do
        [[ ${SECONDS} -lt ${deadline} ]] || return 1
        sleep 0.05
    done
}

flotilla_pid()
{
    cat "$1/node-$2.pid" 2> /dev/null
}

flotilla_alive()
{
    local pid
    pid="$(flotilla_pid "$1" "$2")"
    [[ -n "${pid}" ]] && kill -0 "${pid}" 2> /dev/null
}

# flotilla_status_field RUN_DIR ID FIELD: a field of the node's kv-status file (empty if none).
flotilla_status_field()
{
    sed -n "s/.*\b$3=\([^ ]*\).*/\1/p" "$1/node-$2/kv-status" 2> /dev/null
}

# flotilla_started RUN_DIR: the ids of the nodes started and not stopped (those with a pid file).
flotilla_started()
{
    local file id
    for file in "$1"/node-*.pid
    do
        [[ -e "${file}" ]] || continue
        id="${file##*/node-}"
        echo "${id%.pid}"
    done
}

# flotilla_leader RUN_DIR: id of the live node reporting LEADER with the highest term, or empty.
flotilla_leader()
{
    local run_dir="$1" best="" best_term=-1 id term
    for id in $(flotilla_started "${run_dir}")
    do
        if flotilla_alive "${run_dir}" "${id}" && [[ "$(flotilla_status_field "${run_dir}" "${id}" role)" == LEADER ]]
        then
            term="$(flotilla_status_field "${run_dir}" "${id}" term)"
            if [[ "${term:-0}" -gt "${best_term}" ]]
            then
                best="${id}"
                best_term="${term}"
            fi
        fi
    done
    echo "${best}"
}

# flotilla_await_leader RUN_DIR SECONDS
flotilla_await_leader()
{
    local run_dir="$1" deadline=$((SECONDS + $2)) leader
    while [[ ${SECONDS} -lt ${deadline} ]]
    do
        leader="$(flotilla_leader "${run_dir}")"
        if [[ -n "${leader}" ]]
        then
            echo "${leader}"
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# flotilla_await_caught_up RUN_DIR ID SECONDS: wait until node ID has published its status as a follower and applied
# at least what the leader had applied once it was back.
flotilla_await_caught_up()
{
    local run_dir="$1" id="$2" deadline=$((SECONDS + $3)) leader target="" applied
    while [[ ${SECONDS} -lt ${deadline} ]]
    do
        flotilla_alive "${run_dir}" "${id}" || return 1
        if [[ "$(flotilla_status_field "${run_dir}" "${id}" role)" == FOLLOWER ]]
        then
            if [[ -z "${target}" ]]
            then
                leader="$(flotilla_leader "${run_dir}")"
                [[ -n "${leader}" ]] && target="$(flotilla_status_field "${run_dir}" "${leader}" appliedIndex)"
            fi
            applied="$(flotilla_status_field "${run_dir}" "${id}" appliedIndex)"
            [[ -n "${target}" && "${applied:-0}" -ge "${target}" ]] && return 0
        fi
        sleep 0.1
    done
    return 1
}

# flotilla_stop_node RUN_DIR ID: SIGTERM, then SIGKILL after 15 s.
flotilla_stop_node()
{
    local run_dir="$1" id="$2" pid i
    pid="$(flotilla_pid "${run_dir}" "${id}")"
    [[ -n "${pid}" ]] || return 0
    if kill -0 "${pid}" 2> /dev/null
    then
        kill -TERM "${pid}" 2> /dev/null
        for i in $(seq 1 150)
        do
            kill -0 "${pid}" 2> /dev/null || break
            sleep 0.1
        done
        kill -0 "${pid}" 2> /dev/null && kill -KILL "${pid}" 2> /dev/null
    fi
    rm -f "${run_dir}/node-${id}.pid"
}

# flotilla_client ARGS...: runs KvClient; FLOTILLA_CLIENT_PROPS (an array) adds -D settings.
flotilla_client()
{
    java "${FLOTILLA_JVM_FLAGS[@]}" ${FLOTILLA_CLIENT_HEAP} -XX:+UseParallelGC "${FLOTILLA_CLIENT_PROPS[@]}" \
        -cp "${FLOTILLA_CP}" io.flotilla.samples.KvClient "$@"
}
