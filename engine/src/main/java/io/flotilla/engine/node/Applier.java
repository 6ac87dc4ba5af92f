package io.flotilla.engine.node;

import io.flotilla.archive.ArchiveLogStore;
import io.flotilla.archive.EntryBlockHandler;
import io.flotilla.archive.LogStore;
import io.flotilla.archive.SnapshotReader;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.engine.ProposalStatus;
import io.flotilla.engine.SessionCloseReason;
import io.flotilla.engine.StateMachine;
import io.flotilla.engine.StateMachineContext;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.function.LongConsumer;

/**
 * The apply loop: reads committed entries from the log, in order, and applies them to the replicated state: the
 * session table (with the sessions' messages and their acknowledgements), the timer table and the state machine
 * (commands, time, timers and session events). On the leader it
 * also answers the clients; in-process proposals complete on whichever node they were proposed. Used by recovery (no replies) and in steady state. Built before the Raft
 * node (whose log tells it about truncations), it never needs it: replies and the leader's id come from the
 * {@link EgressPublisher}, and the node agent tells Raft what was applied.
 */
public final class Applier implements EntryBlockHandler
{
    /** Byte order of the acknowledged sequence in an EGRESS_ACK entry's payload. */
    static final ByteOrder EGRESS_ACK_BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private final LogStore log;
    private final StateMachine stateMachine;
    private final SessionTable sessions;
    private final EgressPublisher egress;
    private final ProposalQueue proposals;
    private final PendingProposals pending;
    private final NodeCounters counters;
    private final int maxBatchBytes;
    private final LatencyRecorder applyLatency;
    private final ResponseWriter response = new ResponseWriter();
    private final TimerTable timers = new TimerTable();
    private final AppliedConfiguration configuration;
    private final Context context = new Context(this, timers);
    private final LongConsumer fireTimer = this::fireTimer;

    private long commitIndex;
    private long appliedIndex;
    private long clusterTimeNs;
    private long nowNs;
    private long firingIndex;
    private long firingTimestampNs;
    private long applyingIndex;

    /**
     * @param log           to read committed entries from.
     * @param stateMachine  to apply commands to.
     * @param sessions      the replicated session table.
     * @param egress        to answer clients, and which knows whether this node leads.
     * @param proposals     in-process proposals' callbacks.
     * @param pending       in-process proposals awaiting apply.
     * @param counters      of the node.
     * @param maxBatchBytes bound on the bytes read per duty cycle.
     * @param applyLatency  to record how long each command takes the state machine.
     * @param configuration the configuration as of the applied index, kept up to date here.
     */
    public Applier(
        final LogStore log,
        final StateMachine stateMachine,
        final SessionTable sessions,
        final EgressPublisher egress,
        final ProposalQueue proposals,
        final PendingProposals pending,
        final NodeCounters counters,
        final int maxBatchBytes,
        final LatencyRecorder applyLatency,
        final AppliedConfiguration configuration)
    {
        this.applyLatency = applyLatency;
        this.configuration = configuration;
        this.log = log;
        this.stateMachine = stateMachine;
        this.sessions = sessions;
        this.egress = egress;
        this.proposals = proposals;
        this.pending = pending;
        this.counters = counters;
        this.maxBatchBytes = maxBatchBytes;
        try
        {
            stateMachine.onStart(context);
        }
        catch (final RuntimeException ex)
        {
            throw new StateMachineException("onStart", 0, ex);
        }
    }

    /**
     * @param commitIndex entries up to this index may be applied.
     */
    public void commitIndex(final long commitIndex)
    {
        this.commitIndex = Math.max(this.commitIndex, commitIndex);
    }

    public long commitIndex()
    {
        return commitIndex;
    }

    public long appliedIndex()
    {
        return appliedIndex;
    }

    /**
     * @return cluster time: the highest leader timestamp of the entries applied (or covered by a loaded snapshot).
     */
    public long clusterTimeNs()
    {
        return clusterTimeNs;
    }

