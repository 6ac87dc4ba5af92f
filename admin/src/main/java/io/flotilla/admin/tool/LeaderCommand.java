package io.flotilla.admin.tool;

import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code flotilla leader}: the leader's member id and endpoints, as the nodes that answer know it.
 */
@Command(
    name = "leader",
    mixinStandardHelpOptions = true,
    description = {
        "The leader: member id, term, consensus and ingress endpoints, and its admin endpoint when it is one of " +
            "--nodes.",
        "Exit 0 when a leader is known (nodes that could not be asked are reported on stderr); else 1, or 3 when a " +
            "node could not be reached (it may be the leader)."
    })
final class LeaderCommand extends AdminCommand
{
    public Integer call()
    {
        final PrintWriter out = out();
        final ClusterStatus cluster = askEveryNodeReportingFailures(client(false));

        final AdminReply known = null != cluster.leader() ? cluster.leader() : newestWithLeader(cluster);
        if (null == known || null == known.object("leader"))
        {
            throw new ToolException(
                FlotillaTool.EXIT_OK == cluster.failureExitCode() ? FlotillaTool.EXIT_FAILED : cluster.failureExitCode(),
                "no leader: none of the " + cluster.statuses().size() + " nodes that answered leads or knows a leader");
        }

        final AdminReply leader = known.object("leader");
        final long leaderId = leader.number("memberId");
        final NodeAddress admin = cluster.adminAddress(leaderId);
        out.println("member " + leaderId + "  term " + known.number("term") +
            "  consensus " + leader.text("consensusEndpoint") +
            "  ingress " + leader.text("ingressEndpoint") +
            "  admin " + (null == admin ? "unknown (not among the nodes that answered)" : admin));
        out.flush();
        return FlotillaTool.EXIT_OK;
    }

    private static AdminReply newestWithLeader(final ClusterStatus cluster)
    {
        AdminReply newest = null;
        for (final AdminReply status : cluster.statuses())
        {
            if (status.number("leaderMemberId") >= 0 && (null == newest || status.number("term") > newest.number("term")))
            {
                newest = status;
            }
        }
        return newest;
    }
}
