package io.flotilla.codecs;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The payload of a {@link EntryType#CONFIG} log entry: a cluster configuration in a fixed layout of bytes.
 * <pre>
 *   0  voterCount    uint8  1..{@link #MAX_MEMBERS}
 *   1  outgoingCount uint8  0..{@link #MAX_MEMBERS} (0 unless the configuration is joint)
 *   2  learnerCount  uint8  0..{@link #MAX_MEMBERS}
 *   3  the voters' ids, then the outgoing voters', then the learners': one uint8 each, 0..{@link #MAX_MEMBER_ID}
 * </pre>
 * Each list is strictly ascending; no learner is a voter or an outgoing voter (a voter may be in both voter lists);
 * the payload ends after the last id. Static, allocation-free accessors, valid only on a payload that
 * {@link #isValid} accepted.
 */
public final class ConfigPayload
{
    /** The highest member id a configuration may name. */
    public static final int MAX_MEMBER_ID = 127;
    /** The most members one list may hold. */
    public static final int MAX_MEMBERS = MAX_MEMBER_ID + 1;
    /** Bytes before the ids. */
    public static final int HEADER_LENGTH = 3;

    /** The voters of the configuration (the incoming ones while joint). */
    public static final int VOTERS = 0;
    /** The voters of the configuration being left while joint. */
    public static final int OUTGOING = 1;
    /** The non-voting members. */
    public static final int LEARNERS = 2;

    private ConfigPayload()
    {
    }

    /**
     * @return the payload length for lists of these sizes.
     */
    public static int length(final int voters, final int outgoing, final int learners)
    {
        return HEADER_LENGTH + voters + outgoing + learners;
    }

    /**
     * @param list {@link #VOTERS}, {@link #OUTGOING} or {@link #LEARNERS}.
     * @return how many ids the list holds.
     */
    public static int count(final DirectBuffer buffer, final int offset, final int list)
    {
        return buffer.getByte(offset + list) & 0xFF;
    }

    /**
     * @param list {@link #VOTERS}, {@link #OUTGOING} or {@link #LEARNERS}.
     * @param i    position in the list.
     * @return the member id.
     */
    public static int id(final DirectBuffer buffer, final int offset, final int list, final int i)
    {
        int position = offset + HEADER_LENGTH + i;
        for (int before = 0; before < list; before++)
        {
            position += count(buffer, offset, before);
        }
        return buffer.getByte(position) & 0xFF;
    }

    /**
     * Encode three lists, each already ascending and within bounds.
     *
     * @return the payload length.
     */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final int[] voters, final int[] outgoing,
        final int[] learners)
    {
        buffer.putByte(offset + VOTERS, (byte)voters.length);
        buffer.putByte(offset + OUTGOING, (byte)outgoing.length);
        buffer.putByte(offset + LEARNERS, (byte)learners.length);
        int position = offset + HEADER_LENGTH;
        for (final int[] list : new int[][]{ voters, outgoing, learners })
        {
            for (final int id : list)
            {
                buffer.putByte(position++, (byte)id);
            }
        }
        return position - offset;
    }

    /**
     * @return whether the bytes are a configuration in this layout (untrusted input: any bytes may be passed).
     */
    public static boolean isValid(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return false;
        }
        final int voters = count(buffer, offset, VOTERS);
        final int outgoing = count(buffer, offset, OUTGOING);
        final int learners = count(buffer, offset, LEARNERS);
        if (voters < 1 || voters > MAX_MEMBERS || outgoing > MAX_MEMBERS || learners > MAX_MEMBERS ||
            length != length(voters, outgoing, learners))
        {
            return false;
        }

        // The voting ids seen, one bit each (ids 0..127 in two words), so that a learner that votes is caught.
        long votingLow = 0;
        long votingHigh = 0;
        int position = offset + HEADER_LENGTH;
        for (int list = VOTERS; list <= LEARNERS; list++)
        {
            int previous = -1;
            for (int i = 0, n = count(buffer, offset, list); i < n; i++)
            {
                final int id = buffer.getByte(position++) & 0xFF;
                if (id > MAX_MEMBER_ID || id <= previous)
                {
                    return false;
                }
                final long bit = 1L << (id & 63);
                if (LEARNERS == list)
                {
                    if (0 != ((id < 64 ? votingLow : votingHigh) & bit))
                    {
                        return false;
                    }
                }
                else if (id < 64)
                {
                    votingLow |= bit;
                }
                else
                {
                    votingHigh |= bit;
                }
                previous = id;
            }
        }
        return true;
    }
}
