package io.flotilla.admin.tool;

/**
 * What asking one node gave: its reply, or why there is none and the exit code that failure calls for
 * ({@link FlotillaTool#EXIT_UNREACHABLE} when it could not be reached).
 */
final class NodeAnswer
{
    private final NodeAddress node;
    private final AdminReply reply;
    private final String failure;
    private final int failureExitCode;

    private NodeAnswer(final NodeAddress node, final AdminReply reply, final String failure, final int failureExitCode)
    {
        this.node = node;
        this.reply = reply;
        this.failure = failure;
        this.failureExitCode = failureExitCode;
    }

    static NodeAnswer replied(final AdminReply reply)
    {
        return new NodeAnswer(reply.node(), reply, null, FlotillaTool.EXIT_OK);
    }

    static NodeAnswer failed(final NodeAddress node, final String failure, final int exitCode)
    {
        return new NodeAnswer(node, null, failure, exitCode);
    }

    NodeAddress node()
    {
        return node;
    }

    /**
     * @return the reply, or null when the node could not be asked.
     */
    AdminReply reply()
    {
        return reply;
    }

    String failure()
    {
        return failure;
    }

    int failureExitCode()
    {
        return failureExitCode;
    }
}
