package io.flotilla.samples.nemesis;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a nemesis run did and found.
 *
 * @param elapsedNs     the whole run, start-up and checks included.
 * @param operations    operations invoked by the workload (the final read-back not included).
 * @param acknowledged  operations completed ok.
 * @param unknown       operations whose outcome is unknown (timeouts, lost leaders).
 * @param faults        faults injected, by kind.
 * @param maxRecoveryMs longest time from healing a fault to the next acknowledged operation.
 * @param maxGapMs      longest time without any acknowledged operation while faults were injected.
 * @param linearizability the checker's verdict on the history.
 * @param convergence   the replicas' final status.
 * @param startWarnings nodes that failed to start once and were started again (as scripts/demo.sh does).
 * @param anomalies     everything wrong; empty for a clean run.
 */
public record NemesisReport(
    long elapsedNs,
    long operations,
    long acknowledged,
    long unknown,
    Map<Fault, Integer> faults,
    long maxRecoveryMs,
    long maxGapMs,
    String linearizability,
    String convergence,
    List<String> startWarnings,
    List<String> anomalies)
{
    public int faultCount()
    {
        return faults.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public String toString()
    {
        return "================ nemesis summary ================\n" +
            "  duration:        " + TimeUnit.NANOSECONDS.toSeconds(elapsedNs) + " s\n" +
            "  operations:      " + operations + " (" + acknowledged + " ok, " + unknown + " unknown outcome)\n" +
            "  faults:          " + faultCount() + " " + faults + "\n" +
            "  max recovery:    " + maxRecoveryMs + " ms from healing to the next acknowledged operation\n" +
            "  longest gap:     " + maxGapMs + " ms without an acknowledged operation (failovers included)\n" +
            "  linearizability: " + linearizability + "\n" +
            "  replicas:        " + convergence + "\n" +
            "  start retries:   " + (startWarnings.isEmpty() ? "none" : startWarnings.size() + "\n    " +
            String.join("\n    ", startWarnings)) + "\n" +
            "  anomalies:       " + (anomalies.isEmpty() ? "none" : anomalies.size() + "\n    " +
            String.join("\n    ", anomalies)) + "\n" +
            "=================================================";
    }
}