    /**
     * @return the configuration as of the applied index.
     */
    AppliedConfiguration configuration()
    {
        return configuration;
    }

    /**
     * @return the state machine's timers as of the applied index (read only: the state machine changes them).
     */
    public TimerTable timers()
    {
        return timers;
    }

    /**
     * Node thread: the runtime's replicated state at the applied index, for a snapshot taken there.
     *
     * @return the bytes {@link SnapshotContent#writeHead} writes after the version.
     */
    public byte[] snapshotHead()
    {
        return SnapshotContent.head(sessions, clusterTimeNs, timers, configuration);
    }

    /**
     * Apply the next committed entries, at most about {@code maxBatchBytes} of them.
     *
     * @param nowNs local time (only for sessions' inactivity clocks, never for the state machine).
     * @return the number of entries applied; 0 also while the log reads entries back from the archive.
     */
    public int apply(final long nowNs)
    {
        if (appliedIndex >= commitIndex)
        {
            return 0;
        }

        this.nowNs = nowNs;
        final long before = appliedIndex;
        log.readEntries(appliedIndex + 1, maxBatchBytes, this);
        final int applied = (int)(appliedIndex - before);
        if (applied > 0)
        {
            counters.appliedIndex(appliedIndex);
        }
        return applied;
    }

    /**
     * Startup: apply the committed entries {@code appliedIndex + 1 .. toIndex} read straight from the recording,
     * before the node talks to anyone (no replies: no node leads before Raft starts).
     *
     * @param log     the recovered log.
     * @param toIndex last committed index to apply.
     */
    public void replay(final ArchiveLogStore log, final long toIndex)
    {
        log.replay(appliedIndex + 1, toIndex, this);
        if (appliedIndex != toIndex)
        {
            throw new IllegalStateException("replay stopped at index " + appliedIndex + " of " + toIndex);
        }
        counters.appliedIndex(appliedIndex);
    }

    /**
     * Replace the replicated state (session table, timers and state machine) with a snapshot's: at restart, or when
     * the leader sent this node its snapshot. Entries up to its index count as applied and committed; in-process
     * proposals at or below it end {@link ProposalStatus#UNKNOWN} (the snapshot may or may not hold them).
     *
     * @param snapshot a verified snapshot whose index is above the applied index.
     * @param nowNs    local time, the loaded sessions' last activity.
     * @throws IOException           when the snapshot's payload cannot be read as state.
     * @throws StateMachineException when the state machine (or the session table) throws loading it.
     */
    public void loadSnapshot(final SnapshotReader snapshot, final long nowNs) throws IOException
    {
        final long index = snapshot.index();
        if (index <= appliedIndex)
        {
            throw new IllegalStateException(
                "snapshot at index " + index + " is not ahead of the applied index " + appliedIndex);
        }
        try
        {
            clusterTimeNs = Math.max(clusterTimeNs,
                SnapshotContent.load(snapshot.payload(), index, snapshot.memberIds(), sessions, timers, configuration,
                    stateMachine, nowNs));
        }
        catch (final RuntimeException ex)
        {
            throw new StateMachineException("loadSnapshot", index, ex);
        }
        appliedIndex = index;
        commitIndex = Math.max(commitIndex, index);
        while (!pending.isEmpty() && pending.headIndex() <= index)
        {
            final long proposalIndex = pending.headIndex();
            proposals.complete(pending.removeHead(), proposals.agentResult().set(
                ProposalStatus.UNKNOWN, proposalIndex, egress.leaderId(), "", null, 0, 0));
        }
        counters.appliedIndex(appliedIndex);
    }

    public void onEntries(
        final DirectBuffer buffer, final int offset, final int length, final long firstIndex, final long lastIndex)
    {
        int position = offset;
        for (long index = firstIndex; index <= lastIndex && index <= commitIndex; index++)
        {
            if (index != appliedIndex + 1 || EntryFrame.index(buffer, position) != index)
            {
                throw new IllegalStateException("apply expected index " + (appliedIndex + 1) + " but the log gave " +
                    EntryFrame.index(buffer, position) + " at " + index);
            }
            applyEntry(buffer, position, index);
            appliedIndex = index;
            position += EntryFrame.frameLength(buffer, position);
        }
    }

