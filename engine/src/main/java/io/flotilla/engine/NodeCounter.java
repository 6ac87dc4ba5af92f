package io.flotilla.engine;

import io.flotilla.engine.node.NodeCounters;

/**
 * The counters every node keeps, one Aeron counter each (visible to {@code AeronStat} on the node's Aeron directory,
 * labelled {@code flotilla <description> memberId=<id>}), read from any thread with
 * {@link ClusterNode#counter(NodeCounter)}: what monitoring exports. A {@link Kind#COUNTER} only grows while the
 * node runs (it starts from zero at each launch); a {@link Kind#GAUGE} is a level.
 */
public enum NodeCounter
{
    ROLE(NodeCounters.ROLE_TYPE_ID, "role", Kind.GAUGE,
        "role (0=follower 1=pre-candidate 2=candidate 3=leader)"),
    TERM(NodeCounters.TERM_TYPE_ID, "term", Kind.GAUGE, "term"),
    LEADER(NodeCounters.LEADER_TYPE_ID, "leader_member_id", Kind.GAUGE, "leader memberId (-1 none)"),
    COMMIT_INDEX(NodeCounters.COMMIT_INDEX_TYPE_ID, "commit_index", Kind.GAUGE, "commit index"),
    APPLIED_INDEX(NodeCounters.APPLIED_INDEX_TYPE_ID, "applied_index", Kind.GAUGE, "applied index"),
    DURABLE_INDEX(NodeCounters.DURABLE_INDEX_TYPE_ID, "durable_index", Kind.GAUGE,
        "durable index (the log is on disk, or recorded, up to it)"),
    LOG_FIRST_INDEX(NodeCounters.LOG_FIRST_INDEX_TYPE_ID, "log_first_index", Kind.GAUGE, "log first index"),
    LOG_LAST_INDEX(NodeCounters.LOG_LAST_INDEX_TYPE_ID, "log_last_index", Kind.GAUGE, "log last index"),
    SNAPSHOT_INDEX(NodeCounters.SNAPSHOT_INDEX_TYPE_ID, "snapshot_index", Kind.GAUGE, "snapshot index (newest)"),
    SESSIONS(NodeCounters.SESSIONS_TYPE_ID, "sessions", Kind.GAUGE, "client sessions open"),
    VOTING_FENCE(NodeCounters.VOTING_FENCE_TYPE_ID, "voting_fence", Kind.GAUGE,
        "voting fence (1 while rejoining after a data loss: no votes, no campaigns)"),
    ELECTIONS(NodeCounters.ELECTIONS_TYPE_ID, "elections", Kind.COUNTER, "elections started"),
    TRANSFER_ELECTIONS(NodeCounters.TRANSFER_ELECTIONS_TYPE_ID, "transfer_elections", Kind.COUNTER,
        "elections started for a leadership transfer (TimeoutNow)"),
    PROPOSALS(NodeCounters.PROPOSALS_TYPE_ID, "proposals", Kind.COUNTER, "proposals appended"),
    BYTES_REPLICATED(NodeCounters.BYTES_REPLICATED_TYPE_ID, "replicated_bytes", Kind.COUNTER,
        "entry bytes replicated"),
    INVALID_MESSAGES(NodeCounters.INVALID_MESSAGES_TYPE_ID, "invalid_messages", Kind.COUNTER,
        "invalid messages dropped"),
    DROPPED_MESSAGES(NodeCounters.DROPPED_MESSAGES_TYPE_ID, "dropped_messages", Kind.COUNTER,
        "messages dropped (unknown session or member, impossible term or index, unsendable reply)"),
    SNAPSHOTS_INSTALLED(NodeCounters.SNAPSHOTS_INSTALLED_TYPE_ID, "snapshots_installed", Kind.COUNTER,
        "snapshots installed from the leader"),
    SNAPSHOT_BYTES_SENT(NodeCounters.SNAPSHOT_BYTES_SENT_TYPE_ID, "snapshot_sent_bytes", Kind.COUNTER,
        "snapshot bytes sent"),
    SNAPSHOT_BYTES_RECEIVED(NodeCounters.SNAPSHOT_BYTES_RECEIVED_TYPE_ID, "snapshot_received_bytes", Kind.COUNTER,
        "snapshot bytes received"),
    AUTHENTICATION_FAILURES(NodeCounters.AUTHENTICATION_FAILURES_TYPE_ID, "authentication_failures", Kind.COUNTER,
        "consensus messages failing authentication (unsigned, unknown key, bad tag)"),
    REPLAYED_MESSAGES(NodeCounters.REPLAYED_MESSAGES_TYPE_ID, "replayed_messages", Kind.COUNTER,
        "consensus messages replayed or stale (timestamp not newer, or too far ahead)"),
    QUERIES_ANSWERED(NodeCounters.QUERIES_ANSWERED_TYPE_ID, "queries_answered", Kind.COUNTER,
        "queries answered by the state machine"),
    QUERIES_REFUSED(NodeCounters.QUERIES_REFUSED_TYPE_ID, "queries_refused", Kind.COUNTER,
        "queries refused (NOT_LEADER, BACK_PRESSURED)"),
    READ_BATCHES(NodeCounters.READ_BATCHES_TYPE_ID, "read_batches", Kind.COUNTER,
        "read index requests (one per batch)"),
    LEASE_READS(NodeCounters.LEASE_READS_TYPE_ID, "lease_read_batches", Kind.COUNTER,
        "lease read batches granted without a round"),
    RESPONSE_CHANNELS_REFUSED(NodeCounters.RESPONSE_CHANNELS_REFUSED_TYPE_ID, "response_channels_refused",
        Kind.COUNTER, "response channels refused by the policy"),
    RESPONSE_CHANNELS_UNAVAILABLE(NodeCounters.RESPONSE_CHANNELS_UNAVAILABLE_TYPE_ID,
        "response_channels_unavailable", Kind.COUNTER,
        "response channels not opened (publication cap or reject budget)"),
    RESPONSE_PUBLICATIONS(NodeCounters.RESPONSE_PUBLICATIONS_TYPE_ID, "response_publications", Kind.GAUGE,
        "response publications open"),
    RESPONSES_TOO_LARGE(NodeCounters.RESPONSES_TOO_LARGE_TYPE_ID, "responses_too_large", Kind.COUNTER,
        "responses too large to send (answered RESPONSE_TOO_LARGE)"),
    REQUESTS_FORWARDED(NodeCounters.REQUESTS_FORWARDED_TYPE_ID, "requests_forwarded", Kind.COUNTER,
        "client requests, keep-alives and closes forwarded to the leader"),
    FORWARDS_REFUSED(NodeCounters.FORWARDS_REFUSED_TYPE_ID, "forwards_refused", Kind.COUNTER,
        "client requests not forwarded (no leader known, or the send failed: BACK_PRESSURED)"),
    SESSION_MESSAGES_SENT(NodeCounters.SESSION_MESSAGES_SENT_TYPE_ID, "session_messages_sent", Kind.COUNTER,
        "state machine messages sent to sessions (as leader, resends included)"),
    SESSION_MESSAGES_RESENT(NodeCounters.SESSION_MESSAGES_RESENT_TYPE_ID, "session_messages_resent", Kind.COUNTER,
        "session messages sent again (leader change, a gap the client reported, or its silence)");

    /**
     * Whether a value only grows or is a level.
     */
    public enum Kind
    {
        COUNTER, GAUGE
    }

    private final int typeId;
    private final String name;
    private final Kind kind;
    private final String description;

    NodeCounter(final int typeId, final String name, final Kind kind, final String description)
    {
        this.typeId = typeId;
        this.name = name;
        this.kind = kind;
        this.description = description;
    }

    /**
     * @return the Aeron counter type id (7411xx).
     */
    public int typeId()
    {
        return typeId;
    }

    /**
     * @return a lower-case name with underscores, unique among the counters, for example {@code commit_index}.
     */
    public String counterName()
    {
        return name;
    }

    /**
     * @return whether the value only grows or is a level.
     */
    public Kind kind()
    {
        return kind;
    }

    /**
     * @return what the counter counts, as in its Aeron label.
     */
    public String description()
    {
        return description;
    }
}
