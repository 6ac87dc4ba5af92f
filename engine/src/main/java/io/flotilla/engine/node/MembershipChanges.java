package io.flotilla.engine.node;

import io.flotilla.engine.Membership;
import io.flotilla.engine.MembershipException;
import io.flotilla.engine.MembershipStatus;
import io.flotilla.engine.Role;
import io.flotilla.engine.raft.ConfigChange;
import io.flotilla.engine.raft.Configuration;
import io.flotilla.engine.raft.RaftNode;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.util.concurrent.CompletableFuture;

/**
 * Runs membership changes asked for from any thread ({@code ClusterNode.addMember} and the others) on the node
 * thread, one at a time, on the leader. A change finishes when the configuration it made is committed and, if it
 * changed the voters, the joint configuration is left (the core leaves it by itself). Adding a voter is three steps:
 * add it as a learner, wait until its log is within {@code catchupEntries} of the leader's (bounded by
 * {@code catchupTimeoutNs}, and at least up to the entry that added it), then promote it; replacing one promotes the new learner and removes the old voter in
 * the same change. Each request ends with the committed configuration or a {@link MembershipException} that names
 * why; a second request while one runs is refused ({@link MembershipStatus#CHANGE_IN_PROGRESS}).
 */
public final class MembershipChanges
{
    private static final System.Logger LOGGER = System.getLogger(MembershipChanges.class.getName());

    /** What a request asks for. */
    public enum Kind
    {
        ADD_LEARNER,
        ADD_MEMBER,
        PROMOTE,
        REMOVE,
        REPLACE
    }

    /** How far a request has got. */
    private enum Stage
    {
        PROPOSE_LEARNER,
        LEARNER_COMMIT,
        CATCH_UP,
        PROPOSE_FINAL,
        FINAL_COMMIT
    }

    private static final class Request
    {
        final Kind kind;
        final int memberId;
        final String endpoint;
        final int replacedId;
        final CompletableFuture<Membership> result = new CompletableFuture<>();
        Stage stage;
        long term;
        long index;
        long learnerIndex = 1;
        long catchupDeadlineNs;

        Request(final Kind kind, final int memberId, final String endpoint, final int replacedId)
        {
            this.kind = kind;
            this.memberId = memberId;
            this.endpoint = endpoint;
            this.replacedId = replacedId;
        }
    }

    private final ManyToOneConcurrentLinkedQueue<Request> requests = new ManyToOneConcurrentLinkedQueue<>();
    private final int memberId;
    private final ClusterMembers members;
    private final long catchupEntries;
    private final long catchupTimeoutNs;
    private RaftNode raft;
    private Request current;

    /**
     * @param memberId         this node's id.
     * @param members          the endpoints, for the leader's in a refusal.
     * @param catchupEntries   how far behind the leader's last index a learner may be and still be promoted.
     * @param catchupTimeoutNs how long adding a member waits for its learner to catch up.
     */
    MembershipChanges(
        final int memberId, final ClusterMembers members, final long catchupEntries, final long catchupTimeoutNs)
    {
        this.memberId = memberId;
        this.members = members;
        this.catchupEntries = catchupEntries;
        this.catchupTimeoutNs = catchupTimeoutNs;
    }

    /**
     * @param raft the core, once started.
     */
    void raft(final RaftNode raft)
    {
        this.raft = raft;
    }

    /**
     * Any thread: ask for a change.
     *
     * @param kind       what to do.
     * @param memberId   the member added, promoted or removed (for a replace: the new one).
     * @param endpoint   {@code host:consensusPort:ingressPort} of a member added, else null.
     * @param replacedId the voter a replace removes, else -1.
     * @return completed, on the node thread, with the committed configuration or a {@link MembershipException}.
     */
    CompletableFuture<Membership> request(
        final Kind kind, final int memberId, final String endpoint, final int replacedId)
    {
        final Request request = new Request(kind, memberId, endpoint, replacedId);
        if (memberId < 0 || memberId > ClusterMembers.MAX_MEMBER_ID)
        {
            request.result.completeExceptionally(new MembershipException(MembershipStatus.INVALID_MEMBER, "",
                "member id " + memberId + " is not in 0.." + ClusterMembers.MAX_MEMBER_ID));
            return request.result;
        }
        if (null != endpoint)
        {
            try
            {
                ClusterMembers.parseEndpoint(memberId, endpoint);
            }
            catch (final IllegalArgumentException ex)
            {
                request.result.completeExceptionally(
                    new MembershipException(MembershipStatus.INVALID_ENDPOINT, "", ex.getMessage()));
                return request.result;
            }
        }
        requests.offer(request);
        return request.result;
    }

