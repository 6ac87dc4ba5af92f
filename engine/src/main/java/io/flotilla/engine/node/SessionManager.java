package io.flotilla.engine.node;

import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.Protocol;
import io.flotilla.codecs.RejectReason;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.engine.Authenticator;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.raft.Role;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Session policy on the server side of the client protocol (docs/runtime.md, "Client sessions"): decides what the
 * {@link IngressAdapter}'s decoded messages become. The leader authenticates connects, enforces the protocol
 * version and the session limit and proposes SESSION_OPEN; proposes the commands of open sessions, answering
 * retries of applied ones from the session's response cache; proposes SESSION_CLOSE for closed and idle sessions.
 * A follower redirects to the leader. Replies go out through the {@link EgressPublisher}.
 */
public final class SessionManager
{
    private static final long EXPIRY_CHECK_INTERVAL_NS = 100_000_000L;
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final RaftNode raft;
    private final SessionTable sessions;
    private final EgressPublisher egress;
    private final ResponseChannels responseChannels;
    private final Authenticator authenticator;
    private final NodeCounters counters;
    private final long sessionTimeoutNs;
    private final int maxSessions;
    private final ExpandableArrayBuffer proposalBuffer = new ExpandableArrayBuffer(1024);

    private long nextExpiryCheckNs;

    /**
     * @param raft             to propose to.
     * @param sessions         the replicated session table.
     * @param egress           to answer clients.
     * @param responseChannels to start connecting to a client as its session is proposed.
     * @param authenticator    of connects.
     * @param counters         of this node.
     * @param sessionTimeoutNs after which a silent session is closed.
     * @param maxSessions      open at once before connects are rejected.
     */
    public SessionManager(
        final RaftNode raft,
        final SessionTable sessions,
        final EgressPublisher egress,
        final ResponseChannels responseChannels,
        final Authenticator authenticator,
        final NodeCounters counters,
        final long sessionTimeoutNs,
        final int maxSessions)
    {
        this.raft = raft;
        this.sessions = sessions;
        this.egress = egress;
        this.responseChannels = responseChannels;
        this.authenticator = authenticator;
        this.counters = counters;
        this.sessionTimeoutNs = sessionTimeoutNs;
        this.maxSessions = maxSessions;
    }

