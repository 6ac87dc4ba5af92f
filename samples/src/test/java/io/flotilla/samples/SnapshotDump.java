package io.flotilla.samples;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A KV snapshot decoded by the test, from the layout documented in {@link KvSnapshot} rather than by its reader:
 * the header and the entries sorted by key, so that two snapshots of the same state compare equal whatever their
 * map layouts.
 *
 * @param header      everything but the entries and the feed.
 * @param entries     key to "value-hex@deadline".
 * @param subscribers the change feed's subscribers, in order.
 * @param lost        the sessions owed a FEED_LOST marker, in order.
 */
record SnapshotDump(KvSnapshot.Header header, Map<String, String> entries, List<Long> subscribers, List<Long> lost)
{
    static SnapshotDump of(final byte[] snapshot) throws IOException
    {
        final DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot));
        if (KvSnapshot.MAGIC != in.readInt() || KvSnapshot.VERSION != in.readInt())
        {
            throw new IOException("not a version " + KvSnapshot.VERSION + " KV snapshot");
        }
        final KvSnapshot.Header header = new KvSnapshot.Header(
            in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
        final Map<String, String> entries = new TreeMap<>();
        for (int i = 0, count = in.readInt(); i < count; i++)
        {
            final byte[] key = in.readNBytes(in.readUnsignedShort());
            final long deadlineNs = in.readLong();
            final byte[] value = in.readNBytes(in.readInt());
            entries.put(new String(key, StandardCharsets.UTF_8), HexFormat.of().formatHex(value) + "@" + deadlineNs);
        }
        final List<Long> subscribers = sessions(in);
        final List<Long> lost = sessions(in);
        in.readInt();
        if (in.read() != -1)
        {
            throw new IOException("bytes after the CRC");
        }
        return new SnapshotDump(header, entries, subscribers, lost);
    }

    private static List<Long> sessions(final DataInputStream in) throws IOException
    {
        final List<Long> sessionIds = new ArrayList<>();
        for (int i = 0, count = in.readInt(); i < count; i++)
        {
            sessionIds.add(in.readLong());
        }
        return sessionIds;
    }
}
