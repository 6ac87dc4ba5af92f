package io.flotilla.engine.sim;

import io.flotilla.engine.node.TimerTable;
import io.flotilla.engine.raft.Configuration;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * A snapshot of a simulated state machine, as the runtime would store and send it: the state after entries
 * 1..{@link #index} (whose last entry has {@link #term}), serialised to bytes with a CRC-32 over them. The state
 * machine is a running hash of the applied entries ({@link #nextState}) and a timer table (the runtime's
 * {@link TimerTable}, written as the runtime writes it into its snapshots, with the cluster time reached), with the
 * cluster configuration in effect at its index (the last CONFIG entry applied, in its log form), and its
 * bytes carry filler derived from that hash (a state of some size), so two nodes that applied the same prefix produce
 * byte-identical snapshots: a transfer interrupted by a leader change can resume from another leader's copy.
 */
final class SimSnapshot
{
    private static final int HEADER_LENGTH = 4 * Long.BYTES + 2 * Integer.BYTES;
    private static final int MIN_FILLER = 128;
    private static final int FILLER_SPREAD = 768;

    final long index;
    final long term;
    final long state;
    final long clusterTimeNs;
    final Configuration configuration;
    final byte[] bytes;
    final int checksum;
    private final byte[] timers;

    private SimSnapshot(
        final long index,
        final long term,
        final long state,
        final long clusterTimeNs,
        final byte[] timers,
        final Configuration configuration,
        final byte[] bytes,
        final int checksum)
    {
        this.index = index;
        this.term = term;
        this.state = state;
        this.clusterTimeNs = clusterTimeNs;
        this.configuration = configuration;
        this.timers = timers;
        this.bytes = bytes;
        this.checksum = checksum;
    }

    /**
     * @return the snapshot of a state machine in {@code state} with these timers, after applying up to
     * {@code index} of {@code term}, whose highest timestamp is {@code clusterTimeNs}.
     */
    static SimSnapshot of(
        final long index, final long term, final long state, final long clusterTimeNs, final TimerTable timerTable,
        final Configuration configuration)
    {
        final byte[] timers = write(timerTable);
        final byte[] config = new byte[configuration.encodedLength()];
        configuration.encode(new UnsafeBuffer(config), 0);
        final int filled = HEADER_LENGTH + timers.length + config.length;
        final byte[] bytes = new byte[filled + MIN_FILLER + (int)Long.remainderUnsigned(state, FILLER_SPREAD)];
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        buffer.putLong(index).putLong(term).putLong(state).putLong(clusterTimeNs).putInt(timers.length).put(timers)
            .putInt(config.length).put(config);
        final SplittableRandom filler = new SplittableRandom(state);
        for (int i = filled; i < bytes.length; i++)
        {
            bytes[i] = (byte)filler.nextInt();
        }

        return new SimSnapshot(
            index, term, state, clusterTimeNs, timers, configuration, bytes, crc(bytes, 0, bytes.length));
    }

    /**
     * Load received bytes whose checksum was verified.
     */
    static SimSnapshot decode(final byte[] bytes, final int checksum)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final long index = buffer.getLong();
        final long term = buffer.getLong();
        final long state = buffer.getLong();
        final long clusterTimeNs = buffer.getLong();
        final byte[] timers = new byte[buffer.getInt()];
        buffer.get(timers);
        final int configLength = buffer.getInt();
        final Configuration configuration = Configuration.decode(
            new UnsafeBuffer(bytes), buffer.position(), configLength);
        return new SimSnapshot(index, term, state, clusterTimeNs, timers, configuration, bytes, checksum);
    }

    /**
     * Replace a node's timers with the snapshot's.
     */
    void loadTimers(final TimerTable timerTable)
    {
        try
        {
            timerTable.loadFrom(new DataInputStream(new ByteArrayInputStream(timers)));
        }
        catch (final IOException ex)
        {
            throw new SimulationFailure("node cannot load the timers of " + this + ": " + ex);
        }
    }

    private static byte[] write(final TimerTable timerTable)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try
        {
            final DataOutputStream out = new DataOutputStream(bytes);
            timerTable.writeTo(out);
            out.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    /**
     * The state machine's transition: the state after applying the entry at {@code index} with this frame checksum.
     */
    static long nextState(final long state, final long index, final int entryChecksum)
    {
        long h = (state ^ (entryChecksum & 0xFFFF_FFFFL)) + index * 0x9E37_79B9_7F4A_7C15L;
        h = (h ^ (h >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        return h ^ (h >>> 31);
    }

    static int crc(final byte[] bytes, final int offset, final int length)
    {
        final CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int)crc.getValue();
    }

    /**
     * @return whether chunks announcing this identity belong to this snapshot.
     */
    boolean is(final long index, final long term, final long length, final long checksum)
    {
        return this.index == index && this.term == term && bytes.length == length && this.checksum == checksum;
    }

    public String toString()
    {
        return "snapshot " + index + "/t" + term + " (" + bytes.length + " bytes, " + configuration + ")";
    }
}
