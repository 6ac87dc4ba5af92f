package io.flotilla.engine.client;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.flotilla.codecs.BooleanType;
import io.flotilla.codecs.MessageHeaderDecoder;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.Protocol;
import io.flotilla.codecs.QueryDecoder;
import io.flotilla.codecs.QueryResponseEncoder;
import io.flotilla.codecs.ReadMode;
import io.flotilla.codecs.RejectReason;
import io.flotilla.codecs.RequestDecoder;
import io.flotilla.codecs.ResponseEncoder;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.codecs.SessionAckEncoder;
import io.flotilla.codecs.SessionAttachDecoder;
import io.flotilla.codecs.SessionConnectDecoder;
import io.flotilla.codecs.SessionKeepAliveDecoder;
import io.flotilla.codecs.SessionMessageAckDecoder;
import io.flotilla.codecs.SessionMessageEncoder;
import io.flotilla.codecs.SessionRejectEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for the cluster's ingress, on a real embedded media driver: members that answer the ingress
 * protocol of docs/client.md from one shared, in-memory "replicated" session table, with knobs to move the
 * leader, silence a member, lose responses or requests, and expire sessions. Every member answers queries (the
 * answer echoes the query) unless told otherwise; followers can forward commands. The client under test shares
 * the driver. A background thread runs every member.
 */
final class FakeCluster implements AutoCloseable
{
    static final int INGRESS_STREAM_ID = 10;
    static final String REJECT_PREFIX = "reject";

    private final MediaDriver driver;
    private final Aeron aeron;
    private final List<Member> members = new ArrayList<>();
    private final Map<Long, Session> sessions = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** Leader's member id, or -1 while "an election runs". */
    volatile int leaderId;
    /** Whether followers tell clients who the leader is. */
    volatile boolean hints = true;
    /** A silent member receives and drops everything (it crashed). */
    volatile int silentMemberId = -1;
    /** Every session is reported expired. */
    volatile boolean expireSessions;
    /** Responses the leader applies but does not send (lost answers). */
    final AtomicInteger responsesToLose = new AtomicInteger();
    /** Sequence the leader drops once without applying (a lost request), or 0. */
    final AtomicLong requestToLose = new AtomicLong();
    /** Sequence the leader refuses once with BACK_PRESSURED without applying, or 0. */
    final AtomicLong requestToRefuse = new AtomicLong();
    /** Sequence the leader applies but answers SEQUENCE_TOO_OLD (as if its response had left the cache), or 0. */
    final AtomicLong requestTooOld = new AtomicLong();
    /** Requests the silent member received while silent. */
    final AtomicInteger receivedWhileSilent = new AtomicInteger();
    /** NOT_LEADER answers sent. */
    final AtomicInteger notLeaderAnswers = new AtomicInteger();

    /** How many times each sequence was applied (any session). */
    final Map<Long, Integer> applyCounts = new ConcurrentHashMap<>();
    final AtomicInteger sequenceGaps = new AtomicInteger();
    final AtomicInteger keepAlives = new AtomicInteger();
    final AtomicIntegerArray keepAlivesByMember = new AtomicIntegerArray(8);
    final AtomicInteger sessionsOpened = new AtomicInteger();
    /** SessionAttach messages taken: the session bound to the connection at that member. */
    final AtomicInteger attaches = new AtomicInteger();
    /**
     * A member takes a session's requests only on the connection it was opened or attached on there, as the engine
     * does; others are dropped unanswered (the engine would answer SESSION_NOT_ATTACHED at most every 10 ms).
     */
    volatile boolean bindings;
    /** Attaches dropped, neither bound nor answered (the engine refuses one it cannot verify). */
    final AtomicInteger attachesToDrop = new AtomicInteger();
    /** Attaches bound but never acknowledged (the ack is lost). */
    final AtomicInteger attachAcksToWithhold = new AtomicInteger();
    /** Attaches bound and acknowledged only once {@link #releaseHeldAttachAcks} is set (the ack is late). */
    final AtomicInteger attachAcksToHold = new AtomicInteger();
    /** Set to send the held attach acks; cleared once they are sent. */
    volatile boolean releaseHeldAttachAcks;
    private final List<Runnable> heldAttachAcks = new ArrayList<>();
    /** Requests dropped because the session was not bound at the member, with {@link #bindings}. */
    final AtomicInteger unboundRequests = new AtomicInteger();

