package io.flotilla.samples.nemesis;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What a nemesis run did and found.
 *
 * @param elapsedNs     the whole run, start-up and checks included.
 * @param operations    operations invoked by the workload (the final read-back not included).
 * @param acknowledged  operations completed ok.
 * @param unknown       operations whose outcome is unknown (timeouts, lost leaders).
 * @param reads         gets answered, by path (log, ReadIndex, lease) and from follower-preferring clients.
 * @param faults        faults injected, by kind.
 * @param maxRecoveryMs longest time from healing a fault to the next acknowledged operation.
 * @param maxGapMs      longest time without any acknowledged operation while faults were injected.
 * @param linearizability the checker's verdict on the history.
 * @param feedChanges   changes the feed clients received, every subscription together.
 * @param feed          the feed check: changes, subscriptions, sessions, anomalies (listed among the anomalies).
 * @param convergence   the replicas' final status.
 * @param snapshots     each node's snapshots taken and installed over the run.
 * @param startWarnings nodes that failed to start once and were started again (as scripts/demo.sh does).
 * @param anomalies     everything wrong; empty for a clean run.
 */
public record NemesisReport(
    long elapsedNs,
    long operations,
    long acknowledged,
    long unknown,
    String reads,
    Map<Fault, Integer> faults,
    long maxRecoveryMs,
    long maxGapMs,
    String linearizability,
    long feedChanges,
    String feed,
    String convergence,
    List<SnapshotActivity> snapshots,
    List<String> startWarnings,
    List<String> anomalies)
{
    public int faultCount()
    {
        return faults.values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * @return snapshots installed from a leader, all nodes together.
     */
    public long installs()
    {
        return snapshots.stream().mapToLong(SnapshotActivity::installs).sum();
    }

    @Override
    public String toString()
    {
        return "================ nemesis summary ================\n" +
            "  duration:        " + TimeUnit.NANOSECONDS.toSeconds(elapsedNs) + " s\n" +
            "  operations:      " + operations + " (" + acknowledged + " ok, " + unknown + " unknown outcome)\n" +
            "  reads:           " + reads + "\n" +
            "  faults:          " + faultCount() + " " + faults + "\n" +
            "  max recovery:    " + maxRecoveryMs + " ms from healing to the next acknowledged operation\n" +
            "  longest gap:     " + maxGapMs + " ms without an acknowledged operation (failovers included)\n" +
            "  linearizability: " + linearizability + "\n" +
            "  change feed:     " + feed + "\n" +
            "  replicas:        " + convergence + "\n" +
            "  snapshots:       " + (snapshots.isEmpty() ? "none seen" : snapshots.stream().map(SnapshotActivity::toString)
            .collect(Collectors.joining("\n                   "))) + "\n" +
            "  start retries:   " + (startWarnings.isEmpty() ? "none" : startWarnings.size() + "\n    " +
            String.join("\n    ", startWarnings)) + "\n" +
            "  anomalies:       " + (anomalies.isEmpty() ? "none" : anomalies.size() + "\n    " +
            String.join("\n    ", anomalies)) + "\n" +
            "=================================================";
    }
}
