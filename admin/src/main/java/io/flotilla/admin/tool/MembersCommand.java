package io.flotilla.admin.tool;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code flotilla members}: the cluster's members with their endpoints and roles.
 */
@Command(
    name = "members",
    mixinStandardHelpOptions = true,
    description = {
        "The cluster's members (as the node with the highest term knows them): member id, role, term, consensus " +
            "and ingress endpoints, admin endpoint when it is one of --nodes.",
        "A member none of whose nodes answered has role '?'. Exit 3 when a node could not be reached."
    })
final class MembersCommand implements Callable<Integer>
{
    @ParentCommand
    private FlotillaTool tool;

    @Mixin
    private AdminOptions options;

    @Spec
    private CommandSpec spec;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final ClusterStatus cluster = ClusterStatus.query(
            options.client(spec, tool.environment(), false), options.nodes(spec, tool.environment()));
        cluster.printFailures(spec.commandLine().getErr());
        spec.commandLine().getErr().flush();

        final AdminReply newest = cluster.newest();
        if (null == newest)
        {
            throw new ToolException(cluster.failureExitCode(), "no node answered: the members are unknown");
        }

        final TextTable table = new TextTable("MEMBER", "ROLE", "TERM", "CONSENSUS", "INGRESS", "ADMIN");
        for (final AdminReply member : newest.objects("members"))
        {
            final long memberId = member.number("memberId");
            final AdminReply status = cluster.member(memberId);
            table.row(
                memberId,
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