    /** Followers answer queries NOT_LEADER (they could not get a read index), with a hint when {@link #hints}. */
    volatile boolean followersRefuseReads;
    /** Every query answer is sent twice. */
    volatile boolean duplicateQueryAnswers;
    /** Query id refused once with BACK_PRESSURED (too many reads pending), or 0. */
    final AtomicLong queryToRefuse = new AtomicLong();
    /** Followers take commands and apply them as the leader would (forwarding); their SessionAck names the leader. */
    volatile boolean forwarding;
    /** The mode of the last query received. */
    volatile ReadMode lastQueryMode;
    /** Queries each member received, silent or not. */
    final AtomicIntegerArray queriesByMember = new AtomicIntegerArray(8);
    /** How many times each query id was received (any member, silent or not). */
    final Map<Long, Integer> queryReceipts = new ConcurrentHashMap<>();
    /** Query answers sent (duplicates included). */
    final AtomicInteger queryAnswers = new AtomicInteger();
    /** Requests each member received, silent or not. */
    final AtomicIntegerArray requestsByMember = new AtomicIntegerArray(8);
    /** Session messages for the leader to send: session id, sequence (the payload carries the sequence). */
    final Queue<long[]> sessionMessagesToSend = new ConcurrentLinkedQueue<>();
    /** SessionMessageAcks received by any member: session id, received, 1 when asking for a resend. */
    final Queue<long[]> sessionMessageAcks = new ConcurrentLinkedQueue<>();

    /**
     * @param ports    one UDP port per member, for its ingress ({@code TestPorts.allocate}).
     * @param leaderId the member that leads at first.
     */
    FakeCluster(final int[] ports, final int leaderId)
    {
        this.leaderId = leaderId;
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(CommonContext.generateRandomDirName())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(1 << 20)
            .ipcTermBufferLength(1 << 20));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        try
        {
            for (int i = 0; i < ports.length; i++)
            {
                members.add(new Member(i, "localhost:" + ports[i]));
            }
        }
        catch (final RuntimeException ex)
        {
            // A port another process took: the caller never gets this instance to close, so close what it started.
            members.forEach(Member::close);
            CloseHelper.closeAll(aeron, driver);
            throw ex;
        }
        thread = new Thread(this::run, "fake-cluster");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The member restarted: it holds no binding of any session any more.
     *
     * @param memberId of the member.
     */
    void forgetBindings(final int memberId)
    {
        members.get(memberId).bound.clear();
    }

    String aeronDirectoryName()
    {
        return driver.aeronDirectoryName();
    }

