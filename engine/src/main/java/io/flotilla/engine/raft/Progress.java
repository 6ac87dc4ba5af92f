package io.flotilla.engine.raft;

/**
 * What a leader knows of one peer's log and what it has sent it: the replication flow control of that peer. The
 * leader asks it what may be sent now and tells it what was sent and what the peer answered; it decides the
 * peer's {@link State}. Allocates nothing after construction.
 */
final class Progress
{
    /**
     * How the leader sends to the peer.
     */
    enum State
    {
        /**
         * Where the peer's log stops matching is not known (after an election or a rejection): one AppendEntries
         * at a time from {@link #next()}, resent if unanswered; a success that confirms {@code next - 1} leads to
         * {@link #REPLICATE}.
         */
        PROBE,
        /**
         * The peer's log matches up to {@link #match()}: batches are pipelined up to the inflight window and
         * {@link #next()} runs ahead optimistically; an unanswered oldest batch sends it back to
         * {@code match + 1}, a rejection to {@link #PROBE}.
         */
        REPLICATE,
        /**
         * The peer needs entries below the log's first index, compacted away: it is sent the leader's snapshot
         * (asked for on entering and again every heartbeat interval, {@link #snapshotDue}) and no AppendEntries,
         * not even heartbeats, until an acknowledgement shows it holds everything before the first index (then
         * {@link #REPLICATE}) or a rejection points it elsewhere (then {@link #PROBE}).
         */
        SNAPSHOT
    }

    private static final long LONG_AGO = Long.MIN_VALUE / 4;

    private final Inflights inflights;
    private final long resendTimeoutNs;
    private final long heartbeatIntervalNs;
    private State state = State.PROBE;
    private long next;
    private long match;
    private long durableMatch;
    private long lastHeardNs;
    private long lastIntroducedNs = LONG_AGO;
    private long lastSentNs;
    private long lastSentCommit;
    private long lastSentStamp;
    private long echoedStamp;
    private boolean probeOutstanding;
    private long probeSentNs;
    private long snapshotSentNs;

    /**
     * @param maxInflight         batches in flight at most in {@link State#REPLICATE}.
     * @param resendTimeoutNs     after which an unanswered probe or oldest batch counts as lost.
     * @param heartbeatIntervalNs the longest the peer goes without an AppendEntries.
     */
    Progress(final int maxInflight, final long resendTimeoutNs, final long heartbeatIntervalNs)
    {
        inflights = new Inflights(maxInflight);
        this.resendTimeoutNs = resendTimeoutNs;
        this.heartbeatIntervalNs = heartbeatIntervalNs;
    }

    /**
     * A new leadership: nothing is known of the peer, it counts as just heard (so check-quorum gives it an
     * election timeout), and probing starts just past the leader's log.
     */
    void reset(final long nextIndex, final long nowNs)
    {
        state = State.PROBE;
        next = nextIndex;
        match = 0;
        durableMatch = 0;
        lastHeardNs = nowNs;
        lastSentNs = LONG_AGO;
        lastIntroducedNs = LONG_AGO;
        lastSentCommit = -1;
        lastSentStamp = -1;
        echoedStamp = 0;
        probeOutstanding = false;
        inflights.reset();
    }

    /**
     * The peer answered in the leader's term.
     */
    void heard(final long nowNs)
    {
        lastHeardNs = nowNs;
    }

    /**
     * The peer answered in the leader's term, having received an AppendEntries sent with {@code stamp}.
     */
    void echoed(final long stamp)
    {
        if (stamp > echoedStamp)
        {
            echoedStamp = stamp;
        }
    }

    /**
     * @return the highest leader stamp the peer has echoed in this term: it has answered a message sent then.
     */
    long echoedStamp()
    {
        return echoedStamp;
    }

    /**
     * @return whether the peer is owed an AppendEntries to confirm a read registered at {@code readStamp}: none
     * sent to it since. Never in {@link State#SNAPSHOT} (the transfer keeps the peer, and it answers no append).
     */
    boolean readConfirmationDue(final long readStamp)
    {
        return State.SNAPSHOT != state && lastSentStamp <= readStamp;
    }

    /**
     * @return whether the peer answered less than {@code windowNs} ago.
     */
    boolean heardWithin(final long nowNs, final long windowNs)
    {
        return nowNs - lastHeardNs < windowNs;
    }

    /**
     * The peer reported entries up to an index durable (and verified against this leader's log).
     */
    void durableAcknowledged(final long index)
    {
        if (index > durableMatch)
        {
            durableMatch = index;
        }
    }

    /**
     * The peer accepted an AppendEntries: its log matches up to {@code index}.
     *
     * @param firstIndex the leader log's first index, below which nothing can be sent.
     */
    void acknowledged(final long index, final long firstIndex)
    {
        if (index > match)
        {
            match = index;
        }
        inflights.freeUpTo(match);

        switch (state)
        {
            case PROBE:
                if (match >= next - 1)
                {
                    becomeReplicate();
                }
                break;

            case REPLICATE:
                if (next <= match)
                {
                    next = match + 1;
                }
                break;

            case SNAPSHOT:
                if (match + 1 >= firstIndex)
                {
                    becomeReplicate();
                }
                break;
        }
    }

