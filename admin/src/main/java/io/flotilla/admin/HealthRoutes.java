package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.NodeStatus;
import io.flotilla.engine.Role;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /health/live} and {@code /health/ready}, answered 200 or 503 as load balancers and Kubernetes probes
 * expect, and never behind the token. Live: the node runs. Ready: it runs, is leader or follower of a known leader,
 * and has applied all but at most a bound of what it knows committed.
 */
final class HealthRoutes
{
    private HealthRoutes()
    {
    }

    static AdminRoute live(final ClusterNode node)
    {
        return new Probe()
        {
            public AdminResponse handle(final Map<String, Object> body)
            {
                final Map<String, Object> json = new LinkedHashMap<>();
                final boolean live = node.isRunning();
                json.put("live", live);
                if (!live)
                {
                    json.put("failure", null == node.failure() ? "closed" : node.failure().getMessage());
                }
                return AdminResponse.json(live ? 200 : 503, json);
            }
        };
    }

    static AdminRoute ready(final ClusterNode node, final long maxLag)
    {
        return new Probe()
        {
            public AdminResponse handle(final Map<String, Object> body)
            {
                final NodeStatus status = node.status();
                final long lag = status.commitIndex() - status.appliedIndex();
                final String reason = notReadyReason(status, lag, maxLag);
                final Map<String, Object> json = new LinkedHashMap<>();
                json.put("ready", null == reason);
                if (null != reason)
                {
                    json.put("reason", reason);
                }
                json.put("role", status.role().name());
                json.put("leaderMemberId", status.leaderMemberId());
                json.put("applyLag", lag);
                return AdminResponse.json(null == reason ? 200 : 503, json);
            }
        };
    }

    private static String notReadyReason(final NodeStatus status, final long lag, final long maxLag)
    {
        if (!status.running())
        {
            return "the node is not running";
        }
        if (Role.LEADER != status.role() && Role.FOLLOWER != status.role())
        {
            return "in an election (" + status.role() + ")";
        }
        if (status.leaderMemberId() < 0)
        {
            return "no leader known";
        }
        if (lag > maxLag)
        {
            return "applied index " + status.appliedIndex() + " is " + lag + " entries behind the commit index " +
                status.commitIndex() + " (at most " + maxLag + ", " + AdminServer.Context.READY_MAX_LAG_PROP + ")";
        }
        return null;
    }

    private abstract static class Probe implements AdminRoute
    {
        public String method()
        {
            return "GET";
        }

        public Access access()
        {
            return Access.PROBE;
        }
    }
}
