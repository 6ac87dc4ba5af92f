#!/usr/bin/env bash
# Coverage-guided fuzzing with Jazzer (docs/fault-testing.md, "Fuzzing"): runs each named @FuzzTest (all of them by
# default) for N minutes, one after the other, with JAZZER_FUZZ=1. A crashing input is written by Jazzer next to the
# seeds, src/test/resources/<package>/<TestClass>Inputs/<method>/crash-<sha1>, where every plain `mvn verify` replays
# it until it is fixed; the script lists the new ones and how to reproduce each. Inputs that found new coverage go to
# <module>/.cifuzz-corpus/ (not checked in) and make the next run start from there. Logs: run/fuzz/<method>.log.
# usage: scripts/fuzz.sh [--minutes N] [target...]   (a target is a method name, e.g. anyMessage; default 5 minutes)
#        scripts/fuzz.sh --seeds                      (rewrite the checked-in seed corpora from the encoders)
# Environment: FLOTILLA_MVN_OPTS (e.g. -o), FLOTILLA_FUZZ_KEEP_GOING=N (go on after the first N distinct findings).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# module:class#method of every fuzz test.
TARGETS=(
    codecs:FrameValidatorFuzzTest#anyMessage
    codecs:FrameValidatorFuzzTest#anyEntryBlock
    archive:RecoveryFilesFuzzTest#segmentScan
    archive:RecoveryFilesFuzzTest#logStartFile
    archive:RecoveryFilesFuzzTest#nodeStateFile
    archive:RecoveryFilesFuzzTest#snapshotFile
    engine:ConsensusFuzzTest#consensusMessages
    engine:IngressFuzzTest#clientMessages
)

minutes=5
selected=()
while [[ $# -gt 0 ]]
do
    case "$1" in
        --minutes) minutes="$2"; shift 2 ;;
        --seeds)
            cd "${FLOTILLA_ROOT}"
            flotilla_log "rewriting the seed corpora (the seedsAreCheckedIn tests with -Dfuzz.seeds.write=true) ..."
            exec mvn -B -q ${FLOTILLA_MVN_OPTS:-} -pl engine -am test -Dtest='*FuzzTest#seedsAreCheckedIn' \
                -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.seeds.write=true ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        -*) flotilla_die "unknown option $1 (see --help)" ;;
        *) selected+=("$1"); shift ;;
    esac
done
[[ "${minutes}" =~ ^[0-9]+$ && "${minutes}" -gt 0 ]] || flotilla_die "--minutes takes a whole number above 0"

run=()
for target in "${TARGETS[@]}"
do
    if [[ ${#selected[@]} -eq 0 ]] || printf '%s\n' "${selected[@]}" | grep -qx "${target##*#}"
    then
        run+=("${target}")
    fi
done
[[ ${#run[@]} -gt 0 ]] || flotilla_die "no such target: ${selected[*]} (targets: ${TARGETS[*]##*#})"

cd "${FLOTILLA_ROOT}"
mkdir -p run/fuzz
status=0
for target in "${run[@]}"
do
    module="${target%%:*}"
    test="${target#*:}"
    class="${test%%#*}"
    method="${test##*#}"
    inputs="$(find "${module}/src/test/resources" -type d -path "*/${class}Inputs/${method}")"
    log="run/fuzz/${method}.log"
    before="$(ls "${inputs}" | grep '^crash-' || true)"

    flotilla_log "fuzzing ${module} ${class}#${method} for ${minutes} min (log: ${log}) ..."
    if JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${minutes}m" JAZZER_KEEP_GOING="${FLOTILLA_FUZZ_KEEP_GOING:-0}" \
        mvn -B ${FLOTILLA_MVN_OPTS:-} -pl "${module}" -am test -Dtest="${test}" \
        -Dsurefire.failIfNoSpecifiedTests=false > "${log}" 2>&1
    then
        flotilla_log "${method}: no finding. $(grep -a -E '^#[0-9]+' "${log}" | tail -1 | cut -c1-100)"
    else
        status=1
        new="$(comm -13 <(echo "${before}") <(ls "${inputs}" | grep '^crash-' || true))"
        flotilla_log "${method}: FINDING (or a failed build: see ${log})"
        grep -a -m 1 -A 12 'Java Exception\|== Java Assertion\|FuzzerSecurityIssue' "${log}" >&2 || true
        for crash in ${new}
        do
            echo "  input: ${inputs}/${crash}" >&2
        done
        echo "  reproduce: mvn -pl ${module} -am test -Dtest='${test}' -Dsurefire.failIfNoSpecifiedTests=false" >&2
        echo "  (a plain test run replays every file of ${inputs})" >&2
    fi
done
exit "${status}"
