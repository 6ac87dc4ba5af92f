package io.flotilla.engine.node;

import io.flotilla.engine.SnapshotConfig;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * When this node takes its next snapshot: once the log applied since its last one passes the configured entries or
 * bytes. The thresholds are staggered so that the members of a cluster do not all snapshot at once: the first one
 * after start is raised by up to half according to the member's position in the configuration, and every later one
 * by a random quarter at most (seeded by the member id, so a node's schedule is reproducible).
 */
final class SnapshotPolicy
{
    private final SnapshotConfig config;
    private final SplittableRandom random;
    private long baseIndex;
    private long basePosition;
    private long entriesThreshold;
    private long bytesThreshold;

    /**
     * @param config    the thresholds.
     * @param memberId  this member.
     * @param memberIds the configuration.
     */
    SnapshotPolicy(final SnapshotConfig config, final int memberId, final int[] memberIds)
    {
        this.config = config;
        random = new SplittableRandom(0x5eed_0000L + memberId);
        final int[] sorted = memberIds.clone();
        Arrays.sort(sorted);
        final double position = Math.max(0, Arrays.binarySearch(sorted, memberId)) / (double)sorted.length;
        stagger(1.0 + 0.5 * position);
    }

    /**
     * A snapshot was taken (or loaded, or installed) at this index: count from here.
     *
     * @param index       the snapshot's last included index.
     * @param endPosition the log's recording position just after that entry; -1 if not known yet (the byte count
     *                    then goes on from the previous base).
     */
    void snapshotAt(final long index, final long endPosition)
    {
        baseIndex = index;
        if (endPosition >= 0)
        {
            basePosition = endPosition;
        }
        stagger(1.0 + 0.25 * random.nextDouble());
    }

    /**
     * @param appliedIndex       the node's applied index.
     * @param appliedEndPosition the log's recording position just after it.
     * @return whether a snapshot is due.
     */
    boolean isDue(final long appliedIndex, final long appliedEndPosition)
    {
        return (entriesThreshold > 0 && appliedIndex - baseIndex >= entriesThreshold) ||
            (bytesThreshold > 0 && appliedEndPosition - basePosition >= bytesThreshold);
    }

    /**
     * @return the index counted from.
     */
    long baseIndex()
    {
        return baseIndex;
    }

    private void stagger(final double factor)
    {
        entriesThreshold = (long)(config.logEntries() * factor);
        bytesThreshold = (long)(config.logBytes() * factor);
    }
}
