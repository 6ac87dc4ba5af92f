package io.flotilla.engine;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The outcome of an in-process proposal, handed to its {@link ProposalCallback}. A reused view: valid only during
 * the callback.
 */
public final class ProposalResult
{
    /** Returned by {@link #leaderMemberId()} when no leader is known. */
    public static final int NO_LEADER = -1;

    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private ProposalStatus status;
    private long logIndex;
    private int leaderMemberId = NO_LEADER;
    private String leaderEndpoint = "";
    private DirectBuffer buffer = EMPTY;
    private int offset;
    private int length;

    /**
     * Fill the view (used by the runtime).
     *
     * @param status         of the proposal.
     * @param logIndex       of its entry, or 0 when it has none.
     * @param leaderMemberId the known leader, or {@link #NO_LEADER}.
     * @param leaderEndpoint the leader's ingress endpoint, or empty.
     * @param buffer         holding the response payload, or null for none.
     * @param offset         of the payload.
     * @param length         of the payload.
     * @return this.
     */
    public ProposalResult set(
        final ProposalStatus status,
        final long logIndex,
        final int leaderMemberId,
        final String leaderEndpoint,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        this.status = status;
        this.logIndex = logIndex;
        this.leaderMemberId = leaderMemberId;
        this.leaderEndpoint = null == leaderEndpoint ? "" : leaderEndpoint;
        this.buffer = null == buffer ? EMPTY : buffer;
        this.offset = null == buffer ? 0 : offset;
        this.length = null == buffer ? 0 : length;
        return this;
    }

    public ProposalStatus status()
    {
        return status;
    }

    /**
     * @return log index of the proposal's entry; 0 when it never got one.
     */
    public long logIndex()
    {
        return logIndex;
    }

    /**
     * @return the leader known when the proposal completed, or {@link #NO_LEADER}.
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
     * @return the buffer holding the response payload (OK or REJECTED).
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
    public ProposalResult copy()
    {
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        return new ProposalResult().set(
            status, logIndex, leaderMemberId, leaderEndpoint, new UnsafeBuffer(payload), 0, length);
    }

    public String toString()
    {
        return "ProposalResult{status=" + status + ", logIndex=" + logIndex + ", leaderMemberId=" + leaderMemberId +
            ", leaderEndpoint='" + leaderEndpoint + "', length=" + length + '}';
    }
}