    /**
     * On the leader, every 100 ms, propose SESSION_CLOSE for the sessions silent for longer than the timeout.
     *
     * @param nowNs current time.
     * @return work done.
     */
    public int doWork(final long nowNs)
    {
        if (nowNs - nextExpiryCheckNs < 0)
        {
            return 0;
        }

        nextExpiryCheckNs = nowNs + EXPIRY_CHECK_INTERVAL_NS;
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
     * A SessionConnect.
     *
     * @param correlationId     of the connect.
     * @param responseStreamId  of the client.
     * @param protocolVersion   the client speaks.
     * @param responseChannel   of the client.
     * @param buffer            holding the message.
     * @param channelOffset     of the response channel's ASCII bytes in the buffer.
     * @param channelLength     of the response channel's bytes.
     * @param credentialsOffset of the credentials in the buffer.
     * @param credentialsLength of the credentials.
     * @param nowNs             current time.
     */
    public void onSessionConnect(
        final long correlationId,
        final int responseStreamId,
        final int protocolVersion,
        final String responseChannel,
        final DirectBuffer buffer,
        final int channelOffset,
        final int channelLength,
        final int credentialsOffset,
        final int credentialsLength,
        final long nowNs)
    {
        if (Protocol.VERSION != protocolVersion)
        {
            egress.sendSessionReject(responseChannel, responseStreamId, correlationId, RejectReason.VERSION_MISMATCH,
                "protocol version " + protocolVersion + " is not " + Protocol.VERSION, nowNs);
        }
        else if (!authenticator.authenticate(buffer, credentialsOffset, credentialsLength))
        {
            egress.sendSessionReject(responseChannel, responseStreamId, correlationId, RejectReason.BAD_CREDENTIALS,
                "credentials refused", nowNs);
        }
        else if (!isLeader())
        {
            egress.sendSessionReject(
                responseChannel, responseStreamId, correlationId, RejectReason.NOT_LEADER, "", nowNs);
        }
        else if (sessions.openCount() >= maxSessions)
        {
            egress.sendSessionReject(responseChannel, responseStreamId, correlationId, RejectReason.TOO_MANY_SESSIONS,
                maxSessions + " sessions are open", nowNs);
        }
        else if (!startConnecting(responseChannel, responseStreamId, nowNs))
        {
            // No publication can reach the client (a refused channel, or the cap): no answer is possible, so no
            // session either. Dropped; ResponseChannels counts why.
            counters.droppedMessages().incrementRelease();
        }
        else
        {
            final int payloadLength = SessionOpenPayload.encode(
                proposalBuffer, 0, correlationId, responseStreamId, buffer, channelOffset, channelLength);
            final long index = raft.propose(EntryType.SESSION_OPEN, 0, 0, proposalBuffer, 0, payloadLength);
            if (index > 0)
            {
                counters.proposals().incrementRelease();
            }
            else if (RaftNode.NOT_LEADER == index)
            {
                egress.sendSessionReject(
                    responseChannel, responseStreamId, correlationId, RejectReason.NOT_LEADER, "", nowNs);
            }
            else
            {
                // Back-pressured: the client retries its connect after its timeout.
                counters.droppedMessages().incrementRelease();
            }
        }
    }

    /**
     * A Request: proposed as a COMMAND on the leader unless it is a retry of one already applied.
     *
     * @param sessionId     of the request.
     * @param sequence      of the request in its session.
     * @param buffer        holding the command.
     * @param payloadOffset of the command.
     * @param payloadLength of the command.
     * @param nowNs         current time.
     */
    public void onSessionRequest(
        final long sessionId,
        final long sequence,
        final DirectBuffer buffer,
        final int payloadOffset,
        final int payloadLength,
        final long nowNs)
    {
        final Session session = sessions.get(sessionId);
        if (null == session)
        {
            // Unknown here: no channel to answer on (the session may not be applied on this node yet).
            counters.droppedMessages().incrementRelease();
            return;
        }
        if (session.isClosed())
        {
            egress.sendStatus(session, sequence, 0, ResponseStatus.SESSION_EXPIRED, nowNs);
            return;
        }
        if (!isLeader())
        {
            egress.sendStatus(session, sequence, 0, ResponseStatus.NOT_LEADER, nowNs);
            return;
        }

        session.lastActivityNs(nowNs);
        if (sequence <= session.lastAppliedSequence())
        {
            egress.sendCachedResponse(session, sequence, nowNs);
            return;
        }

        final long index = raft.propose(EntryType.COMMAND, sessionId, sequence, buffer, payloadOffset, payloadLength);
        if (RaftNode.NOT_LEADER == index)
        {
            egress.sendStatus(session, sequence, 0, ResponseStatus.NOT_LEADER, nowNs);
        }
        else if (RaftNode.BACK_PRESSURED == index)
        {
            egress.sendStatus(session, sequence, 0, ResponseStatus.BACK_PRESSURED, nowNs);
        }
        else
        {
            counters.proposals().incrementRelease();
        }
    }

    /**
     * A SessionKeepAlive: the client of an open session is alive.
     */
    public void onSessionKeepAlive(final long sessionId, final long nowNs)
    {
        final Session session = sessions.get(sessionId);
        if (null != session && !session.isClosed())
        {
            session.lastActivityNs(nowNs);
        }
    }

    /**
     * A SessionClose: the leader proposes SESSION_CLOSE, once.
     */
    public void onSessionClose(final long sessionId)
    {
        final Session session = sessions.get(sessionId);
        if (null != session && !session.isClosed() && isLeader() && !session.isCloseProposed())
        {
            proposeClose(session);
        }
    }

    /**
     * Start connecting to the client now, so the ack does not wait for it after apply.
     */
    private boolean startConnecting(final String responseChannel, final int responseStreamId, final long nowNs)
    {
        final ResponseChannels.Channel channel = responseChannels.acquire(responseChannel, responseStreamId, nowNs);
        responseChannels.release(channel, nowNs);
        return ResponseChannels.NO_CHANNEL != channel;
    }

    private boolean isLeader()
    {
        return Role.LEADER == raft.role();
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
}
