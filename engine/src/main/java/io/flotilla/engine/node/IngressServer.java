package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.MessageHeaderDecoder;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.RejectReason;
import io.flotilla.codecs.RequestDecoder;
import io.flotilla.codecs.ResponseEncoder;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.codecs.SessionAckEncoder;
import io.flotilla.codecs.SessionCloseDecoder;
import io.flotilla.codecs.SessionConnectDecoder;
import io.flotilla.codecs.SessionKeepAliveDecoder;
import io.flotilla.codecs.SessionRejectEncoder;
import io.flotilla.engine.Authenticator;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.raft.Role;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The server side of the client protocol (CONTRACTS §3): receives SessionConnect, Request, SessionKeepAlive and
 * SessionClose on this member's ingress endpoint (and {@code aeron:ipc} when enabled), turns them into proposals
 * when this node leads, redirects clients when it does not, expires idle sessions, and encodes every reply.
 * Inbound messages are validated before decoding; invalid ones are counted and dropped.
 */
public final class IngressServer implements AutoCloseable
{
    /** The only protocol version spoken. */
    public static final int PROTOCOL_VERSION = 1;

    private static final int FRAGMENT_LIMIT = 64;
    private static final long EXPIRY_CHECK_INTERVAL_NS = 100_000_000L;
    private static final UnsafeBuffer SEQUENCE_GAP = ascii("sequence gap");
    private static final UnsafeBuffer SEQUENCE_TOO_OLD = ascii("sequence too old");
    private static final UnsafeBuffer BACK_PRESSURED = ascii("back pressured");
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final ClusterMembers members;
    private final Authenticator authenticator;
    private final int memberId;
    private final SessionTable sessions;
    private final ResponseChannels responseChannels;
    private final NodeCounters counters;
    private final long sessionTimeoutNs;
    private final int maxSessions;
    private final Subscription udpSubscription;
    private final Subscription ipcSubscription;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SessionConnectDecoder connectDecoder = new SessionConnectDecoder();
    private final RequestDecoder requestDecoder = new RequestDecoder();
    private final SessionKeepAliveDecoder keepAliveDecoder = new SessionKeepAliveDecoder();
    private final SessionCloseDecoder closeDecoder = new SessionCloseDecoder();
    private final ResponseEncoder responseEncoder = new ResponseEncoder();
    private final SessionAckEncoder ackEncoder = new SessionAckEncoder();
    private final SessionRejectEncoder rejectEncoder = new SessionRejectEncoder();
    private final ExpandableArrayBuffer replyBuffer = new ExpandableArrayBuffer(1024);
    private final ExpandableArrayBuffer proposalBuffer = new ExpandableArrayBuffer(1024);

    private RaftNode raft;
    private long nowNs;
    private long nextExpiryCheckNs;

    /**
     * @param aeron            client of the node's media driver.
     * @param members          of the cluster.
     * @param memberId         of this node.
     * @param ipcIngress       whether to accept clients over {@code aeron:ipc} too.
     * @param sessions         the replicated session table.
     * @param responseChannels to reach clients.
     * @param counters         of this node.
     * @param sessionTimeoutNs after which a silent session is closed.
     * @param maxSessions      open at once before connects are rejected.
     */
    public IngressServer(
        final Aeron aeron,
        final ClusterMembers members,
        final int memberId,
        final boolean ipcIngress,
        final SessionTable sessions,
        final ResponseChannels responseChannels,
        final NodeCounters counters,
        final long sessionTimeoutNs,
        final int maxSessions,
        final Authenticator authenticator)
    {
        this.authenticator = authenticator;
        this.members = members;
        this.memberId = memberId;
        this.sessions = sessions;
        this.responseChannels = responseChannels;
        this.counters = counters;
        this.sessionTimeoutNs = sessionTimeoutNs;
        this.maxSessions = maxSessions;

        udpSubscription = aeron.addSubscription(
            members.member(memberId).ingressChannel(), ClusterMembers.INGRESS_STREAM_ID);
        Subscription ipc = null;
        if (ipcIngress)
        {
            try
            {
                ipc = aeron.addSubscription("aeron:ipc", ClusterMembers.INGRESS_STREAM_ID);
            }
            catch (final RuntimeException ex)
            {
                CloseHelper.quietClose(udpSubscription);
                throw ex;
            }
        }
        ipcSubscription = ipc;
    }

    /**
     * @param raft to propose to; set once the node is recovered.
     */
    public void raftNode(final RaftNode raft)
    {
        this.raft = raft;
    }

