package io.flotilla.engine.client;

import org.agrona.MutableDirectBuffer;

/**
 * The requests of a session that are not answered yet, held encoded so they can be sent again unchanged (same
 * sequence) after a leader change. Sequences start at 1 and grow by one per request; at most {@link #CAPACITY}
 * are outstanding. Three cursors: {@code firstUnanswered <= nextToSend <= nextSequence}. The encoded requests live
 * in {@link MessageSlots}. Allocation-free after construction.
 */
final class RequestWindow
{
    /** Most requests a session may have outstanding (docs/client.md). */
    static final int CAPACITY = MessageSlots.CAPACITY;

    private final MessageSlots slots;
    private final boolean[] answered = new boolean[CAPACITY];
    private long nextSequence = 1;
    private long firstUnanswered = 1;
    private long nextToSend = 1;

    /**
     * @param maxEncodedLength largest encoded request (message header, fields and payload).
     */
    RequestWindow(final int maxEncodedLength)
    {
        slots = new MessageSlots(maxEncodedLength);
    }

    int slotCapacity()
    {
        return slots.slotCapacity();
    }

    /**
     * @return the sequence the next request will get.
     */
    long nextSequence()
    {
        return nextSequence;
    }

    long firstUnanswered()
    {
        return firstUnanswered;
    }

    long nextToSend()
    {
        return nextToSend;
    }

    int outstanding()
    {
        return (int)(nextSequence - firstUnanswered);
    }

    boolean isFull()
    {
        return outstanding() >= CAPACITY;
    }

    boolean hasUnsent()
    {
        return nextToSend < nextSequence;
    }

    /**
     * @return the buffer every slot lives in; write the next request at {@link #offset(long)} of
     * {@link #nextSequence()}, then call {@link #add(int)}.
     */
    MutableDirectBuffer buffer()
    {
        return slots.buffer();
    }

    int offset(final long sequence)
    {
        return slots.offset(sequence);
    }

    int length(final long sequence)
    {
        return slots.length(sequence);
    }

    /**
     * Take the request encoded in the slot of {@link #nextSequence()} into the window.
     *
     * @param encodedLength of the encoded request.
     * @return its sequence.
     */
    long add(final int encodedLength)
    {
        if (isFull())
        {
            throw new IllegalStateException("window full");
        }
        final long sequence = nextSequence++;
        slots.length(sequence, encodedLength);
        answered[MessageSlots.slot(sequence)] = false;
        return sequence;
    }

    boolean isUnanswered(final long sequence)
    {
        return sequence >= firstUnanswered && sequence < nextSequence && !answered[MessageSlots.slot(sequence)];
    }

    /**
     * Record the answer to a request.
     *
     * @param sequence answered.
     * @return false when it was not outstanding (a duplicate or stale answer).
     */
    boolean markAnswered(final long sequence)
    {
        if (!isUnanswered(sequence))
        {
            return false;
        }

        answered[MessageSlots.slot(sequence)] = true;
        while (firstUnanswered < nextSequence && answered[MessageSlots.slot(firstUnanswered)])
        {
            firstUnanswered++;
        }
        skipAnswered();
        return true;
    }

    /**
     * The next request was handed to the publication.
     */
    void sent()
    {
        nextToSend++;
        skipAnswered();
    }

    /**
     * Send every unanswered request again, in order, from the oldest.
     */
    void rewind()
    {
        nextToSend = firstUnanswered;
        skipAnswered();
    }

    /**
     * Forget every outstanding request (they were failed); sequences continue where they were.
     */
    void clear()
    {
        firstUnanswered = nextSequence;
        nextToSend = nextSequence;
    }

    private void skipAnswered()
    {
        if (nextToSend < firstUnanswered)
        {
            nextToSend = firstUnanswered;
        }
        while (nextToSend < nextSequence && answered[MessageSlots.slot(nextToSend)])
        {
            nextToSend++;
        }
    }
}
