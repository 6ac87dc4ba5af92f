package io.flotilla.engine.sim;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * A snapshot of a simulated state machine, as the runtime would store and send it: the state after entries
 * 1..{@link #index} (whose last entry has {@link #term}), serialised to bytes with a CRC-32 over them. The state
 * machine is a running hash of the applied entries ({@link #nextState}), and its bytes carry filler derived from
 * that hash (a state of some size), so two nodes that applied the same prefix produce byte-identical snapshots: a
 * transfer interrupted by a leader change can resume from another leader's copy.
 */
final class SimSnapshot
{
    private static final int HEADER_LENGTH = 3 * Long.BYTES;
    private static final int MIN_FILLER = 128;
    private static final int FILLER_SPREAD = 768;

    final long index;
    final long term;
    final long state;
    final byte[] bytes;
    final int checksum;

    private SimSnapshot(final long index, final long term, final long state, final byte[] bytes, final int checksum)
    {
        this.index = index;
        this.term = term;
        this.state = state;
        this.bytes = bytes;
        this.checksum = checksum;
    }

    /**
     * @return the snapshot of a state machine in {@code state} after applying up to {@code index} of {@code term}.
     */
    static SimSnapshot of(final long index, final long term, final long state)
    {
        final byte[] bytes = new byte[HEADER_LENGTH + MIN_FILLER + (int)Long.remainderUnsigned(state, FILLER_SPREAD)];
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        buffer.putLong(index).putLong(term).putLong(state);
        final SplittableRandom filler = new SplittableRandom(state);
        for (int i = HEADER_LENGTH; i < bytes.length; i++)
        {
            bytes[i] = (byte)filler.nextInt();
        }

        return new SimSnapshot(index, term, state, bytes, crc(bytes, 0, bytes.length));
    }

    /**
     * Load received bytes whose checksum was verified.
     */
    static SimSnapshot decode(final byte[] bytes, final int checksum)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new SimSnapshot(buffer.getLong(), buffer.getLong(), buffer.getLong(), bytes, checksum);
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
        return "snapshot " + index + "/t" + term + " (" + bytes.length + " bytes)";
    }
}
