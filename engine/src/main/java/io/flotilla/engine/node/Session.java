package io.flotilla.engine.node;

import io.flotilla.codecs.ResponseStatus;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A client session. Its replicated part (response channel, last applied sequence, the ring of recent responses,
 * open or closed) is derived only from applied log entries, so it is the same on every replica; the leader also
 * tracks, locally, when the client was last heard from.
 */
public final class Session
{
    /** Responses kept per session for retried requests. */
    public static final int RESPONSE_CACHE_SIZE = 64;

    private static final int MASK = RESPONSE_CACHE_SIZE - 1;

    private final long id;
    private final String responseChannel;
    private final int responseStreamId;
    private final long[] cachedSequences = new long[RESPONSE_CACHE_SIZE];
    private final long[] cachedLogIndices = new long[RESPONSE_CACHE_SIZE];
    private final ResponseStatus[] cachedStatuses = new ResponseStatus[RESPONSE_CACHE_SIZE];
    private final int[] cachedLengths = new int[RESPONSE_CACHE_SIZE];
    private final ExpandableArrayBuffer[] cachedPayloads = new ExpandableArrayBuffer[RESPONSE_CACHE_SIZE];
    private long lastAppliedSequence;
    private boolean closed;

    // Local to this node: not replicated.
    private ResponseChannels.Channel channel;
    private long lastActivityNs;
    private boolean closeProposed;

    Session(final long id, final String responseChannel, final int responseStreamId)
    {
        this.id = id;
        this.responseChannel = responseChannel;
        this.responseStreamId = responseStreamId;
    }

    public long id()
    {
        return id;
    }

    public String responseChannel()
    {
        return responseChannel;
    }

    public int responseStreamId()
    {
        return responseStreamId;
    }

    public long lastAppliedSequence()
    {
        return lastAppliedSequence;
    }

    public boolean isClosed()
    {
        return closed;
    }

    void close()
    {
        closed = true;
    }

    /**
     * Record the response of the command with the next sequence.
     */
    void cacheResponse(
        final long sequence,
        final long logIndex,
        final ResponseStatus status,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        final int slot = (int)(sequence & MASK);
        cachedSequences[slot] = sequence;
        cachedLogIndices[slot] = logIndex;
        cachedStatuses[slot] = status;
        cachedLengths[slot] = length;
        if (null == cachedPayloads[slot])
        {
            cachedPayloads[slot] = new ExpandableArrayBuffer(Math.max(64, length));
        }
        cachedPayloads[slot].putBytes(0, payload, offset, length);
        lastAppliedSequence = sequence;
    }

    /**
     * @param sequence of an applied request.
     * @return whether its response is still in the ring.
     */
    boolean isCached(final long sequence)
    {
        return sequence > 0 && sequence <= lastAppliedSequence && cachedSequences[(int)(sequence & MASK)] == sequence;
    }

    long cachedLogIndex(final long sequence)
    {
        return cachedLogIndices[(int)(sequence & MASK)];
    }

    ResponseStatus cachedStatus(final long sequence)
    {
        return cachedStatuses[(int)(sequence & MASK)];
    }

    MutableDirectBuffer cachedPayload(final long sequence)
    {
        return cachedPayloads[(int)(sequence & MASK)];
    }

    int cachedLength(final long sequence)
    {
        return cachedLengths[(int)(sequence & MASK)];
    }

    ResponseChannels.Channel channel()
    {
        return channel;
    }

    void channel(final ResponseChannels.Channel channel)
    {
        this.channel = channel;
    }

    long lastActivityNs()
    {
        return lastActivityNs;
    }

    void lastActivityNs(final long nowNs)
    {
        lastActivityNs = nowNs;
    }

    boolean isCloseProposed()
    {
        return closeProposed;
    }

    void closeProposed(final boolean closeProposed)
    {
        this.closeProposed = closeProposed;
    }

    public String toString()
    {
        return "Session{id=" + id + ", channel=" + responseChannel + ", streamId=" + responseStreamId +
            ", lastAppliedSequence=" + lastAppliedSequence + ", closed=" + closed + '}';
    }
}
