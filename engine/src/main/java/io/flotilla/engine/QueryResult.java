package io.flotilla.engine;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The outcome of an in-process query, handed to its {@link QueryCallback}. A reused view: valid only during the
 * callback.
 */
public final class QueryResult
{
    /** Returned by {@link #leaderMemberId()} when no leader is known. */
    public static final int NO_LEADER = -1;

    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private QueryStatus status;
    private long readIndex;
    private int leaderMemberId = NO_LEADER;
    private String leaderEndpoint = "";
    private DirectBuffer buffer = EMPTY;
    private int offset;
    private int length;

    /**
     * Fill the view (used by the runtime).
     *
     * @param status         of the query.
     * @param readIndex      the answer reflects every entry up to this index; 0 when not answered.
     * @param leaderMemberId the known leader, or {@link #NO_LEADER}.
     * @param leaderEndpoint the leader's ingress endpoint, or empty.
     * @param buffer         holding the answer, or null for none.
     * @param offset         of the answer.
     * @param length         of the answer.
     * @return this.
     */
    public QueryResult set(
        final QueryStatus status,
        final long readIndex,
        final int leaderMemberId,
        final String leaderEndpoint,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        this.status = status;
        this.readIndex = readIndex;
        this.leaderMemberId = leaderMemberId;
        this.leaderEndpoint = null == leaderEndpoint ? "" : leaderEndpoint;
        this.buffer = null == buffer ? EMPTY : buffer;
        this.offset = null == buffer ? 0 : offset;
        this.length = null == buffer ? 0 : length;
        return this;
    }

    public QueryStatus status()
    {
        return status;
    }

    /**
     * @return the applied index the answer was read at: it reflects every entry up to it; 0 when not answered.
     */
    public long readIndex()
    {
        return readIndex;
    }

    /**
     * @return the leader known when the query completed, or {@link #NO_LEADER}.
     */
    public int leaderMemberId()
    {
        return leaderMemberId;
    }

    /**
     * @return the known leader's ingress endpoint {@code host:port}, or empty.
     */
    public String leaderEndpoint()
    {
        return leaderEndpoint;
    }

    /**
     * @return the buffer holding the answer (OK or REJECTED).
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public int length()
    {
        return length;
    }

    /**
     * @return a detached copy, payload included, that stays valid after the callback (allocates).
     */
    public QueryResult copy()
    {
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        return new QueryResult().set(
            status, readIndex, leaderMemberId, leaderEndpoint, new UnsafeBuffer(payload), 0, length);
    }

    public String toString()
    {
        return "QueryResult{status=" + status + ", readIndex=" + readIndex + ", leaderMemberId=" + leaderMemberId +
            ", leaderEndpoint='" + leaderEndpoint + "', length=" + length + '}';
    }
}
