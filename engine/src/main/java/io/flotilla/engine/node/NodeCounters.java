package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.exceptions.RegistrationException;
import io.flotilla.engine.NodeCounter;
import io.flotilla.engine.Role;
import org.agrona.CloseHelper;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntPredicate;

/**
 * A node's Aeron counters ({@link NodeCounter}, and each follower's match index), visible to {@code AeronStat} on
 * the node's Aeron directory and readable from any thread through {@link #value}. Written only by the node agent;
 * allocated at launch, the followers' as the configuration names them. The role, term, leader, commit and applied
 * index are also mirrored in volatile fields for the node's getters.
 */
public final class NodeCounters implements AutoCloseable
{
    /** Counter type ids: Flotilla uses 7411xx (the schema id) to stay clear of Aeron's own types. */
    public static final int ROLE_TYPE_ID = 741100;
    public static final int TERM_TYPE_ID = 741101;
    public static final int LEADER_TYPE_ID = 741102;
    public static final int COMMIT_INDEX_TYPE_ID = 741103;
    public static final int APPLIED_INDEX_TYPE_ID = 741104;
    public static final int ELECTIONS_TYPE_ID = 741105;
    public static final int PROPOSALS_TYPE_ID = 741106;
    public static final int BYTES_REPLICATED_TYPE_ID = 741107;
    public static final int INVALID_MESSAGES_TYPE_ID = 741108;
    public static final int DROPPED_MESSAGES_TYPE_ID = 741109;
    public static final int SNAPSHOT_INDEX_TYPE_ID = 741110;
    public static final int LOG_FIRST_INDEX_TYPE_ID = 741111;
    public static final int SNAPSHOTS_INSTALLED_TYPE_ID = 741112;
    public static final int SNAPSHOT_BYTES_SENT_TYPE_ID = 741113;
    public static final int SNAPSHOT_BYTES_RECEIVED_TYPE_ID = 741114;
    public static final int AUTHENTICATION_FAILURES_TYPE_ID = 741115;
    public static final int REPLAYED_MESSAGES_TYPE_ID = 741116;
    public static final int QUERIES_ANSWERED_TYPE_ID = 741117;
    public static final int QUERIES_REFUSED_TYPE_ID = 741118;
    public static final int READ_BATCHES_TYPE_ID = 741119;
    public static final int LEASE_READS_TYPE_ID = 741120;
    public static final int DURABLE_INDEX_TYPE_ID = 741121;
    public static final int LOG_LAST_INDEX_TYPE_ID = 741122;
    public static final int SESSIONS_TYPE_ID = 741123;
    /** One per other member of the configuration: its match index while this node leads, -1 otherwise. */
    public static final int FOLLOWER_MATCH_INDEX_TYPE_ID = 741124;
    public static final int TRANSFER_ELECTIONS_TYPE_ID = 741125;
    public static final int VOTING_FENCE_TYPE_ID = 741126;
    public static final int RESPONSE_CHANNELS_REFUSED_TYPE_ID = 741140;
    public static final int RESPONSE_CHANNELS_UNAVAILABLE_TYPE_ID = 741141;
    public static final int RESPONSE_PUBLICATIONS_TYPE_ID = 741142;
    public static final int RESPONSES_TOO_LARGE_TYPE_ID = 741143;
    public static final int REQUESTS_FORWARDED_TYPE_ID = 741160;
    public static final int FORWARDS_REFUSED_TYPE_ID = 741161;
    public static final int SESSION_MESSAGES_SENT_TYPE_ID = 741170;
    public static final int SESSION_MESSAGES_RESENT_TYPE_ID = 741171;

    private static final System.Logger LOGGER = System.getLogger(NodeCounters.class.getName());

    private final Counter[] counters = new Counter[NodeCounter.values().length];
    private final long[] finalValues = new long[counters.length];
    private final Aeron aeron;
    private final String labelSuffix;
    /** By member id; made and closed on the node thread as the configuration changes. */
    private final Counter[] followerMatch = new Counter[ClusterMembers.MAX_MEMBER_ID + 1];
    /** By member id, what other threads read: -1 for a member without a counter, or unless leader. */
    private final AtomicLongArray followerMatchView = new AtomicLongArray(ClusterMembers.MAX_MEMBER_ID + 1);
    /** By member id, a follower counter asked of the driver and not taken yet. */
    private final long[] followerRegistrations = new long[ClusterMembers.MAX_MEMBER_ID + 1];
    private int awaitedCounters;
    // Readers on other threads count themselves in, so that close waits for them before the counters' memory goes.
    private final AtomicInteger readers = new AtomicInteger();
    private volatile boolean closed;

