package io.flotilla.admin.tool;

import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code flotilla status}: one line per node, from every node's {@code GET /status} asked at once.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
        "One line per node: member, role, term, leader, commit, applied and durable index, log first..last, last " +
            "snapshot, client sessions, lag behind the leader (as the leader sees it), uptime.",
        "A node that cannot be reached is shown as UNREACHABLE (exit 3); one that answers with an error, or reports " +
            "that it is not running, as ERROR or with its failure (exit 1)."
    })
final class StatusCommand extends AdminCommand
{
    private static final String NONE = "-";

    public Integer call()
    {
        final PrintWriter out = out();
        final PrintWriter err = err();
        final ClusterStatus cluster = askEveryNode(client(false));
        final AdminReply leader = cluster.leader();

        int exitCode = cluster.failureExitCode();
        final TextTable table = new TextTable("NODE", "MEMBER", "ROLE", "TERM", "LEADER", "COMMIT", "APPLIED", "DURABLE",
            "LOG", "SNAPSHOT", "SESSIONS", "LAG", "UPTIME");
        for (final NodeAnswer answer : cluster.answers())
        {
            final String failure = cluster.failure(answer.node());
            if (null != failure)
            {
                final String state = FlotillaTool.EXIT_UNREACHABLE == answer.failureExitCode() ? "UNREACHABLE" : "ERROR";
                table.row(answer.node(), NONE, state, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE);
                continue;
            }

            final AdminReply status = answer.reply();
            final long leaderId = status.number("leaderMemberId");
            // A node from before the voting fence was reported has no such field (a rolling upgrade): not fenced.
            final boolean fenced = status.has("votingFence") && status.bool("votingFence");
            table.row(
                answer.node(),
                status.number("memberId"),
                status.bool("running") ? status.text("role") + (fenced ? " (FENCED)" : "") : "STOPPED",
                status.number("term"),
                leaderId < 0 ? NONE : leaderId,
                status.number("commitIndex"),
                status.number("appliedIndex"),
                status.number("durableIndex"),
                status.number("logFirstIndex") + ".." + status.number("logLastIndex"),
                status.number("snapshotIndex"),
                status.number("sessions"),
                lag(leader, status),
                uptime(status.number("uptimeMs")));
            if (!status.bool("running"))
            {
                err.println("node " + answer.node() + ": member " + status.number("memberId") + " is not running: " +
                    status.text("failure"));
                exitCode = Math.max(exitCode, FlotillaTool.EXIT_FAILED);
            }
        }

        table.print(out);
        out.flush();
        cluster.printFailures(err);
        err.flush();
        return exitCode;
    }

    /**
     * @return how far the member is behind the leader's log, as the leader last saw it.
     */
    private static String lag(final AdminReply leader, final AdminReply status)
    {
        if (null == leader || leader == status)
        {
            return NONE;
        }
        for (final AdminReply follower : leader.objects("followers"))
        {
            if (follower.number("memberId") == status.number("memberId"))
            {
                return String.valueOf(follower.number("lag"));
            }
        }
        return NONE;
    }

    static String uptime(final long uptimeMs)
    {
        final long seconds = uptimeMs / 1000;
        if (seconds < 60)
        {
            return seconds + "s";
        }
        if (seconds < 3600)
        {
            return String.format("%dm%02ds", seconds / 60, seconds % 60);
        }
        if (seconds < 86_400)
        {
            return String.format("%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return String.format("%dd%02dh", seconds / 86_400, seconds % 86_400 / 3600);
    }
}
