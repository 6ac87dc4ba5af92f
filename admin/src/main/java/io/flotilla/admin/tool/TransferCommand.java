package io.flotilla.admin.tool;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code flotilla transfer [--to N]}: asks the leader to hand leadership over, and prints the new leader.
 */
@Command(
    name = "transfer",
    mixinStandardHelpOptions = true,
    description = {
        "Ask the leader to hand leadership to member --to, or without it to its most up-to-date follower; waits " +
            "until another leader is known and prints it. Needs the admin token.",
        "Exit 1 when the leader refuses or does not hand over in time, 3 when a node could not be reached."
    })
final class TransferCommand extends AdminCommand
{
    @Option(names = "--to", paramLabel = "MEMBER", description = "Member id of the new leader.")
    private Integer to;

    public Integer call()
    {
        final AdminClient client = client(true);
        final ClusterStatus cluster = askEveryNodeReportingFailures(client);

        final AdminReply leader = cluster.leader();
        if (null == leader)
        {
            throw new ToolException(
                FlotillaTool.EXIT_OK == cluster.failureExitCode() ? FlotillaTool.EXIT_FAILED : cluster.failureExitCode(),
                "no leader among the nodes that answered: nothing to transfer");
        }
        final long leaderId = leader.number("memberId");
        final PrintWriter out = out();
        final Map<String, Object> body = new HashMap<>();
        if (null != to)
        {
            checkMember(leader, to);
            if (to == leaderId)
            {
                out.println("member " + leaderId + " already leads (term " + leader.number("term") + ")");
                out.flush();
                return FlotillaTool.EXIT_OK;
            }
            body.put("to", to);
        }

        final NodeAnswer answer = client.post(leader.node(), "/transfer-leadership", body);
        final AdminReply reply = answer.reply();
        if (null == reply)
        {
            throw new ToolException(answer.failureExitCode(), "leader " + leaderId + " (" + leader.node() + ") " +
                answer.failure());
        }
        if (409 == reply.statusCode())
        {
            throw new ToolException(FlotillaTool.EXIT_FAILED, "member " + leaderId + " no longer leads (" +
                reply.errorSummary() + "): nothing changed; run the transfer again");
        }
        if (!reply.isOk())
        {
            throw new ToolException(FlotillaTool.EXIT_FAILED, "leader " + leaderId + " (" + leader.node() + ") did " +
                "not transfer: " + reply.errorSummary());
        }

        out.println("leadership moved from member " + leaderId + " to member " + reply.number("leaderMemberId") +
            " (term " + reply.number("term") + ")");
        out.flush();
        return FlotillaTool.EXIT_OK;
    }

    private void checkMember(final AdminReply leader, final int memberId)
    {
        final List<Long> members = leader.objects("members").stream().map((member) -> member.number("memberId"))
            .toList();
        if (!members.contains((long)memberId))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--to " + memberId + ": no such member " +
                "(members: " + members.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")");
        }
    }
}
