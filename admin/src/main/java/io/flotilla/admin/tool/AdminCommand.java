package io.flotilla.admin.tool;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A subcommand that talks to the nodes' admin endpoints: the shared options, and asking every node at once.
 */
abstract class AdminCommand implements Callable<Integer>
{
    @ParentCommand
    private FlotillaTool tool;

    @Mixin
    private AdminOptions options;

    @Spec
    CommandSpec spec;

    /**
     * @param changes whether the subcommand changes the cluster and so needs the admin token.
     * @return a client for the nodes.
     */
    final AdminClient client(final boolean changes)
    {
        return options.client(spec, tool.environment(), changes);
    }

    /**
     * @return every named node's status, asked at once; failures are not reported yet.
     */
    final ClusterStatus askEveryNode(final AdminClient client)
    {
        return ClusterStatus.query(client, options.nodes(spec, tool.environment()));
    }

    /**
     * @return every named node's status, asked at once, with the nodes that failed reported on stderr.
     */
    final ClusterStatus askEveryNodeReportingFailures(final AdminClient client)
    {
        final ClusterStatus cluster = askEveryNode(client);
        cluster.printFailures(err());
        err().flush();
        return cluster;
    }

    final PrintWriter out()
    {
        return spec.commandLine().getOut();
    }

    final PrintWriter err()
    {
        return spec.commandLine().getErr();
    }
}
