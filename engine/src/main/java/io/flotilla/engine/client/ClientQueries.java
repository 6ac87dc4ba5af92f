package io.flotilla.engine.client;

import io.aeron.ExclusivePublication;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.QueryEncoder;
import io.flotilla.codecs.QueryResponseDecoder;
import io.flotilla.engine.ReadConsistency;
import io.flotilla.engine.node.ReadModes;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The query path of a {@link FlotillaClient}: queries encoded once into a {@link QueryWindow}, each sent to its own
 * member (chosen by {@link ReadTargets}), resent with the same id when that member stays silent, names another
 * leader or is busy, and completed by its answer. Queries change nothing on the cluster, so a resend is always
 * safe and needs no ordering; no member has to be attached to answer them. Allocation-free in steady state.
 */
final class ClientQueries
{
    private final FlotillaClient.Context ctx;
    private final IngressEndpoints endpoints;
    private final List<ExclusivePublication> publications;
    private final Runnable ensurePublications;
    private final ClientFutures futures;
    private final QueryWindow window;
    private final ReadTargets targets;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final QueryEncoder queryEncoder = new QueryEncoder();
    private final UnsafeBuffer emptyBuffer = new UnsafeBuffer(new byte[0]);
    private QueryListener listener;
    private long resends;
    private long duplicateResponses;

    /**
     * @param publications       one per endpoint, the client's own list (it grows as hints add endpoints).
     * @param ensurePublications adds the publications of endpoints learnt from a hint.
     * @param futures            of queries offered with a future, completed before any listener is asked.
     */
    ClientQueries(
        final FlotillaClient.Context ctx,
        final IngressEndpoints endpoints,
        final List<ExclusivePublication> publications,
        final Runnable ensurePublications,
        final ClientFutures futures)
    {
        this.ctx = ctx;
        this.endpoints = endpoints;
        this.publications = publications;
        this.ensurePublications = ensurePublications;
        this.futures = futures;
        this.window = new QueryWindow(MessageHeaderEncoder.ENCODED_LENGTH + QueryEncoder.BLOCK_LENGTH +
            QueryEncoder.payloadHeaderLength() + ctx.maxRequestLength());
        this.targets = new ReadTargets(ctx.responseTimeoutNs());
    }

    /**
     * @param members how many endpoints there are now.
     */
    void ensureCapacity(final int members)
    {
        targets.ensureCapacity(members);
    }

    /**
     * The member stopped answering (the client's command path found it silent): skip it for a while.
     */
    void suspect(final int member, final long nowNs)
    {
        targets.suspect(member, nowNs);
    }

    /**
     * @param listener to deliver outcomes to now, or null to hold them for a later poll with a listener.
     */
    void listener(final QueryListener listener)
    {
        this.listener = listener;
    }

    int open()
    {
        return window.open();
    }

    long resends()
    {
        return resends;
    }

    long duplicateResponses()
    {
        return duplicateResponses;
    }

    /**
     * Encode a query into the window and send it.
     *
     * @return its id, or {@link FlotillaClient#BACK_PRESSURED} when the window is full.
     */
    long offer(
        final long sessionId,
        final ReadConsistency consistency,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int commandTarget,
        final long nowNs)
    {
        if (window.isFull())
        {
            return FlotillaClient.BACK_PRESSURED;
        }

        final long queryId = window.nextQueryId();
        queryEncoder.wrapAndApplyHeader(window.buffer(), window.offset(queryId), headerEncoder)
            .sessionId(sessionId)
            .queryId(queryId)
            .mode(ReadModes.of(consistency))
            .putPayload(buffer, offset, length);
        final int member = ctx.preferFollowerReads() ?
            targets.follower(commandTarget, endpoints.size(), nowNs) : commandTarget;
        window.add(MessageHeaderEncoder.ENCODED_LENGTH + queryEncoder.encodedLength(), member, nowNs,
            nowNs + ctx.responseTimeoutNs(), nowNs + ctx.connectTimeoutNs());
        trySend(queryId, nowNs);

        return queryId;
    }

    /**
     * Send the queries that are due, move those whose member stayed silent to another member, end with NO_LEADER
     * those nobody answered within the connect timeout.
     */
    int doWork(final long nowNs)
    {
        if (0 == window.open())
        {
            return 0;
        }

        int workCount = 0;
        for (long queryId = window.oldest(), end = window.nextQueryId(); queryId < end; queryId++)
        {
            if (!window.isOpen(queryId))
            {
                continue;
            }
            if (nowNs - window.giveUpNs(queryId) >= 0)
            {
                complete(queryId, Outcome.NO_LEADER, -1, emptyBuffer, 0, 0);
                workCount++;
                continue;
            }
            if (nowNs - window.memberDeadlineNs(queryId) >= 0)
            {
                final int silent = window.member(queryId);
                targets.suspect(silent, nowNs);
                resendTo(queryId, targets.after(silent, endpoints.size(), nowNs), nowNs);
                workCount++;
            }
            workCount += trySend(queryId, nowNs);
        }

        return workCount;
    }

