package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.NodeStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /status}: what the node reports about itself ({@link ClusterNode#status()}) as JSON.
 */
final class StatusRoute implements AdminRoute
{
    private final ClusterNode node;

    StatusRoute(final ClusterNode node)
    {
        this.node = node;
    }

    public String method()
    {
        return "GET";
    }

    public AdminResponse handle(final Map<String, Object> body)
    {
        return AdminResponse.ok(toJson(node.status(), System.currentTimeMillis()));
    }

    static Map<String, Object> toJson(final NodeStatus status, final long nowMs)
    {
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("memberId", status.memberId());
        json.put("role", status.role().name());
        json.put("term", status.term());
        json.put("leaderMemberId", status.leaderMemberId());
        json.put("leader", null == status.leader() ? null : member(status.leader()));
        json.put("commitIndex", status.commitIndex());
        json.put("appliedIndex", status.appliedIndex());
        json.put("durableIndex", status.durableIndex());
        json.put("logFirstIndex", status.logFirstIndex());
        json.put("logLastIndex", status.logLastIndex());
        json.put("snapshotIndex", status.snapshotIndex());
        json.put("sessions", status.sessions());
        json.put("votingFence", status.votingFence());
        json.put("running", status.running());
        json.put("failure", status.failure());
        json.put("startedAtEpochMs", status.startedAtEpochMs());
        json.put("uptimeMs", Math.max(0, nowMs - status.startedAtEpochMs()));
        json.put("version", status.version());
        final List<Object> members = new ArrayList<>();
        for (final NodeStatus.Member member : status.members())
        {
            members.add(member(member));
        }
        json.put("members", members);
        final List<Object> followers = new ArrayList<>();
        for (final NodeStatus.Follower follower : status.followers())
        {
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("memberId", follower.memberId());
            entry.put("matchIndex", follower.matchIndex());
            entry.put("lag", follower.lag());
            followers.add(entry);
        }
        json.put("followers", followers);
        return json;
    }

    private static Map<String, Object> member(final NodeStatus.Member member)
    {
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("memberId", member.id());
        json.put("consensusEndpoint", member.consensusEndpoint());
        json.put("ingressEndpoint", member.ingressEndpoint());
        json.put("learner", member.learner());
        return json;
    }
}