    private void applyEntry(final DirectBuffer buffer, final int frame, final long index)
    {
        final long term = EntryFrame.term(buffer, frame);
        final long timestampNs = EntryFrame.timestamp(buffer, frame);
        final long sessionId = EntryFrame.sessionId(buffer, frame);
        final int payloadOffset = EntryFrame.payloadOffset(frame);
        final int payloadLength = EntryFrame.payloadLength(buffer, frame);
        final boolean leader = egress.isLeader();
        clusterTimeNs = Math.max(clusterTimeNs, timestampNs);
        applyingIndex = index;

        final EntryType type = EntryFrame.type(buffer, frame);
        switch (type)
        {
            case COMMAND:
                if (0 == sessionId)
                {
                    applyInProcess(buffer, payloadOffset, payloadLength, index, term, timestampNs);
                    return;
                }
                applySessionCommand(
                    buffer, payloadOffset, payloadLength, index, timestampNs, sessionId,
                    EntryFrame.sequence(buffer, frame), leader);
                break;

            case SESSION_OPEN:
                if (!SessionOpenPayload.isValid(buffer, payloadOffset, payloadLength))
                {
                    throw new IllegalStateException("malformed SESSION_OPEN payload at committed index " + index);
                }
                final Session session = sessions.open(
                    SessionOpenPayload.sessionId(buffer, payloadOffset),
                    SessionOpenPayload.sessionKey(buffer, payloadOffset),
                    SessionOpenPayload.principal(buffer, payloadOffset),
                    SessionOpenPayload.responseChannel(buffer, payloadOffset),
                    SessionOpenPayload.responseStreamId(buffer, payloadOffset),
                    nowNs);
                // A taken id opens nothing on any replica; that client's connect times out and it tries again.
                if (leader && null != session)
                {
                    egress.sendSessionAck(session, SessionOpenPayload.correlationId(buffer, payloadOffset), nowNs);
                }
                advanceTime(index, timestampNs);
                if (null != session)
                {
                    sessionOpened(index, timestampNs, session);
                }
                break;

            case SESSION_CLOSE:
                final boolean closed = sessions.close(sessionId, nowNs);
                advanceTime(index, timestampNs);
                if (closed)
                {
                    sessionClosed(index, timestampNs, sessionId, payloadLength > 0 ?
                        SessionCloseReason.of(buffer.getByte(payloadOffset)) : SessionCloseReason.UNKNOWN);
                }
                break;

            case CONFIG:
                // The core acted on the configuration when it was appended; the state machine sees only the time.
                configuration.onEntry(index, buffer, payloadOffset, payloadLength);
                advanceTime(index, timestampNs);
                break;

            case NOOP:
                advanceTime(index, timestampNs);
                break;

            case TIMER:
                advanceTime(index, timestampNs);
                fireTimers(index, timestampNs);
                break;

            case EGRESS_ACK:
                if (Long.BYTES != payloadLength)
                {
                    throw new IllegalStateException("malformed EGRESS_ACK payload at committed index " + index);
                }
                final Session acked = sessions.get(sessionId);
                if (null != acked && !acked.isClosed())
                {
                    acked.egress().acknowledge(buffer.getLong(payloadOffset, EGRESS_ACK_BYTE_ORDER));
                }
                advanceTime(index, timestampNs);
                break;

            default:
                throw new IllegalStateException("unknown entry type " + type + " at committed index " + index);
        }
        dropPendingUpTo(index);
    }

