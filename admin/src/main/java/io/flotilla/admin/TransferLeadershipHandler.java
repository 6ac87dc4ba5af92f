package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.NodeStatus;
import io.flotilla.engine.raft.Role;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code POST /transfer-leadership} {@code {"to":N}} (optional: without it, the follower with the highest match
 * index): asks the leader to hand over, then waits until a leader other than this node is known, within the request
 * timeout. The node's outcome is only visible in its role and leader, so the wait polls them (lock-free reads).
 */
final class TransferLeadershipHandler implements RouteHandler
{
    private static final Set<String> FIELDS = Set.of("to");
    private static final long POLL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ClusterNode node;
    private final long timeoutNs;

    TransferLeadershipHandler(final ClusterNode node, final long timeoutNs)
    {
        this.node = node;
        this.timeoutNs = timeoutNs;
    }

    public AdminReply handle(final byte[] body)
    {
        final Integer to = JsonRequest.parse(body, FIELDS).optionalInt("to");
        final NodeStatus status = node.status();
        if (null != to)
        {
            checkTarget(status, to);
        }
        if (Role.LEADER != status.role())
        {
            final NodeStatus.Member leader = status.leader();
            final Map<String, Object> json = AdminJson.error("NOT_LEADER", null == leader ?
                "this node does not lead and no leader is known: retry later" :
                "this node does not lead: ask member " + leader.id());
            json.put("leaderMemberId", status.leaderMemberId());
            json.put("leaderIngressEndpoint", null == leader ? null : leader.ingressEndpoint());
            return AdminReply.json(409, json);
        }

        final int target = null != to ? to : mostCaughtUpFollower(status);
        if (target < 0)
        {
            return AdminReply.error(503, "NO_FOLLOWER", "no follower has reported its progress yet: retry, or name " +
                "the member with \"to\"");
        }
        if (!node.transferLeadership(target))
        {
            return AdminReply.error(503, "CLOSED", "the node is closed");
        }
        return awaitNewLeader(target);
    }

    private void checkTarget(final NodeStatus status, final int to)
    {
        if (to == status.memberId())
        {
            throw new AdminRefusal(400, "BAD_TARGET", "member " + to + " is this node: name another member");
        }
        for (final NodeStatus.Member member : status.members())
        {
            if (member.id() == to)
            {
                return;
            }
        }
        throw new AdminRefusal(400, "UNKNOWN_MEMBER", "member " + to + " is not a member of this cluster");
    }

    /**
     * @return the follower with the highest match index (the lowest id among equals), or -1 when none is known.
     */
    private static int mostCaughtUpFollower(final NodeStatus status)
    {
        int best = -1;
        long bestMatch = -1;
        for (final NodeStatus.Follower follower : status.followers())
        {
            if (follower.matchIndex() > bestMatch || (follower.matchIndex() == bestMatch && follower.memberId() < best))
            {
                best = follower.memberId();
                bestMatch = follower.matchIndex();
            }
        }
        return best;
    }

    private AdminReply awaitNewLeader(final int target)
    {
        final int self = node.memberId();
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (true)
        {
            final int leader = node.leaderMemberId();
            if (leader >= 0 && leader != self)
            {
                final Map<String, Object> json = new LinkedHashMap<>();
                json.put("leaderMemberId", leader);
                json.put("term", node.term());
                return AdminReply.json(200, json);
            }
            if (!node.isRunning())
            {
                return AdminReply.error(503, "CLOSED", "the node closed before leadership moved");
            }
            if (System.nanoTime() - deadlineNs >= 0)
            {
                return AdminReply.error(504, "TIMEOUT", "leadership did not move to member " + target + " within " +
                    Await.describe(timeoutNs) + " (" + AdminServer.Context.REQUEST_TIMEOUT_PROP + "); the node " +
                    "abandons a transfer after an election timeout");
            }
            LockSupport.parkNanos(POLL_INTERVAL_NS);
            if (Thread.interrupted())
            {
                Thread.currentThread().interrupt();
                throw Await.closing();
            }
        }
    }
}