    // What the node's getters read: safe from any thread, and after the counters (and the CnC file) are gone.
    private volatile Role roleView = Role.FOLLOWER;
    private volatile long termView;
    private volatile int leaderView = -1;
    private volatile long commitIndexView;
    private volatile long appliedIndexView;
    private volatile long snapshotIndexView;
    private volatile long logFirstIndexView = 1;

    /**
     * Allocate the counters.
     *
     * @param aeron    client of the node's media driver.
     * @param memberId of the node, part of every label.
     */
    public NodeCounters(final Aeron aeron, final int memberId)
    {
        this.aeron = aeron;
        final String suffix = " memberId=" + memberId;
        this.labelSuffix = suffix;
        for (final NodeCounter counter : NodeCounter.values())
        {
            counters[counter.ordinal()] =
                aeron.addCounter(counter.typeId(), "flotilla " + counter.description() + suffix);
        }
        for (int id = 0; id < followerMatch.length; id++)
        {
            followerMatchView.set(id, -1);
        }
        Arrays.fill(followerRegistrations, Aeron.NULL_VALUE);
        counter(NodeCounter.LEADER).setRelease(-1);
        counter(NodeCounter.LOG_FIRST_INDEX).setRelease(1);
    }

    private Counter counter(final NodeCounter counter)
    {
        return counters[counter.ordinal()];
    }

    /**
     * Read a counter from any thread, also while or after the node closes (then its last value).
     *
     * @param counter to read.
     * @return its value.
     */
    public long value(final NodeCounter counter)
    {
        readers.incrementAndGet();
        try
        {
            return closed ? finalValues[counter.ordinal()] : counters[counter.ordinal()].get();
        }
        finally
        {
            readers.decrementAndGet();
        }
    }

    /**
     * Give each of these members a follower match index counter, and close those of members no longer among them;
     * on the node thread, when the configuration changes. A counter is only asked of the media driver here, so the
     * duty cycle never waits for it; {@link #takeFollowerCounters} takes it once made. Until then the member's match
     * index is still seen through {@link #followerMatchIndex(int)}.
     *
     * @param isPeer whether member {@code id} is another member of the configuration now.
     */
    public void followers(final IntPredicate isPeer)
    {
        for (int id = 0; id < followerMatch.length; id++)
        {
            final boolean wanted = isPeer.test(id);
            if (wanted && null == followerMatch[id] && Aeron.NULL_VALUE == followerRegistrations[id])
            {
                followerRegistrations[id] = aeron.asyncAddCounter(FOLLOWER_MATCH_INDEX_TYPE_ID,
                    "flotilla follower match index (-1 unless leader)" + labelSuffix + " peer=" + id);
                awaitedCounters++;
            }
            else if (!wanted)
            {
                if (null != followerMatch[id])
                {
                    CloseHelper.close(followerMatch[id]);
                    followerMatch[id] = null;
                }
                else if (Aeron.NULL_VALUE != followerRegistrations[id])
                {
                    aeron.asyncRemoveCounter(followerRegistrations[id]);
                    followerRegistrations[id] = Aeron.NULL_VALUE;
                    awaitedCounters--;
                }
                followerMatchView.set(id, -1);
            }
        }
    }

    /**
     * Node thread, each duty cycle: take the follower counters the media driver has made since {@link #followers}
     * asked for them, set to the match index already known. One the driver refuses (its counters file is full) is
     * left out, with a warning: the match index stays readable through {@link #followerMatchIndex(int)}.
     *
     * @return the counters taken or refused.
     */
    public int takeFollowerCounters()
    {
        if (0 == awaitedCounters)
        {
            return 0;
        }
        int work = 0;
        for (int id = 0; id < followerMatch.length; id++)
        {
            final long registrationId = followerRegistrations[id];
            if (Aeron.NULL_VALUE != registrationId)
            {
                try
                {
                    final Counter counter = aeron.getCounter(registrationId);
                    if (null == counter)
                    {
                        continue;
                    }
                    counter.setRelease(followerMatchView.get(id));
                    followerMatch[id] = counter;
                }
                catch (final RegistrationException ex)
                {
                    LOGGER.log(System.Logger.Level.WARNING, "no follower match index counter for member " + id +
                        labelSuffix + ": " + ex.getMessage());
                }
                followerRegistrations[id] = Aeron.NULL_VALUE;
                awaitedCounters--;
                work++;
            }
        }
        return work;
    }

