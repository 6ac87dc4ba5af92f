package io.flotilla.engine.node;

import io.flotilla.codecs.ReadMode;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.engine.QueryStatus;
import io.flotilla.engine.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochNanoClock;

/**
 * The read path of a member, leader or follower (docs/runtime.md, "Reads"): queries of clients' sessions and of
 * in-process callers wait in {@link PendingQueries} for a read index from the Raft core, one request per batch, and
 * are answered from {@link StateMachine#query} once the state machine has applied that far; NOT_LEADER when no read
 * index can be had, BACK_PRESSURED when the store is full. Client answers go out as QueryResponse on the session's
 * response channel through the {@link EgressPublisher}; in-process ones complete through the {@link QueryQueue}.
 */
public final class ReadService implements PendingQueries.Requester, PendingQueries.Answerer
{
    private static final int QUERY_DRAIN_LIMIT = 1024;

    /**
     * The Raft core's side of a read ({@code RaftNode.requestReadIndex}).
     */
    @FunctionalInterface
    public interface ReadIndexSource
    {
        /**
         * @param readId of the batch.
         * @param mode   of its queries.
         * @param nowNs  a fresh monotonic clock reading.
         * @return false when no read can be started here now; true when exactly one of
         * {@link ReadService#onReadIndex} and {@link ReadService#onReadIndexFailed} follows, possibly inside the call.
         */
        boolean requestReadIndex(long readId, ReadMode mode, long nowNs);
    }

    private final PendingQueries pending;
    private final ReadIndexSource core;
    private final EpochNanoClock clock;
    private final StateMachine stateMachine;
    private final SessionTable sessions;
    private final EgressPublisher egress;
    private final QueryQueue queries;
    private final ClusterMembers members;
    private final NodeCounters counters;
    private final ErrorHandler errorHandler;
    private final ResponseWriter response = new ResponseWriter();
    private final QueryQueue.QueryHandler queryHandler = this::onLocalQuery;
    private final PendingQueries.Answerer closedAnswerer = this::answerClosed;

    private long appliedIndex;
    private long nowNs;
    private long requestingReadId = -1;
    private ReadMode requestingMode;

    /**
     * @param pending      the store of waiting queries.
     * @param core         to ask for read indexes.
     * @param clock        the Raft timers' clock, read fresh for each request (a lease is timed from it).
     * @param stateMachine to answer queries from.
     * @param sessions     the replicated session table, to find a query's session when it is answered.
     * @param egress       to answer clients.
     * @param queries      in-process queries.
     * @param members      of the cluster, for the leader's endpoint in in-process results.
     * @param counters     of the node.
     * @param errorHandler told when the state machine throws answering a query.
     */
    public ReadService(
        final PendingQueries pending,
        final ReadIndexSource core,
        final EpochNanoClock clock,
        final StateMachine stateMachine,
        final SessionTable sessions,
        final EgressPublisher egress,
        final QueryQueue queries,
        final ClusterMembers members,
        final NodeCounters counters,
        final ErrorHandler errorHandler)
    {
        this.pending = pending;
        this.core = core;
        this.clock = clock;
        this.stateMachine = stateMachine;
        this.sessions = sessions;
        this.egress = egress;
        this.queries = queries;
        this.members = members;
        this.counters = counters;
        this.errorHandler = errorHandler;
    }

    /**
     * A client's Query, for an open session applied on this member.
     */
    public void onQuery(
        final Session session,
        final long queryId,
        final ReadMode mode,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long nowNs)
    {
        if (!pending.add(mode, session.id(), queryId, -1, buffer, offset, length))
        {
            counters.queriesRefused().incrementRelease();
            egress.sendQueryStatus(session, queryId, 0, ResponseStatus.BACK_PRESSURED, nowNs);
        }
    }

    /**
     * One duty cycle, after the apply loop: take in-process queries, request a read index for each batch that
     * arrived in this cycle, and answer every batch whose read index is applied (or that failed).
     *
     * @param appliedIndex the state machine's applied index now.
     * @param nowNs        the duty cycle's time.
     * @return work done.
     */
    public int doWork(final long appliedIndex, final long nowNs)
    {
        this.nowNs = nowNs;
        int work = queries.drain(queryHandler, QUERY_DRAIN_LIMIT);
        work += pending.requestOpenBatches(this);
        this.appliedIndex = appliedIndex;
        work += pending.answerResolved(appliedIndex, nowNs, this);
        return work;
    }

