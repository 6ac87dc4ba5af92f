package io.flotilla.samples.nemesis;

import io.flotilla.engine.node.NodeCounters;

import java.io.File;

/**
 * A node's snapshot counters as its media driver's CnC file shows them ({@link CncCounters}), read from outside
 * the node's process: while it runs, and after a {@code kill -9} until the next start replaces the directory.
 * Counters live as long as the process: the install count starts at 0 with every start.
 *
 * @param snapshotIndex last included index of the node's newest snapshot, 0 when none.
 * @param logFirstIndex first index the node's log still holds.
 * @param installs      snapshots this process installed from the leader.
 */
record SnapshotCounters(long snapshotIndex, long logFirstIndex, long installs)
{
    /**
     * @param aeronDir of the node's embedded media driver.
     * @param pid      of the node's process: a CnC file left by an earlier process of the same node is ignored.
     * @return the counters, or null when the directory holds no complete CnC file of that process (not yet
     * created, or being replaced) or the node has not allocated its counters yet.
     */
    static SnapshotCounters read(final File aeronDir, final long pid)
    {
        final long[] values = CncCounters.read(aeronDir, pid, NodeCounters.SNAPSHOT_INDEX_TYPE_ID,
            NodeCounters.LOG_FIRST_INDEX_TYPE_ID, NodeCounters.SNAPSHOTS_INSTALLED_TYPE_ID);
        return null == values ? null : new SnapshotCounters(values[0], values[1], values[2]);
    }
}