    /**
     * Read a follower's match index from any thread, also while or after the node closes.
     *
     * @param memberId any member id.
     * @return its match index while this node leads it, -1 otherwise (and for a member not in the configuration).
     */
    public long followerMatchIndex(final int memberId)
    {
        return followerMatchView.get(memberId);
    }

    /**
     * @param memberId another member with a counter ({@link #followers}).
     * @param value    its match index, -1 when this node does not lead.
     */
    public void followerMatchIndex(final int memberId, final long value)
    {
        final Counter counter = followerMatch[memberId];
        if (null != counter)
        {
            counter.setRelease(value);
        }
        followerMatchView.set(memberId, value);
    }

    public void durableIndex(final long value)
    {
        counter(NodeCounter.DURABLE_INDEX).setRelease(value);
    }

    public void logLastIndex(final long value)
    {
        counter(NodeCounter.LOG_LAST_INDEX).setRelease(value);
    }

    /**
     * @param fenced whether the node is kept out of elections, rejoining after a data loss.
     */
    public void votingFence(final boolean fenced)
    {
        counter(NodeCounter.VOTING_FENCE).setRelease(fenced ? 1 : 0);
    }

    /**
     * @param value client sessions open now.
     */
    public void sessions(final int value)
    {
        counter(NodeCounter.SESSIONS).setRelease(value);
    }

    /**
     * @param value the node's role now.
     */
    public void role(final Role value)
    {
        counter(NodeCounter.ROLE).setRelease(value.ordinal());
        roleView = value;
    }

    /**
     * @return the role last set; safe from any thread, also after close.
     */
    public Role roleView()
    {
        return roleView;
    }

    public void term(final long value)
    {
        counter(NodeCounter.TERM).setRelease(value);
        termView = value;
    }

    public long termView()
    {
        return termView;
    }

    public void leader(final int value)
    {
        counter(NodeCounter.LEADER).setRelease(value);
        leaderView = value;
    }

    public int leaderView()
    {
        return leaderView;
    }

    public void commitIndex(final long value)
    {
        counter(NodeCounter.COMMIT_INDEX).setRelease(value);
        commitIndexView = value;
    }

    public long commitIndexView()
    {
        return commitIndexView;
    }

    public void appliedIndex(final long value)
    {
        counter(NodeCounter.APPLIED_INDEX).setRelease(value);
        appliedIndexView = value;
    }

    public long appliedIndexView()
    {
        return appliedIndexView;
    }

    public void snapshotIndex(final long value)
    {
        counter(NodeCounter.SNAPSHOT_INDEX).setRelease(value);
        snapshotIndexView = value;
    }

    public long snapshotIndexView()
    {
        return snapshotIndexView;
    }

    public void logFirstIndex(final long value)
    {
        counter(NodeCounter.LOG_FIRST_INDEX).setRelease(value);
        logFirstIndexView = value;
    }

    public long logFirstIndexView()
    {
        return logFirstIndexView;
    }

    public Counter snapshotsInstalled()
    {
        return counter(NodeCounter.SNAPSHOTS_INSTALLED);
    }

    public Counter elections()
    {
        return counter(NodeCounter.ELECTIONS);
    }

    public Counter transferElections()
    {
        return counter(NodeCounter.TRANSFER_ELECTIONS);
    }

    public Counter proposals()
    {
        return counter(NodeCounter.PROPOSALS);
    }

    public Counter bytesReplicated()
    {
        return counter(NodeCounter.BYTES_REPLICATED);
    }

    public Counter invalidMessages()
    {
        return counter(NodeCounter.INVALID_MESSAGES);
    }

    public Counter droppedMessages()
    {
        return counter(NodeCounter.DROPPED_MESSAGES);
    }

