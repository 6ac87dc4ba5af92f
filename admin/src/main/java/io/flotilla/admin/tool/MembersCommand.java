package io.flotilla.admin.tool;

import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code flotilla members}: the cluster's members with their endpoints and roles.
 */
@Command(
    name = "members",
    mixinStandardHelpOptions = true,
    description = {
        "The cluster's members (as the node with the highest term knows them): member id, kind (voter or learner), " +
            "role, term, consensus and ingress endpoints, admin endpoint when it is one of --nodes.",
        "A member none of whose nodes answered has role '?'. Exit 3 when a node could not be reached."
    })
final class MembersCommand extends AdminCommand
{
    public Integer call()
    {
        final PrintWriter out = out();
        final ClusterStatus cluster = askEveryNodeReportingFailures(client(false));

        final AdminReply newest = cluster.newest();
        if (null == newest)
        {
            throw new ToolException(cluster.failureExitCode(), "no node answered: the members are unknown");
        }

        final TextTable table = new TextTable("MEMBER", "KIND", "ROLE", "TERM", "CONSENSUS", "INGRESS", "ADMIN");
        for (final AdminReply member : newest.objects("members"))
        {
            final long memberId = member.number("memberId");
            final AdminReply status = cluster.member(memberId);
            table.row(
                memberId,
                member.bool("learner") ? "learner" : "voter",
                null == status ? "?" : status.bool("running") ? status.text("role") : "STOPPED",
                null == status ? "?" : status.number("term"),
                member.text("consensusEndpoint"),
                member.text("ingressEndpoint"),
                null == status ? "-" : status.node());
        }
        table.print(out);
        out.flush();
        return cluster.failureExitCode();
    }
}
