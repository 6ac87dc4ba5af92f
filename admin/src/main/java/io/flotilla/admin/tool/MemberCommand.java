package io.flotilla.admin.tool;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code flotilla member OP --id N [--endpoint E] [--replaces M]}: a membership change on the leader, printing the
 * committed members.
 */
@Command(
    name = "member",
    mixinStandardHelpOptions = true,
    description = {
        "Change the cluster's members on the leader and print the members committed. OP is one of:",
        "  add          add --id at --endpoint as a learner, wait until it caught up, promote it to voter",
        "  add-learner  add --id at --endpoint as a learner only",
        "  promote      promote learner --id to voter",
        "  remove       remove voter or learner --id (the leader too: it steps down)",
        "  replace      add --id at --endpoint, and once caught up promote it and remove voter --replaces",
        "Start a new node first with flotilla.join=true and a members spec naming the cluster and itself. Needs the " +
            "admin token. Exit 1 when the change is refused (the reason is named), 3 when a node could not be reached."
    })
final class MemberCommand extends AdminCommand
{
    @Parameters(index = "0", paramLabel = "OP", description = "add, add-learner, promote, remove or replace.")
    private String op;

    @Option(names = "--id", required = true, paramLabel = "MEMBER", description = "The member the change is about.")
    private int id;

    @Option(names = "--endpoint", paramLabel = "HOST:CONSENSUS:INGRESS",
        description = "Where the others reach the member added (add, add-learner, replace).")
    private String endpoint;

    @Option(names = "--replaces", paramLabel = "MEMBER", description = "The voter a replace removes.")
    private Integer replaces;

    public Integer call()
    {
        final boolean needsEndpoint = "add".equals(op) || "add-learner".equals(op) || "replace".equals(op);
        if (!needsEndpoint && !"promote".equals(op) && !"remove".equals(op))
        {
            throw new ToolException(FlotillaTool.EXIT_USAGE,
                "OP must be add, add-learner, promote, remove or replace, got '" + op + "'");
        }
        if (needsEndpoint && null == endpoint)
        {
            throw new ToolException(FlotillaTool.EXIT_USAGE, op + " needs --endpoint HOST:CONSENSUS:INGRESS");
        }
        if ("replace".equals(op) && null == replaces)
        {
            throw new ToolException(FlotillaTool.EXIT_USAGE, "replace needs --replaces MEMBER");
        }

        final AdminClient client = client(true);
        final ClusterStatus cluster = askEveryNodeReportingFailures(client);
        final AdminReply leader = cluster.leader();
        if (null == leader)
        {
            throw new ToolException(
                FlotillaTool.EXIT_OK == cluster.failureExitCode() ? FlotillaTool.EXIT_FAILED : cluster.failureExitCode(),
                "no leader among the nodes that answered: no change made");
        }

        final Map<String, Object> body = new HashMap<>();
        body.put("op", op);
        body.put("id", id);
        if (null != endpoint)
        {
            body.put("endpoint", endpoint);
        }
        if (null != replaces)
        {
            body.put("replaces", replaces);
        }
        final long leaderId = leader.number("memberId");
        final NodeAnswer answer = client.post(leader.node(), "/membership", body);
        final AdminReply reply = answer.reply();
        if (null == reply)
        {
            throw new ToolException(answer.failureExitCode(), "leader " + leaderId + " (" + leader.node() + ") " +
                answer.failure());
        }
        if (!reply.isOk())
        {
            throw new ToolException(FlotillaTool.EXIT_FAILED, "leader " + leaderId + " (" + leader.node() + ") did " +
                "not make the change: " + reply.errorSummary());
        }

        final PrintWriter out = out();
        out.println("committed at index " + reply.number("index") + ":");
        final TextTable table = new TextTable("MEMBER", "KIND", "ENDPOINT");
        for (final AdminReply voter : reply.objects("voters"))
        {
            table.row(voter.number("memberId"), "voter", voter.text("endpoint"));
        }
        for (final AdminReply learner : reply.objects("learners"))
        {
            table.row(learner.number("memberId"), "learner", learner.text("endpoint"));
        }
        table.print(out);
        out.flush();
        return FlotillaTool.EXIT_OK;
    }
}