    /**
     * Deliver the outcomes held for want of a query listener, oldest first.
     */
    int deliverHeld(final QueryListener listener)
    {
        if (0 == window.held())
        {
            return 0;
        }

        int delivered = 0;
        for (long queryId = window.oldest(), end = window.nextQueryId(); queryId < end; queryId++)
        {
            if (window.isHeld(queryId))
            {
                final Outcome outcome = window.heldOutcome(queryId);
                final long readIndex = window.heldReadIndex(queryId);
                final DirectBuffer payload = window.heldPayload(queryId);
                final int length = window.heldLength(queryId);
                window.release(queryId);
                listener.onQueryResult(queryId, outcome, readIndex, payload, 0, length);
                delivered++;
            }
        }

        return delivered;
    }

    /**
     * An answer for this client's session.
     *
     * @return false when its status is not one a query is answered with (the message is dropped).
     */
    boolean onResponse(final QueryResponseDecoder decoder, final long nowNs)
    {
        final long queryId = decoder.queryId();
        if (!window.isOpen(queryId))
        {
            duplicateResponses++;
            return true;
        }

        switch (decoder.status())
        {
            case OK:
                complete(queryId, Outcome.OK, decoder);
                return true;
            case REJECTED:
                complete(queryId, Outcome.REJECTED, decoder);
                return true;
            case ERROR:
                complete(queryId, Outcome.ERROR, decoder);
                return true;
            case RESPONSE_TOO_LARGE:
                complete(queryId, Outcome.RESPONSE_TOO_LARGE, decoder);
                return true;
            case SESSION_EXPIRED:
                complete(queryId, Outcome.SESSION_EXPIRED, -1, emptyBuffer, 0, 0);
                return true;
            case NOT_LEADER:
                onNotLeader(queryId, decoder.leaderMemberId(), decoder.leaderEndpoint(), nowNs);
                return true;
            case BACK_PRESSURED:
                // Too many reads pending at that member: ask it again a little later.
                retryLater(queryId, window.member(queryId), nowNs);
                return true;
            default:
                return false;
        }
    }

    /**
     * End every open query with this outcome (the session expired or the leader was lost for good).
     */
    void failAll(final Outcome outcome)
    {
        for (long queryId = window.oldest(), end = window.nextQueryId(); queryId < end; queryId++)
        {
            if (window.isOpen(queryId))
            {
                complete(queryId, outcome, -1, emptyBuffer, 0, 0);
            }
        }
    }

    /**
     * Forget an open query (a blocking query gave up on it); a late answer is counted as a duplicate.
     */
    void abandon(final long queryId)
    {
        if (window.isOpen(queryId))
        {
            window.release(queryId);
        }
    }

    /**
     * The member could not get a read index. Go to the leader it names at once; without a usable hint (none, a
     * suspect member, or the member asked) ask the next member, or that one again, after the retry delay.
     */
    private void onNotLeader(final long queryId, final int hintMemberId, final String hintEndpoint, final long nowNs)
    {
        final int hinted = endpoints.resolve(hintMemberId, hintEndpoint);
        ensurePublications.run();
        final int asked = window.member(queryId);
        if (hinted >= 0 && hinted != asked && !targets.isSuspect(hinted, nowNs))
        {
            resendTo(queryId, hinted, nowNs);
        }
        else
        {
            retryLater(queryId, hinted == asked ? asked : targets.after(asked, endpoints.size(), nowNs), nowNs);
        }
    }

    private void resendTo(final long queryId, final int member, final long nowNs)
    {
        resends++;
        window.waitFor(queryId, member, nowNs, nowNs + ctx.responseTimeoutNs());
    }

    private void retryLater(final long queryId, final int member, final long nowNs)
    {
        resends++;
        final long sendAtNs = nowNs + ctx.retryDelayNs();
        window.waitFor(queryId, member, sendAtNs, sendAtNs + ctx.responseTimeoutNs());
    }

    private int trySend(final long queryId, final long nowNs)
    {
        if (!window.isWaiting(queryId) || nowNs - window.sendAtNs(queryId) < 0)
        {
            return 0;
        }
        final ExclusivePublication publication = publications.get(window.member(queryId));
        if (publication.offer(window.buffer(), window.offset(queryId), window.length(queryId)) < 0)
        {
            return 0; // not connected or back-pressured: tried again on the next poll, until the member's deadline
        }
        window.sent(queryId, nowNs + ctx.responseTimeoutNs());
        return 1;
    }

    private void complete(final long queryId, final Outcome outcome, final QueryResponseDecoder decoder)
    {
        final long readIndex = decoder.readIndex();
        decoder.skipLeaderEndpoint();
        final int payloadLength = decoder.payloadLength();
        final int payloadOffset = decoder.limit() + QueryResponseDecoder.payloadHeaderLength();
        complete(queryId, outcome, readIndex, decoder.buffer(), payloadOffset, payloadLength);
    }

    private void complete(
        final long queryId,
        final Outcome outcome,
        final long readIndex,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final CompletableFuture<DirectBuffer> future = futures.takeQuery(queryId);
        if (null != future)
        {
            window.release(queryId);
            futures.complete(future, true, queryId, outcome, buffer, offset, length);
            return;
        }
        if (null == listener)
        {
            window.hold(queryId, outcome, readIndex, buffer, offset, length);
            return;
        }
        window.release(queryId);
        listener.onQueryResult(queryId, outcome, readIndex, buffer, offset, length);
    }
}