    /**
     * Node thread, every duty cycle: take new requests and move the current one on.
     *
     * @param nowNs   local time.
     * @param lastIndex the leader's last log index.
     * @return work done.
     */
    int poll(final long nowNs, final long lastIndex)
    {
        int work = 0;
        Request next;
        while (null != (next = requests.poll()))
        {
            work++;
            if (null != current)
            {
                fail(next, MembershipStatus.CHANGE_IN_PROGRESS, "a change is running: " + describe(current));
            }
            else if (Role.LEADER != raft.role())
            {
                fail(next, MembershipStatus.NOT_LEADER, "member " + memberId + " does not lead (leader: " +
                    describeLeader() + ")");
            }
            else
            {
                next.term = raft.currentTerm();
                next.stage = firstStage(next.kind);
                next.catchupDeadlineNs = nowNs + catchupTimeoutNs;
                current = next;
            }
        }
        return null == current ? work : work + advance(nowNs, lastIndex);
    }

    /**
     * Node thread: the node is closing; fail what has not finished.
     */
    void close()
    {
        if (null != current)
        {
            fail(current, MembershipStatus.CLOSED, "member " + memberId + " closed during " + describe(current));
            current = null;
        }
        Request next;
        while (null != (next = requests.poll()))
        {
            fail(next, MembershipStatus.CLOSED, "member " + memberId + " is closed");
        }
    }

    /**
     * @return the configuration in effect as a public view.
     */
    static Membership view(final Configuration configuration, final long index)
    {
        final String[] endpoints = new String[Configuration.MAX_MEMBER_ID + 1];
        for (int id = 0; id <= Configuration.MAX_MEMBER_ID; id++)
        {
            endpoints[id] = configuration.endpoint(id);
        }
        return new Membership(index, configuration.voters(), configuration.learners(), endpoints);
    }

    private static Stage firstStage(final Kind kind)
    {
        switch (kind)
        {
            case ADD_LEARNER:
            case ADD_MEMBER:
            case REPLACE:
                return Stage.PROPOSE_LEARNER;
            case PROMOTE:
                return Stage.CATCH_UP;
            default:
                return Stage.PROPOSE_FINAL;
        }
    }

    private int advance(final long nowNs, final long lastIndex)
    {
        final Request request = current;
        if (Stage.FINAL_COMMIT == request.stage && isFinished(request.index))
        {
            // Before the leadership check: a leader that removed itself steps down as the change commits.
            succeed();
            return 1;
        }
        if (Role.LEADER != raft.role() || raft.currentTerm() != request.term)
        {
            finish(MembershipStatus.LEADERSHIP_LOST, "member " + memberId + " stopped leading during " +
                describe(request) + ": it may or may not take effect, read the membership at the leader (" +
                describeLeader() + ")");
            return 1;
        }

        switch (request.stage)
        {
            case PROPOSE_LEARNER:
                return propose(new ConfigChange().addLearner(request.memberId, request.endpoint), Stage.LEARNER_COMMIT);

            case LEARNER_COMMIT:
                if (!isFinished(request.index))
                {
                    return 0;
                }
                if (Kind.ADD_LEARNER == request.kind)
                {
                    succeed();
                    return 1;
                }
                request.learnerIndex = request.index;
                request.stage = Stage.CATCH_UP;
                return 1;

            case CATCH_UP:
                return catchUp(request, nowNs, lastIndex);

            case PROPOSE_FINAL:
                final ConfigChange change = new ConfigChange();
                switch (request.kind)
                {
                    case REMOVE:
                        change.remove(request.memberId);
                        break;
                    case REPLACE:
                        change.promote(request.memberId).remove(request.replacedId);
                        break;
                    default:
                        change.promote(request.memberId);
                        break;
                }
                return propose(change, Stage.FINAL_COMMIT);

            default:
                return 0; // FINAL_COMMIT, not finished yet
        }
    }

    private int catchUp(final Request request, final long nowNs, final long lastIndex)
    {
        final Configuration configuration = raft.configuration();
        if (!configuration.isLearner(request.memberId))
        {
            finish(configuration.isVoter(request.memberId) ? MembershipStatus.ALREADY_VOTER :
                MembershipStatus.NOT_A_MEMBER, "member " + request.memberId + " is not a learner (" + configuration +
                ")");
            return 1;
        }
        // Caught up: the learner holds the log at least to the entry that added it (it is alive and replicating)
        // and is within the bound of the leader's last index.
        final long match = raft.matchIndex(request.memberId);
        if (match >= Math.max(request.learnerIndex, lastIndex - catchupEntries))
        {
            request.stage = Stage.PROPOSE_FINAL;
            return 1;
        }
        if (Kind.PROMOTE == request.kind || nowNs - request.catchupDeadlineNs >= 0)
        {
            finish(MembershipStatus.NOT_CAUGHT_UP, "learner " + request.memberId + " has index " + match +
                " of the leader's " + lastIndex + " (more than " + catchupEntries + " behind" +
                (Kind.PROMOTE == request.kind ? "" : " after " + catchupTimeoutNs / 1_000_000 + " ms") +
                "): it stays a learner; promote it once it has caught up");
            return 1;
        }
        return 0;
    }

