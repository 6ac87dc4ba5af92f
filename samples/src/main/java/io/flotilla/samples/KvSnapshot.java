package io.flotilla.samples;

import org.agrona.collections.Object2ObjectHashMap;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The serialised state of the KV cache: what {@link KvStateMachine#loadSnapshot} reads and both snapshot forms
 * write. Big-endian, as {@link DataOutputStream} writes it:
 * <pre>
 *   int    magic            0x464B5653 ("FKVS")
 *   int    version          2 (version 1, read too, is the same without the feed section)
 *   long   appliedIndex     last log index applied
 *   long   appliedCommands  commands applied so far
 *   long   badCommands      commands refused as malformed so far
 *   long   nowNs            the store's clock: the latest leader timestamp applied
 *   long   expiredCount     keys removed by expiry so far
 *   long   digest           the state digest at the snapshot (see {@link KvStore})
 *   int    entryCount
 *   entryCount times, in no particular order:
 *     ushort keyLength      UTF-8 bytes of the key (at most {@link #MAX_KEY_BYTES})
 *     bytes  key
 *     long   deadlineNs     absolute expiry time, 0 for none
 *     int    valueLength    (at most {@link #MAX_VALUE_BYTES})
 *     bytes  value
 *   int    subscriberCount  the change feed ({@link KvFeed}), version 2 only
 *   long   sessionId        subscriberCount times, in subscription order
 *   int    lostCount
 *   long   sessionId        lostCount times: sessions owed a FEED_LOST marker, in the order they were dropped
 *   int    crc32c           CRC-32C of every byte before it
 * </pre>
 * The two checks have different jobs: the CRC says the bytes are the ones written; the digest, recomputed from the
 * entries read and compared with the one the store maintained when the snapshot was taken, says the entries are
 * exactly that state (a view that saw a later write, or lost an entry, fails here). The feed's sessions are not in the
 * digest (it compares the data); the CRC covers them. Timer ids are not written: a
 * loaded store schedules its own timers for the same deadlines.
 */
final class KvSnapshot
{
    static final int MAGIC = 0x464B5653;
    static final int VERSION = 2;
    /** The first format: no feed section. */
    static final int VERSION_WITHOUT_FEED = 1;
    /** A feed section names at most this many sessions in each list (far more than a node can have open). */
    static final int MAX_FEED_SESSIONS = 1 << 20;

    /** A key is decoded from at most {@link KvStateMachine#MAX_KEY_LENGTH} bytes; re-encoded it may triple. */
    static final int MAX_KEY_BYTES = 3 * KvStateMachine.MAX_KEY_LENGTH;

    /** The longest value the command schema can carry. */
    static final int MAX_VALUE_BYTES = 1 << 30;

    /**
     * Everything a snapshot holds besides the entries.
     *
     * @param appliedIndex    last log index applied.
     * @param appliedCommands commands applied so far.
     * @param badCommands     commands refused as malformed so far.
     * @param nowNs           the store's clock.
     * @param expiredCount    keys removed by expiry so far.
     * @param digest          the state digest.
     */
    record Header(
        long appliedIndex, long appliedCommands, long badCommands, long nowNs, long expiredCount, long digest)
    {
    }

    private KvSnapshot()
    {
    }

    /**
     * Write a state.
     *
     * @param out     where it goes; not closed.
     * @param header  the counters, clock and digest of the state.
     * @param entries every entry of the state; must not change while this runs.
     * @param feed    the change feed's sessions.
     * @throws IOException when writing fails.
     */
    static void write(
        final OutputStream out,
        final Header header,
        final Object2ObjectHashMap<String, KvStore.Entry> entries,
        final KvFeed.State feed)
        throws IOException
    {
        final CRC32C crc = new CRC32C();
        final DataOutputStream data = new DataOutputStream(new CheckedOutputStream(out, crc));
        data.writeInt(MAGIC);
        data.writeInt(VERSION);
        data.writeLong(header.appliedIndex());
        data.writeLong(header.appliedCommands());
        data.writeLong(header.badCommands());
        data.writeLong(header.nowNs());
        data.writeLong(header.expiredCount());
        data.writeLong(header.digest());
        data.writeInt(entries.size());
        try
        {
            entries.forEach((key, entry) -> writeEntry(data, key, entry));
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
        writeSessions(data, feed.subscribers());
        writeSessions(data, feed.lost());
        data.writeInt((int)crc.getValue());
        data.flush();
    }

    /**
     * Read a state into a store and a feed, replacing all they held; the caller takes the counters from the header. On
     * failure they hold part of the snapshot: the caller empties them.
     *
     * @param in    the bytes {@link #write} wrote (this version or version 1); not closed.
     * @param store to load.
     * @param feed  to load (no subscribers from a version 1 snapshot).
     * @return the header read.
     * @throws IOException when the stream fails, ends early, or is not a consistent KV snapshot of this version.
     */
    static Header read(final InputStream in, final KvStore store, final KvFeed feed) throws IOException
    {
        final CRC32C crc = new CRC32C();
        final DataInputStream data = new DataInputStream(new CheckedInputStream(in, crc));
        int entriesRead = 0;
        try
        {
            final int magic = data.readInt();
            if (MAGIC != magic)
            {
                throw new IOException(String.format(
                    "not a KV snapshot: it begins with 0x%08x, a KV snapshot with 0x%08x", magic, MAGIC));
            }
            final int version = data.readInt();
            if (VERSION != version && VERSION_WITHOUT_FEED != version)
            {
                throw new IOException("KV snapshot version " + version + " is not supported: this build reads " +
                    "versions " + VERSION_WITHOUT_FEED + " and " + VERSION);
            }
            final Header header = new Header(
                data.readLong(), data.readLong(), data.readLong(), data.readLong(), data.readLong(), data.readLong());
            final int entryCount = data.readInt();
            if (entryCount < 0)
            {
                throw new IOException("corrupt KV snapshot: entry count " + entryCount);
            }

            store.reset(header.nowNs(), header.expiredCount());
            for (; entriesRead < entryCount; entriesRead++)
            {
                readEntry(data, store, entriesRead);
            }
            feed.restore(VERSION_WITHOUT_FEED == version ?
                KvFeed.State.EMPTY : new KvFeed.State(readSessions(data, "subscribers"), readSessions(data, "lost")));

            final int expectedCrc = (int)crc.getValue();
            final int writtenCrc = data.readInt();
            if (expectedCrc != writtenCrc)
            {
                throw new IOException(String.format(
                    "corrupt KV snapshot: CRC-32C of the bytes read is %08x, the snapshot says %08x",
                    expectedCrc, writtenCrc));
            }
            if (store.digest() != header.digest())
            {
                throw new IOException(String.format(
                    "inconsistent KV snapshot: the digest of its %d entries is %016x, the snapshot says %016x",
                    entryCount, store.digest(), header.digest()));
            }
            return header;
        }
        catch (final EOFException ex)
        {
            throw new IOException("KV snapshot is truncated: the stream ended after " + entriesRead + " entries", ex);
        }
    }

    private static void writeSessions(final DataOutputStream data, final long[] sessionIds) throws IOException
    {
        data.writeInt(sessionIds.length);
        for (final long sessionId : sessionIds)
        {
            data.writeLong(sessionId);
        }
    }

    private static long[] readSessions(final DataInputStream data, final String what) throws IOException
    {
        final int count = data.readInt();
        if (count < 0 || count > MAX_FEED_SESSIONS)
        {
            throw new IOException("corrupt KV snapshot: " + count + " feed " + what);
        }
        final long[] sessionIds = new long[count];
        for (int i = 0; i < count; i++)
        {
            sessionIds[i] = data.readLong();
        }
        return sessionIds;
    }

    private static void writeEntry(final DataOutputStream data, final String key, final KvStore.Entry entry)
    {
        try
        {
            final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            data.writeShort(keyBytes.length);
            data.write(keyBytes);
            data.writeLong(entry.deadlineNs);
            data.writeInt(entry.value.length);
            data.write(entry.value);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void readEntry(final DataInputStream data, final KvStore store, final int ordinal)
        throws IOException
    {
        final int keyLength = data.readUnsignedShort();
        if (keyLength > MAX_KEY_BYTES)
        {
            throw new IOException("corrupt KV snapshot: entry " + ordinal + " has a key of " + keyLength +
                " bytes, at most " + MAX_KEY_BYTES);
        }
        final byte[] keyBytes = new byte[keyLength];
        data.readFully(keyBytes);
        final String key = new String(keyBytes, StandardCharsets.UTF_8);
        final long deadlineNs = data.readLong();
        final int valueLength = data.readInt();
        if (valueLength < 0 || valueLength > MAX_VALUE_BYTES)
        {
            throw new IOException("corrupt KV snapshot: entry " + ordinal + " has a value of " + valueLength +
                " bytes");
        }
        final byte[] value = new byte[valueLength];
        data.readFully(value);
        if (!store.restore(key, value, deadlineNs))
        {
            throw new IOException("corrupt KV snapshot: key \"" + key + "\" appears twice");
        }
    }
}
