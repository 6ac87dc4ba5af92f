package io.flotilla.samples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code KvClient digest} ({@link DigestCommand}): waits until every replica's status file reports the same applied
 * index (they converge once the cluster is idle), then checks that their state digests are equal.
 */
final class ReplicaDigests
{
    private ReplicaDigests()
    {
    }

    /**
     * @param dataDirs the replicas' data directories, at least one.
     * @param wait     how long to wait for them to report the same applied index.
     * @return whether they did, with the same digest.
     */
    static boolean compare(final List<String> dataDirs, final Duration wait, final PrintStream out)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + wait.toNanos();
        final ReplicaStatus[] statuses = new ReplicaStatus[dataDirs.size()];
        while (true)
        {
            boolean sameIndex = true;
            for (int i = 0; i < statuses.length; i++)
            {
                statuses[i] = ReplicaStatus.read(Path.of(dataDirs.get(i)));
                sameIndex &= null != statuses[i] && statuses[i].appliedIndex() == statuses[0].appliedIndex();
            }
            if (sameIndex || System.nanoTime() - deadlineNs > 0)
            {
                break;
            }
            Thread.sleep(100);
        }

        boolean identical = null != statuses[0];
        for (int i = 0; i < statuses.length; i++)
        {
            out.println("replica " + dataDirs.get(i) + ": " + (null == statuses[i] ? "no status file" : statuses[i]));
            identical &= null != statuses[i] && statuses[i].appliedIndex() == statuses[0].appliedIndex() &&
                statuses[i].digest().equals(statuses[0].digest());
        }
        out.println(identical ?
            "replicas: all " + statuses.length + " hold the same state (same applied index and digest)" :
            "replicas: DIFFER (or did not reach the same applied index within " + wait.toMillis() + " ms)");
        return identical;
    }
}