    private int propose(final ConfigChange change, final Stage next)
    {
        final long result = raft.proposeConfigChange(change);
        if (result > 0)
        {
            LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": proposed " + change + " at index " +
                result + ", configuration now " + raft.configuration());
            current.index = result;
            current.stage = next;
            return 1;
        }
        if (RaftNode.BACK_PRESSURED == result || ConfigChange.TERM_NOT_COMMITTED == result)
        {
            return 0; // too many uncommitted entries, or a new leader's first entry not committed yet: soon
        }
        finish(statusOf(result), describe(current) + " refused: " + ConfigChange.describe(result) + " (" +
            raft.configuration() + ")");
        return 1;
    }

    /**
     * @return whether the configuration proposed at index is committed and no joint configuration is left to leave.
     */
    private boolean isFinished(final long index)
    {
        if (Kind.REMOVE == current.kind && memberId == current.memberId)
        {
            // A leader that removes itself steps down before the entry leaving the joint configuration commits, and
            // no one tells it of that commit. The outcome is decided once the joint configuration is committed: every
            // later leader holds it and leaves it for the new one, whose entry this leader has appended.
            return raft.commitIndex() >= index && raft.configurationIndex() > index &&
                !raft.configuration().isJoint();
        }
        return raft.configurationIndex() >= index && raft.configurationIndex() <= raft.commitIndex() &&
            !raft.configuration().isJoint();
    }

    private void succeed()
    {
        final Membership membership = view(raft.configuration(), raft.configurationIndex());
        LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": " + describe(current) + " committed: " +
            membership);
        final Request request = current;
        current = null;
        request.result.complete(membership);
    }

    private void finish(final MembershipStatus status, final String message)
    {
        final Request request = current;
        current = null;
        fail(request, status, message);
    }

    private void fail(final Request request, final MembershipStatus status, final String message)
    {
        LOGGER.log(System.Logger.Level.WARNING, "member " + memberId + ": membership change failed: " + status +
            ": " + message);
        request.result.completeExceptionally(new MembershipException(
            status, MembershipStatus.NOT_LEADER == status ? members.ingressEndpointOf(raft.leaderId()) : "", message));
    }

    private String describeLeader()
    {
        final int leader = raft.leaderId();
        return RaftNode.NO_MEMBER == leader ? "none known" : leader + " at " + members.ingressEndpointOf(leader);
    }

    private static String describe(final Request request)
    {
        switch (request.kind)
        {
            case ADD_LEARNER:
                return "adding learner " + request.memberId + " at " + request.endpoint;
            case ADD_MEMBER:
                return "adding member " + request.memberId + " at " + request.endpoint;
            case PROMOTE:
                return "promoting learner " + request.memberId;
            case REMOVE:
                return "removing member " + request.memberId;
            default:
                return "replacing member " + request.replacedId + " with " + request.memberId + " at " +
                    request.endpoint;
        }
    }

    private static MembershipStatus statusOf(final long refusal)
    {
        if (RaftNode.NOT_LEADER == refusal)
        {
            return MembershipStatus.NOT_LEADER;
        }
        switch ((int)refusal)
        {
            case (int)ConfigChange.TERM_NOT_COMMITTED:
                return MembershipStatus.TERM_NOT_COMMITTED;
            case (int)ConfigChange.CHANGE_IN_PROGRESS:
                return MembershipStatus.CHANGE_IN_PROGRESS;
            case (int)ConfigChange.ALREADY_MEMBER:
                return MembershipStatus.ALREADY_MEMBER;
            case (int)ConfigChange.ALREADY_VOTER:
                return MembershipStatus.ALREADY_VOTER;
            case (int)ConfigChange.NOT_A_MEMBER:
                return MembershipStatus.NOT_A_MEMBER;
            case (int)ConfigChange.REMOVES_LAST_VOTER:
                return MembershipStatus.REMOVES_LAST_VOTER;
            case (int)ConfigChange.INVALID_ENDPOINT:
                return MembershipStatus.INVALID_ENDPOINT;
            default:
                return MembershipStatus.INVALID_MEMBER;
        }
    }
}
