package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.NodeStatus;
import io.flotilla.engine.Role;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code POST /transfer-leadership} with {@code {"to":N}} or no body (then the follower whose log matches the
 * leader's furthest): asks the leader to hand over, then waits, bounded, until another leader is known.
 */
final class TransferRoute implements AdminRoute
{
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(5);

    private final ClusterNode node;
    private final long timeoutNs;

    TransferRoute(final ClusterNode node, final long timeoutNs)
    {
        this.node = node;
        this.timeoutNs = timeoutNs;
    }

    public String method()
    {
        return "POST";
    }

    public Set<String> fields()
    {
        return Set.of("to");
    }

    public AdminResponse handle(final Map<String, Object> body) throws AdminException
    {
        final NodeStatus status = node.status();
        if (Role.LEADER != status.role())
        {
            final Map<String, Object> json = new LinkedHashMap<>();
            json.put("error", "NOT_LEADER");
            json.put("message", "only the leader hands leadership over: ask member " + status.leaderMemberId());
            json.put("leaderMemberId", status.leaderMemberId());
            return AdminResponse.json(409, json);
        }
        final Integer requested = AdminJson.optionalInt(body, "to");
        final int target = null != requested ? requested : status.followers().stream()
            .max(Comparator.comparingLong(NodeStatus.Follower::matchIndex))
            .map(NodeStatus.Follower::memberId)
            .orElseThrow(() -> new AdminException(409, "NO_TARGET", "no follower to hand leadership to"));
        if (!node.transferLeadership(target))
        {
            throw new AdminException(400, "BAD_REQUEST",
                "member " + target + " is not another voting member, known: " + memberIds(status));
        }

        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (System.nanoTime() - deadlineNs < 0)
        {
            final int leader = node.leaderMemberId();
            if (leader >= 0 && leader != node.memberId())
            {
                final Map<String, Object> json = new LinkedHashMap<>();
                json.put("leaderMemberId", leader);
                json.put("term", node.term());
                return AdminResponse.ok(json);
            }
            LockSupport.parkNanos(POLL_NS);
        }
        throw new AdminException(504, "TIMEOUT", "leadership did not move to member " + target + " within " +
            TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms (the transfer is abandoned after an election timeout)");
    }

    private static String memberIds(final NodeStatus status)
    {
        return status.members().stream().map((member) -> String.valueOf(member.id())).toList().toString();
    }
}
