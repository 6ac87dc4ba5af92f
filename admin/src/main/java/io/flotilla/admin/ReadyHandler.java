package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.raft.Role;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /health/ready}: 200 when the node runs, leads or follows a known leader, and has applied to within
 * {@code flotilla.admin.ready.max.lag} of its commit index; else 503 with the reason. Lock-free reads only.
 */
final class ReadyHandler implements RouteHandler
{
    private final ClusterNode node;
    private final long maxLag;

    ReadyHandler(final ClusterNode node, final long maxLag)
    {
        this.node = node;
        this.maxLag = maxLag;
    }

    public AdminReply handle(final byte[] body)
    {
        final Role role = node.role();
        final int leaderMemberId = node.leaderMemberId();
        final long commitIndex = node.commitIndex();
        final long appliedIndex = node.appliedIndex();
        final long lag = commitIndex - appliedIndex;

        final String reason;
        if (!node.isRunning())
        {
            reason = "the node is not running";
        }
        else if (Role.LEADER != role && Role.FOLLOWER != role)
        {
            reason = "the node is " + role + ": an election is under way";
        }
        else if (leaderMemberId < 0)
        {
            reason = "no leader is known";
        }
        else if (lag > maxLag)
        {
            reason = "applied index " + appliedIndex + " is " + lag + " behind commit index " + commitIndex +
                " (at most " + maxLag + ": " + AdminServer.Context.READY_MAX_LAG_PROP + ")";
        }
        else
        {
            reason = null;
        }

        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("ready", null == reason);
        if (null != reason)
        {
            json.put("reason", reason);
        }
        json.put("role", role.name());
        json.put("leaderMemberId", leaderMemberId);
        json.put("commitIndex", commitIndex);
        json.put("appliedIndex", appliedIndex);
        return AdminReply.json(null == reason ? 200 : 503, json);
    }
}