    /**
     * @return the members spec: {@code id=localhost:0:ingressPort,...} (consensus ports unused, any valid).
     */
    String membersSpec()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Member member : members)
        {
            sb.append(sb.length() == 0 ? "" : ",").append(member.id).append("=localhost:1:")
                .append(member.endpoint.substring(member.endpoint.indexOf(':') + 1));
        }
        return sb.toString();
    }

    int queryReceipts(final long queryId)
    {
        return queryReceipts.getOrDefault(queryId, 0);
    }

    int applied(final long sequence)
    {
        return applyCounts.getOrDefault(sequence, 0);
    }

    public void close()
    {
        running = false;
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        for (final Member member : members)
        {
            member.close();
        }
        for (final Session session : sessions.values())
        {
            CloseHelper.close(session.publication);
        }
        CloseHelper.closeAll(aeron, driver);
    }

    private void run()
    {
        while (running)
        {
            int work = 0;
            for (final Member member : members)
            {
                work += member.subscription.poll(member.assembler, 16);
            }
            for (long[] message; null != (message = sessionMessagesToSend.poll()); work++)
            {
                members.get(Math.max(0, leaderId)).sendSessionMessage(message[0], message[1]);
            }
            if (releaseHeldAttachAcks)
            {
                heldAttachAcks.forEach(Runnable::run);
                work += heldAttachAcks.size();
                heldAttachAcks.clear();
                releaseHeldAttachAcks = false;
            }
            if (0 == work)
            {
                Thread.onSpinWait();
                Thread.yield();
            }
        }
    }

    private static final class Session
    {
        final ExclusivePublication publication;
        long lastApplied;
        final Map<Long, byte[]> cache = new HashMap<>();
        final Map<Long, Long> cachedIndex = new HashMap<>();

        Session(final ExclusivePublication publication)
        {
            this.publication = publication;
        }
    }

    private final class Member
    {
        final int id;
        final String endpoint;
        final Subscription subscription;
        final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
        final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final SessionConnectDecoder connectDecoder = new SessionConnectDecoder();
        final RequestDecoder requestDecoder = new RequestDecoder();
        final SessionKeepAliveDecoder keepAliveDecoder = new SessionKeepAliveDecoder();
        final SessionAttachDecoder attachDecoder = new SessionAttachDecoder();
        final QueryDecoder queryDecoder = new QueryDecoder();
        final QueryResponseEncoder queryResponseEncoder = new QueryResponseEncoder();
        final SessionAckEncoder ackEncoder = new SessionAckEncoder();
        final SessionRejectEncoder rejectEncoder = new SessionRejectEncoder();
        final ResponseEncoder responseEncoder = new ResponseEncoder();
        final SessionMessageEncoder messageEncoder = new SessionMessageEncoder();
        final SessionMessageAckDecoder messageAckDecoder = new SessionMessageAckDecoder();
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1024);
        final Map<String, ExclusivePublication> connectPublications = new HashMap<>();
        final Set<Long> bound = ConcurrentHashMap.newKeySet();
        long logIndex = 100;

        Member(final int id, final String endpoint)
        {
            this.id = id;
            this.endpoint = endpoint;
            subscription = aeron.addSubscription("aeron:udp?endpoint=" + endpoint, INGRESS_STREAM_ID);
        }

        void close()
        {
            connectPublications.values().forEach(CloseHelper::close);
            CloseHelper.close(subscription);
        }

        private String leaderEndpoint()
        {
            final int leader = leaderId;
            return hints && leader >= 0 ? members.get(leader).endpoint : "";
        }

        private int leaderHint()
        {
            return hints ? leaderId : -1;
        }

        private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            headerDecoder.wrap(buffer, offset);
            if (RequestDecoder.TEMPLATE_ID == headerDecoder.templateId())
            {
                requestsByMember.incrementAndGet(id);
            }
            if (QueryDecoder.TEMPLATE_ID == headerDecoder.templateId())
            {
                queriesByMember.incrementAndGet(id);
                queryDecoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, headerDecoder.blockLength(),
                    headerDecoder.version());
                queryReceipts.merge(queryDecoder.queryId(), 1, Integer::sum);
            }
            if (silentMemberId == id)
            {
                if (RequestDecoder.TEMPLATE_ID == headerDecoder.templateId())
                {
                    receivedWhileSilent.incrementAndGet();
                }
                return;
            }
            final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            switch (headerDecoder.templateId())
            {
                case SessionConnectDecoder.TEMPLATE_ID:
                    connectDecoder.wrap(buffer, body, headerDecoder.blockLength(), headerDecoder.version());
                    onConnect();
                    break;
                case RequestDecoder.TEMPLATE_ID:
                    requestDecoder.wrap(buffer, body, headerDecoder.blockLength(), headerDecoder.version());
                    onRequest();
                    break;
                case SessionAttachDecoder.TEMPLATE_ID:
                    attachDecoder.wrap(buffer, body, headerDecoder.blockLength(), headerDecoder.version());
                    onAttach();
                    break;
                case QueryDecoder.TEMPLATE_ID:
                    queryDecoder.wrap(buffer, body, headerDecoder.blockLength(), headerDecoder.version());
                    onQuery();
                    break;
                case SessionMessageAckDecoder.TEMPLATE_ID:
                    messageAckDecoder.wrap(buffer, body, headerDecoder.blockLength(), headerDecoder.version());
                    sessionMessageAcks.add(new long[]{ messageAckDecoder.sessionId(), messageAckDecoder.received(),
                        BooleanType.TRUE == messageAckDecoder.resend() ? 1 : 0 });
                    break;
                case SessionKeepAliveDecoder.TEMPLATE_ID:
                    keepAlives.incrementAndGet();
                    keepAlivesByMember.incrementAndGet(id);
                    break;
                default:
                    break;
            }
        }

        void sendSessionMessage(final long sessionId, final long sequence)
        {
            final Session session = sessions.get(sessionId);
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[Long.BYTES]);
            payload.putLong(0, sequence);
            messageEncoder.wrapAndApplyHeader(out, 0, headerEncoder)
                .sessionId(sessionId)
                .sequence(sequence)
                .logIndex(1000 + sequence)
                .leaderMemberId(id)
                .status(ResponseStatus.OK)
                .putPayload(payload, 0, Long.BYTES);
            while (session.publication.offer(out, 0, MessageHeaderEncoder.ENCODED_LENGTH + messageEncoder.encodedLength()) < 0)
            {
                Thread.onSpinWait();
            }
        }

        private void onConnect()
        {
            final long correlationId = connectDecoder.correlationId();
            final int streamId = connectDecoder.responseStreamId();
            final String channel = connectDecoder.responseChannel();
            final ExclusivePublication publication = connectPublications.computeIfAbsent(
                channel + "/" + streamId, (k) -> awaitConnected(aeron.addExclusivePublication(channel, streamId)));

            int length;
            if (Protocol.VERSION != connectDecoder.protocolVersion())
            {
                rejectEncoder.wrapAndApplyHeader(out, 0, headerEncoder)
                    .correlationId(correlationId)
                    .leaderMemberId(leaderHint())
                    .reason(RejectReason.VERSION_MISMATCH)
                    .leaderEndpoint(leaderEndpoint())
                    .detail("protocol version " + connectDecoder.protocolVersion() + " is not " + Protocol.VERSION);
                length = MessageHeaderEncoder.ENCODED_LENGTH + rejectEncoder.encodedLength();
            }
            else if (leaderId != id)
            {
                rejectEncoder.wrapAndApplyHeader(out, 0, headerEncoder)
                    .correlationId(correlationId)
                    .leaderMemberId(leaderHint())
                    .reason(RejectReason.NOT_LEADER)
                    .leaderEndpoint(leaderEndpoint())
                    .detail("not leader");
                length = MessageHeaderEncoder.ENCODED_LENGTH + rejectEncoder.encodedLength();
            }
            else
            {
                final long sessionId = ++logIndex;
                sessions.put(sessionId, new Session(
                    awaitConnected(aeron.addExclusivePublication(channel, streamId))));
                bound.add(sessionId);
                sessionsOpened.incrementAndGet();
                ackEncoder.wrapAndApplyHeader(out, 0, headerEncoder)
                    .correlationId(correlationId)
                    .sessionId(sessionId)
                    .leaderTerm(1)
                    .leaderMemberId(id);
                length = MessageHeaderEncoder.ENCODED_LENGTH + ackEncoder.encodedLength();
            }
            offer(publication, length);
        }

        /**
         * Attached without checking the proof (the real check is the engine's): acknowledged by any member that
         * knows the session.
         */
        private void onAttach()
        {
            final Session session = sessions.get(attachDecoder.sessionId());
            if (null == session || attachesToDrop.getAndUpdate((n) -> Math.max(0, n - 1)) > 0)
            {
                return;
            }
            bound.add(attachDecoder.sessionId());
            attaches.incrementAndGet();
            if (attachAcksToWithhold.getAndUpdate((n) -> Math.max(0, n - 1)) > 0)
            {
                return;
            }
            final long correlationId = attachDecoder.correlationId();
            final long sessionId = attachDecoder.sessionId();
            if (attachAcksToHold.getAndUpdate((n) -> Math.max(0, n - 1)) > 0)
            {
                heldAttachAcks.add(() -> ackAttach(session, correlationId, sessionId));
                return;
            }
            ackAttach(session, correlationId, sessionId);
        }

        private void ackAttach(final Session session, final long correlationId, final long sessionId)
        {
            ackEncoder.wrapAndApplyHeader(out, 0, headerEncoder)
                .correlationId(correlationId)
                .sessionId(sessionId)
                .leaderTerm(1)
                .leaderMemberId(forwarding ? leaderId : id)
                .putSessionKey(new byte[16], 0, 16);
            offer(session.publication, MessageHeaderEncoder.ENCODED_LENGTH + ackEncoder.encodedLength());
        }

        private void onRequest()
        {
            final long sessionId = requestDecoder.sessionId();
            final long sequence = requestDecoder.sequence();
            final byte[] payload = new byte[requestDecoder.payloadLength()];
            requestDecoder.getPayload(payload, 0, payload.length);
            final Session session = sessions.get(sessionId);
            if (null == session)
            {
                return;
            }
            if (bindings && !bound.contains(sessionId))
            {
                unboundRequests.incrementAndGet();
                return;
            }

            if (forwarding && leaderId < 0)
            {
                respond(session, sessionId, sequence, ResponseStatus.BACK_PRESSURED, -1, new byte[0]);
                return;
            }
            if (leaderId != id && !forwarding)
            {
                notLeaderAnswers.incrementAndGet();
                respond(session, sessionId, sequence, ResponseStatus.NOT_LEADER, -1, new byte[0]);
                return;
            }
            if (expireSessions)
            {
                respond(session, sessionId, sequence, ResponseStatus.SESSION_EXPIRED, -1, new byte[0]);
                return;
            }
            if (requestToLose.compareAndSet(sequence, 0))
            {
                return;
            }
            if (requestToRefuse.compareAndSet(sequence, 0))
            {
                respond(session, sessionId, sequence, ResponseStatus.BACK_PRESSURED, -1, new byte[0]);
                return;
            }

            if (sequence == session.lastApplied + 1)
            {
                session.lastApplied = sequence;
                applyCounts.merge(sequence, 1, Integer::sum);
                session.cache.put(sequence, payload);
                session.cachedIndex.put(sequence, ++logIndex);
                if (responsesToLose.getAndUpdate((n) -> Math.max(0, n - 1)) > 0)
                {
                    return;
                }
                if (requestTooOld.compareAndSet(sequence, 0))
                {
                    respond(session, sessionId, sequence, ResponseStatus.SEQUENCE_TOO_OLD, 0, new byte[0]);
                    return;
                }
                respond(session, sessionId, sequence, status(payload), logIndex, payload);
            }
            else if (sequence <= session.lastApplied)
            {
                final byte[] cached = session.cache.get(sequence);
                respond(session, sessionId, sequence, status(cached), session.cachedIndex.get(sequence), cached);
            }
            else
            {
                sequenceGaps.incrementAndGet();
                respond(session, sessionId, sequence, ResponseStatus.SEQUENCE_GAP, ++logIndex, new byte[0]);
            }
        }

        private void onQuery()
        {
            final long sessionId = queryDecoder.sessionId();
            final long queryId = queryDecoder.queryId();
            lastQueryMode = queryDecoder.mode();
            final byte[] payload = new byte[queryDecoder.payloadLength()];
            queryDecoder.getPayload(payload, 0, payload.length);
            final Session session = sessions.get(sessionId);
            if (null == session)
            {
                return;
            }

            final ResponseStatus status;
            if (expireSessions)
            {
                status = ResponseStatus.SESSION_EXPIRED;
            }
            else if (leaderId < 0 || (leaderId != id && followersRefuseReads))
            {
                status = ResponseStatus.NOT_LEADER;
            }
            else if (queryToRefuse.compareAndSet(queryId, 0))
            {
                status = ResponseStatus.BACK_PRESSURED;
            }
            else
            {
                status = status(payload);
            }
            final boolean answered = ResponseStatus.OK == status || ResponseStatus.REJECTED == status;
            queryResponseEncoder.wrapAndApplyHeader(out, 0, headerEncoder)
                .sessionId(sessionId)
                .queryId(queryId)
                .readIndex(answered ? logIndex : -1)
                .leaderMemberId(leaderHint())
                .status(status)
                .leaderEndpoint(ResponseStatus.NOT_LEADER == status ? leaderEndpoint() : "")
                .putPayload(answered ? payload : new byte[0], 0, answered ? payload.length : 0);
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + queryResponseEncoder.encodedLength();
            for (int i = duplicateQueryAnswers ? 2 : 1; i > 0; i--)
            {
                offer(session.publication, length);
                queryAnswers.incrementAndGet();
            }
        }

        private ResponseStatus status(final byte[] payload)
        {
            return new String(payload, StandardCharsets.US_ASCII).startsWith(REJECT_PREFIX) ?
                ResponseStatus.REJECTED : ResponseStatus.OK;
        }

        private void respond(
            final Session session,
            final long sessionId,
            final long sequence,
            final ResponseStatus status,
            final long index,
            final byte[] payload)
        {
            final boolean notLeader = ResponseStatus.NOT_LEADER == status;
            responseEncoder.wrapAndApplyHeader(out, 0, headerEncoder)
                .sessionId(sessionId)
                .sequence(sequence)
                .logIndex(index)
                .leaderMemberId(notLeader ? leaderHint() : id)
                .status(status)
                .leaderEndpoint(notLeader ? leaderEndpoint() : "")
                .putPayload(payload, 0, payload.length);
            offer(session.publication, MessageHeaderEncoder.ENCODED_LENGTH + responseEncoder.encodedLength());
        }

        private void offer(final ExclusivePublication publication, final int length)
        {
            final long deadlineNs = System.nanoTime() + 5_000_000_000L;
            while (publication.offer(new UnsafeBuffer(out.byteArray()), 0, length) < 0)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("fake member could not answer on " + publication.channel());
                }
                Thread.yield();
            }
        }

        private ExclusivePublication awaitConnected(final ExclusivePublication publication)
        {
            final long deadlineNs = System.nanoTime() + 5_000_000_000L;
            while (!publication.isConnected())
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("response channel never connected: " + publication.channel());
                }
                Thread.yield();
            }
            return publication;
        }
    }
}
