package io.flotilla.engine.node;

import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.Protocol;
import io.flotilla.codecs.RejectReason;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.engine.Authenticator;
import io.flotilla.engine.SessionCloseReason;
import io.flotilla.engine.client.AttachProof;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.Role;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Session policy on the server side of the client protocol (docs/runtime.md, "Client sessions"): decides what the
 * {@link IngressAdapter}'s decoded messages become. The leader authenticates connects, enforces the protocol
 * version and the session limit (counting sessions proposed and not yet applied) and proposes SESSION_OPEN with a
 * random id and key; takes requests, keep-alives and closes only from the connection the session is bound to
 * (the one that opened it or last attached it with a proof under the session key); bounds each session's commands
 * in flight; answers retries of applied commands from the session's response cache; proposes SESSION_CLOSE for
 * closed and idle sessions. A follower that forwards ({@link RequestForwarder}) takes attaches and binds sessions
 * too, answers retries of applied commands itself and sends the rest on to the leader, which handles a forwarded
 * request as one from the bound connection; a follower that does not redirects to the leader. Replies go out through
 * the {@link EgressPublisher}.
 */
public final class SessionManager
{
    /** SESSION_OPEN proposals not yet applied, at most, in one leader term (a connect burst beyond is dropped). */
    public static final int MAX_PROPOSED_OPENS = 256;

    /** Session messages a client acknowledges beyond the last EGRESS_ACK before the leader proposes another at once. */
    static final int EGRESS_ACK_BATCH = 64;

    /**
     * How long the leader waits for a client to acknowledge messages sent to it before sending them again (the last
     * of a burst may have been lost with a connection, and the client sees no gap to report).
     */
    static final long EGRESS_RESEND_AFTER_NS = 1_000_000_000L;

    private static final long EXPIRY_CHECK_INTERVAL_NS = 100_000_000L;
    private static final long UNBOUND_ANSWER_INTERVAL_NS = 10_000_000L;

    private final RaftNode raft;
    private final SessionTable sessions;
    private final EgressPublisher egress;
    private final ResponseChannels responseChannels;
    private final Authenticator authenticator;
    private final NodeCounters counters;
    private final long sessionTimeoutNs;
    private final int maxSessions;
    private final int maxInflight;
    private final long attachMaxSkewNs;
    private final RequestForwarder forwarder;
    private final ExpandableArrayBuffer proposalBuffer = new ExpandableArrayBuffer(1024);
    private final UnsafeBuffer closeReason = new UnsafeBuffer(new byte[1]);
    private final UnsafeBuffer egressAck = new UnsafeBuffer(new byte[Long.BYTES]);
    private final byte[] sessionKey = new byte[SessionOpenPayload.KEY_LENGTH];
    private final AttachProof attachProof = new AttachProof();
    private final SecureRandom random;

    private long nextExpiryCheckNs;

    /**
     * @param raft             to propose to.
     * @param sessions         the replicated session table.
     * @param egress           to answer clients.
     * @param responseChannels to start connecting to a client as its session is proposed.
     * @param authenticator    of connects.
     * @param counters         of this node.
     * @param sessionTimeoutNs after which a silent session is closed.
     * @param maxSessions      open or proposed at once before connects are rejected.
     * @param maxInflight      commands of one session proposed and not yet applied before BACK_PRESSURED.
     * @param attachMaxSkewNs  largest difference between an attach's timestamp and this node's clock.
     * @param forwarder        of a follower's requests to the leader, or null when followers redirect clients.
     */
    public SessionManager(
        final RaftNode raft,
        final SessionTable sessions,
        final EgressPublisher egress,
        final ResponseChannels responseChannels,
        final Authenticator authenticator,
        final NodeCounters counters,
        final long sessionTimeoutNs,
        final int maxSessions,
        final int maxInflight,
        final long attachMaxSkewNs,
        final RequestForwarder forwarder)
    {
        this.raft = raft;
        this.sessions = sessions;
        this.egress = egress;
        this.responseChannels = responseChannels;
        this.authenticator = authenticator;
        this.counters = counters;
        this.sessionTimeoutNs = sessionTimeoutNs;
        this.maxSessions = maxSessions;
        this.maxInflight = maxInflight;
        this.attachMaxSkewNs = attachMaxSkewNs;
        this.forwarder = forwarder;
        try
        {
            random = SecureRandom.getInstance("DRBG");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("no DRBG SecureRandom in this JVM", ex);
        }
        // Seeded here, at start: later draws come from the generator's state and never read an entropy device.
        random.nextLong();
    }

