package io.flotilla.engine.client;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The queries of a session that have no delivered outcome yet, held encoded (in {@link MessageSlots}) so a retry
 * sends the same bytes with the same query id. Ids start at 1 and grow by one per query; the ids from the oldest
 * open query to the next one span at most {@link #CAPACITY}. Queries are answered in any order, so each slot has
 * its own state: waiting to be sent (to a member, from a time), sent (to a member, until a deadline), or answered
 * with its outcome held until a query listener takes it. Allocation-free after construction, except that a held
 * answer's payload is copied into a buffer per slot that grows the first time it is needed.
 */
final class QueryWindow
{
    static final int CAPACITY = MessageSlots.CAPACITY;

    private static final byte FREE = 0;
    private static final byte WAITING = 1;
    private static final byte SENT = 2;
    private static final byte HELD = 3;

    private final MessageSlots slots;
    private final byte[] states = new byte[CAPACITY];
    private final int[] members = new int[CAPACITY];
    private final long[] sendAtNs = new long[CAPACITY];
    private final long[] memberDeadlineNs = new long[CAPACITY];
    private final long[] giveUpNs = new long[CAPACITY];
    private final Outcome[] heldOutcomes = new Outcome[CAPACITY];
    private final long[] heldReadIndexes = new long[CAPACITY];
    private final int[] heldLengths = new int[CAPACITY];
    private final ExpandableArrayBuffer[] heldPayloads = new ExpandableArrayBuffer[CAPACITY];
    private long nextQueryId = 1;
    private long oldest = 1;
    private int open;
    private int held;

    /**
     * @param maxEncodedLength largest encoded query (message header, fields and payload).
     */
    QueryWindow(final int maxEncodedLength)
    {
        slots = new MessageSlots(maxEncodedLength);
    }

    long nextQueryId()
    {
        return nextQueryId;
    }

    /**
     * @return the oldest id that may still be open or held; ids below it are done.
     */
    long oldest()
    {
        return oldest;
    }

    boolean isFull()
    {
        return nextQueryId - oldest >= CAPACITY;
    }

    /**
     * @return queries waiting or sent, not answered.
     */
    int open()
    {
        return open;
    }

    /**
     * @return answered queries whose outcome waits for a query listener.
     */
    int held()
    {
        return held;
    }

    /**
     * @return the buffer every slot lives in; write the next query at {@link #offset(long)} of
     * {@link #nextQueryId()}, then call {@link #add}.
     */
    MutableDirectBuffer buffer()
    {
        return slots.buffer();
    }

    int offset(final long queryId)
    {
        return slots.offset(queryId);
    }

    int length(final long queryId)
    {
        return slots.length(queryId);
    }

    /**
     * Take the query encoded in the slot of {@link #nextQueryId()}, to be sent to a member now.
     *
     * @return its id.
     */
    long add(final int encodedLength, final int member, final long nowNs, final long memberDeadlineNs, final long giveUpNs)
    {
        if (isFull())
        {
            throw new IllegalStateException("query window full");
        }
        final long queryId = nextQueryId++;
        final int slot = MessageSlots.slot(queryId);
        slots.length(queryId, encodedLength);
        this.giveUpNs[slot] = giveUpNs;
        open++;
        waitFor(queryId, member, nowNs, memberDeadlineNs);
        return queryId;
    }

    /**
     * @return whether the query waits for an answer (waiting to be sent or sent).
     */
    boolean isOpen(final long queryId)
    {
        if (queryId < oldest || queryId >= nextQueryId)
        {
            return false;
        }
        final byte state = states[MessageSlots.slot(queryId)];
        return WAITING == state || SENT == state;
    }

    boolean isWaiting(final long queryId)
    {
        return queryId >= oldest && queryId < nextQueryId && WAITING == states[MessageSlots.slot(queryId)];
    }

    boolean isHeld(final long queryId)
    {
        return queryId >= oldest && queryId < nextQueryId && HELD == states[MessageSlots.slot(queryId)];
    }

    int member(final long queryId)
    {
        return members[MessageSlots.slot(queryId)];
    }

    long sendAtNs(final long queryId)
    {
        return sendAtNs[MessageSlots.slot(queryId)];
    }

    /**
     * @return when the member the query is for counts as silent if it has not answered.
     */
    long memberDeadlineNs(final long queryId)
    {
        return memberDeadlineNs[MessageSlots.slot(queryId)];
    }

    /**
     * @return when the query ends with NO_LEADER if it has not been answered.
     */
    long giveUpNs(final long queryId)
    {
        return giveUpNs[MessageSlots.slot(queryId)];
    }

    /**
     * The open query is to be sent (again) to a member, from a time on.
     */
    void waitFor(final long queryId, final int member, final long sendAtNs, final long memberDeadlineNs)
    {
        final int slot = MessageSlots.slot(queryId);
        states[slot] = WAITING;
        members[slot] = member;
        this.sendAtNs[slot] = sendAtNs;
        this.memberDeadlineNs[slot] = memberDeadlineNs;
    }

    /**
     * The query was handed to the publication of its member, which has until the deadline to answer.
     */
    void sent(final long queryId, final long memberDeadlineNs)
    {
        final int slot = MessageSlots.slot(queryId);
        states[slot] = SENT;
        this.memberDeadlineNs[slot] = memberDeadlineNs;
    }

    /**
     * Keep an open query's outcome until a query listener takes it.
     */
    void hold(
        final long queryId,
        final Outcome outcome,
        final long readIndex,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final int slot = MessageSlots.slot(queryId);
        if (null == heldPayloads[slot])
        {
            heldPayloads[slot] = new ExpandableArrayBuffer(Math.max(length, 64));
        }
        heldPayloads[slot].putBytes(0, buffer, offset, length);
        heldLengths[slot] = length;
        heldOutcomes[slot] = outcome;
        heldReadIndexes[slot] = readIndex;
        states[slot] = HELD;
        open--;
        held++;
    }

    Outcome heldOutcome(final long queryId)
    {
        return heldOutcomes[MessageSlots.slot(queryId)];
    }

    long heldReadIndex(final long queryId)
    {
        return heldReadIndexes[MessageSlots.slot(queryId)];
    }

    DirectBuffer heldPayload(final long queryId)
    {
        return heldPayloads[MessageSlots.slot(queryId)];
    }

    int heldLength(final long queryId)
    {
        return heldLengths[MessageSlots.slot(queryId)];
    }

    /**
     * The query is done (its outcome delivered, or abandoned): free its slot.
     */
    void release(final long queryId)
    {
        final int slot = MessageSlots.slot(queryId);
        if (HELD == states[slot])
        {
            held--;
        }
        else
        {
            open--;
        }
        states[slot] = FREE;
        while (oldest < nextQueryId && FREE == states[MessageSlots.slot(oldest)])
        {
            oldest++;
        }
    }
}
