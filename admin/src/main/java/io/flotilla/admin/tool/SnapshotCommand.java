package io.flotilla.admin.tool;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code flotilla snapshot [--node N|all]}: asks nodes to take a snapshot now, one node after the other.
 */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    description = {
        "Ask a member (--node N) or every node (--node all, the default) to take a snapshot now, one after the " +
            "other so that the members do not all snapshot at once; prints each snapshot's index. Needs the admin " +
            "token.",
        "Exit 1 when a snapshot fails or does not finish in time, 3 when a node could not be reached."
    })
final class SnapshotCommand extends AdminCommand
{
    private static final String ALL = "all";

    @Option(names = "--node", paramLabel = "MEMBER|all", defaultValue = ALL,
        description = "Member id of the node to snapshot, or all (default: ${DEFAULT-VALUE}).")
    private String node;

    public Integer call()
    {
        final Long memberId = memberId();
        final AdminClient client = client(true);
        final ClusterStatus cluster = askEveryNodeReportingFailures(client);
        final PrintWriter out = out();
        final PrintWriter err = err();

        final List<AdminReply> targets = new ArrayList<>();
        if (null == memberId)
        {
            targets.addAll(cluster.statuses());
            targets.sort(Comparator.comparingLong((status) -> status.number("memberId")));
        }
        else if (null != cluster.member(memberId))
        {
            targets.add(cluster.member(memberId));
        }
        else if (FlotillaTool.EXIT_OK != cluster.failureExitCode())
        {
            throw new ToolException(cluster.failureExitCode(),
                "member " + memberId + " is not among the nodes that answered");
        }
        else
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--node " + memberId + ": none of --nodes is member " + memberId);
        }

        int exitCode = cluster.failureExitCode();
        for (final AdminReply target : targets)
        {
            final String who = "member " + target.number("memberId") + " (" + target.node() + ")";
            final NodeAnswer answer = client.post(target.node(), "/snapshot", Map.of());
            if (null == answer.reply())
            {
                err.println(who + ": " + answer.failure());
                exitCode = Math.max(exitCode, answer.failureExitCode());
            }
            else if (!answer.reply().isOk())
            {
                err.println(who + ": no snapshot: " + answer.reply().errorSummary());
                exitCode = Math.max(exitCode, FlotillaTool.EXIT_FAILED);
            }
            else
            {
                out.println(who + ": snapshot at index " + answer.reply().number("snapshotIndex"));
            }
            out.flush();
            err.flush();
        }
        return exitCode;
    }

    private Long memberId()
    {
        if (ALL.equals(node))
        {
            return null;
        }
        try
        {
            return Long.parseLong(node);
        }
        catch (final NumberFormatException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--node '" + node + "': give a member id or 'all'");
        }
    }
}