    /**
     * On the leader, every 100 ms: propose SESSION_CLOSE for the sessions silent for longer than the timeout, propose
     * EGRESS_ACK for the session messages clients acknowledged since the last one, and send again the messages a
     * client has not acknowledged for {@link #EGRESS_RESEND_AFTER_NS}.
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
                work += proposeClose(session, SessionCloseReason.TIMEOUT);
            }
            else
            {
                work += egressDuties(session, nowNs);
            }
        }
        return work;
    }

    /**
     * This node became leader: every session's inactivity clock starts now, and nothing it proposed in an earlier
     * term counts as in flight.
     *
     * @param nowNs current time.
     */
    public void onLeadershipAcquired(final long nowNs)
    {
        sessions.onLeadershipAcquired(nowNs);
        for (int i = 0, count = sessions.openCount(); i < count; i++)
        {
            // What the last leader sent is unknown here: everything not acknowledged in the log goes again.
            final Session session = sessions.openSession(i);
            session.egress().onLeadershipAcquired(nowNs);
            egress.resendSessionMessages(session, session.egress().ackedSequence(), nowNs);
        }
    }

    /**
     * This node campaigns, so it may lead in a few ms: open its publications to the clients of the open sessions
     * now. A leader's first reply to a client (the ack of its attach after a leader change, a response) otherwise
     * waits for the publication to be set up and connected, 12 to 13 ms measured on loopback, which a transfer's
     * election (a few ms) does not cover. A publication, once opened, stays with its session, as on any leader.
     *
     * @param nowNs current time.
     */
    public void onCampaign(final long nowNs)
    {
        for (int i = 0, count = sessions.openCount(); i < count; i++)
        {
            sessions.channel(sessions.openSession(i), nowNs);
        }
    }

    /**
     * A SessionConnect.
     *
     * @param connect the decoded connect and the connection it came on.
     */
    public void onSessionConnect(final IngressConnect connect)
    {
        final long correlationId = connect.correlationId();
        final String responseChannel = connect.responseChannel();
        final int responseStreamId = connect.responseStreamId();
        final long nowNs = connect.nowNs();
        if (Protocol.VERSION != connect.protocolVersion())
        {
            egress.sendSessionReject(responseChannel, responseStreamId, correlationId, RejectReason.VERSION_MISMATCH,
                "protocol version " + connect.protocolVersion() + " is not " + Protocol.VERSION, nowNs);
            return;
        }

        final String principal = authenticator.authenticate(connect);
        if (null == principal || !isAsciiPrincipal(principal))
        {
            egress.sendSessionReject(responseChannel, responseStreamId, correlationId, RejectReason.BAD_CREDENTIALS,
                "credentials refused", nowNs);
        }
        else if (!isLeader())
        {
            egress.sendSessionReject(
                responseChannel, responseStreamId, correlationId, RejectReason.NOT_LEADER, "", nowNs);
        }
        else if (sessions.openCount() + sessions.proposedOpenCount() >= maxSessions)
        {
            egress.sendSessionReject(responseChannel, responseStreamId, correlationId, RejectReason.TOO_MANY_SESSIONS,
                maxSessions + " sessions are open or opening", nowNs);
        }
        else if (sessions.proposedOpenCount() >= MAX_PROPOSED_OPENS)
        {
            // A burst: the client retries its connect after its timeout, by when these are applied.
            counters.droppedMessages().incrementRelease();
        }
        else if (!startConnecting(responseChannel, responseStreamId, nowNs))
        {
            // No publication can reach the client (a refused channel, or the cap): no answer is possible, so no
            // session either. Dropped; ResponseChannels counts why.
            counters.droppedMessages().incrementRelease();
        }
        else
        {
            proposeOpen(connect, principal);
        }
    }

