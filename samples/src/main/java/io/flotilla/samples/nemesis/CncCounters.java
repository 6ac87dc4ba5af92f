package io.flotilla.samples.nemesis;

import io.aeron.CncFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads counters of a media driver's CnC file from outside its process, as {@code AeronStat} does: what anyone who
 * can read a node's Aeron directory sees.
 */
final class CncCounters
{
    private CncCounters()
    {
    }

    /**
     * @param aeronDir of the media driver.
     * @param pid      of the driver's process: a CnC file left by an earlier process is ignored.
     * @param typeIds  the counter types to read, one counter of each expected.
     * @return the value of each type in the order given, or null when the directory holds no complete CnC file of
     * that process (not yet created, or being replaced) or a type has no counter yet.
     */
    static long[] read(final File aeronDir, final long pid, final int... typeIds)
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
            final long[] values = new long[typeIds.length];
            final boolean[] found = new boolean[typeIds.length];
            counters.forEach((counterId, typeId, keyBuffer, label) ->
            {
                for (int i = 0; i < typeIds.length; i++)
                {
                    if (typeIds[i] == typeId)
                    {
                        values[i] = counters.getCounterValue(counterId);
                        found[i] = true;
                    }
                }
            });
            for (final boolean present : found)
            {
                if (!present)
                {
                    return null;
                }
            }
            return values;
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
