package io.flotilla.admin.tool;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Every named node's {@code GET /status}, asked at once: the statuses that came back, the nodes that failed and why,
 * and what the statuses say about the leader.
 */
final class ClusterStatus
{
    static final String LEADER = "LEADER";

    private final List<NodeAnswer> answers;
    private final List<AdminReply> statuses = new ArrayList<>();
    private final List<NodeAnswer> failures = new ArrayList<>();

    private ClusterStatus(final List<NodeAnswer> answers)
    {
        this.answers = answers;
        for (final NodeAnswer answer : answers)
        {
            if (null != answer.reply() && !answer.reply().isOk())
            {
                failures.add(NodeAnswer.failed(answer.node(), "answered " + answer.reply().errorSummary(),
                    FlotillaTool.EXIT_FAILED));
            }
            else if (null == answer.reply())
            {
                failures.add(answer);
            }
            else
            {
                statuses.add(answer.reply());
            }
        }
    }

    static ClusterStatus query(final AdminClient client, final List<NodeAddress> nodes)
    {
        return new ClusterStatus(client.getAll(nodes, "/status"));
    }

    /**
     * @return each node's answer, in the order the nodes were named.
     */
    List<NodeAnswer> answers()
    {
        return answers;
    }

    /**
     * @return the statuses of the nodes that answered.
     */
    List<AdminReply> statuses()
    {
        return statuses;
    }

    /**
     * @return the status of the node that leads in the highest term, or null when no node that answered leads.
     */
    AdminReply leader()
    {
        AdminReply leader = null;
        for (final AdminReply status : statuses)
        {
            if (LEADER.equals(status.text("role")) && (null == leader || status.number("term") > leader.number("term")))
            {
                leader = status;
            }
        }
        return leader;
    }

    /**
     * @return the status with the highest term (the freshest view of the cluster), or null when no node answered.
     */
    AdminReply newest()
    {
        AdminReply newest = null;
        for (final AdminReply status : statuses)
        {
            if (null == newest || status.number("term") > newest.number("term"))
            {
                newest = status;
            }
        }
        return newest;
    }

    /**
     * @return the status of the node whose member id this is, or null when no node that answered has it.
     */
    AdminReply member(final long memberId)
    {
        for (final AdminReply status : statuses)
        {
            if (status.number("memberId") == memberId)
            {
                return status;
            }
        }
        return null;
    }

    /**
     * @return the admin endpoint of a member among the nodes that answered, or null.
     */
    NodeAddress adminAddress(final long memberId)
    {
        final AdminReply status = member(memberId);
        return null == status ? null : status.node();
    }

    /**
     * @return {@link FlotillaTool#EXIT_UNREACHABLE} when a node could not be reached, else
     * {@link FlotillaTool#EXIT_FAILED} when one answered with an error, else {@link FlotillaTool#EXIT_OK}.
     */
    int failureExitCode()
    {
        int exitCode = FlotillaTool.EXIT_OK;
        for (final NodeAnswer failure : failures)
        {
            exitCode = Math.max(exitCode, failure.failureExitCode());
        }
        return exitCode;
    }

    /**
     * @return the failure of a node, or null when its status came back.
     */
    String failure(final NodeAddress node)
    {
        for (final NodeAnswer failure : failures)
        {
            if (failure.node() == node)
            {
                return failure.failure();
            }
        }
        return null;
    }

    /**
     * Print one line per node that failed: {@code node host:port: unreachable: connection refused}.
     */
    void printFailures(final PrintWriter err)
    {
        for (final NodeAnswer failure : failures)
        {
            err.println("node " + failure.node() + ": " + failure.failure());
        }
    }
}