    /**
     * A Request: proposed as a COMMAND on the leader unless it is a retry of one already applied; on a follower that
     * forwards, a retry of one applied here is answered here and any other sent on to the leader.
     *
     * @param sessionId      of the request.
     * @param sequence       of the request in its session.
     * @param buffer         holding the command.
     * @param payloadOffset  of the command.
     * @param payloadLength  of the command.
     * @param aeronSessionId of the image the request came on.
     * @param sourceIdentity of that image.
     * @param nowNs          current time.
     */
    public void onSessionRequest(
        final long sessionId,
        final long sequence,
        final DirectBuffer buffer,
        final int payloadOffset,
        final int payloadLength,
        final int aeronSessionId,
        final String sourceIdentity,
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
        if (!isLeader() && null == forwarder)
        {
            egress.sendStatus(session, sequence, 0, ResponseStatus.NOT_LEADER, nowNs);
            return;
        }
        if (!isBound(session, sequence, aeronSessionId, sourceIdentity, nowNs))
        {
            return;
        }

        if (isLeader() || sequence <= session.lastAppliedSequence())
        {
            // A follower that applied it answers it: its ring holds the same response as the leader's.
            accept(session, sequence, buffer, payloadOffset, payloadLength, nowNs);
        }
        else
        {
            forwarder.forwardRequest(session, sequence, buffer, payloadOffset, payloadLength, nowNs);
        }
    }

    /**
     * A client message another member forwarded from the connection the session is bound to there (the
     * {@link ConsensusAdapter} checked that a member sent it): handled as if it came on the bound connection here;
     * a node that is not leader answers a forwarded Request NOT_LEADER with its hint (it does not forward again).
     *
     * @param sessionId     of the message.
     * @param sequence      of the Request, or {@link RequestForwarder#KEEP_ALIVE}, {@link RequestForwarder#CLOSE} or
     *                      {@link RequestForwarder#SESSION_MESSAGE_ACK}.
     * @param buffer        holding the command.
     * @param payloadOffset of the command.
     * @param payloadLength of the command.
     * @param nowNs         current time.
     */
    public void onForwardedRequest(
        final long sessionId,
        final long sequence,
        final DirectBuffer buffer,
        final int payloadOffset,
        final int payloadLength,
        final long nowNs)
    {
        final Session session = sessions.get(sessionId);
        if (null == session || sequence < RequestForwarder.SESSION_MESSAGE_ACK)
        {
            // Unknown here (not applied yet), or a sequence no member forwards.
            counters.droppedMessages().incrementRelease();
        }
        else if (RequestForwarder.KEEP_ALIVE == sequence)
        {
            keepAlive(session, nowNs);
        }
        else if (RequestForwarder.CLOSE == sequence)
        {
            close(session);
        }
        else if (RequestForwarder.SESSION_MESSAGE_ACK == sequence)
        {
            if (isLeader() && !session.isClosed() && RequestForwarder.isSessionMessageAck(payloadLength))
            {
                acknowledged(session, RequestForwarder.received(buffer, payloadOffset),
                    RequestForwarder.resend(buffer, payloadOffset), nowNs);
            }
            else
            {
                counters.droppedMessages().incrementRelease();
            }
        }
        else if (session.isClosed())
        {
            egress.sendStatus(session, sequence, 0, ResponseStatus.SESSION_EXPIRED, nowNs);
        }
        else if (!isLeader())
        {
            egress.sendStatus(session, sequence, 0, ResponseStatus.NOT_LEADER, nowNs);
        }
        else
        {
            accept(session, sequence, buffer, payloadOffset, payloadLength, nowNs);
        }
    }