    private void applySessionCommand(
        final DirectBuffer buffer,
        final int payloadOffset,
        final int payloadLength,
        final long index,
        final long timestampNs,
        final long sessionId,
        final long sequence,
        final boolean leader)
    {
        final Session session = sessions.get(sessionId);
        if (null != session)
        {
            session.proposalApplied();
        }
        if (null == session || session.isClosed())
        {
            advanceTime(index, timestampNs);
            if (leader && null != session)
            {
                egress.sendStatus(session, sequence, index, ResponseStatus.SESSION_EXPIRED, nowNs);
            }
        }
        else if (sequence == session.lastAppliedSequence() + 1)
        {
            response.reset();
            applyCommand(index, timestampNs, sessionId, buffer, payloadOffset, payloadLength);
            session.cacheResponse(sequence, index, response.status(), response.buffer(), 0, response.length());
            if (leader)
            {
                egress.sendResponse(session, sequence, index, response.status(), response.buffer(), 0,
                    response.length(), nowNs);
            }
        }
        else
        {
            // A duplicate or out-of-order copy: not applied, but time still advances deterministically.
            advanceTime(index, timestampNs);
            if (leader)
            {
                if (sequence <= session.lastAppliedSequence())
                {
                    egress.sendCachedResponse(session, sequence, nowNs);
                }
                else
                {
                    egress.sendStatus(session, sequence, index, ResponseStatus.SEQUENCE_GAP, nowNs);
                }
            }
        }
    }