    /**
     * Read client messages and, on the leader, expire idle sessions.
     *
     * @param nowNs current time.
     * @return work done.
     */
    public int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        int work = udpSubscription.poll(assembler, FRAGMENT_LIMIT);
        if (null != ipcSubscription)
        {
            work += ipcSubscription.poll(assembler, FRAGMENT_LIMIT);
        }
        if (nowNs - nextExpiryCheckNs >= 0)
        {
            nextExpiryCheckNs = nowNs + EXPIRY_CHECK_INTERVAL_NS;
            work += expireSessions(nowNs);
        }
        return work;
    }

    /**
     * This node became leader: every session's inactivity clock starts now.
     *
     * @param nowNs current time.
     */
    public void onLeadershipAcquired(final long nowNs)
    {
        sessions.resetActivity(nowNs);
    }

    /**
     * Send a Response to a session's client.
     */
    public void sendResponse(
        final Session session,
        final long sequence,
        final long logIndex,
        final ResponseStatus status,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        final int leaderId = null == raft ? RaftNode.NO_MEMBER : raft.leaderId();
        responseEncoder.wrapAndApplyHeader(replyBuffer, 0, headerEncoder)
            .sessionId(session.id())
            .sequence(sequence)
            .logIndex(logIndex)
            .leaderMemberId(leaderId)
            .status(status)
            // Only a redirect needs the address; the client skips it otherwise, so the hot path writes none.
            .leaderEndpoint((CharSequence)(ResponseStatus.NOT_LEADER == status ? leaderEndpoint(leaderId) : ""))
            .putPayload(payload, payloadOffset, payloadLength);
        send(sessions.channel(session, nowNs), MessageHeaderEncoder.ENCODED_LENGTH + responseEncoder.encodedLength());
    }

    /**
     * Answer a retried request from the session's response ring, or ERROR when it is too old to be there.
     */
    public void sendCachedResponse(final Session session, final long sequence)
    {
        if (session.isCached(sequence))
        {
            sendResponse(session, sequence, session.cachedLogIndex(sequence), session.cachedStatus(sequence),
                session.cachedPayload(sequence), 0, session.cachedLength(sequence));
        }
        else
        {
            sendResponse(session, sequence, 0, ResponseStatus.ERROR, SEQUENCE_TOO_OLD, 0, SEQUENCE_TOO_OLD.capacity());
        }
    }

    /**
     * Answer a request whose sequence is beyond the next one expected.
     */
    public void sendSequenceGap(final Session session, final long sequence, final long logIndex)
    {
        sendResponse(session, sequence, logIndex, ResponseStatus.ERROR, SEQUENCE_GAP, 0, SEQUENCE_GAP.capacity());
    }

    /**
     * Answer a request for a session that is closed.
     */
    public void sendSessionExpired(final Session session, final long sequence, final long logIndex)
    {
        sendResponse(session, sequence, logIndex, ResponseStatus.SESSION_EXPIRED, EMPTY, 0, 0);
    }

    /**
     * Acknowledge a session opened by an applied SESSION_OPEN entry.
     */
    public void sendSessionAck(final Session session, final long correlationId)
    {
        ackEncoder.wrapAndApplyHeader(replyBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(session.id())
            .leaderTerm(raft.currentTerm())
            .leaderMemberId(memberId);
        send(sessions.channel(session, nowNs), MessageHeaderEncoder.ENCODED_LENGTH + ackEncoder.encodedLength());
    }

    public void close()
    {
        CloseHelper.quietCloseAll(ipcSubscription, udpSubscription);
    }

    private void send(final ResponseChannels.Channel channel, final int length)
    {
        responseChannels.send(channel, replyBuffer, 0, length, nowNs);
    }

    private String leaderEndpoint(final int leaderId)
    {
        final ClusterMembers.Member leader = members.member(leaderId);
        return null == leader ? "" : leader.ingressEndpoint();
    }

    private boolean isLeader()
    {
        return null != raft && Role.LEADER == raft.role();
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (!FrameValidator.validate(buffer, offset, length).isValid())
        {
            counters.invalidMessages().incrementRelease();
            return;
        }

        headerDecoder.wrap(buffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case RequestDecoder.TEMPLATE_ID:
                requestDecoder.wrap(buffer, body, blockLength, version);
                onRequest(buffer);
                break;

            case SessionKeepAliveDecoder.TEMPLATE_ID:
            {
                keepAliveDecoder.wrap(buffer, body, blockLength, version);
                final Session session = sessions.get(keepAliveDecoder.sessionId());
                if (null != session && !session.isClosed())
                {
                    session.lastActivityNs(nowNs);
                }
                break;
            }

            case SessionCloseDecoder.TEMPLATE_ID:
                closeDecoder.wrap(buffer, body, blockLength, version);
                onSessionClose(closeDecoder.sessionId());
                break;

            case SessionConnectDecoder.TEMPLATE_ID:
                connectDecoder.wrap(buffer, body, blockLength, version);
                onConnect(buffer);
                break;

            default:
                // A valid schema message that has no business on the ingress (a consensus message, a reply).
                counters.invalidMessages().incrementRelease();
        }
    }

    private void onRequest(final DirectBuffer buffer)
    {
        final long sessionId = requestDecoder.sessionId();
        final long sequence = requestDecoder.sequence();
        final Session session = sessions.get(sessionId);
        if (null == session)
        {
            // Unknown here: no channel to answer on (the session may not be applied on this node yet).
            counters.droppedMessages().incrementRelease();
            return;
        }
        if (session.isClosed())
        {
            sendSessionExpired(session, sequence, 0);
            return;
        }
        if (!isLeader())
        {
            sendResponse(session, sequence, 0, ResponseStatus.NOT_LEADER, EMPTY, 0, 0);
            return;
        }

        session.lastActivityNs(nowNs);
        if (sequence <= session.lastAppliedSequence())
        {
            sendCachedResponse(session, sequence);
            return;
        }

        final int payloadLengthOffset = requestDecoder.limit();
        final long index = raft.propose(
            EntryType.COMMAND,
            sessionId,
            sequence,
            buffer,
            payloadLengthOffset + 4,
            buffer.getInt(payloadLengthOffset, LITTLE_ENDIAN));
        if (RaftNode.NOT_LEADER == index)
        {
            sendResponse(session, sequence, 0, ResponseStatus.NOT_LEADER, EMPTY, 0, 0);
        }
        else if (RaftNode.BACK_PRESSURED == index)
        {
            sendResponse(session, sequence, 0, ResponseStatus.ERROR, BACK_PRESSURED, 0, BACK_PRESSURED.capacity());
        }
        else
        {
            counters.proposals().incrementRelease();
        }
    }

    private void onSessionClose(final long sessionId)
    {
        final Session session = sessions.get(sessionId);
        if (null != session && !session.isClosed() && isLeader() && !session.isCloseProposed())
        {
            proposeClose(session);
        }
    }

    private void onConnect(final DirectBuffer buffer)
    {
        final long correlationId = connectDecoder.correlationId();
        final int responseStreamId = connectDecoder.responseStreamId();
        final int protocolVersion = connectDecoder.protocolVersion();
        final int channelLengthOffset = connectDecoder.limit();
        final int channelLength = buffer.getInt(channelLengthOffset, LITTLE_ENDIAN);
        final String responseChannel = connectDecoder.responseChannel();
        final int credentialsLength = connectDecoder.credentialsLength();
        final int credentialsOffset = connectDecoder.limit() + SessionConnectDecoder.credentialsHeaderLength();

        if (PROTOCOL_VERSION != protocolVersion)
        {
            reject(responseChannel, responseStreamId, correlationId, RejectReason.VERSION_MISMATCH,
                "protocol version " + protocolVersion + " is not " + PROTOCOL_VERSION);
        }
        else if (!authenticator.authenticate(buffer, credentialsOffset, credentialsLength))
        {
            reject(responseChannel, responseStreamId, correlationId, RejectReason.BAD_CREDENTIALS,
                "credentials refused");
        }
        else if (!isLeader())
        {
            reject(responseChannel, responseStreamId, correlationId, RejectReason.NOT_LEADER, "");
        }
        else if (sessions.openCount() >= maxSessions)
        {
            reject(responseChannel, responseStreamId, correlationId, RejectReason.TOO_MANY_SESSIONS,
                maxSessions + " sessions are open");
        }
        else
        {
            final int payloadLength = SessionOpenPayload.encode(
                proposalBuffer, 0, correlationId, responseStreamId, buffer, channelLengthOffset + 4, channelLength);
            final long index = raft.propose(EntryType.SESSION_OPEN, 0, 0, proposalBuffer, 0, payloadLength);
            if (index > 0)
            {
                counters.proposals().incrementRelease();
                // Start connecting to the client now, so the ack does not wait for it after apply.
                responseChannels.release(responseChannels.acquire(responseChannel, responseStreamId, nowNs), nowNs);
            }
            else if (RaftNode.NOT_LEADER == index)
            {
                reject(responseChannel, responseStreamId, correlationId, RejectReason.NOT_LEADER, "");
            }
            else
            {
                // Back-pressured: the client retries its connect after its timeout.
                counters.droppedMessages().incrementRelease();
            }
        }
    }

    private void reject(
        final String responseChannel,
        final int responseStreamId,
        final long correlationId,
        final RejectReason reason,
        final String detail)
    {
        final int leaderId = null == raft ? RaftNode.NO_MEMBER : raft.leaderId();
        rejectEncoder.wrapAndApplyHeader(replyBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .leaderMemberId(leaderId)
            .reason(reason)
            .leaderEndpoint((CharSequence)leaderEndpoint(leaderId))
            .detail((CharSequence)detail);
        final ResponseChannels.Channel channel = responseChannels.acquire(responseChannel, responseStreamId, nowNs);
        send(channel, MessageHeaderEncoder.ENCODED_LENGTH + rejectEncoder.encodedLength());
        responseChannels.release(channel, nowNs);
    }

    private int expireSessions(final long nowNs)
    {
        if (!isLeader())
        {
            return 0;
        }

        int work = 0;
        for (int i = sessions.openCount() - 1; i >= 0; i--)
        {
            final Session session = sessions.openSession(i);
            if (!session.isCloseProposed() && nowNs - session.lastActivityNs() > sessionTimeoutNs)
            {
                work += proposeClose(session);
            }
        }
        return work;
    }

    private int proposeClose(final Session session)
    {
        final long index = raft.propose(EntryType.SESSION_CLOSE, session.id(), 0, EMPTY, 0, 0);
        if (index > 0)
        {
            counters.proposals().incrementRelease();
            session.closeProposed(true);
            return 1;
        }
        return 0;
    }

    private static UnsafeBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