    /**
     * @return snapshot file bytes a leader sent in installs (resent bytes included).
     */
    public Counter snapshotBytesSent()
    {
        return counter(NodeCounter.SNAPSHOT_BYTES_SENT);
    }

    /**
     * @return snapshot file bytes a follower wrote to partial files in installs.
     */
    public Counter snapshotBytesReceived()
    {
        return counter(NodeCounter.SNAPSHOT_BYTES_RECEIVED);
    }

    /**
     * @return response channels a client named that the {@link ResponseChannelPolicy} refused.
     */
    public Counter responseChannelsRefused()
    {
        return counter(NodeCounter.RESPONSE_CHANNELS_REFUSED);
    }

    /**
     * @return replies with no publication to go on: the cap was reached, or a reject's budget spent.
     */
    public Counter responseChannelsUnavailable()
    {
        return counter(NodeCounter.RESPONSE_CHANNELS_UNAVAILABLE);
    }

    /**
     * @param value response publications open now.
     */
    public void responsePublications(final int value)
    {
        counter(NodeCounter.RESPONSE_PUBLICATIONS).setRelease(value);
    }

    /**
     * @return responses replaced by RESPONSE_TOO_LARGE because they did not fit their channel or the protocol.
     */
    public Counter responsesTooLarge()
    {
        return counter(NodeCounter.RESPONSES_TOO_LARGE);
    }

    /**
     * @return client requests, keep-alives and closes this member sent on to the leader as ForwardedRequest.
     */
    public Counter requestsForwarded()
    {
        return counter(NodeCounter.REQUESTS_FORWARDED);
    }

    /**
     * @return client requests this member could not forward (no leader known, or the send to it failed), answered
     * BACK_PRESSURED.
     */
    public Counter forwardsRefused()
    {
        return counter(NodeCounter.FORWARDS_REFUSED);
    }

    /**
     * @return the state machine's session messages this node sent to clients as leader, resends included.
     */
    public Counter sessionMessagesSent()
    {
        return counter(NodeCounter.SESSION_MESSAGES_SENT);
    }

    /**
     * @return session messages sent again: after a leader change, a gap a client reported, or a client's silence.
     */
    public Counter sessionMessagesResent()
    {
        return counter(NodeCounter.SESSION_MESSAGES_RESENT);
    }

    /**
     * @return consensus messages dropped as unsigned, signed with a key this node does not hold, with a wrong tag,
     * or signed by one member for another.
     */
    public Counter authenticationFailures()
    {
        return counter(NodeCounter.AUTHENTICATION_FAILURES);
    }

    /**
     * @return authentic consensus messages dropped for their timestamp: a replay, or a sender's clock too far ahead.
     */
    public Counter replayedMessages()
    {
        return counter(NodeCounter.REPLAYED_MESSAGES);
    }

    /**
     * @return queries answered from the state machine (OK, REJECTED, ERROR, RESPONSE_TOO_LARGE).
     */
    public Counter queriesAnswered()
    {
        return counter(NodeCounter.QUERIES_ANSWERED);
    }

    /**
     * @return queries answered NOT_LEADER (no read index to be had) or BACK_PRESSURED (too many pending).
     */
    public Counter queriesRefused()
    {
        return counter(NodeCounter.QUERIES_REFUSED);
    }

    /**
     * @return read index requests made: one per read batch (a duty cycle's queries of one mode).
     */
    public Counter readBatches()
    {
        return counter(NodeCounter.READ_BATCHES);
    }

    /**
     * @return LEASE batches granted inside their request, by a leader holding its lease: no heartbeat round.
     */
    public Counter leaseReads()
    {
        return counter(NodeCounter.LEASE_READS);
    }

    /**
     * Keep the last values for readers, then wait for readers already reading: from here on no thread reads the
     * counters' memory. Call before the Aeron client closes (a failed node closes it first); idempotent.
     */
    public void freeze()
    {
        if (closed)
        {
            return;
        }
        for (int i = 0; i < counters.length; i++)
        {
            finalValues[i] = counters[i].get();
        }
        closed = true;
        while (0 != readers.get())
        {
            Thread.onSpinWait();
        }
    }

    /**
     * Freeze the values for readers, then release the counters.
     */
    public void close()
    {
        freeze();
        CloseHelper.closeAll(counters);
        CloseHelper.closeAll(followerMatch);
    }
}
