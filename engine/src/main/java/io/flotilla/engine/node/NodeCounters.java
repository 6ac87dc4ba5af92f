package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.flotilla.engine.raft.Role;
import org.agrona.CloseHelper;

/**
 * A node's Aeron counters, visible to {@code AeronStat} on the node's Aeron directory. Written only by the node
 * agent; allocated once at launch. The role, term, leader, commit and applied index are also mirrored in volatile
 * fields for the node's getters.
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
    public static final int RESPONSE_CHANNELS_REFUSED_TYPE_ID = 741140;
    public static final int RESPONSE_CHANNELS_UNAVAILABLE_TYPE_ID = 741141;
    public static final int RESPONSE_PUBLICATIONS_TYPE_ID = 741142;
    public static final int RESPONSES_TOO_LARGE_TYPE_ID = 741143;
    public static final int REQUESTS_FORWARDED_TYPE_ID = 741160;
    public static final int FORWARDS_REFUSED_TYPE_ID = 741161;

    private final Counter role;
    private final Counter term;
    private final Counter leader;
    private final Counter commitIndex;
    private final Counter appliedIndex;
    private final Counter elections;
    private final Counter proposals;
    private final Counter bytesReplicated;
    private final Counter invalidMessages;
    private final Counter droppedMessages;
    private final Counter snapshotIndex;
    private final Counter logFirstIndex;
    private final Counter snapshotsInstalled;
    private final Counter snapshotBytesSent;
    private final Counter snapshotBytesReceived;
    private final Counter authenticationFailures;
    private final Counter replayedMessages;
    private final Counter queriesAnswered;
    private final Counter queriesRefused;
    private final Counter readBatches;
    private final Counter leaseReads;
    private final Counter responseChannelsRefused;
    private final Counter responseChannelsUnavailable;
    private final Counter responsePublications;
    private final Counter responsesTooLarge;
    private final Counter requestsForwarded;
    private final Counter forwardsRefused;

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
        final String suffix = " memberId=" + memberId;
        role = aeron.addCounter(ROLE_TYPE_ID, "flotilla role (0=follower 1=pre-candidate 2=candidate 3=leader)" + suffix);
        term = aeron.addCounter(TERM_TYPE_ID, "flotilla term" + suffix);
        leader = aeron.addCounter(LEADER_TYPE_ID, "flotilla leader memberId (-1 none)" + suffix);
        commitIndex = aeron.addCounter(COMMIT_INDEX_TYPE_ID, "flotilla commit index" + suffix);
        appliedIndex = aeron.addCounter(APPLIED_INDEX_TYPE_ID, "flotilla applied index" + suffix);
        elections = aeron.addCounter(ELECTIONS_TYPE_ID, "flotilla elections started" + suffix);
        proposals = aeron.addCounter(PROPOSALS_TYPE_ID, "flotilla proposals appended" + suffix);
        bytesReplicated = aeron.addCounter(BYTES_REPLICATED_TYPE_ID, "flotilla entry bytes replicated" + suffix);
        invalidMessages = aeron.addCounter(INVALID_MESSAGES_TYPE_ID, "flotilla invalid messages dropped" + suffix);
        droppedMessages = aeron.addCounter(DROPPED_MESSAGES_TYPE_ID,
            "flotilla messages dropped (unknown session or member, impossible term or index, unsendable reply)" + suffix);
        snapshotIndex = aeron.addCounter(SNAPSHOT_INDEX_TYPE_ID, "flotilla snapshot index (newest)" + suffix);
        logFirstIndex = aeron.addCounter(LOG_FIRST_INDEX_TYPE_ID, "flotilla log first index" + suffix);
        snapshotsInstalled = aeron.addCounter(SNAPSHOTS_INSTALLED_TYPE_ID,
            "flotilla snapshots installed from the leader" + suffix);
        snapshotBytesSent = aeron.addCounter(SNAPSHOT_BYTES_SENT_TYPE_ID, "flotilla snapshot bytes sent" + suffix);
        snapshotBytesReceived = aeron.addCounter(
            SNAPSHOT_BYTES_RECEIVED_TYPE_ID, "flotilla snapshot bytes received" + suffix);
        authenticationFailures = aeron.addCounter(AUTHENTICATION_FAILURES_TYPE_ID,
            "flotilla consensus messages failing authentication (unsigned, unknown key, bad tag)" + suffix);
        replayedMessages = aeron.addCounter(REPLAYED_MESSAGES_TYPE_ID,
            "flotilla consensus messages replayed or stale (timestamp not newer, or too far ahead)" + suffix);
        queriesAnswered = aeron.addCounter(QUERIES_ANSWERED_TYPE_ID,
            "flotilla queries answered by the state machine" + suffix);
        queriesRefused = aeron.addCounter(QUERIES_REFUSED_TYPE_ID,
            "flotilla queries refused (NOT_LEADER, BACK_PRESSURED)" + suffix);
        readBatches = aeron.addCounter(READ_BATCHES_TYPE_ID, "flotilla read index requests (one per batch)" + suffix);
        leaseReads = aeron.addCounter(LEASE_READS_TYPE_ID,
            "flotilla lease read batches granted without a round" + suffix);
        responseChannelsRefused = aeron.addCounter(RESPONSE_CHANNELS_REFUSED_TYPE_ID,
            "flotilla response channels refused by the policy" + suffix);
        responseChannelsUnavailable = aeron.addCounter(RESPONSE_CHANNELS_UNAVAILABLE_TYPE_ID,
            "flotilla response channels not opened (publication cap or reject budget)" + suffix);
        responsePublications = aeron.addCounter(RESPONSE_PUBLICATIONS_TYPE_ID,
            "flotilla response publications open" + suffix);
        responsesTooLarge = aeron.addCounter(RESPONSES_TOO_LARGE_TYPE_ID,
            "flotilla responses too large to send (answered RESPONSE_TOO_LARGE)" + suffix);
        requestsForwarded = aeron.addCounter(REQUESTS_FORWARDED_TYPE_ID,
            "flotilla client requests, keep-alives and closes forwarded to the leader" + suffix);
        forwardsRefused = aeron.addCounter(FORWARDS_REFUSED_TYPE_ID,
            "flotilla client requests not forwarded (no leader known, or the send failed: BACK_PRESSURED)" + suffix);
        leader.setRelease(-1);
    }

    /**
     * @param value the node's role now.
     */
    public void role(final Role value)
    {
        role.setRelease(value.ordinal());
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
        term.setRelease(value);
        termView = value;
    }

    public long termView()
    {
        return termView;
    }

    public void leader(final int value)
    {
        leader.setRelease(value);
        leaderView = value;
    }

    public int leaderView()
    {
        return leaderView;
    }

    public void commitIndex(final long value)
    {
        commitIndex.setRelease(value);
        commitIndexView = value;
    }

    public long commitIndexView()
    {
        return commitIndexView;
    }

    public void appliedIndex(final long value)
    {
        appliedIndex.setRelease(value);
        appliedIndexView = value;
    }

    public long appliedIndexView()
    {
        return appliedIndexView;
    }

    public void snapshotIndex(final long value)
    {
        snapshotIndex.setRelease(value);
        snapshotIndexView = value;
    }

    public long snapshotIndexView()
    {
        return snapshotIndexView;
    }

    public void logFirstIndex(final long value)
    {
        logFirstIndex.setRelease(value);
        logFirstIndexView = value;
    }

    public long logFirstIndexView()
    {
        return logFirstIndexView;
    }

    public Counter snapshotsInstalled()
    {
        return snapshotsInstalled;
    }

    public Counter elections()
    {
        return elections;
    }

    public Counter proposals()
    {
        return proposals;
    }

    public Counter bytesReplicated()
    {
        return bytesReplicated;
    }

    public Counter invalidMessages()
    {
        return invalidMessages;
    }

    public Counter droppedMessages()
    {
        return droppedMessages;
    }

    /**
     * @return snapshot file bytes a leader sent in installs (resent bytes included).
     */
    public Counter snapshotBytesSent()
    {
        return snapshotBytesSent;
    }

    /**
     * @return snapshot file bytes a follower wrote to partial files in installs.
     */
    public Counter snapshotBytesReceived()
    {
        return snapshotBytesReceived;
    }

    /**
     * @return response channels a client named that the {@link ResponseChannelPolicy} refused.
     */
    public Counter responseChannelsRefused()
    {
        return responseChannelsRefused;
    }

    /**
     * @return replies with no publication to go on: the cap was reached, or a reject's budget spent.
     */
    public Counter responseChannelsUnavailable()
    {
        return responseChannelsUnavailable;
    }

    /**
     * @param value response publications open now.
     */
    public void responsePublications(final int value)
    {
        responsePublications.setRelease(value);
    }

    /**
     * @return responses replaced by RESPONSE_TOO_LARGE because they did not fit their channel or the protocol.
     */
    public Counter responsesTooLarge()
    {
        return responsesTooLarge;
    }

    /**
     * @return client requests, keep-alives and closes this member sent on to the leader as ForwardedRequest.
     */
    public Counter requestsForwarded()
    {
        return requestsForwarded;
    }

    /**
     * @return client requests this member could not forward (no leader known, or the send to it failed), answered
     * BACK_PRESSURED.
     */
    public Counter forwardsRefused()
    {
        return forwardsRefused;
    }

    /**
     * @return consensus messages dropped as unsigned, signed with a key this node does not hold, with a wrong tag,
     * or signed by one member for another.
     */
    public Counter authenticationFailures()
    {
        return authenticationFailures;
    }

    /**
     * @return authentic consensus messages dropped for their timestamp: a replay, or a sender's clock too far ahead.
     */
    public Counter replayedMessages()
    {
        return replayedMessages;
    }

    /**
     * @return queries answered from the state machine (OK, REJECTED, ERROR, RESPONSE_TOO_LARGE).
     */
    public Counter queriesAnswered()
    {
        return queriesAnswered;
    }

    /**
     * @return queries answered NOT_LEADER (no read index to be had) or BACK_PRESSURED (too many pending).
     */
    public Counter queriesRefused()
    {
        return queriesRefused;
    }

    /**
     * @return read index requests made: one per read batch (a duty cycle's queries of one mode).
     */
    public Counter readBatches()
    {
        return readBatches;
    }

    /**
     * @return LEASE batches granted inside their request, by a leader holding its lease: no heartbeat round.
     */
    public Counter leaseReads()
    {
        return leaseReads;
    }

    public void close()
    {
        CloseHelper.closeAll(
            role, term, leader, commitIndex, appliedIndex, elections, proposals, bytesReplicated, invalidMessages,
            droppedMessages, snapshotIndex, logFirstIndex, snapshotsInstalled, snapshotBytesSent, snapshotBytesReceived,
            authenticationFailures, replayedMessages, responseChannelsRefused, responseChannelsUnavailable,
            responsePublications, responsesTooLarge, queriesAnswered, queriesRefused, readBatches, leaseReads,
            requestsForwarded, forwardsRefused);
    }
}