    /**
     * The core's read index for a batch (RaftOutbox).
     */
    public void onReadIndex(final long readId, final long readIndex)
    {
        if (pending.onReadIndex(readId, readIndex, nowNs) && readId == requestingReadId &&
            ReadMode.LEASE == requestingMode)
        {
            // Granted inside the request: served from the leader's lease, without a round.
            counters.leaseReads().incrementRelease();
        }
    }

    /**
     * The core cannot give a batch a read index (RaftOutbox).
     */
    public void onReadIndexFailed(final long readId)
    {
        pending.onReadIndexFailed(readId);
    }

    /**
     * The node closes: in-process queries still waiting complete CLOSED; clients' are dropped (they retry).
     */
    public void close()
    {
        pending.clear(closedAnswerer);
    }

    public boolean requestReadIndex(final long readId, final ReadMode mode)
    {
        counters.readBatches().incrementRelease();
        requestingReadId = readId;
        requestingMode = mode;
        try
        {
            return core.requestReadIndex(readId, mode, clock.nanoTime());
        }
        finally
        {
            requestingReadId = -1;
        }
    }

    public void answer(
        final boolean granted,
        final long sessionId,
        final long queryId,
        final int slot,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final ResponseStatus status = granted ? query(buffer, offset, length) : ResponseStatus.NOT_LEADER;
        final int answerLength = ResponseStatus.OK == status || ResponseStatus.REJECTED == status ? response.length() : 0;
        if (granted)
        {
            counters.queriesAnswered().incrementRelease();
        }
        else
        {
            counters.queriesRefused().incrementRelease();
        }

        if (slot >= 0)
        {
            final int leader = egress.leaderId();
            queries.complete(slot, queries.agentResult().set(queryStatus(status), granted ? appliedIndex : 0, leader,
                granted ? "" : members.ingressEndpointOf(leader), response.buffer(), 0, answerLength));
            return;
        }

        final Session session = sessions.get(sessionId);
        if (null == session)
        {
            // Gone from the table (a snapshot replaced it): no channel to answer on.
            counters.droppedMessages().incrementRelease();
        }
        else if (session.isClosed())
        {
            egress.sendQueryStatus(session, queryId, 0, ResponseStatus.SESSION_EXPIRED, nowNs);
        }
        else
        {
            egress.sendQueryResponse(session, queryId, granted ? appliedIndex : 0, status, response.buffer(), 0,
                answerLength, nowNs);
        }
    }

    private void onLocalQuery(
        final int slot, final ReadMode mode, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!pending.add(mode, 0, 0, slot, buffer, offset, length))
        {
            counters.queriesRefused().incrementRelease();
            queries.complete(slot, queries.agentResult().set(
                QueryStatus.BACK_PRESSURED, 0, egress.leaderId(), "", null, 0, 0));
        }
    }

    /**
     * Ask the state machine; a throw answers ERROR (a query changes nothing, so the node goes on).
     *
     * @return OK or REJECTED as the state machine answered (the answer in {@link #response}), or ERROR.
     */
    private ResponseStatus query(final DirectBuffer buffer, final int offset, final int length)
    {
        response.reset();
        try
        {
            stateMachine.query(buffer, offset, length, response);
            return response.status();
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            return ResponseStatus.ERROR;
        }
    }

    private void answerClosed(
        final boolean granted,
        final long sessionId,
        final long queryId,
        final int slot,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (slot >= 0)
        {
            queries.complete(slot, queries.agentResult().set(QueryStatus.CLOSED, 0, egress.leaderId(), "", null, 0, 0));
        }
    }

    private static QueryStatus queryStatus(final ResponseStatus status)
    {
        switch (status)
        {
            case OK:
                return QueryStatus.OK;
            case REJECTED:
                return QueryStatus.REJECTED;
            case NOT_LEADER:
                return QueryStatus.NOT_LEADER;
            default:
                return QueryStatus.ERROR;
        }
    }
}