    /**
     * The peer rejected an AppendEntries: probe from {@code nextIndex}, where the hints say its log may match.
     * A match at or above it is forgotten (the peer lost entries it had acknowledged, in a crash before they were
     * durable).
     */
    void rejected(final long nextIndex)
    {
        next = nextIndex;
        if (match >= nextIndex)
        {
            match = nextIndex - 1;
        }
        state = State.PROBE;
        probeOutstanding = false;
        inflights.reset();
    }

    /**
     * Before sending: a probe unanswered for the resend timeout may go again; if the oldest batch in flight is
     * unanswered that long, it or its answer was lost and replication goes back to the last acknowledged index.
     * A peer that now needs entries below the log's first index enters {@link State#SNAPSHOT}, with a snapshot due
     * at once. The first index may have moved since the last call (the runtime compacts when it likes).
     *
     * @param firstIndex the leader log's first index.
     */
    void refresh(final long nowNs, final long firstIndex)
    {
        if (State.PROBE == state)
        {
            if (probeOutstanding && nowNs - probeSentNs >= resendTimeoutNs)
            {
                probeOutstanding = false;
            }
        }
        else if (State.REPLICATE == state)
        {
            if (!inflights.isEmpty() && nowNs - inflights.oldestSentNs() >= resendTimeoutNs)
            {
                inflights.reset();
                next = match + 1;
            }
        }

        if (next < firstIndex && State.SNAPSHOT != state)
        {
            state = State.SNAPSHOT;
            probeOutstanding = false;
            inflights.reset();
            snapshotSentNs = LONG_AGO;
        }
    }

    /**
     * @return whether the snapshot should be sent (or its transfer kept alive) now: in {@link State#SNAPSHOT}, on
     * entering it and then once per heartbeat interval.
     */
    boolean snapshotDue(final long nowNs)
    {
        return State.SNAPSHOT == state && nowNs - snapshotSentNs >= heartbeatIntervalNs;
    }

    /**
     * The transport took the request to send the snapshot.
     */
    void snapshotSent(final long nowNs)
    {
        snapshotSentNs = nowNs;
    }

    /**
     * @return whether a probe may be sent now: in {@link State#PROBE}, with none unanswered.
     */
    boolean mayProbe()
    {
        return State.PROBE == state && !probeOutstanding;
    }

    /**
     * The probe from {@link #next()} was sent.
     */
    void probeSent(final long nowNs)
    {
        probeOutstanding = true;
        probeSentNs = nowNs;
    }

    /**
     * @return whether a batch from {@link #next()} may be sent now: in {@link State#REPLICATE}, with room in the
     * window and entries left to send.
     */
    boolean maySendBatch(final long lastIndex)
    {
        return State.REPLICATE == state && !inflights.isFull() && next <= lastIndex;
    }

    /**
     * The batch {@link #next()}..{@code endIndex} was sent.
     */
    void batchSent(final long endIndex, final long nowNs)
    {
        inflights.add(endIndex, nowNs);
        next = endIndex + 1;
    }

    /**
     * Any AppendEntries was sent, carrying the commit index.
     */
    void appendSent(final long nowNs, final long commitIndex, final long stamp)
    {
        lastSentNs = nowNs;
        lastSentCommit = commitIndex;
        lastSentStamp = stamp;
    }

    /**
     * @return whether the peer is owed a leader introduction: silent for two heartbeat intervals (it may hold no
     * configuration naming this leader, and so no way to answer), and none sent for one.
     */
    boolean introductionDue(final long nowNs)
    {
        return !heardWithin(nowNs, 2 * heartbeatIntervalNs) && nowNs - lastIntroducedNs >= heartbeatIntervalNs;
    }

    /**
     * A leader introduction was sent, or tried.
     */
    void introduced(final long nowNs)
    {
        lastIntroducedNs = nowNs;
    }

    /**
     * @return whether the peer is owed a heartbeat: nothing sent for the heartbeat interval, or the commit index
     * moved since the last AppendEntries. Never in {@link State#SNAPSHOT}.
     */
    boolean heartbeatDue(final long nowNs, final long commitIndex)
    {
        return State.SNAPSHOT != state &&
            (nowNs - lastSentNs >= heartbeatIntervalNs || lastSentCommit < commitIndex);
    }

    State state()
    {
        return state;
    }

    /**
     * @return the next index to send.
     */
    long next()
    {
        return next;
    }

    /**
     * @return the highest index known to match the leader's log.
     */
    long match()
    {
        return match;
    }

    /**
     * @return the highest index the peer acknowledged durable.
     */
    long durableMatch()
    {
        return durableMatch;
    }

    /**
     * @return batches in flight.
     */
    int inflight()
    {
        return inflights.count();
    }

    public String toString()
    {
        return "Progress{" + state + ", next=" + next + ", match=" + match + ", durableMatch=" + durableMatch +
            ", inflight=" + inflights.count() + '}';
    }

    private void becomeReplicate()
    {
        state = State.REPLICATE;
        next = match + 1;
        probeOutstanding = false;
        inflights.reset();
    }
}
