package io.flotilla.engine.node;

import io.flotilla.codecs.EntryFrame;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableRingBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The messages a state machine sent to one session that its client has not acknowledged yet
 * ({@code StateMachineContext.sendToSession}). Replicated: numbered 1, 2, 3... as they are applied, retained in order,
 * and forgotten only by an applied EGRESS_ACK entry, so every replica holds the same messages and a new leader can
 * send again what its predecessor may not have delivered. Bounded by {@link #WINDOW_BYTES}: the accounting is
 * deterministic (payload bytes plus {@link #RECORD_OVERHEAD} each), so every replica refuses the same message when
 * a client falls that far behind.
 * <p>
 * The leader also keeps, locally, how far it has sent on the current connection, what the client said it received,
 * and the highest acknowledgement it proposed.
 */
final class SessionEgress
{
    /** Bytes of unacknowledged messages a session may hold: payloads plus {@link #RECORD_OVERHEAD} each. */
    static final int WINDOW_BYTES = 1024 * 1024;

    /** What a retained message costs beyond its payload, in {@link #WINDOW_BYTES}. */
    static final int RECORD_OVERHEAD = 2 * Long.BYTES;

    private static final int SEQUENCE_OFFSET = 0;
    private static final int LOG_INDEX_OFFSET = Long.BYTES;
    private static final int INITIAL_CAPACITY = 4096;
    // Room for the window, the ring's own record headers and a padding record at the wrap.
    private static final int MAX_CAPACITY = BitUtil.findNextPositivePowerOfTwo(
        2 * (WINDOW_BYTES + EntryFrame.MAX_PAYLOAD_LENGTH));

    private final UnsafeBuffer record = new UnsafeBuffer(new byte[RECORD_OVERHEAD]);
    private final ExpandableRingBuffer.MessageConsumer trimmer = this::trim;
    private final ExpandableRingBuffer.MessageConsumer visitOne = this::visit;
    private long trimUpTo;
    private long visitAfter;
    private Visitor visitor;
    private int visited;
    private ExpandableRingBuffer ring;
    private long lastSequence;
    private long ackedSequence;
    private int retainedBytes;

    // Local to this node: not replicated.
    private long sentSequence;
    private long clientReceived;
    private long proposedAck;
    private long lastProgressNs;

    /**
     * @return the sequence of the last message sent to the session (0 before the first).
     */
    long lastSequence()
    {
        return lastSequence;
    }

    /**
     * @return every message up to this sequence was acknowledged by an applied EGRESS_ACK.
     */
    long ackedSequence()
    {
        return ackedSequence;
    }

    int retainedBytes()
    {
        return retainedBytes;
    }

    /**
     * @param length of a message's payload.
     * @return whether it fits the window now (the same answer on every replica).
     */
    boolean fits(final int length)
    {
        return (long)retainedBytes + RECORD_OVERHEAD + length <= WINDOW_BYTES;
    }

    /**
     * Retain the next message; the caller checked that it {@link #fits}.
     *
     * @return its sequence.
     */
    long append(final long logIndex, final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == ring)
        {
            ring = new ExpandableRingBuffer(INITIAL_CAPACITY, MAX_CAPACITY, false);
        }
        final long sequence = lastSequence + 1;
        final int recordLength = RECORD_OVERHEAD + length;
        // Written through a scratch record: ExpandableRingBuffer appends one contiguous message.
        final UnsafeBuffer scratch = scratch(recordLength);
        scratch.putLong(SEQUENCE_OFFSET, sequence);
        scratch.putLong(LOG_INDEX_OFFSET, logIndex);
        scratch.putBytes(RECORD_OVERHEAD, buffer, offset, length);
        if (!ring.append(scratch, 0, recordLength))
        {
            throw new IllegalStateException("session egress ring refused a message the window admits");
        }
        lastSequence = sequence;
        retainedBytes += recordLength;
        return sequence;
    }

    /**
     * Apply an EGRESS_ACK: forget the messages up to {@code sequence} (bounded by what was sent).
     */
    void acknowledge(final long sequence)
    {
        final long upTo = Math.min(sequence, lastSequence);
        if (upTo <= ackedSequence)
        {
            return;
        }
        trimUpTo = upTo;
        ring.consume(trimmer, Integer.MAX_VALUE);
        ackedSequence = upTo;
        proposedAck = Math.max(proposedAck, upTo);
        clientReceived = Math.max(clientReceived, upTo);
        sentSequence = Math.max(sentSequence, upTo);
    }

    /**
     * Visit the retained messages after {@code sequence}, in order, until the visitor returns false.
     *
     * @return how many were visited and accepted.
     */
    int forEachAfter(final long sequence, final Visitor visitor)
    {
        if (null == ring || sequence >= lastSequence)
        {
            return 0;
        }
        visitAfter = sequence;
        this.visitor = visitor;
        visited = 0;
        try
        {
            ring.forEach(visitOne, Integer.MAX_VALUE);
        }
        finally
        {
            this.visitor = null;
        }
        return visited;
    }

    private boolean trim(final MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        if (buffer.getLong(offset + SEQUENCE_OFFSET) > trimUpTo)
        {
            return false;
        }
        retainedBytes -= length;
        return true;
    }

    private boolean visit(final MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        final long messageSequence = buffer.getLong(offset + SEQUENCE_OFFSET);
        if (messageSequence <= visitAfter)
        {
            return true;
        }
        if (!visitor.onMessage(messageSequence, buffer.getLong(offset + LOG_INDEX_OFFSET), buffer,
            offset + RECORD_OVERHEAD, length - RECORD_OVERHEAD))
        {
            return false;
        }
        visited++;
        return true;
    }

    /**
     * The session closed: nothing more is delivered, so nothing is retained.
     */
    void clear()
    {
        ring = null;
        retainedBytes = 0;
        ackedSequence = lastSequence;
    }

    long sentSequence()
    {
        return sentSequence;
    }

    void sentSequence(final long sequence)
    {
        sentSequence = sequence;
    }

    long clientReceived()
    {
        return clientReceived;
    }

    /**
     * The client said it received everything up to {@code received}.
     *
     * @return whether that is news.
     */
    boolean clientReceived(final long received, final long nowNs)
    {
        if (received <= clientReceived)
        {
            return false;
        }
        clientReceived = received;
        lastProgressNs = nowNs;
        return true;
    }

    long proposedAck()
    {
        return proposedAck;
    }

    void proposedAck(final long sequence)
    {
        proposedAck = sequence;
    }

    long lastProgressNs()
    {
        return lastProgressNs;
    }

    void lastProgressNs(final long nowNs)
    {
        lastProgressNs = nowNs;
    }

    /**
     * This node became leader: it knows only what the log says was acknowledged, so it sends everything after that
     * again (the client drops what it already has) and proposes acknowledgements from there.
     */
    void onLeadershipAcquired(final long nowNs)
    {
        sentSequence = ackedSequence;
        clientReceived = ackedSequence;
        proposedAck = ackedSequence;
        lastProgressNs = nowNs;
    }

    /**
     * Write the replicated part for a snapshot: last sequence, acknowledged sequence, then each retained message.
     */
    void writeTo(final DataOutput out) throws IOException
    {
        out.writeLong(lastSequence);
        out.writeLong(ackedSequence);
        out.writeInt((int)(lastSequence - ackedSequence));
        final byte[][] copy = new byte[1][];
        forEachAfter(ackedSequence, (sequence, logIndex, buffer, offset, length) ->
        {
            try
            {
                out.writeLong(logIndex);
                out.writeInt(length);
                if (null == copy[0] || copy[0].length < length)
                {
                    copy[0] = new byte[length];
                }
                buffer.getBytes(offset, copy[0], 0, length);
                out.write(copy[0], 0, length);
                return true;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        });
    }

    /**
     * Read what {@link #writeTo} wrote into this (empty) egress.
     *
     * @throws IOException when the bytes are not a session's egress.
     */
    void readFrom(final DataInput in, final long sessionId) throws IOException
    {
        final long last = in.readLong();
        final long acked = in.readLong();
        final int count = in.readInt();
        if (last < 0 || acked < 0 || acked > last || count != last - acked)
        {
            throw new IOException("session " + sessionId + " has malformed egress: last " + last + ", acknowledged " +
                acked + ", " + count + " retained");
        }
        lastSequence = acked;
        ackedSequence = acked;
        sentSequence = acked;
        clientReceived = acked;
        proposedAck = acked;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[0]);
        for (int i = 0; i < count; i++)
        {
            final long logIndex = in.readLong();
            final int length = in.readInt();
            if (length < 0 || length > EntryFrame.MAX_PAYLOAD_LENGTH || !fits(length))
            {
                throw new IOException("session " + sessionId + " retains a message of " + length + " bytes");
            }
            final byte[] bytes = new byte[length];
            in.readFully(bytes);
            payload.wrap(bytes);
            append(logIndex, payload, 0, length);
        }
    }

    private UnsafeBuffer scratch(final int length)
    {
        if (record.capacity() < length)
        {
            record.wrap(new byte[BitUtil.findNextPositivePowerOfTwo(length)]);
        }
        return record;
    }

    /**
     * Sees one retained message.
     */
    @FunctionalInterface
    interface Visitor
    {
        /**
         * @return false to stop.
         */
        boolean onMessage(long sequence, long logIndex, MutableDirectBuffer buffer, int offset, int length);
    }
}
