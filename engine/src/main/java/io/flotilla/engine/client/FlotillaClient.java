package io.flotilla.engine.client;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.flotilla.archive.PortInUse;
import io.flotilla.archive.Settings;
import io.flotilla.codecs.BooleanType;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.MessageHeaderDecoder;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.Protocol;
import io.flotilla.codecs.QueryResponseDecoder;
import io.flotilla.codecs.RejectReason;
import io.flotilla.codecs.RequestEncoder;
import io.flotilla.codecs.ResponseDecoder;
import io.flotilla.codecs.SessionAckDecoder;
import io.flotilla.codecs.SessionAttachEncoder;
import io.flotilla.codecs.SessionCloseEncoder;
import io.flotilla.codecs.SessionConnectEncoder;
import io.flotilla.codecs.SessionKeepAliveEncoder;
import io.flotilla.codecs.SessionMessageAckEncoder;
import io.flotilla.codecs.SessionMessageDecoder;
import io.flotilla.codecs.SessionRejectDecoder;
import io.flotilla.engine.node.ResponseChannelPolicy;
import io.flotilla.engine.Authenticator;
import io.flotilla.engine.EngineProperties;
import io.flotilla.engine.ReadConsistency;
import io.flotilla.engine.SharedSecretCredentials;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client session with a Flotilla cluster (docs/client.md).
 * <p>
 * {@link #connect(Context)} finds the leader (following not-leader hints) and opens a session. Requests get
 * sequence numbers 1, 2, 3...; at most {@link #MAX_OUTSTANDING} are unanswered at a time. When the leader
 * changes (a not-leader answer, or no answer within the response timeout) the client moves to the new leader
 * and sends every unanswered request again, in order, with the same sequence: the session is replicated state,
 * so the cluster applies each request once and answers a repeat with the original response.
 * <p>
 * A leader takes a session's requests only from the connection bound to it: the one that opened it, or one the
 * client attached with a SessionAttach proven under the session key (from SessionAck). Before it sends to another
 * member (after a redirect or failover, even to one it attached to before, which may have restarted since), or when
 * a leader answers SESSION_NOT_ATTACHED, the client attaches, at most {@link #MAX_ATTACH_ATTEMPTS} times per member
 * and pass, and sends the unanswered requests right behind the attach, without waiting for its ack.
 * <p>
 * Non-blocking use: {@link #offer} a request, then {@link #poll} (which also drives resends, redirects and
 * keep-alives) until its outcome reaches the {@link ResponseListener}. Neither allocates in steady state.
 * Blocking use: {@link #call}. Futures: {@link #callAsync} and {@link #queryAsync}, completed by {@link #poll} on the
 * client's thread (they allocate; the forms above do not).
 * <p>
 * Queries (read-only, answered without a log entry, {@link ReadConsistency}) have their own ids 1, 2, 3... and
 * their own window of {@link #MAX_OUTSTANDING_QUERIES}: {@link #offerQuery}, then
 * {@link #poll(ResponseListener, QueryListener)}; blocking: {@link #query}. Any member that has applied the session
 * answers them, so they need no attach; with {@link Context#preferFollowerReads(boolean)} they go to the members
 * other than the one commands go to.
 * <p>
 * Session messages (what the state machine sends to this session of its own accord) reach the
 * {@link Context#sessionMessageListener(SessionMessageListener)} from {@link #poll}: in order, each once, numbered
 * 1, 2, 3.... The client acknowledges them to the member it sends to (after {@link #MESSAGE_ACK_BATCH} messages, or
 * {@link #MESSAGE_ACK_INTERVAL_NS}), drops the repeats a new leader sends, and asks for what it missed when it sees a
 * gap. Not thread safe: one thread uses a client.
 */
public final class FlotillaClient implements AutoCloseable
{
    /** Most unanswered requests a session may have. */
    public static final int MAX_OUTSTANDING = RequestWindow.CAPACITY;

    /** Most unanswered queries a client may have (ids from the oldest unanswered to the newest). */
    public static final int MAX_OUTSTANDING_QUERIES = QueryWindow.CAPACITY;

    /** {@link #offer} result: {@link #MAX_OUTSTANDING} requests are unanswered; poll and try again. */
    public static final long BACK_PRESSURED = -2;

    /** {@link #offer} result: the client is closed. */
    public static final long CLOSED = -3;

    /** {@link #offer} result: the cluster expired the session; connect a new client. */
    public static final long SESSION_EXPIRED = -4;

    /** {@link #offer} result: the leader was lost and no new one answered within the connect timeout. */
    public static final long NO_LEADER = -5;

    /** SessionAttach sends to one member before the client waits for its response timeout to move on. */
    public static final int MAX_ATTACH_ATTEMPTS = 4;

    /** Session messages received before the client acknowledges them without waiting for the interval. */
    public static final int MESSAGE_ACK_BATCH = 32;

    /** Longest a received session message waits to be acknowledged (while the client polls). */
    public static final long MESSAGE_ACK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private static final int FRAGMENT_LIMIT = 16;
    private static final Discard DISCARD = new Discard();
    private static final SessionMessageListener NO_SESSION_MESSAGES =
        (sequence, logIndex, outcome, buffer, offset, length) -> {};
    private static final long NONE = Long.MAX_VALUE;

    private enum State
    {
        CONNECTING, OPEN, EXPIRED, NO_LEADER, CLOSED
    }

    private final Context ctx;
    private final NanoClock clock;
    private final IdleStrategy idleStrategy;
    private final IngressEndpoints endpoints;
    private final List<ExclusivePublication> publications = new ArrayList<>();
    private final RequestWindow window;
    private final ClientQueries queries;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(
        2 * FrameValidator.MAX_TEXT_LENGTH + FrameValidator.MAX_CREDENTIALS_LENGTH + 256));
    private final UnsafeBuffer emptyBuffer = new UnsafeBuffer(new byte[0]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final RequestEncoder requestEncoder = new RequestEncoder();
    private final SessionConnectEncoder connectEncoder = new SessionConnectEncoder();
    private final SessionKeepAliveEncoder keepAliveEncoder = new SessionKeepAliveEncoder();
    private final SessionCloseEncoder closeEncoder = new SessionCloseEncoder();
    private final SessionAttachEncoder attachEncoder = new SessionAttachEncoder();
    private final AttachProof attachProof = new AttachProof();
    private final byte[] sessionKey = new byte[AttachProof.LENGTH];
    private final UnsafeBuffer credentialsBuffer = new UnsafeBuffer(new byte[FrameValidator.MAX_CREDENTIALS_LENGTH]);
    private final EpochNanoClock epochClock;
    private final ResponseDecoder responseDecoder = new ResponseDecoder();
    private final QueryResponseDecoder queryResponseDecoder = new QueryResponseDecoder();
    private final SessionAckDecoder ackDecoder = new SessionAckDecoder();
    private final SessionRejectDecoder rejectDecoder = new SessionRejectDecoder();
    private final SessionMessageDecoder messageDecoder = new SessionMessageDecoder();
    private final SessionMessageAckEncoder messageAckEncoder = new SessionMessageAckEncoder();
    private final SessionMessageListener messageListener;
    private final CallListener callListener = new CallListener();
    private final ClientFutures futures = new ClientFutures(this::failure);

    private MediaDriver driver;
    private Aeron aeron;
    private Subscription subscription;
    private String resolvedResponseChannel;
    private State state = State.CONNECTING;
    private ResponseListener listener;
    private int target;
    private long sessionId;
    private long leaderTerm;
    private int leaderMemberId = IngressEndpoints.UNKNOWN_MEMBER;
    private SharedSecretCredentials sharedSecretCredentials;
    private SecureRandom nonces;

    private boolean[] attached;
    private boolean attachWanted;
    private int attachTarget = -1;
    private int attachAttempts;
    private long attachCorrelationId;
    // The member the last attach went to: its ack may come after the client has moved on (attachTarget reset).
    private int attachSentTo = -1;
    private long attachSentNs;
    private long lastAttachTimestampNs;

    private long connectCorrelationId;
    private boolean connectAnswered;
    private boolean connectAcked;
    private int connectHint;
    private String connectRejectDetail;
    private RejectReason connectRejectReason;

    private long holdUntilNs;
    private long progressDeadlineNs = NONE;
    private long leaderLostDeadlineNs = NONE;
    private long lastSendNs;
    private long passFirst;
    private boolean awaitingPassFirst;
    private int suspect = -1;
    private long suspectUntilNs;

    private long messagesReceived;
    private long messagesAcknowledged;
    private long messageAckSentNs;
    private boolean messageGap;
    private boolean messageAckWanted;
    private long messageResendAskedNs = Long.MIN_VALUE / 2;

    private long resendPasses;
    private long redirects;
    private long droppedMessages;
    private long duplicateResponses;
    private long duplicateSessionMessages;
    private long sessionMessageGaps;

    private FlotillaClient(final Context ctx)
    {
        this.ctx = ctx;
        this.clock = ctx.nanoClock();
        this.idleStrategy = ctx.idleStrategy();
        this.endpoints = ctx.endpoints();
        this.epochClock = ctx.epochClock();
        this.messageListener = ctx.sessionMessageListener();
        this.window = new RequestWindow(
            MessageHeaderEncoder.ENCODED_LENGTH + RequestEncoder.BLOCK_LENGTH + RequestEncoder.payloadHeaderLength() +
            ctx.maxRequestLength());
        this.queries = new ClientQueries(ctx, endpoints, publications, this::ensurePublications, futures);
    }

    /**
     * Connect to the cluster: open a session with the leader.
     *
     * @param ctx configuration; concluded here.
     * @return a client with an open session.
     * @throws FlotillaClientException NO_LEADER when no leader accepted the session within the connect timeout,
     *                                 REJECTED when the cluster refused it (credentials, version, capacity).
     */
    public static FlotillaClient connect(final Context ctx)
    {
        ctx.conclude();
        final FlotillaClient client = new FlotillaClient(ctx);
        try
        {
            client.start();
            client.openSession();
            return client;
        }
        catch (final RuntimeException ex)
        {
            client.close();
            throw ex;
        }
    }

    /**
     * Offer a request. It is copied into the window, so the buffer may be reused at once.
     *
     * @param buffer holding the command.
     * @param offset of the command.
     * @param length of the command, at most {@link Context#maxRequestLength()}.
     * @return the request's sequence (positive), or {@link #BACK_PRESSURED}, {@link #CLOSED},
     * {@link #SESSION_EXPIRED} or {@link #NO_LEADER}.
     */
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (State.OPEN != state)
        {
            return stateResult();
        }
        if (length < 0 || length > ctx.maxRequestLength())
        {
            throw new IllegalArgumentException("request length " + length + " outside 0.." + ctx.maxRequestLength() +
                ": raise " + Context.MAX_REQUEST_LENGTH_PROP);
        }
        if (window.isFull())
        {
            return BACK_PRESSURED;
        }

        final long nowNs = clock.nanoTime();
        if (0 == window.outstanding())
        {
            progressDeadlineNs = nowNs + ctx.responseTimeoutNs();
        }

        final long sequence = window.nextSequence();
        requestEncoder.wrapAndApplyHeader(window.buffer(), window.offset(sequence), headerEncoder)
            .sessionId(sessionId)
            .sequence(sequence)
            .putPayload(buffer, offset, length);
        window.add(MessageHeaderEncoder.ENCODED_LENGTH + requestEncoder.encodedLength());
        sendPending(nowNs);

        return sequence;
    }

    /**
     * Offer a query: a read-only request the state machine answers without a log entry. It is copied into the
     * query window, so the buffer may be reused at once. Its outcome comes from
     * {@link #poll(ResponseListener, QueryListener)}.
     *
     * @param consistency how the answer is made linearizable.
     * @param buffer      holding the query.
     * @param offset      of the query.
     * @param length      of the query, at most {@link Context#maxRequestLength()}.
     * @return the query's id (positive), or {@link #BACK_PRESSURED} ({@link #MAX_OUTSTANDING_QUERIES} unanswered),
     * {@link #CLOSED}, {@link #SESSION_EXPIRED} or {@link #NO_LEADER}.
     */
    public long offerQuery(
        final ReadConsistency consistency, final DirectBuffer buffer, final int offset, final int length)
    {
        if (State.OPEN != state)
        {
            return stateResult();
        }
        if (length < 0 || length > ctx.maxRequestLength())
        {
            throw new IllegalArgumentException("query length " + length + " outside 0.." + ctx.maxRequestLength() +
                ": raise " + Context.MAX_REQUEST_LENGTH_PROP);
        }

        return queries.offer(sessionId, consistency, buffer, offset, length, target, clock.nanoTime());
    }

    /**
     * Receive responses and deliver outcomes to the listener; send queued and resent requests; follow leader
     * changes; send keep-alives when idle. Call it regularly (a duty cycle). Outcomes of queries received here are
     * kept and delivered by the next {@link #poll(ResponseListener, QueryListener)}.
     *
     * @param listener to receive outcomes.
     * @return the amount of work done.
     */
    public int poll(final ResponseListener listener)
    {
        return poll(listener, null);
    }

    /**
     * As {@link #poll(ResponseListener)}, and deliver the outcomes of queries to the query listener (first those
     * kept by earlier polls without one).
     *
     * @param listener      to receive outcomes of requests.
     * @param queryListener to receive outcomes of queries, or null to keep them for a later poll.
     * @return the amount of work done.
     */
    public int poll(final ResponseListener listener, final QueryListener queryListener)
    {
        if (State.CLOSED == state)
        {
            return 0;
        }

        this.listener = listener;
        queries.listener(queryListener);
        int workCount = null == queryListener ? 0 : queries.deliverHeld(queryListener);
        workCount += subscription.poll(assembler, FRAGMENT_LIMIT);
        if (State.OPEN == state)
        {
            workCount += doDuties(clock.nanoTime());
        }

        return workCount;
    }

    /**
     * As {@link #poll(ResponseListener, QueryListener)} for a client used through its futures only
     * ({@link #callAsync}, {@link #queryAsync}): outcomes of requests and queries offered with {@link #offer} and
     * {@link #offerQuery} are discarded.
     *
     * @return the amount of work done.
     */
    public int poll()
    {
        return poll(DISCARD, DISCARD);
    }

    /**
     * Offer a request and get its outcome as a future, completed by {@link #poll} on this client's thread: the
     * convenient form, for code off the hot path. It allocates (the future, an entry in a map, the payload's copy)
     * where {@link #offer} with a {@link ResponseListener} does not. The outcome is the one {@link #call} returns
     * or throws: the response payload (a copy the caller keeps) on OK; otherwise a {@link FlotillaClientException}
     * naming the failure: REJECTED (payload attached), ERROR, RESPONSE_TOO_LARGE, SESSION_EXPIRED, NO_LEADER,
     * BACK_PRESSURED ({@link #MAX_OUTSTANDING} unanswered now: nothing was sent) or CLOSED (offered after, or
     * unanswered at, {@link #close()}; a request unanswered at close may still have been applied).
     * <p>
     * Threading: a client is used by one thread, and so are its futures' completions. Only {@link #poll} (or a
     * blocking call, which polls) completes them, so waiting on one ({@code join}, {@code get}) on the client's
     * own thread without polling never returns; another thread may wait on it while the client's thread polls.
     * A stage chained with a non-{@code Async} method runs inside {@code poll} on the client's thread, where it may
     * offer again ({@link #callAsync}, {@link #offer}) but must not block ({@link #call}, {@link #query}, waiting on
     * another future); keep it short. The future has no timeout of its own:
     * the request stays outstanding until answered or until the client gives up on the leader (NO_LEADER); use
     * {@link CompletableFuture#orTimeout} for a bound.
     *
     * @param buffer holding the command; copied, the caller may reuse it at once.
     * @param offset of the command.
     * @param length of the command, at most {@link Context#maxRequestLength()}.
     * @return the future of the request's outcome.
     */
    public CompletableFuture<DirectBuffer> callAsync(final DirectBuffer buffer, final int offset, final int length)
    {
        final long sequence = offer(buffer, offset, length);
        if (sequence < 0)
        {
            return CompletableFuture.failedFuture(offerFailure(sequence, MAX_OUTSTANDING + " requests unanswered"));
        }
        final CompletableFuture<DirectBuffer> future = new CompletableFuture<>();
        futures.addRequest(sequence, future);
        return future;
    }

    /**
     * Offer a query and get its answer as a future, completed by {@link #poll} on this client's thread, as
     * {@link #callAsync} (threading, allocation): the answer's payload on OK, otherwise a
     * {@link FlotillaClientException} as {@link #query} throws it: REJECTED, ERROR, RESPONSE_TOO_LARGE,
     * SESSION_EXPIRED, NO_LEADER (no member answered within the connect timeout), BACK_PRESSURED
     * ({@link #MAX_OUTSTANDING_QUERIES} unanswered now: nothing was sent) or CLOSED.
     *
     * @param consistency how the answer is made linearizable.
     * @param buffer      holding the query; copied, the caller may reuse it at once.
     * @param offset      of the query.
     * @param length      of the query, at most {@link Context#maxRequestLength()}.
     * @return the future of the query's answer.
     */
    public CompletableFuture<DirectBuffer> queryAsync(
        final ReadConsistency consistency, final DirectBuffer buffer, final int offset, final int length)
    {
        final long queryId = offerQuery(consistency, buffer, offset, length);
        if (queryId < 0)
        {
            return CompletableFuture.failedFuture(
                offerFailure(queryId, MAX_OUTSTANDING_QUERIES + " queries unanswered"));
        }
        final CompletableFuture<DirectBuffer> future = new CompletableFuture<>();
        futures.addQuery(queryId, future);
        return future;
    }

    /**
     * Send a request and wait for its outcome. Do not mix with {@link #offer}: while waiting, outcomes of other
     * requests (for example earlier calls that timed out) are discarded.
     *
     * @param buffer    holding the command.
     * @param offset    of the command.
     * @param length    of the command.
     * @param timeoutNs how long to wait for the window and the answer.
     * @return a buffer holding exactly the response payload, owned by the client and valid until the next call.
     * @throws FlotillaClientException naming the failure: REJECTED (payload attached), ERROR, TIMEOUT,
     *                                 BACK_PRESSURED, NO_LEADER, SESSION_EXPIRED or CLOSED.
     */
    public DirectBuffer call(final DirectBuffer buffer, final int offset, final int length, final long timeoutNs)
    {
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        long sequence;
        while (BACK_PRESSURED == (sequence = offer(buffer, offset, length)))
        {
            if (clock.nanoTime() - deadlineNs >= 0)
            {
                throw new FlotillaClientException(FlotillaClientException.Reason.BACK_PRESSURED,
                    MAX_OUTSTANDING + " requests stayed unanswered for " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
            }
            idleStrategy.idle(poll(callListener));
        }
        if (sequence < 0)
        {
            throw stateException();
        }

        callListener.awaitRequest(sequence);
        idleStrategy.reset();
        while (!callListener.hasOutcome())
        {
            if (clock.nanoTime() - deadlineNs >= 0)
            {
                throw new FlotillaClientException(FlotillaClientException.Reason.TIMEOUT,
                    "no answer to sequence " + sequence + " within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) +
                    " ms; it stays outstanding and may still be applied");
            }
            idleStrategy.idle(poll(callListener));
        }

        return callListener.result();
    }

    /**
     * Send a query and wait for its answer. While waiting, outcomes of requests and of other queries are discarded
     * (as with {@link #call}); do not mix with {@link #offer} or {@link #offerQuery}.
     *
     * @param consistency how the answer is made linearizable.
     * @param buffer      holding the query.
     * @param offset      of the query.
     * @param length      of the query.
     * @param timeoutNs   how long to wait for the window and the answer.
     * @return a buffer holding exactly the answer's payload, owned by the client and valid until the next call.
     * @throws FlotillaClientException naming the failure: REJECTED (payload attached), ERROR, RESPONSE_TOO_LARGE,
     *                                 TIMEOUT (the query is abandoned), BACK_PRESSURED, NO_LEADER, SESSION_EXPIRED or
     *                                 CLOSED.
     */
    public DirectBuffer query(
        final ReadConsistency consistency,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long timeoutNs)
    {
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        long queryId;
        while (BACK_PRESSURED == (queryId = offerQuery(consistency, buffer, offset, length)))
        {
            if (clock.nanoTime() - deadlineNs >= 0)
            {
                throw new FlotillaClientException(FlotillaClientException.Reason.BACK_PRESSURED,
                    MAX_OUTSTANDING_QUERIES + " queries stayed unanswered for " +
                    TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
            }
            idleStrategy.idle(poll(callListener, callListener));
        }
        if (queryId < 0)
        {
            throw stateException();
        }

        callListener.awaitQuery(queryId);
        idleStrategy.reset();
        while (!callListener.hasOutcome())
        {
            if (clock.nanoTime() - deadlineNs >= 0)
            {
                queries.abandon(queryId);
                throw new FlotillaClientException(FlotillaClientException.Reason.TIMEOUT,
                    "no answer to query " + queryId + " within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
            }
            idleStrategy.idle(poll(callListener, callListener));
        }

        return callListener.result();
    }

    /**
     * @return the cluster's session id (random, drawn by the leader that opened the session).
     */
    public long sessionId()
    {
        return sessionId;
    }

    /**
     * @return the member id of the member the client sends commands to (the leader, or a follower that forwards them
     * to it), or -1 when unknown.
     */
    public int leaderMemberId()
    {
        return endpoints.memberId(target) != IngressEndpoints.UNKNOWN_MEMBER ?
            endpoints.memberId(target) : leaderMemberId;
    }

    /**
     * @return the leader's term when the session was opened.
     */
    public long sessionOpenTerm()
    {
        return leaderTerm;
    }

    /**
     * @return the response channel the cluster answers this client on, with its port resolved.
     */
    public String responseChannel()
    {
        return resolvedResponseChannel;
    }

    /**
     * @return requests offered but not answered yet.
     */
    public int outstanding()
    {
        return window.outstanding();
    }

    /**
     * @return how many times unanswered requests were sent again (leader change, timeout, sequence gap).
     */
    public long resendPasses()
    {
        return resendPasses;
    }

    /**
     * @return how many times the client moved to another member.
     */
    public long redirects()
    {
        return redirects;
    }

    /**
     * @return messages received that were malformed or for another session, dropped.
     */
    public long droppedMessages()
    {
        return droppedMessages;
    }

    /**
     * @return the sequence of the last session message delivered: every one up to it was, once each.
     */
    public long sessionMessagesReceived()
    {
        return messagesReceived;
    }

    /**
     * @return session messages dropped as repeats (sent again by a new leader, or after a gap was reported).
     */
    public long duplicateSessionMessages()
    {
        return duplicateSessionMessages;
    }

    /**
     * @return gaps seen in the session messages (each made the client ask for the rest again).
     */
    public long sessionMessageGaps()
    {
        return sessionMessageGaps;
    }

    /**
     * @return answers to requests that were already answered (repeats after a resend), ignored.
     */
    public long duplicateResponses()
    {
        return duplicateResponses;
    }

    /**
     * @return queries offered whose outcome has not been delivered yet.
     */
    public int outstandingQueries()
    {
        return queries.open();
    }

    /**
     * @return how many times a query was sent again (silent member, not-leader answer, busy member).
     */
    public long queryResends()
    {
        return queries.resends();
    }

    /**
     * @return answers to queries that are not outstanding (already answered, abandoned, or unknown ids), ignored.
     */
    public long duplicateQueryResponses()
    {
        return queries.duplicateResponses();
    }

    public boolean isClosed()
    {
        return State.CLOSED == state;
    }

    /**
     * Close the session (best effort) and release everything the client created, including its media driver.
     */
    public void close()
    {
        if (State.CLOSED == state)
        {
            return;
        }
        if (State.OPEN == state && target < publications.size())
        {
            closeEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder).sessionId(sessionId);
            publications.get(target).offer(
                controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + closeEncoder.encodedLength());
        }
        state = State.CLOSED;
        futures.closeAll(new FlotillaClientException(FlotillaClientException.Reason.CLOSED,
            "client closed before the answer came; a request may still have been applied"));

        CloseHelper.closeAll(publications);
        CloseHelper.close(subscription);
        if (null == ctx.aeron())
        {
            CloseHelper.close(aeron);
        }
        CloseHelper.close(driver);
    }

    private void start()
    {
        aeron = ctx.aeron();
        if (null == aeron)
        {
            String aeronDirectoryName = ctx.aeronDirectoryName();
            if (null == aeronDirectoryName)
            {
                driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                    .aeronDirectoryName(CommonContext.generateRandomDirName())
                    .threadingMode(ThreadingMode.SHARED)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .termBufferSparseFile(true));
                aeronDirectoryName = driver.aeronDirectoryName();
            }
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectoryName));
        }

        try
        {
            subscription = aeron.addSubscription(ctx.responseChannel(), ctx.responseStreamId());
        }
        catch (final RuntimeException ex)
        {
            throw PortInUse.explain(ex, "the response channel " + ctx.responseChannel(),
                Context.RESPONSE_CHANNEL_PROP + " (port 0 picks a free one)");
        }
        final long deadlineNs = clock.nanoTime() + ctx.connectTimeoutNs();
        resolvedResponseChannel = ctx.responseChannel().startsWith(CommonContext.IPC_CHANNEL) ?
            ctx.responseChannel() : null;
        while (null == resolvedResponseChannel)
        {
            resolvedResponseChannel = subscription.tryResolveChannelEndpointPort();
            if (clock.nanoTime() - deadlineNs >= 0)
            {
                throw new IllegalStateException("response channel " + ctx.responseChannel() + " did not bind");
            }
            idleStrategy.idle();
        }

        ensurePublications();
        if (null != ctx.principal())
        {
            sharedSecretCredentials = new SharedSecretCredentials();
            nonces = new SecureRandom();
        }
    }

    private void openSession()
    {
        final long deadlineNs = clock.nanoTime() + ctx.connectTimeoutNs();
        int candidate = 0;
        while (clock.nanoTime() - deadlineNs < 0)
        {
            final int next = tryConnect(candidate, Math.min(deadlineNs, clock.nanoTime() + ctx.responseTimeoutNs()));
            if (connectAcked)
            {
                target = candidate;
                attached[candidate] = true;
                state = State.OPEN;
                lastSendNs = clock.nanoTime();
                holdUntilNs = lastSendNs;
                return;
            }
            if (next != candidate)
            {
                redirects++;
            }
            candidate = next;
        }

        throw new FlotillaClientException(FlotillaClientException.Reason.NO_LEADER, "no leader accepted a session within " +
            TimeUnit.NANOSECONDS.toMillis(ctx.connectTimeoutNs()) + " ms at " + ctx.ingressEndpoints());
    }

    /**
     * One SessionConnect attempt at one member.
     *
     * @return the member to try next (the same one when it acked).
     */
    private int tryConnect(final int candidate, final long attemptDeadlineNs)
    {
        final int nextInTurn = (candidate + 1) % endpoints.size();
        final ExclusivePublication publication = publications.get(candidate);
        idleStrategy.reset();
        while (!publication.isConnected())
        {
            if (clock.nanoTime() - attemptDeadlineNs >= 0)
            {
                return nextInTurn;
            }
            idleStrategy.idle();
        }

        connectCorrelationId = aeron.nextCorrelationId();
        connectAnswered = false;
        connectAcked = false;
        final int credentialsLength = writeCredentials(publication.sessionId());
        connectEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .correlationId(connectCorrelationId)
            .responseStreamId(ctx.responseStreamId())
            .protocolVersion(Protocol.VERSION)
            .responseChannel(resolvedResponseChannel)
            .putCredentials(credentialsBuffer, 0, credentialsLength);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + connectEncoder.encodedLength();
        while (publication.offer(controlBuffer, 0, length) < 0)
        {
            if (clock.nanoTime() - attemptDeadlineNs >= 0)
            {
                return nextInTurn;
            }
            idleStrategy.idle();
        }

        while (!connectAnswered)
        {
            if (clock.nanoTime() - attemptDeadlineNs >= 0)
            {
                return nextInTurn;
            }
            idleStrategy.idle(subscription.poll(assembler, FRAGMENT_LIMIT));
        }

        if (connectAcked)
        {
            return candidate;
        }
        if (RejectReason.NOT_LEADER != connectRejectReason)
        {
            throw new FlotillaClientException(FlotillaClientException.Reason.REJECTED,
                "session refused by " + endpoints.endpoint(candidate) + ": " + connectRejectReason + " " +
                connectRejectDetail);
        }
        if (connectHint >= 0 && connectHint != candidate)
        {
            return connectHint;
        }

        // No leader known there (an election is running): give it a moment, then ask the next member.
        sleepUntil(Math.min(attemptDeadlineNs, clock.nanoTime() + ctx.retryDelayNs()));
        return nextInTurn;
    }

    /**
     * The credentials of one connect: under a shared secret, fresh (timestamp, nonce) and bound by their MAC to
     * this connect and the publication it goes on; otherwise the context's bytes as they are.
     */
    private int writeCredentials(final int aeronSessionId)
    {
        if (null == sharedSecretCredentials)
        {
            credentialsBuffer.putBytes(0, ctx.credentials());
            return ctx.credentials().length;
        }
        return sharedSecretCredentials.encode(credentialsBuffer, 0, ctx.principal(), ctx.secretKey(),
            epochClock.nanoTime(), nonces.nextLong(), connectCorrelationId, ctx.responseStreamId(), aeronSessionId,
            resolvedResponseChannel);
    }

    private void sleepUntil(final long deadlineNs)
    {
        idleStrategy.reset();
        while (clock.nanoTime() - deadlineNs < 0)
        {
            idleStrategy.idle(subscription.poll(assembler, FRAGMENT_LIMIT));
        }
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (!FrameValidator.validate(buffer, offset, length).isValid())
        {
            droppedMessages++;
            return;
        }

        headerDecoder.wrap(buffer, offset);
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        switch (headerDecoder.templateId())
        {
            case ResponseDecoder.TEMPLATE_ID:
                responseDecoder.wrap(buffer, bodyOffset, headerDecoder.blockLength(), headerDecoder.version());
                onResponse();
                break;

            case QueryResponseDecoder.TEMPLATE_ID:
                queryResponseDecoder.wrap(buffer, bodyOffset, headerDecoder.blockLength(), headerDecoder.version());
                onQueryResponse();
                break;

            case SessionAckDecoder.TEMPLATE_ID:
                ackDecoder.wrap(buffer, bodyOffset, headerDecoder.blockLength(), headerDecoder.version());
                onSessionAck();
                break;

            case SessionRejectDecoder.TEMPLATE_ID:
                rejectDecoder.wrap(buffer, bodyOffset, headerDecoder.blockLength(), headerDecoder.version());
                onSessionReject();
                break;

            case SessionMessageDecoder.TEMPLATE_ID:
                messageDecoder.wrap(buffer, bodyOffset, headerDecoder.blockLength(), headerDecoder.version());
                onSessionMessage();
                break;

            default:
                droppedMessages++;
        }
    }

    private void onSessionAck()
    {
        if (State.OPEN == state && 0 != attachCorrelationId && ackDecoder.correlationId() == attachCorrelationId &&
            ackDecoder.sessionId() == sessionId)
        {
            attached[attachSentTo] = true;
            attachCorrelationId = 0;
            attachWanted &= attachSentTo != target;
            return;
        }
        if (State.CONNECTING != state || ackDecoder.correlationId() != connectCorrelationId)
        {
            droppedMessages++;
            return;
        }
        ackDecoder.getSessionKey(sessionKey, 0, sessionKey.length);
        attachProof.key(new SecretKeySpec(sessionKey, AttachProof.ALGORITHM));
        sessionId = ackDecoder.sessionId();
        leaderTerm = ackDecoder.leaderTerm();
        leaderMemberId = ackDecoder.leaderMemberId();
        connectAcked = true;
        connectAnswered = true;
    }

    private void onSessionReject()
    {
        if (State.CONNECTING != state || rejectDecoder.correlationId() != connectCorrelationId)
        {
            droppedMessages++;
            return;
        }
        connectRejectReason = rejectDecoder.reason();
        connectHint = endpoints.resolve(rejectDecoder.leaderMemberId(), rejectDecoder.leaderEndpoint());
        connectRejectDetail = rejectDecoder.detail();
        ensurePublications();
        connectAnswered = true;
    }

    private void onResponse()
    {
        if (State.OPEN != state || responseDecoder.sessionId() != sessionId)
        {
            droppedMessages++;
            return;
        }

        final long nowNs = clock.nanoTime();
        final long sequence = responseDecoder.sequence();
        final long logIndex = responseDecoder.logIndex();
        final int hintMemberId = responseDecoder.leaderMemberId();
        switch (responseDecoder.status())
        {
            case NOT_LEADER:
                onNotLeader(nowNs, hintMemberId, responseDecoder.leaderEndpoint());
                break;

            case SESSION_EXPIRED:
                fail(Outcome.SESSION_EXPIRED, State.EXPIRED);
                break;

            case OK:
                responseDecoder.skipLeaderEndpoint();
                deliver(nowNs, sequence, Outcome.OK, logIndex);
                break;

            case REJECTED:
                responseDecoder.skipLeaderEndpoint();
                deliver(nowNs, sequence, Outcome.REJECTED, logIndex);
                break;

            case RESPONSE_TOO_LARGE:
                responseDecoder.skipLeaderEndpoint();
                deliver(nowNs, sequence, Outcome.RESPONSE_TOO_LARGE, logIndex);
                break;

            case SEQUENCE_GAP:
                onSequenceGap(nowNs);
                break;

            case BACK_PRESSURED:
                onLeaderBackPressured(nowNs);
                break;

            case SESSION_NOT_ATTACHED:
                onNotAttached(nowNs, hintMemberId);
                break;

            case SEQUENCE_TOO_OLD:
            case ERROR:
                responseDecoder.skipLeaderEndpoint();
                deliver(nowNs, sequence, Outcome.ERROR, logIndex);
                break;

            default:
                droppedMessages++;
        }
    }

    /**
     * A session message: delivered when it is the next one; a repeat (a new leader sends again what was not
     * acknowledged) is dropped; one after a gap is dropped too, and the client asks for the rest again. Taken once
     * the session is known (its ack may arrive in the same poll as the first messages).
     */
    private void onSessionMessage()
    {
        if (0 == sessionId || messageDecoder.sessionId() != sessionId ||
            (State.OPEN != state && State.CONNECTING != state))
        {
            droppedMessages++;
            return;
        }
        final long sequence = messageDecoder.sequence();
        if (sequence <= messagesReceived)
        {
            // The sender does not know what this client has (a new leader, a lost acknowledgement): tell it again.
            duplicateSessionMessages++;
            messageAckWanted = true;
            return;
        }
        if (sequence > messagesReceived + 1)
        {
            if (!messageGap)
            {
                sessionMessageGaps++;
                messageGap = true;
            }
            return;
        }
        messagesReceived = sequence;
        messageGap = false;
        final Outcome outcome;
        switch (messageDecoder.status())
        {
            case OK:
                outcome = Outcome.OK;
                break;
            case RESPONSE_TOO_LARGE:
                outcome = Outcome.RESPONSE_TOO_LARGE;
                break;
            default:
                outcome = Outcome.ERROR;
        }
        final int length = messageDecoder.payloadLength();
        final int offset = messageDecoder.limit() + SessionMessageDecoder.payloadHeaderLength();
        messageListener.onSessionMessage(sequence, messageDecoder.logIndex(), outcome, messageDecoder.buffer(), offset,
            length);
    }

    /**
     * Acknowledge the session messages received, to the member requests go to (which forwards to the leader when
     * it is a follower that forwards); after a gap, ask for everything after the last one received, at most once a
     * quarter of the response timeout.
     */
    private int acknowledgeMessages(final long nowNs)
    {
        final long unacknowledged = messagesReceived - messagesAcknowledged;
        final boolean ackDue = unacknowledged >= MESSAGE_ACK_BATCH ||
            ((unacknowledged > 0 || messageAckWanted) && nowNs - messageAckSentNs >= MESSAGE_ACK_INTERVAL_NS);
        final boolean resendDue = messageGap && nowNs - messageResendAskedNs >= ctx.responseTimeoutNs() / 4;
        if (!ackDue && !resendDue)
        {
            return 0;
        }
        if (!attached[target])
        {
            attachWanted = true; // the member must know this connection is the session's before it takes the ack
            return 0;
        }
        messageAckEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .sessionId(sessionId)
            .received(messagesReceived)
            .resend(resendDue ? BooleanType.TRUE : BooleanType.FALSE);
        if (publications.get(target).offer(
            controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + messageAckEncoder.encodedLength()) < 0)
        {
            return 0; // not connected or back-pressured: tried again on the next poll
        }
        messagesAcknowledged = messagesReceived;
        messageAckWanted = false;
        messageAckSentNs = nowNs;
        if (resendDue)
        {
            messageResendAskedNs = nowNs;
        }
        return 1;
    }

    private void onQueryResponse()
    {
        if (State.OPEN != state || queryResponseDecoder.sessionId() != sessionId ||
            !queries.onResponse(queryResponseDecoder, clock.nanoTime()))
        {
            droppedMessages++;
        }
    }

    private void deliver(final long nowNs, final long sequence, final Outcome outcome, final long logIndex)
    {
        if (!window.markAnswered(sequence))
        {
            duplicateResponses++;
            return;
        }

        leaderLostDeadlineNs = NONE;
        progressDeadlineNs = nowNs + ctx.responseTimeoutNs();
        if (sequence >= passFirst)
        {
            awaitingPassFirst = false;
        }

        final int payloadLength = responseDecoder.payloadLength();
        final int payloadOffset = responseDecoder.limit() + ResponseDecoder.payloadHeaderLength();
        final CompletableFuture<DirectBuffer> future = futures.takeRequest(sequence);
        if (null != future)
        {
            futures.complete(future, false, sequence, outcome, responseDecoder.buffer(), payloadOffset, payloadLength);
            return;
        }
        listener.onResponse(sequence, outcome, logIndex, responseDecoder.buffer(), payloadOffset, payloadLength);
    }

    private void onNotLeader(final long nowNs, final int hintMemberId, final String hintEndpoint)
    {
        markLeaderLost(nowNs);
        int hinted = endpoints.resolve(hintMemberId, hintEndpoint);
        if (hinted == suspect && nowNs - suspectUntilNs < 0)
        {
            hinted = -1; // a follower that has not noticed yet still names the member that just went silent
        }
        if (hinted == target)
        {
            return; // already there: an answer to a send made before the redirect
        }
        if (hinted >= 0)
        {
            ensurePublications();
            startPass(nowNs, hinted, 0);
            return;
        }

        // No leader known there. Answers that arrive before this pass sent anything belong to earlier sends.
        if (nowNs - holdUntilNs >= 0)
        {
            startPass(nowNs, nextTarget(nowNs), ctx.retryDelayNs());
        }
    }

    private void onSequenceGap(final long nowNs)
    {
        // Gaps reported before the first request of the current resend pass is answered were caused by sends the
        // pass already repeats.
        if (!awaitingPassFirst)
        {
            startPass(nowNs, target, 0);
        }
    }

    private void onLeaderBackPressured(final long nowNs)
    {
        // The leader did not take the request (nor, as gaps, those after it): send them again a little later. One
        // pass per delay however many requests were refused.
        if (nowNs - holdUntilNs >= 0)
        {
            startPass(nowNs, target, ctx.retryDelayNs());
        }
    }

    /**
     * A leader holds no binding of the session to this client's connection (it was elected, or restarted, since
     * the client attached there): attach to it, then send the unanswered requests again.
     */
    private void onNotAttached(final long nowNs, final int hintMemberId)
    {
        final int known = endpoints.resolve(hintMemberId, "");
        final int member = known >= 0 ? known : target;
        if (!attached[member] && attachTarget == member && attachAttempts < MAX_ATTACH_ATTEMPTS)
        {
            return; // an attach is under way: the answer to a send made before it
        }
        attached[member] = false;
        attachWanted = true;
        attachTarget = -1;
        if (member != target || window.outstanding() > 0)
        {
            startPass(nowNs, member, 0);
        }
    }

    /**
     * The member to ask after the current one, skipping one that just went silent while there is another.
     */
    private int nextTarget(final long nowNs)
    {
        int next = (target + 1) % endpoints.size();
        if (next == suspect && nowNs - suspectUntilNs < 0 && endpoints.size() > 2)
        {
            next = (next + 1) % endpoints.size();
        }
        return next;
    }

    private void startPass(final long nowNs, final int newTarget, final long delayNs)
    {
        if (newTarget != target)
        {
            redirects++;
            // Attach again on moving: the member may have restarted since the client attached there (a rolling
            // restart restarts every member), and the attach costs no round trip, the requests follow it at once.
            attached[newTarget] = false;
        }
        target = newTarget;
        attachTarget = -1; // a new pass may attach afresh
        window.rewind();
        resendPasses++;
        passFirst = window.firstUnanswered();
        awaitingPassFirst = window.outstanding() > 0;
        holdUntilNs = nowNs + delayNs;
        progressDeadlineNs = holdUntilNs + ctx.responseTimeoutNs();
    }

    private void markLeaderLost(final long nowNs)
    {
        // Only requests wait for a leader: armed while idle (a closing leader's redirect), it would fail the next
        // request at once, however long after.
        if (NONE == leaderLostDeadlineNs && window.outstanding() > 0)
        {
            leaderLostDeadlineNs = nowNs + ctx.connectTimeoutNs();
        }
    }

    private int doDuties(final long nowNs)
    {
        if (nowNs - leaderLostDeadlineNs >= 0 && window.outstanding() > 0)
        {
            fail(Outcome.NO_LEADER, State.NO_LEADER);
            return 1;
        }

        int workCount = 0;
        if (window.outstanding() > 0 && nowNs - progressDeadlineNs >= 0)
        {
            // Silence from the member we send to: presume it lost leadership or died, ask the next one, and for a
            // while do not follow hints back to it.
            markLeaderLost(nowNs);
            suspect = target;
            suspectUntilNs = nowNs + ctx.responseTimeoutNs();
            queries.suspect(target, nowNs);
            startPass(nowNs, nextTarget(nowNs), 0);
            workCount++;
        }

        workCount += sendPending(nowNs);
        workCount += acknowledgeMessages(nowNs);
        workCount += queries.doWork(nowNs);

        // Query sends do not put off keep-alives: queries may go to followers, and a session expires by the leader's
        // view of its activity.
        if (0 == window.outstanding() && nowNs - lastSendNs >= ctx.keepAliveIntervalNs())
        {
            // To every member: an idle client does not learn of a leader change, and only the leader's view of
            // the session's activity counts towards its expiry.
            keepAliveEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder).sessionId(sessionId);
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + keepAliveEncoder.encodedLength();
            for (int i = 0, size = publications.size(); i < size; i++)
            {
                publications.get(i).offer(controlBuffer, 0, length);
            }
            lastSendNs = nowNs;
            workCount++;
        }

        return workCount;
    }

    private int sendPending(final long nowNs)
    {
        if (nowNs - holdUntilNs < 0)
        {
            return 0;
        }

        final ExclusivePublication publication = publications.get(target);
        int sent = 0;
        if (!attached[target])
        {
            if (0 == window.outstanding() && !attachWanted)
            {
                return 0; // nothing needs the attach yet; while requests are unanswered it is tried again
            }
            sent = sendAttach(nowNs, publication);
            if (attachTarget != target || 0 == attachAttempts)
            {
                return sent; // no attach is on its way there yet
            }
            // The requests follow the attach on the same publication, so the member reads them after it has bound
            // the session, without waiting a round trip for the ack. Should the attach be refused they are dropped
            // with it, and resent behind the next attempt.
        }

        while (window.hasUnsent())
        {
            final long sequence = window.nextToSend();
            if (publication.offer(window.buffer(), window.offset(sequence), window.length(sequence)) < 0)
            {
                break; // back-pressured or not connected: kept in order, tried again on the next poll
            }
            window.sent();
            lastSendNs = nowNs;
            sent++;
        }

        return sent;
    }

    /**
     * Ask the target to bind the session to this client's publication to it: once per quarter of the response
     * timeout, at most {@link #MAX_ATTACH_ATTEMPTS} times per member (the response timeout then moves the client
     * on, or a later SESSION_NOT_ATTACHED starts again).
     */
    private int sendAttach(final long nowNs, final ExclusivePublication publication)
    {
        if (attachTarget != target)
        {
            attachTarget = target;
            attachAttempts = 0;
        }
        else if (attachAttempts >= MAX_ATTACH_ATTEMPTS ||
            (attachAttempts > 0 && nowNs - attachSentNs < ctx.responseTimeoutNs() / 4))
        {
            // Spaced from this member's last attempt only: until one has gone (the publication was not connected,
            // as to a member just restarted), an earlier attach elsewhere must not hold this one back.
            return 0;
        }

        // Strictly increasing: the leader refuses an attach not newer than the last it took.
        final long timestampNs = Math.max(epochClock.nanoTime(), lastAttachTimestampNs + 1);
        final byte[] proof = attachProof.compute(sessionId, publication.sessionId(), timestampNs);
        final long correlationId = aeron.nextCorrelationId();
        attachEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .timestamp(timestampNs)
            .putProof(proof, 0, AttachProof.LENGTH);
        if (publication.offer(controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + attachEncoder.encodedLength()) < 0)
        {
            return 0; // not connected or back-pressured: tried again on the next poll
        }
        lastAttachTimestampNs = timestampNs;
        attachCorrelationId = correlationId;
        attachSentTo = target;
        attachSentNs = nowNs;
        if (attachAttempts > 0)
        {
            window.rewind(); // the requests sent behind the unanswered attach may have been dropped with it
        }
        attachAttempts++;
        lastSendNs = nowNs;
        return 1;
    }

    private void fail(final Outcome outcome, final State newState)
    {
        state = newState;
        for (long sequence = window.firstUnanswered(); sequence < window.nextSequence(); sequence++)
        {
            if (window.isUnanswered(sequence))
            {
                final CompletableFuture<DirectBuffer> future = futures.takeRequest(sequence);
                if (null != future)
                {
                    futures.complete(future, false, sequence, outcome, emptyBuffer, 0, 0);
                }
                else
                {
                    listener.onResponse(sequence, outcome, -1, emptyBuffer, 0, 0);
                }
            }
        }
        window.clear();
        queries.failAll(outcome);
    }

    private void ensurePublications()
    {
        for (int i = publications.size(); i < endpoints.size(); i++)
        {
            publications.add(aeron.addExclusivePublication(endpoints.channel(i), ctx.ingressStreamId()));
        }
        if (null == attached || attached.length < publications.size())
        {
            attached = null == attached ? new boolean[publications.size()] : Arrays.copyOf(attached, publications.size());
        }
        queries.ensureCapacity(publications.size());
    }

    private long stateResult()
    {
        switch (state)
        {
            case EXPIRED:
                return SESSION_EXPIRED;
            case NO_LEADER:
                return NO_LEADER;
            default:
                return CLOSED;
        }
    }

    private FlotillaClientException stateException()
    {
        switch (state)
        {
            case EXPIRED:
                return new FlotillaClientException(FlotillaClientException.Reason.SESSION_EXPIRED,
                    "session " + sessionId + " expired; connect again");
            case NO_LEADER:
                return new FlotillaClientException(FlotillaClientException.Reason.NO_LEADER,
                    "leader lost and no new leader within " + TimeUnit.NANOSECONDS.toMillis(ctx.connectTimeoutNs()) +
                    " ms; connect again");
            default:
                return new FlotillaClientException(FlotillaClientException.Reason.CLOSED, "client closed");
        }
    }

    /**
     * The named failure of an outcome other than OK, as the blocking forms throw it and the futures complete with it.
     *
     * @param payload the answer's payload, kept with REJECTED and ERROR.
     */
    private FlotillaClientException failure(
        final Outcome outcome, final boolean isQuery, final long id, final byte[] payload)
    {
        final String what = isQuery ? "query " + id : "sequence " + id;
        switch (outcome)
        {
            case REJECTED:
                return new FlotillaClientException(FlotillaClientException.Reason.REJECTED,
                    what + " refused by the state machine", payload);
            case ERROR:
                return new FlotillaClientException(FlotillaClientException.Reason.ERROR, what +
                    " could not be answered" +
                    (isQuery ? "" : ": applied too long ago for the session's response cache"), payload);
            case RESPONSE_TOO_LARGE:
                return new FlotillaClientException(FlotillaClientException.Reason.RESPONSE_TOO_LARGE, what +
                    (isQuery ? " was answered" : " was applied") + " but its response is too large to send: " +
                    "raise the term-length of " + Context.RESPONSE_CHANNEL_PROP + " (up to the cluster's " +
                    ResponseChannelPolicy.MAX_TERM_LENGTH_PROP + ") or make the response smaller");
            case NO_LEADER:
                if (State.OPEN == state)
                {
                    return new FlotillaClientException(FlotillaClientException.Reason.NO_LEADER, what +
                        " was answered by no member within " + Context.CONNECT_TIMEOUT_PROP + " (" +
                        TimeUnit.NANOSECONDS.toMillis(ctx.connectTimeoutNs()) + " ms)");
                }
                return stateException();
            case SESSION_EXPIRED:
                return new FlotillaClientException(FlotillaClientException.Reason.SESSION_EXPIRED,
                    "session " + sessionId + " expired; connect again");
            default:
                return stateException();
        }
    }

    /**
     * @return the named failure of a negative {@link #offer} or {@link #offerQuery} result.
     */
    private FlotillaClientException offerFailure(final long result, final String backPressureDetail)
    {
        return BACK_PRESSURED == result ?
            new FlotillaClientException(FlotillaClientException.Reason.BACK_PRESSURED, backPressureDetail +
                ": poll and offer again") :
            stateException();
    }

    /**
     * Collects the outcome of the one request a blocking {@link #call}, or the one query a blocking {@link #query},
     * waits for.
     */
    private final class CallListener implements ResponseListener, QueryListener
    {
        private final ExpandableArrayBuffer payload = new ExpandableArrayBuffer(256);
        private final UnsafeBuffer result = new UnsafeBuffer(0, 0);
        private long awaitedSequence;
        private long awaitedQueryId;
        private Outcome outcome;
        private int length;

        void awaitRequest(final long sequence)
        {
            awaitedSequence = sequence;
            awaitedQueryId = 0;
            outcome = null;
        }

        void awaitQuery(final long queryId)
        {
            awaitedSequence = 0;
            awaitedQueryId = queryId;
            outcome = null;
        }

        boolean hasOutcome()
        {
            return null != outcome;
        }

        public void onResponse(
            final long sequence,
            final Outcome outcome,
            final long logIndex,
            final DirectBuffer buffer,
            final int offset,
            final int length)
        {
            if (sequence == awaitedSequence)
            {
                take(outcome, buffer, offset, length);
            }
        }

        public void onQueryResult(
            final long queryId,
            final Outcome outcome,
            final long readIndex,
            final DirectBuffer buffer,
            final int offset,
            final int length)
        {
            if (queryId == awaitedQueryId)
            {
                take(outcome, buffer, offset, length);
            }
        }

        DirectBuffer result()
        {
            if (Outcome.OK == outcome)
            {
                result.wrap(payload, 0, length);
                return result;
            }
            final boolean isQuery = 0 != awaitedQueryId;
            throw failure(outcome, isQuery, isQuery ? awaitedQueryId : awaitedSequence, copy());
        }

        private void take(final Outcome outcome, final DirectBuffer buffer, final int offset, final int length)
        {
            payload.putBytes(0, buffer, offset, length);
            this.length = length;
            this.outcome = outcome;
        }

        private byte[] copy()
        {
            final byte[] bytes = new byte[length];
            payload.getBytes(0, bytes);
            return bytes;
        }
    }

    /**
     * The listeners of {@link #poll()}: outcomes nobody waits for.
     */
    private static final class Discard implements ResponseListener, QueryListener
    {
        public void onResponse(
            final long sequence,
            final Outcome outcome,
            final long logIndex,
            final DirectBuffer buffer,
            final int offset,
            final int length)
        {
        }

        public void onQueryResult(
            final long queryId,
            final Outcome outcome,
            final long readIndex,
            final DirectBuffer buffer,
            final int offset,
            final int length)
        {
        }
    }

    /**
     * Configuration of a {@link FlotillaClient}. Every setting has a {@code flotilla.client.*} system property
     * default; {@link #conclude()} checks them.
     */
    public static final class Context
    {
        /** Members spec ({@code id=host:consensusPort:ingressPort,...}), {@code host:ingressPort,...} or aeron:ipc. */
        public static final String INGRESS_ENDPOINTS_PROP = "flotilla.client.ingress.endpoints";
        public static final String INGRESS_STREAM_ID_PROP = "flotilla.client.ingress.stream.id";
        public static final int INGRESS_STREAM_ID_DEFAULT = 10;
        /** Channel the cluster answers on; port 0 picks a free port. */
        public static final String RESPONSE_CHANNEL_PROP = "flotilla.client.response.channel";
        public static final String RESPONSE_CHANNEL_DEFAULT = "aeron:udp?endpoint=localhost:0";
        public static final String RESPONSE_STREAM_ID_PROP = "flotilla.client.response.stream.id";
        public static final int RESPONSE_STREAM_ID_DEFAULT = 11;
        /** Directory of a running media driver; when unset the client launches its own, removed on close. */
        public static final String AERON_DIR_PROP = "flotilla.client.aeron.dir";
        public static final String CONNECT_TIMEOUT_PROP = "flotilla.client.connect.timeout";
        public static final long CONNECT_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);
        public static final String RESPONSE_TIMEOUT_PROP = "flotilla.client.response.timeout";
        public static final long RESPONSE_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);
        public static final String KEEP_ALIVE_INTERVAL_PROP = "flotilla.client.keepalive.interval";
        public static final long KEEP_ALIVE_INTERVAL_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);
        /** Pause before asking again when a member knows no leader (an election is running). */
        public static final String RETRY_DELAY_PROP = "flotilla.client.retry.delay";
        public static final long RETRY_DELAY_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(20);
        public static final String MAX_REQUEST_LENGTH_PROP = "flotilla.client.max.request.length";
        public static final int MAX_REQUEST_LENGTH_DEFAULT = 16 * 1024;
        /** Send queries to the members other than the one commands go to (spreads read load over followers). */
        public static final String PREFER_FOLLOWER_READS_PROP = "flotilla.client.read.prefer.followers";
        /** Principal for a cluster using {@code SharedSecretAuthenticator}; needs a secret. */
        public static final String PRINCIPAL_PROP = "flotilla.client.principal";
        /** File holding the principal's secret as hexadecimal digits (one line; {@code #} comments). */
        public static final String SECRET_FILE_PROP = "flotilla.client.secret.file";
        /**
         * Every property this context reads; {@link #conclude()} refuses any {@code flotilla.*} property that neither
         * the client nor the node reads ({@link EngineProperties}), so a misspelt setting is not ignored.
         */
        public static final List<String> PROPERTIES = Settings.names(INGRESS_ENDPOINTS_PROP, INGRESS_STREAM_ID_PROP,
            RESPONSE_CHANNEL_PROP, RESPONSE_STREAM_ID_PROP, AERON_DIR_PROP, CONNECT_TIMEOUT_PROP, RESPONSE_TIMEOUT_PROP,
            KEEP_ALIVE_INTERVAL_PROP, RETRY_DELAY_PROP, MAX_REQUEST_LENGTH_PROP, PREFER_FOLLOWER_READS_PROP,
            PRINCIPAL_PROP, SECRET_FILE_PROP);

        private boolean concluded;
        private String ingressEndpoints = System.getProperty(INGRESS_ENDPOINTS_PROP);
        private int ingressStreamId = Settings.integer(INGRESS_STREAM_ID_PROP, INGRESS_STREAM_ID_DEFAULT);
        private String responseChannel = System.getProperty(RESPONSE_CHANNEL_PROP, RESPONSE_CHANNEL_DEFAULT);
        private int responseStreamId = Settings.integer(RESPONSE_STREAM_ID_PROP, RESPONSE_STREAM_ID_DEFAULT);
        private String aeronDirectoryName = System.getProperty(AERON_DIR_PROP);
        private long connectTimeoutNs = Settings.durationNs(CONNECT_TIMEOUT_PROP, CONNECT_TIMEOUT_DEFAULT_NS);
        private long responseTimeoutNs = Settings.durationNs(RESPONSE_TIMEOUT_PROP, RESPONSE_TIMEOUT_DEFAULT_NS);
        private long keepAliveIntervalNs =
            Settings.durationNs(KEEP_ALIVE_INTERVAL_PROP, KEEP_ALIVE_INTERVAL_DEFAULT_NS);
        private long retryDelayNs = Settings.durationNs(RETRY_DELAY_PROP, RETRY_DELAY_DEFAULT_NS);
        private int maxRequestLength = Settings.sizeAsInt(MAX_REQUEST_LENGTH_PROP, MAX_REQUEST_LENGTH_DEFAULT);
        private boolean preferFollowerReads = Settings.bool(PREFER_FOLLOWER_READS_PROP, false);
        private byte[] credentials = new byte[0];
        private String principal = System.getProperty(PRINCIPAL_PROP);
        private byte[] secret;
        private String secretFile = System.getProperty(SECRET_FILE_PROP);
        private SecretKeySpec secretKey;
        private EpochNanoClock epochClock;
        private IdleStrategy idleStrategy;
        private NanoClock nanoClock;
        private Aeron aeron;
        private IngressEndpoints endpoints;
        private SessionMessageListener sessionMessageListener = NO_SESSION_MESSAGES;

        /**
         * Check every setting and fill in defaults.
         *
         * @throws IllegalArgumentException naming the setting to change.
         */
        public void conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("Context already concluded: use a new Context per client");
            }
            concluded = true;
            EngineProperties.rejectUnknown("FlotillaClient.Context");

            endpoints = IngressEndpoints.parse(ingressEndpoints);
            requirePositive(ingressStreamId, INGRESS_STREAM_ID_PROP);
            requirePositive(responseStreamId, RESPONSE_STREAM_ID_PROP);
            // The cluster drops a connect whose channel it refuses (it cannot answer on it), so refuse it here.
            final String channelRefusal = new ResponseChannelPolicy(Settings.sizeAsInt(
                ResponseChannelPolicy.MAX_TERM_LENGTH_PROP, ResponseChannelPolicy.MAX_TERM_LENGTH_DEFAULT), true)
                .clientRefusal(responseChannel);
            if (null != channelRefusal)
            {
                throw new IllegalArgumentException(RESPONSE_CHANNEL_PROP + "=" + responseChannel + ": " +
                    channelRefusal + "; use an aeron:udp?endpoint=host:port channel (port 0 picks one) or aeron:ipc");
            }
            requirePositive(connectTimeoutNs, CONNECT_TIMEOUT_PROP);
            requirePositive(responseTimeoutNs, RESPONSE_TIMEOUT_PROP);
            requirePositive(keepAliveIntervalNs, KEEP_ALIVE_INTERVAL_PROP);
            if (retryDelayNs < 0 || retryDelayNs >= responseTimeoutNs)
            {
                throw new IllegalArgumentException(RETRY_DELAY_PROP + "=" + retryDelayNs +
                    "ns: must be >= 0 and below " + RESPONSE_TIMEOUT_PROP + " (" + responseTimeoutNs + "ns)");
            }
            if (responseTimeoutNs > connectTimeoutNs)
            {
                throw new IllegalArgumentException(RESPONSE_TIMEOUT_PROP + " (" + responseTimeoutNs +
                    "ns) must not exceed " + CONNECT_TIMEOUT_PROP + " (" + connectTimeoutNs + "ns)");
            }
            if (maxRequestLength < 1 || maxRequestLength > EntryFrame.MAX_PAYLOAD_LENGTH)
            {
                throw new IllegalArgumentException(MAX_REQUEST_LENGTH_PROP + "=" + maxRequestLength +
                    ": must be in 1.." + EntryFrame.MAX_PAYLOAD_LENGTH);
            }
            if (credentials.length > FrameValidator.MAX_CREDENTIALS_LENGTH)
            {
                throw new IllegalArgumentException("credentials of " + credentials.length + " bytes: at most " +
                    FrameValidator.MAX_CREDENTIALS_LENGTH);
            }
            concludeSharedSecret();
            if (null == epochClock)
            {
                epochClock = new OffsetEpochNanoClock();
            }
            if (null == idleStrategy)
            {
                idleStrategy = new BackoffIdleStrategy();
            }
            if (null == nanoClock)
            {
                nanoClock = SystemNanoClock.INSTANCE;
            }
        }

        public Context ingressEndpoints(final String ingressEndpoints)
        {
            this.ingressEndpoints = ingressEndpoints;
            return this;
        }

        public String ingressEndpoints()
        {
            return ingressEndpoints;
        }

        public Context ingressStreamId(final int ingressStreamId)
        {
            this.ingressStreamId = ingressStreamId;
            return this;
        }

        public int ingressStreamId()
        {
            return ingressStreamId;
        }

        public Context responseChannel(final String responseChannel)
        {
            this.responseChannel = responseChannel;
            return this;
        }

        public String responseChannel()
        {
            return responseChannel;
        }

        public Context responseStreamId(final int responseStreamId)
        {
            this.responseStreamId = responseStreamId;
            return this;
        }

        public int responseStreamId()
        {
            return responseStreamId;
        }

        /**
         * @param aeronDirectoryName of a running media driver, or null for an embedded one owned by the client.
         * @return this.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * @param aeron an Aeron client to use (co-located with a node, say); the client does not close it.
         * @return this.
         */
        public Context aeron(final Aeron aeron)
        {
            this.aeron = aeron;
            return this;
        }

        public Aeron aeron()
        {
            return aeron;
        }

        /**
         * @param connectTimeoutNs bound on finding a leader, at connect and after the leader is lost.
         * @return this.
         */
        public Context connectTimeoutNs(final long connectTimeoutNs)
        {
            this.connectTimeoutNs = connectTimeoutNs;
            return this;
        }

        public long connectTimeoutNs()
        {
            return connectTimeoutNs;
        }

        /**
         * @param responseTimeoutNs silence from the member the client sends to, with requests outstanding, after
         *                          which it presumes that member lost leadership and asks the next.
         * @return this.
         */
        public Context responseTimeoutNs(final long responseTimeoutNs)
        {
            this.responseTimeoutNs = responseTimeoutNs;
            return this;
        }

        public long responseTimeoutNs()
        {
            return responseTimeoutNs;
        }

        public Context keepAliveIntervalNs(final long keepAliveIntervalNs)
        {
            this.keepAliveIntervalNs = keepAliveIntervalNs;
            return this;
        }

        public long keepAliveIntervalNs()
        {
            return keepAliveIntervalNs;
        }

        public Context retryDelayNs(final long retryDelayNs)
        {
            this.retryDelayNs = retryDelayNs;
            return this;
        }

        public long retryDelayNs()
        {
            return retryDelayNs;
        }

        public Context maxRequestLength(final int maxRequestLength)
        {
            this.maxRequestLength = maxRequestLength;
            return this;
        }

        public int maxRequestLength()
        {
            return maxRequestLength;
        }

        /**
         * @param preferFollowerReads send each query to one of the members other than the one commands go to, in
         *                            turn, skipping members that left a query unanswered; commands still go to the
         *                            leader. A member answers a query once it has applied the session's opening.
         * @return this.
         */
        public Context preferFollowerReads(final boolean preferFollowerReads)
        {
            this.preferFollowerReads = preferFollowerReads;
            return this;
        }

        public boolean preferFollowerReads()
        {
            return preferFollowerReads;
        }

        /**
         * @param sessionMessageListener receives the messages the state machine sends to this session, from
         *                               {@link FlotillaClient#poll}; by default they are acknowledged and dropped.
         * @return this.
         */
        public Context sessionMessageListener(final SessionMessageListener sessionMessageListener)
        {
            this.sessionMessageListener = Objects.requireNonNull(sessionMessageListener, "sessionMessageListener");
            return this;
        }

        public SessionMessageListener sessionMessageListener()
        {
            return sessionMessageListener;
        }

        public Context credentials(final byte[] credentials)
        {
            this.credentials = credentials.clone();
            return this;
        }

        public byte[] credentials()
        {
            return credentials;
        }

        /**
         * @param idleStrategy used while blocking (connect, {@link FlotillaClient#call}).
         * @return this.
         */
        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        public IdleStrategy idleStrategy()
        {
            return idleStrategy;
        }

        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public NanoClock nanoClock()
        {
            return nanoClock;
        }

        /**
         * @param principal the client authenticates as with {@link #secret(byte[])} (shared-secret credentials).
         * @return this.
         */
        public Context principal(final String principal)
        {
            this.principal = principal;
            return this;
        }

        public String principal()
        {
            return principal;
        }

        /**
         * @param secret the principal's shared secret; the default is read from {@value #SECRET_FILE_PROP}.
         * @return this.
         */
        public Context secret(final byte[] secret)
        {
            this.secret = secret.clone();
            return this;
        }

        /**
         * @param secretFile holding the principal's secret as hexadecimal digits, read at {@link #conclude()} when
         *                   no {@link #secret(byte[])} is set.
         * @return this.
         */
        public Context secretFile(final String secretFile)
        {
            this.secretFile = secretFile;
            return this;
        }

        /**
         * @param epochClock for the timestamps of credentials and attaches, which the cluster checks against its
         *                   own clock.
         * @return this.
         */
        public Context epochClock(final EpochNanoClock epochClock)
        {
            this.epochClock = epochClock;
            return this;
        }

        public EpochNanoClock epochClock()
        {
            return epochClock;
        }

        IngressEndpoints endpoints()
        {
            return endpoints;
        }

        SecretKeySpec secretKey()
        {
            return secretKey;
        }

        private void concludeSharedSecret()
        {
            if (null == secret && null != secretFile)
            {
                secret = readSecret(Path.of(secretFile));
            }
            if (null == principal && null == secret)
            {
                return;
            }
            if (null == principal || null == secret)
            {
                throw new IllegalArgumentException("shared-secret credentials need both a principal (" +
                    PRINCIPAL_PROP + ") and a secret (" + SECRET_FILE_PROP + ")");
            }
            if (principal.isEmpty() || principal.length() > Authenticator.MAX_PRINCIPAL_LENGTH ||
                !StandardCharsets.US_ASCII.newEncoder().canEncode(principal))
            {
                throw new IllegalArgumentException(PRINCIPAL_PROP + "=" + principal + ": 1 to " +
                    Authenticator.MAX_PRINCIPAL_LENGTH + " ASCII characters");
            }
            if (0 == secret.length)
            {
                throw new IllegalArgumentException("empty secret (" + SECRET_FILE_PROP + ")");
            }
            if (credentials.length > 0)
            {
                throw new IllegalArgumentException("set either credentials or a principal and secret (" +
                    PRINCIPAL_PROP + "), not both");
            }
            secretKey = new SecretKeySpec(secret, SharedSecretCredentials.ALGORITHM);
        }

        private static byte[] readSecret(final Path file)
        {
            try
            {
                for (final String line : Files.readAllLines(file, StandardCharsets.US_ASCII))
                {
                    final String trimmed = line.trim();
                    if (!trimmed.isEmpty() && !trimmed.startsWith("#"))
                    {
                        final byte[] secret = SharedSecretCredentials.parseHex(trimmed);
                        if (null == secret)
                        {
                            throw new IllegalArgumentException(SECRET_FILE_PROP + "=" + file +
                                ": expected the secret as hexadecimal digits");
                        }
                        return secret;
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new IllegalArgumentException("cannot read " + SECRET_FILE_PROP + "=" + file + ": " + ex, ex);
            }
            throw new IllegalArgumentException(SECRET_FILE_PROP + "=" + file + " holds no secret");
        }

        private static void requirePositive(final long value, final String property)
        {
            if (value <= 0)
            {
                throw new IllegalArgumentException(property + "=" + value + ": must be positive");
            }
        }
    }
}