    /**
     * The state machine sends a message to a session: retained in the session's egress on every replica and, on the
     * leader, sent at once when everything before it was sent on the current connection (else the resend that is due
     * sends it in order).
     */
    private long sendToSession(final long sessionId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 0 || length > EntryFrame.MAX_PAYLOAD_LENGTH)
        {
            throw new IllegalArgumentException(
                "session message of " + length + " bytes: at most " + EntryFrame.MAX_PAYLOAD_LENGTH);
        }
        final Session session = sessions.get(sessionId);
        if (null == session || session.isClosed())
        {
            return StateMachineContext.SESSION_NOT_OPEN;
        }
        final SessionEgress sessionEgress = session.egress();
        if (!sessionEgress.fits(length))
        {
            return StateMachineContext.WINDOW_FULL;
        }
        final long sequence = sessionEgress.append(applyingIndex, buffer, offset, length);
        if (egress.isLeader() && sessionEgress.sentSequence() == sequence - 1)
        {
            egress.sendSessionMessage(session, sequence, applyingIndex, buffer, offset, length, nowNs);
        }
        return sequence;
    }

    /**
     * A state machine that throws is wrapped, so that the node stops with {@code STATE_MACHINE} as the cause.
     */
    private void applyCommand(
        final long index,
        final long timestampNs,
        final long sessionId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final long startNs = System.nanoTime();
        context.open = true;
        context.commandSessionId = sessionId;
        try
        {
            stateMachine.apply(index, timestampNs, buffer, offset, length, response);
        }
        catch (final RuntimeException ex)
        {
            throw new StateMachineException("apply", index, ex);
        }
        finally
        {
            context.open = false;
            context.commandSessionId = 0;
        }
        applyLatency.record(System.nanoTime() - startNs);
    }

    private void advanceTime(final long index, final long timestampNs)
    {
        context.open = true;
        try
        {
            stateMachine.onTimeAdvanced(index, timestampNs);
        }
        catch (final RuntimeException ex)
        {
            throw new StateMachineException("onTimeAdvanced", index, ex);
        }
        finally
        {
            context.open = false;
        }
    }

    private void fireTimers(final long index, final long timestampNs)
    {
        firingIndex = index;
        firingTimestampNs = timestampNs;
        context.open = true;
        try
        {
            timers.fireDue(timestampNs, fireTimer);
        }
        catch (final RuntimeException ex)
        {
            throw new StateMachineException("onTimer", index, ex);
        }
        finally
        {
            context.open = false;
        }
    }

    private void fireTimer(final long correlationId)
    {
        stateMachine.onTimer(firingIndex, firingTimestampNs, correlationId);
    }

    private void sessionOpened(final long index, final long timestampNs, final Session session)
    {
        context.open = true;
        try
        {
            stateMachine.onSessionOpen(index, timestampNs, session.id(), session.principal());
        }
        catch (final RuntimeException ex)
        {
            throw new StateMachineException("onSessionOpen", index, ex);
        }
        finally
        {
            context.open = false;
        }
    }

    private void sessionClosed(
        final long index, final long timestampNs, final long sessionId, final SessionCloseReason reason)
    {
        context.open = true;
        try
        {
            stateMachine.onSessionClose(index, timestampNs, sessionId, reason);
        }
        catch (final RuntimeException ex)
        {
            throw new StateMachineException("onSessionClose", index, ex);
        }
        finally
        {
            context.open = false;
        }
    }

    private void applyInProcess(
        final DirectBuffer buffer,
        final int payloadOffset,
        final int payloadLength,
        final long index,
        final long term,
        final long timestampNs)
    {
        response.reset();
        applyCommand(index, timestampNs, 0, buffer, payloadOffset, payloadLength);
        dropPendingBefore(index);
        if (!pending.isEmpty() && pending.headIndex() == index)
        {
            if (pending.headTerm() == term)
            {
                final ProposalStatus status =
                    ResponseStatus.OK == response.status() ? ProposalStatus.OK : ProposalStatus.REJECTED;
                proposals.complete(pending.removeHead(), proposals.agentResult().set(
                    status, index, egress.leaderId(), "", response.buffer(), 0, response.length()));
            }
            else
            {
                completeDropped(pending.removeHead(), index);
            }
        }
    }

    /**
     * Pending proposals at or below an applied index that is not theirs were replaced by another leader's entries.
     */
    private void dropPendingUpTo(final long index)
    {
        while (!pending.isEmpty() && pending.headIndex() <= index)
        {
            completeDropped(pending.removeHead(), index);
        }
    }

    private void dropPendingBefore(final long index)
    {
        while (!pending.isEmpty() && pending.headIndex() < index)
        {
            completeDropped(pending.removeHead(), index);
        }
    }

    /**
     * The log was truncated after {@code index}: pending proposals beyond it are gone.
     *
     * @param index last index kept.
     */
    public void onTruncated(final long index)
    {
        while (!pending.isEmpty() && pending.tailIndex() > index)
        {
            completeDropped(pending.removeTail(), 0);
        }
    }

    private void completeDropped(final int slot, final long index)
    {
        proposals.complete(slot, proposals.agentResult().set(
            ProposalStatus.DROPPED, index, egress.leaderId(), "", null, 0, 0));
    }

    /**
     * The state machine's handle on its timers: open only while the applier is inside one of the replicated
     * callbacks, so that nothing can schedule a timer on one replica alone.
     */
    static final class Context implements StateMachineContext
    {
        private final Applier applier;
        private final TimerTable timers;
        boolean open;
        long commandSessionId;

        Context(final Applier applier, final TimerTable timers)
        {
            this.applier = applier;
            this.timers = timers;
        }

        public long commandSessionId()
        {
            return commandSessionId;
        }

        public long sendToSession(final long sessionId, final DirectBuffer buffer, final int offset, final int length)
        {
            checkOpen("sendToSession");
            return applier.sendToSession(sessionId, buffer, offset, length);
        }

        public void scheduleTimer(final long correlationId, final long deadlineNs)
        {
            checkOpen("scheduleTimer");
            timers.schedule(correlationId, deadlineNs);
        }

        public boolean cancelTimer(final long correlationId)
        {
            checkOpen("cancelTimer");
            return timers.cancel(correlationId);
        }

        private void checkOpen(final String method)
        {
            if (!open)
            {
                throw new IllegalStateException("StateMachineContext." + method + " called outside apply, " +
                    "onTimeAdvanced, onTimer, onSessionOpen and onSessionClose (from a query, a snapshot load or " +
                    "another thread): only those run on every replica at the same log index");
            }
        }
    }
}
