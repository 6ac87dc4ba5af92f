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
 *      then, optionally, the endpoint directory (where each member is reached):
 *   .  endpointCount uint8  0..{@link #MAX_MEMBERS}
 *   .  per endpoint: id uint8, length uint8 1..{@link #MAX_ENDPOINT_LENGTH}, that many printable ASCII bytes
 *      ({@code host:consensusPort:ingressPort}, which the runtime parses)
 * </pre>
 * Each list is strictly ascending; no learner is a voter or an outgoing voter (a voter may be in both voter lists);
 * the directory names members of the configuration only, in ascending id order, and the payload ends after it (or
 * after the last id when it is absent: entries written before it existed). Static, allocation-free accessors, valid
 * only on a payload that {@link #isValid} accepted.
 */
public final class ConfigPayload
{
    /** The highest member id a configuration may name. */
    public static final int MAX_MEMBER_ID = 127;
    /** The most members one list may hold. */
    public static final int MAX_MEMBERS = MAX_MEMBER_ID + 1;
    /** Bytes before the ids. */
    public static final int HEADER_LENGTH = 3;
    /** The longest endpoint a directory entry may hold. */
    public static final int MAX_ENDPOINT_LENGTH = 200;

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
        return encode(buffer, offset, voters, outgoing, learners, new int[0], new String[0]);
    }

    /**
     * @return the payload length for lists of these sizes and a directory of these endpoints.
     */
    public static int length(final int voters, final int outgoing, final int learners, final String[] endpoints)
    {
        int length = length(voters, outgoing, learners);
        if (endpoints.length > 0)
        {
            length++;
            for (final String endpoint : endpoints)
            {
                length += 2 + endpoint.length();
            }
        }
        return length;
    }

    /**
     * Write a configuration with its endpoint directory (omitted when empty).
     *
     * @param endpointIds ascending ids of members of the configuration.
     * @param endpoints   their endpoints, printable ASCII, 1..{@link #MAX_ENDPOINT_LENGTH} long.
     * @return the payload length.
     */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final int[] voters, final int[] outgoing,
        final int[] learners, final int[] endpointIds, final String[] endpoints)
    {
        int position = offset + encodeIds(buffer, offset, voters, outgoing, learners);
        if (endpointIds.length > 0)
        {
            buffer.putByte(position++, (byte)endpointIds.length);
            for (int i = 0; i < endpointIds.length; i++)
            {
                buffer.putByte(position++, (byte)endpointIds[i]);
                buffer.putByte(position++, (byte)endpoints[i].length());
                position += buffer.putStringWithoutLengthAscii(position, endpoints[i]);
            }
        }
        return position - offset;
    }

    /**
     * @param length of the valid payload.
     * @return how many endpoints its directory holds (0 when it has none).
     */
    public static int endpointCount(final DirectBuffer buffer, final int offset, final int length)
    {
        final int directory = directoryOffset(buffer, offset);
        return directory < offset + length ? buffer.getByte(directory) & 0xFF : 0;
    }

    /**
     * @param i position in the directory, 0..{@link #endpointCount} - 1.
     * @return the member id of the directory's {@code i}-th endpoint.
     */
    public static int endpointId(final DirectBuffer buffer, final int offset, final int i)
    {
        return buffer.getByte(endpointPosition(buffer, offset, i)) & 0xFF;
    }

    /**
     * @param i position in the directory, 0..{@link #endpointCount} - 1.
     * @return the directory's {@code i}-th endpoint (allocates: read on a configuration change, never per entry).
     */
    public static String endpoint(final DirectBuffer buffer, final int offset, final int i)
    {
        final int position = endpointPosition(buffer, offset, i);
        return buffer.getStringWithoutLengthAscii(position + 2, buffer.getByte(position + 1) & 0xFF);
    }

    private static int directoryOffset(final DirectBuffer buffer, final int offset)
    {
        return offset + length(count(buffer, offset, VOTERS), count(buffer, offset, OUTGOING),
            count(buffer, offset, LEARNERS));
    }

    private static int endpointPosition(final DirectBuffer buffer, final int offset, final int i)
    {
        int position = directoryOffset(buffer, offset) + 1;
        for (int before = 0; before < i; before++)
        {
            position += 2 + (buffer.getByte(position + 1) & 0xFF);
        }
        return position;
    }

    private static int encodeIds(
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
        final int idsLength = length(voters, outgoing, learners);
        if (voters < 1 || voters > MAX_MEMBERS || outgoing > MAX_MEMBERS || learners > MAX_MEMBERS ||
            length < idsLength)
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
        return length == idsLength || isValidDirectory(buffer, offset + idsLength, offset + length, offset);
    }

    private static boolean isValidDirectory(
        final DirectBuffer buffer, final int directory, final int end, final int offset)
    {
        final int count = buffer.getByte(directory) & 0xFF;
        int position = directory + 1;
        int previous = -1;
        for (int i = 0; i < count; i++)
        {
            if (position + 2 > end)
            {
                return false;
            }
            final int id = buffer.getByte(position) & 0xFF;
            final int endpointLength = buffer.getByte(position + 1) & 0xFF;
            position += 2;
            if (id <= previous || !isMember(buffer, offset, id) || endpointLength < 1 ||
                endpointLength > MAX_ENDPOINT_LENGTH || position + endpointLength > end)
            {
                return false;
            }
            for (int j = 0; j < endpointLength; j++)
            {
                final byte b = buffer.getByte(position + j);
                if (b < 0x21 || b > 0x7E)
                {
                    return false;
                }
            }
            position += endpointLength;
            previous = id;
        }
        return count > 0 && position == end;
    }

    private static boolean isMember(final DirectBuffer buffer, final int offset, final int id)
    {
        for (int list = VOTERS; list <= LEARNERS; list++)
        {
            for (int i = 0, n = count(buffer, offset, list); i < n; i++)
            {
                if (id(buffer, offset, list, i) == id)
                {
                    return true;
                }
            }
        }
        return false;
    }
}
