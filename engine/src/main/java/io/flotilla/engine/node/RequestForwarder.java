package io.flotilla.engine.node;

import io.flotilla.codecs.ResponseStatus;
import io.flotilla.engine.raft.RaftNode;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * On a follower that forwards ({@code forwardRequests}): sends a client's Request, SessionKeepAlive, SessionClose or
 * SessionMessageAck,
 * taken from the connection the session is bound to here, on to the leader as a ForwardedRequest; the leader answers
 * the client itself, on the session's response channel. So a client attached to any member is served there and does
 * not have to move when the leader changes. With no leader known, or no way to reach it now, a Request is answered
 * BACK_PRESSURED: the client sends it again to this member after its retry delay, so during an election it waits
 * instead of bouncing between members. A keep-alive or close that cannot go is not answered: the next keep-alive
 * goes instead, and a close lost ends as the session's expiry on the leader.
 */
final class RequestForwarder
{
    /** The ForwardedRequest sequence of a forwarded SessionKeepAlive: a client's Requests count from 1. */
    static final long KEEP_ALIVE = 0;
    /** The ForwardedRequest sequence of a forwarded SessionClose. */
    static final long CLOSE = -1;
    /**
     * The ForwardedRequest sequence of a forwarded SessionMessageAck; the payload is the sequence received (int64)
     * and the resend flag (one byte, 1 to resend).
     */
    static final long SESSION_MESSAGE_ACK = -2;

    private static final int SESSION_MESSAGE_ACK_LENGTH = Long.BYTES + 1;

    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final UnsafeBuffer sessionMessageAck = new UnsafeBuffer(new byte[SESSION_MESSAGE_ACK_LENGTH]);

    private final RaftNode raft;
    private final Transport transport;
    private final EgressPublisher egress;
    private final NodeCounters counters;

    /**
     * @param raft      whose leader the messages go to.
     * @param transport to the leader (the node's consensus publications).
     * @param egress    to answer BACK_PRESSURED.
     * @param counters  of this node.
     */
    RequestForwarder(
        final RaftNode raft, final Transport transport, final EgressPublisher egress, final NodeCounters counters)
    {
        this.raft = raft;
        this.transport = transport;
        this.egress = egress;
        this.counters = counters;
    }

    /**
     * Forward a Request not applied here yet, or answer BACK_PRESSURED when it cannot go now.
     */
    void forwardRequest(
        final Session session,
        final long sequence,
        final DirectBuffer buffer,
        final int payloadOffset,
        final int payloadLength,
        final long nowNs)
    {
        if (!send(session.id(), sequence, buffer, payloadOffset, payloadLength))
        {
            counters.forwardsRefused().incrementRelease();
            egress.sendStatus(session, sequence, 0, ResponseStatus.BACK_PRESSURED, nowNs);
        }
    }

    /**
     * Tell the leader the client is alive: it expires sessions by what it hears, directly or forwarded.
     */
    void forwardKeepAlive(final Session session)
    {
        send(session.id(), KEEP_ALIVE, EMPTY, 0, 0);
    }

    /**
     * Ask the leader to close the session.
     */
    void forwardClose(final Session session)
    {
        send(session.id(), CLOSE, EMPTY, 0, 0);
    }

    /**
     * Tell the leader what the client received of the session's messages: only the leader sends them.
     */
    void forwardSessionMessageAck(final Session session, final long received, final boolean resend)
    {
        sessionMessageAck.putLong(0, received, Applier.EGRESS_ACK_BYTE_ORDER);
        sessionMessageAck.putByte(Long.BYTES, (byte)(resend ? 1 : 0));
        send(session.id(), SESSION_MESSAGE_ACK, sessionMessageAck, 0, SESSION_MESSAGE_ACK_LENGTH);
    }

    /**
     * @return whether a forwarded SessionMessageAck's payload has the right length.
     */
    static boolean isSessionMessageAck(final int payloadLength)
    {
        return SESSION_MESSAGE_ACK_LENGTH == payloadLength;
    }

    static long received(final DirectBuffer buffer, final int payloadOffset)
    {
        return buffer.getLong(payloadOffset, Applier.EGRESS_ACK_BYTE_ORDER);
    }

    static boolean resend(final DirectBuffer buffer, final int payloadOffset)
    {
        return 0 != buffer.getByte(payloadOffset + Long.BYTES);
    }

    private boolean send(
        final long sessionId, final long sequence, final DirectBuffer buffer, final int offset, final int length)
    {
        final int leaderId = raft.leaderId();
        if (RaftNode.NO_MEMBER == leaderId ||
            !transport.sendForwardedRequest(leaderId, sessionId, sequence, buffer, offset, length))
        {
            return false;
        }
        counters.requestsForwarded().incrementRelease();
        return true;
    }

    /**
     * Where forwarded messages go out ({@link ConsensusPublisher#sendForwardedRequest}).
     */
    @FunctionalInterface
    interface Transport
    {
        /**
         * @return false when the message could not be sent now.
         */
        boolean sendForwardedRequest(
            int to, long sessionId, long sequence, DirectBuffer buffer, int offset, int length);
    }
}
