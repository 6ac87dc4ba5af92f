package io.flotilla.engine.node;

import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.QueryResponseEncoder;
import io.flotilla.codecs.RejectReason;
import io.flotilla.codecs.ResponseEncoder;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.codecs.SessionAckEncoder;
import io.flotilla.codecs.SessionMessageEncoder;
import io.flotilla.codecs.SessionRejectEncoder;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.Role;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Every reply to a client (Response, QueryResponse, SessionAck, SessionReject) and the state machine's messages to
 * sessions (SessionMessage), encoded here and sent over {@link ResponseChannels}.
 * It is told the node's role, term and leader on every change (it is built before the Raft node, which it never
 * sees), so a reply names the leader and a redirect carries the leader's ingress endpoint. A response whose payload
 * does not fit the session's channel (its largest message) or the protocol ({@link EntryFrame#MAX_PAYLOAD_LENGTH})
 * goes as RESPONSE_TOO_LARGE with an empty payload: the command was applied (or the query answered), its reply is
 * too big to send.
 */
public final class EgressPublisher
{
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);
    private static final byte[] NO_KEY = new byte[SessionOpenPayload.KEY_LENGTH];

    private final ClusterMembers members;
    private final SessionTable sessions;
    private final ResponseChannels responseChannels;
    private final NodeCounters counters;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ResponseEncoder responseEncoder = new ResponseEncoder();
    private final QueryResponseEncoder queryResponseEncoder = new QueryResponseEncoder();
    private final SessionAckEncoder ackEncoder = new SessionAckEncoder();
    private final SessionRejectEncoder rejectEncoder = new SessionRejectEncoder();
    private final SessionMessageEncoder messageEncoder = new SessionMessageEncoder();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private final SessionEgress.Visitor resendOne = this::resendOne;
    private Session resending;
    private long resendNowNs;

    private Role role = Role.FOLLOWER;
    private long term;
    private int leaderId = RaftNode.NO_MEMBER;

    /**
     * @param members          of the cluster, for the leader's ingress endpoint.
     * @param sessions         whose channels reach their clients.
     * @param responseChannels to send on.
     * @param counters         count the responses too large to send.
     */
    public EgressPublisher(
        final ClusterMembers members,
        final SessionTable sessions,
        final ResponseChannels responseChannels,
        final NodeCounters counters)
    {
        this.members = members;
        this.sessions = sessions;
        this.responseChannels = responseChannels;
        this.counters = counters;
    }

    /**
     * The Raft node's role, term or leader changed.
     */
    public void onRoleChange(final Role role, final long term, final int leaderId)
    {
        this.role = role;
        this.term = term;
        this.leaderId = leaderId;
    }

    /**
     * @return whether this node leads, as last told: only the leader answers what it applies.
     */
    public boolean isLeader()
    {
        return Role.LEADER == role;
    }

    /**
     * @return the leader as last told, or {@link RaftNode#NO_MEMBER}.
     */
    public int leaderId()
    {
        return leaderId;
    }

    /**
     * Send a Response with a payload to a session's client, or RESPONSE_TOO_LARGE with none when it does not fit.
     */
    public void sendResponse(
        final Session session,
        final long sequence,
        final long logIndex,
        final ResponseStatus status,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength,
        final long nowNs)
    {
        final ResponseChannels.Channel channel = sessions.channel(session, nowNs);
        // Only a redirect needs the address; the client skips it otherwise, so the hot path writes none.
        final String leaderEndpoint = ResponseStatus.NOT_LEADER == status ? members.ingressEndpointOf(leaderId) : "";
        final boolean fits = fits(channel, ResponseEncoder.BLOCK_LENGTH, leaderEndpoint, payloadLength);
        responseEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(session.id())
            .sequence(sequence)
            .logIndex(logIndex)
            .leaderMemberId(leaderId)
            .status(fits ? status : ResponseStatus.RESPONSE_TOO_LARGE)
            .leaderEndpoint((CharSequence)leaderEndpoint)
            .putPayload(payload, payloadOffset, fits ? payloadLength : 0);
        responseChannels.send(
            channel, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + responseEncoder.encodedLength(), nowNs);
    }

    /**
     * Send a QueryResponse with the state machine's answer to a session's client, or RESPONSE_TOO_LARGE with none
     * when it does not fit.
     */
    public void sendQueryResponse(
        final Session session,
        final long queryId,
        final long readIndex,
        final ResponseStatus status,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength,
        final long nowNs)
    {
        final ResponseChannels.Channel channel = sessions.channel(session, nowNs);
        final String leaderEndpoint = ResponseStatus.NOT_LEADER == status ? members.ingressEndpointOf(leaderId) : "";
        final boolean fits = fits(channel, QueryResponseEncoder.BLOCK_LENGTH, leaderEndpoint, payloadLength);
        queryResponseEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(session.id())
            .queryId(queryId)
            .readIndex(readIndex)
            .leaderMemberId(leaderId)
            .status(fits ? status : ResponseStatus.RESPONSE_TOO_LARGE)
            .leaderEndpoint((CharSequence)leaderEndpoint)
            .putPayload(payload, payloadOffset, fits ? payloadLength : 0);
        responseChannels.send(
            channel, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + queryResponseEncoder.encodedLength(), nowNs);
    }

    /**
     * Send a QueryResponse whose status says it all (NOT_LEADER, BACK_PRESSURED, SESSION_EXPIRED).
     */
    public void sendQueryStatus(
        final Session session, final long queryId, final long readIndex, final ResponseStatus status, final long nowNs)
    {
        sendQueryResponse(session, queryId, readIndex, status, EMPTY, 0, 0, nowNs);
    }

    /**
     * Send a Response whose status says it all (NOT_LEADER, SESSION_EXPIRED, SEQUENCE_GAP, BACK_PRESSURED, ...).
     */
    public void sendStatus(
        final Session session, final long sequence, final long logIndex, final ResponseStatus status, final long nowNs)
    {
        sendResponse(session, sequence, logIndex, status, EMPTY, 0, 0, nowNs);
    }

    /**
     * Answer a retried request from the session's response cache, or SEQUENCE_TOO_OLD when it is no longer there.
     */
    public void sendCachedResponse(final Session session, final long sequence, final long nowNs)
    {
        if (session.isCached(sequence))
        {
            sendResponse(session, sequence, session.cachedLogIndex(sequence), session.cachedStatus(sequence),
                session.cachedPayload(sequence), 0, session.cachedLength(sequence), nowNs);
        }
        else
        {
            sendStatus(session, sequence, 0, ResponseStatus.SEQUENCE_TOO_OLD, nowNs);
        }
    }

    /**
     * Send one of the state machine's messages to a session's client, or RESPONSE_TOO_LARGE without its bytes when
     * it does not fit the client's response channel; the session's egress records it as sent.
     */
    public void sendSessionMessage(
        final Session session,
        final long sequence,
        final long logIndex,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength,
        final long nowNs)
    {
        final ResponseChannels.Channel channel = sessions.channel(session, nowNs);
        final boolean fits = payloadLength <= channel.maxMessageLength() - MessageHeaderEncoder.ENCODED_LENGTH -
            SessionMessageEncoder.BLOCK_LENGTH - SessionMessageEncoder.payloadHeaderLength();
        if (!fits)
        {
            counters.responsesTooLarge().incrementRelease();
        }
        messageEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(session.id())
            .sequence(sequence)
            .logIndex(logIndex)
            .leaderMemberId(leaderId)
            .status(fits ? ResponseStatus.OK : ResponseStatus.RESPONSE_TOO_LARGE)
            .putPayload(payload, payloadOffset, fits ? payloadLength : 0);
        responseChannels.send(
            channel, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + messageEncoder.encodedLength(), nowNs);
        final SessionEgress sessionEgress = session.egress();
        if (sessionEgress.sentSequence() <= sessionEgress.clientReceived())
        {
            // Nothing was awaiting the client's acknowledgement: its silence is measured from now.
            sessionEgress.lastProgressNs(nowNs);
        }
        sessionEgress.sentSequence(Math.max(sessionEgress.sentSequence(), sequence));
        counters.sessionMessagesSent().incrementRelease();
    }

    /**
     * Send a session's retained messages after {@code sequence} again, in order (after a leader change, a gap the
     * client reported, or silence from it).
     *
     * @return how many were sent.
     */
    public int resendSessionMessages(final Session session, final long sequence, final long nowNs)
    {
        resending = session;
        resendNowNs = nowNs;
        try
        {
            final int sent = session.egress().forEachAfter(sequence, resendOne);
            counters.sessionMessagesResent().getAndAddRelease(sent);
            return sent;
        }
        finally
        {
            resending = null;
        }
    }

    private boolean resendOne(
        final long sequence, final long logIndex, final MutableDirectBuffer payload, final int offset, final int length)
    {
        sendSessionMessage(resending, sequence, logIndex, payload, offset, length, resendNowNs);
        return true;
    }

    /**
     * Acknowledge a session opened by an applied SESSION_OPEN entry (on the leader), with its key.
     */
    public void sendSessionAck(final Session session, final long correlationId, final long nowNs)
    {
        sendAck(session, correlationId, session.key(), nowNs);
    }

    /**
     * Acknowledge a SessionAttach: the session is bound to the connection the attach came on. The key is not sent
     * again (zeros). From a follower the ack names the leader it knows, or none.
     */
    public void sendAttachAck(final Session session, final long correlationId, final long nowNs)
    {
        sendAck(session, correlationId, NO_KEY, nowNs);
    }

    /**
     * @return whether a reply's payload fits the protocol and the channel's largest message (counted when not); the
     * reply messages share their variable fields' layout: leader endpoint, then payload.
     */
    private boolean fits(
        final ResponseChannels.Channel channel,
        final int blockLength,
        final String leaderEndpoint,
        final int payloadLength)
    {
        final boolean fits = payloadLength <= EntryFrame.MAX_PAYLOAD_LENGTH && payloadLength <=
            channel.maxMessageLength() - MessageHeaderEncoder.ENCODED_LENGTH - blockLength -
            ResponseEncoder.leaderEndpointHeaderLength() - leaderEndpoint.length() -
            ResponseEncoder.payloadHeaderLength();
        if (!fits)
        {
            counters.responsesTooLarge().incrementRelease();
        }
        return fits;
    }

    private void sendAck(final Session session, final long correlationId, final byte[] key, final long nowNs)
    {
        ackEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(session.id())
            .leaderTerm(term)
            .leaderMemberId(leaderId)
            .putSessionKey(key, 0, key.length);
        responseChannels.send(sessions.channel(session, nowNs), buffer, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + ackEncoder.encodedLength(), nowNs);
    }

    /**
     * Refuse a connect, naming the leader when one is known, on a channel held only while the reply is queued: one
     * already open, or a new one within the reject budget of {@link ResponseChannels#acquireForReject}.
     */
    public void sendSessionReject(
        final String responseChannel,
        final int responseStreamId,
        final long correlationId,
        final RejectReason reason,
        final String detail,
        final long nowNs)
    {
        rejectEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .leaderMemberId(leaderId)
            .reason(reason)
            .leaderEndpoint((CharSequence)members.ingressEndpointOf(leaderId))
            .detail((CharSequence)detail);
        final ResponseChannels.Channel channel =
            responseChannels.acquireForReject(responseChannel, responseStreamId, nowNs);
        responseChannels.send(
            channel, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + rejectEncoder.encodedLength(), nowNs);
        responseChannels.release(channel, nowNs);
    }
}
