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
 *   int    version          1
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
 *   int    crc32c           CRC-32C of every byte before it
 * </pre>
 * The two checks have different jobs: the CRC says the bytes are the ones written; the digest, recomputed from the
 * entries read and compared with the one the store maintained when the snapshot was taken, says the entries are
 * exactly that state (a view that saw a later write, or lost an entry, fails here). Timer ids are not written: a
 * loaded store schedules its own timers for the same deadlines.
 */
final class KvSnapshot
{
    static final int MAGIC = 0x464B5653;
    static final int VERSION = 1;

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
     * @throws IOException when writing fails.
     */
    static void write(
        final OutputStream out, final Header header, final Object2ObjectHashMap<String, KvStore.Entry> entries)
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
        data.writeInt((int)crc.getValue());
        data.flush();
    }

    /**
     * Read a state into a store, replacing all it held; the caller takes the counters from the header. On failure
     * the store holds part of the snapshot: the caller empties it.
     *
     * @param in    the bytes {@link #write} wrote; not closed.
     * @param store to load.
     * @return the header read.
     * @throws IOException when the stream fails, ends early, or is not a consistent KV snapshot of this version.
     */
    static Header read(final InputStream in, final KvStore store) throws IOException
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
            if (VERSION != version)
            {
                throw new IOException("KV snapshot version " + version + " is not supported: this build reads " +
                    "version " + VERSION);
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
