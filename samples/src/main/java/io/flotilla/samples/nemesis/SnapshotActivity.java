package io.flotilla.samples.nemesis;

/**
 * What one node did with snapshots over a whole nemesis run, all its processes together.
 *
 * @param node          member id.
 * @param taken         snapshots the node took itself (its log's "snapshot at index" lines; a wiped data directory
 *                      does not erase them, the log lives beside it).
 * @param installs      snapshots it installed from the leader (its counter, summed over its processes).
 * @param snapshotIndex its newest snapshot's last included index when last seen, 0 for none.
 * @param logFirstIndex the first index its log held when last seen.
 */
public record SnapshotActivity(int node, int taken, long installs, long snapshotIndex, long logFirstIndex)
{
    @Override
    public String toString()
    {
        return "node " + node + ": " + taken + " taken, " + installs + " installed from the leader; newest at index " +
            snapshotIndex + ", log from index " + logFirstIndex;
    }
}
