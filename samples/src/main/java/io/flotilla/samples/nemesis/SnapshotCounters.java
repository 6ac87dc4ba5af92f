package io.flotilla.samples.nemesis;

import io.aeron.CncFileDescriptor;
import io.flotilla.engine.node.NodeCounters;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A node's snapshot counters as its media driver's CnC file shows them (what {@code AeronStat} prints), read from
 * outside the node's process: while it runs, and after a {@code kill -9} until the next start replaces the
 * directory. Counters live as long as the process: the install count starts at 0 with every start.
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
        final File cncFile = new File(aeronDir, CncFileDescriptor.CNC_FILE);
        if (!cncFile.isFile())
        {
            return null;
        }
        MappedByteBuffer cnc = null;
        try
        {
            cnc = IoUtil.mapExistingFile(cncFile, FileChannel.MapMode.READ_ONLY, "cnc");
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(cnc);
            // The driver writes the version last, once the file is laid out.
            if (CncFileDescriptor.CNC_VERSION != metaData.getIntVolatile(CncFileDescriptor.cncVersionOffset(0)) ||
                CncFileDescriptor.pid(metaData) != pid)
            {
                return null;
            }
            final CountersReader counters = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(cnc, metaData),
                CncFileDescriptor.createCountersValuesBuffer(cnc, metaData));
            final long[] values = {-1, -1, -1};
            counters.forEach((counterId, typeId, keyBuffer, label) ->
            {
                final int slot = switch (typeId)
                {
                    case NodeCounters.SNAPSHOT_INDEX_TYPE_ID -> 0;
                    case NodeCounters.LOG_FIRST_INDEX_TYPE_ID -> 1;
                    case NodeCounters.SNAPSHOTS_INSTALLED_TYPE_ID -> 2;
                    default -> -1;
                };
                if (slot >= 0)
                {
                    values[slot] = counters.getCounterValue(counterId);
                }
            });
            return values[0] < 0 || values[1] < 0 || values[2] < 0 ? null :
                new SnapshotCounters(values[0], values[1], values[2]);
        }
        catch (final RuntimeException ex)
        {
            // A file truncated or replaced while mapped: no reading this time.
            return null;
        }
        finally
        {
            if (null != cnc)
            {
                IoUtil.unmap(cnc);
            }
        }
    }
}