    /**
     * A Request from the session's client: a retry of an applied command is answered from the session's ring; on
     * the leader, a session with too many commands in flight is told BACK_PRESSURED, else a COMMAND is proposed.
     */
    private void accept(
        final Session session,
        final long sequence,
        final DirectBuffer buffer,
        final int payloadOffset,
        final int payloadLength,
        final long nowNs)
    {
        session.lastActivityNs(nowNs);
        if (sequence <= session.lastAppliedSequence())
        {
            egress.sendCachedResponse(session, sequence, nowNs);
            return;
        }
        if (session.proposalsInFlight() >= maxInflight)
        {
            egress.sendStatus(session, sequence, 0, ResponseStatus.BACK_PRESSURED, nowNs);
            return;
        }

        final long index =
            raft.propose(EntryType.COMMAND, session.id(), sequence, buffer, payloadOffset, payloadLength);
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
            session.proposalProposed();
            counters.proposals().incrementRelease();
        }
    }

    /**
     * A Query, on any member: the session it names must be applied here. No binding is checked: a query changes
     * nothing and its answer goes only to the session's own response channel. A query does not count as activity
     * (from an unbound connection it must not keep a session alive).
     *
     * @param sessionId of the query.
     * @param queryId   of the query, echoed in its answer.
     * @param nowNs     current time.
     * @return the session to answer the query for, or null when it is answered (SESSION_EXPIRED) or dropped
     * (unknown here) already.
     */
    public Session onQuery(final long sessionId, final long queryId, final long nowNs)
    {
        final Session session = sessions.get(sessionId);
        if (null == session)
        {
            // Unknown here (perhaps not applied on this member yet): no channel to answer on; the client resends.
            counters.droppedMessages().incrementRelease();
            return null;
        }
        if (session.isClosed())
        {
            egress.sendQueryStatus(session, queryId, 0, ResponseStatus.SESSION_EXPIRED, nowNs);
            return null;
        }
        return session;
    }

    /**
     * A SessionKeepAlive: the client of an open session is alive (on the leader, only from its connection; a
     * follower that forwards sends one from the session's connection on to the leader).
     */
    public void onSessionKeepAlive(
        final long sessionId, final int aeronSessionId, final String sourceIdentity, final long nowNs)
    {
        final Session session = sessions.get(sessionId);
        if (null == session || session.isClosed() || (!isLeader() && null == forwarder) ||
            !isBound(session, 0, aeronSessionId, sourceIdentity, nowNs))
        {
            return;
        }
        if (isLeader())
        {
            keepAlive(session, nowNs);
        }
        else
        {
            forwarder.forwardKeepAlive(session);
        }
    }

    /**
     * A SessionClose: the leader proposes SESSION_CLOSE, once, when it comes from the session's connection; a
     * follower that forwards sends it on to the leader.
     */
    public void onSessionClose(
        final long sessionId, final int aeronSessionId, final String sourceIdentity, final long nowNs)
    {
        final Session session = sessions.get(sessionId);
        if (null == session || session.isClosed() || (!isLeader() && null == forwarder) ||
            !isBound(session, 0, aeronSessionId, sourceIdentity, nowNs))
        {
            return;
        }
        if (isLeader())
        {
            close(session);
        }
        else
        {
            forwarder.forwardClose(session);
        }
    }

    /**
     * A SessionMessageAck: on the leader, from the session's connection, the client received the session's messages
     * up to {@code received} (and asks for the rest again when {@code resend}); a follower that forwards sends it on to
     * the leader. An acknowledgement of messages not sent yet is counted and dropped.
     */
    public void onSessionMessageAck(
        final long sessionId,
        final long received,
        final boolean resend,
        final int aeronSessionId,
        final String sourceIdentity,
        final long nowNs)
    {
        final Session session = sessions.get(sessionId);
        if (null == session || session.isClosed() || (!isLeader() && null == forwarder) ||
            !isBound(session, 0, aeronSessionId, sourceIdentity, nowNs))
        {
            return;
        }
        if (isLeader())
        {
            acknowledged(session, received, resend, nowNs);
        }
        else
        {
            forwarder.forwardSessionMessageAck(session, received, resend);
        }
    }

    private void acknowledged(final Session session, final long received, final boolean resend, final long nowNs)
    {
        final SessionEgress sessionEgress = session.egress();
        if (received < 0 || received > sessionEgress.lastSequence())
        {
            counters.droppedMessages().incrementRelease();
            return;
        }
        session.lastActivityNs(nowNs);
        sessionEgress.clientReceived(received, nowNs);
        if (resend)
        {
            sessionEgress.lastProgressNs(nowNs);
            egress.resendSessionMessages(session, Math.max(received, sessionEgress.ackedSequence()), nowNs);
        }
        if (sessionEgress.clientReceived() - sessionEgress.proposedAck() >= EGRESS_ACK_BATCH)
        {
            proposeEgressAck(session);
        }
    }

    /**
     * The leader's periodic duties for one session's messages.
     */
    private int egressDuties(final Session session, final long nowNs)
    {
        final SessionEgress sessionEgress = session.egress();
        int work = 0;
        if (sessionEgress.clientReceived() > sessionEgress.proposedAck())
        {
            work += proposeEgressAck(session);
        }
        if (sessionEgress.sentSequence() > sessionEgress.clientReceived() &&
            nowNs - sessionEgress.lastProgressNs() > EGRESS_RESEND_AFTER_NS)
        {
            sessionEgress.lastProgressNs(nowNs);
            work += egress.resendSessionMessages(session, sessionEgress.clientReceived(), nowNs);
        }
        return work;
    }

    /**
     * The EGRESS_ACK entry carries the sequence the client received up to; applying it frees those messages on
     * every replica.
     */
    private int proposeEgressAck(final Session session)
    {
        final long received = session.egress().clientReceived();
        egressAck.putLong(0, received, Applier.EGRESS_ACK_BYTE_ORDER);
        final long index = raft.propose(EntryType.EGRESS_ACK, session.id(), 0, egressAck, 0, Long.BYTES);
        if (index > 0)
        {
            counters.proposals().incrementRelease();
            session.egress().proposedAck(received);
            return 1;
        }
        return 0;
    }

    private void keepAlive(final Session session, final long nowNs)
    {
        if (!session.isClosed())
        {
            session.lastActivityNs(nowNs);
        }
    }

    private void close(final Session session)
    {
        if (!session.isClosed() && isLeader() && !session.isCloseProposed())
        {
            proposeClose(session, SessionCloseReason.CLIENT_CLOSE);
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

    /**
     * A SessionAttach: with a fresh timestamp and a proof under the session key for this connection, the leader (or
     * a follower that forwards) binds the session to the connection and acknowledges; anything else is counted and
     * dropped without touching the session.
     *
     * @param correlationId  of the attach, echoed in the SessionAck.
     * @param sessionId      to attach.
     * @param timestampNs    of the attach, the client's clock.
     * @param buffer         holding the proof.
     * @param proofOffset    of the proof's {@link AttachProof#LENGTH} bytes.
     * @param aeronSessionId of the image the attach came on.
     * @param sourceIdentity of that image.
     * @param nowNs          current time.
     */
    public void onSessionAttach(
        final long correlationId,
        final long sessionId,
        final long timestampNs,
        final DirectBuffer buffer,
        final int proofOffset,
        final int aeronSessionId,
        final String sourceIdentity,
        final long nowNs)
    {
        final Session session = sessions.get(sessionId);
        if (null == session || Math.abs(nowNs - timestampNs) > attachMaxSkewNs ||
            timestampNs <= session.lastAttachTimestampNs() ||
            !attachProof.key(session.macKey()).verify(
                buffer, proofOffset, sessionId, aeronSessionId, timestampNs))
        {
            counters.droppedMessages().incrementRelease();
            return;
        }

        session.lastAttachTimestampNs(timestampNs);
        if (session.isClosed())
        {
            egress.sendStatus(session, 0, 0, ResponseStatus.SESSION_EXPIRED, nowNs);
        }
        else if (!isLeader() && null == forwarder)
        {
            egress.sendStatus(session, 0, 0, ResponseStatus.NOT_LEADER, nowNs);
        }
        else
        {
            final IngressBinding binding = session.binding();
            if (null == binding || !binding.matches(aeronSessionId, sourceIdentity))
            {
                session.bind(new IngressBinding(aeronSessionId, sourceIdentity));
            }
            session.lastActivityNs(nowNs);
            egress.sendAttachAck(session, correlationId, nowNs);
        }
    }

    /**
     * On the leader, or a follower that forwards: whether a message for the session came on the connection it is
     * bound to here. One from another connection is counted and dropped unanswered (an answer would go to the
     * session's owner, not the sender). While the session is bound to none here (it was opened or attached at
     * another member, or this node was elected, restarted or loaded a snapshot since), the owner is told, at most
     * once per interval: by the leader to attach, by a follower to go to the leader, as one that does not forward
     * would. A follower does not ask for an attach: a host flooding an id would make the owner attach again and again
     * to the leader the follower names, where it is bound already.
     */
    private boolean isBound(
        final Session session,
        final long sequence,
        final int aeronSessionId,
        final String sourceIdentity,
        final long nowNs)
    {
        final IngressBinding binding = session.binding();
        if (null != binding && binding.matches(aeronSessionId, sourceIdentity))
        {
            return true;
        }
        counters.droppedMessages().incrementRelease();
        if (null == binding && session.mayAnswerUnbound(nowNs, UNBOUND_ANSWER_INTERVAL_NS))
        {
            egress.sendStatus(session, sequence, 0,
                isLeader() ? ResponseStatus.SESSION_NOT_ATTACHED : ResponseStatus.NOT_LEADER, nowNs);
        }
        return false;
    }

    private void proposeOpen(final IngressConnect connect, final String principal)
    {
        long sessionId;
        do
        {
            sessionId = random.nextLong();
        }
        while (sessions.isTaken(sessionId));
        random.nextBytes(sessionKey);

        final int payloadLength = SessionOpenPayload.encode(proposalBuffer, 0, sessionId, connect.correlationId(),
            sessionKey, connect.responseStreamId(), connect.buffer(), connect.channelOffset(), connect.channelLength(),
            principal);
        final long index = raft.propose(EntryType.SESSION_OPEN, 0, 0, proposalBuffer, 0, payloadLength);
        final long nowNs = connect.nowNs();
        if (index > 0)
        {
            sessions.proposedOpen(sessionId, new IngressBinding(connect.aeronSessionId(), connect.sourceIdentity()));
            counters.proposals().incrementRelease();
        }
        else if (RaftNode.NOT_LEADER == index)
        {
            egress.sendSessionReject(connect.responseChannel(), connect.responseStreamId(), connect.correlationId(),
                RejectReason.NOT_LEADER, "", nowNs);
        }
        else
        {
            // Back-pressured: the client retries its connect after its timeout.
            counters.droppedMessages().incrementRelease();
        }
    }

    private static boolean isAsciiPrincipal(final String principal)
    {
        if (principal.length() > Authenticator.MAX_PRINCIPAL_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < principal.length(); i++)
        {
            if (principal.charAt(i) > 127)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * This node is closing: tell each client whose session is bound to a connection here to go elsewhere
     * (NOT_LEADER, naming the leader the egress knows, if any), so that it moves at once rather than after its
     * response timeout. Best effort: an answer that cannot be sent now is not retried.
     *
     * @param nowNs the node's clock.
     * @return how many clients were told.
     */
    public int redirectBoundSessions(final long nowNs)
    {
        int told = 0;
        for (int i = 0, count = sessions.openCount(); i < count; i++)
        {
            final Session session = sessions.openSession(i);
            if (null != session.binding() && !session.isClosed())
            {
                egress.sendStatus(session, 0, 0, ResponseStatus.NOT_LEADER, nowNs);
                told++;
            }
        }
        return told;
    }

    private boolean isLeader()
    {
        return Role.LEADER == raft.role();
    }

    /**
     * The SESSION_CLOSE entry carries the reason, one byte, for the state machine's onSessionClose.
     */
    private int proposeClose(final Session session, final SessionCloseReason reason)
    {
        closeReason.putByte(0, reason.code());
        final long index = raft.propose(EntryType.SESSION_CLOSE, session.id(), 0, closeReason, 0, 1);
        if (index > 0)
        {
            counters.proposals().incrementRelease();
            session.closeProposed(true);
            return 1;
        }
        return 0;
    }
}
