package io.flotilla.engine;

import org.agrona.concurrent.AgentTerminationException;

import java.io.File;

/**
 * A node stopped itself: it met an error it cannot go on after ({@link FailureCause}). Thrown on the node's thread
 * to end its agent, reported once to the error handler, then the node closed everything it held (media driver,
 * archive, ports, data directory lock, Aeron directory) and ran the {@link ClusterNode.Context#terminationHook}.
 * {@link ClusterNode#failure()} returns it afterwards.
 */
public final class NodeFailedException extends AgentTerminationException
{
    private static final long serialVersionUID = 1L;

    private final FailureCause failureCause;

    /**
     * @param memberId      of the node.
     * @param dataDirectory of the node, for the operator.
     * @param failureCause  why the node stops.
     * @param cause         the error.
     */
    public NodeFailedException(
        final int memberId, final File dataDirectory, final FailureCause failureCause, final Throwable cause)
    {
        super(message(memberId, dataDirectory, failureCause, cause), cause);
        this.failureCause = failureCause;
    }

    /**
     * @return why the node stopped.
     */
    public FailureCause failureCause()
    {
        return failureCause;
    }

    private static String message(
        final int memberId, final File dataDirectory, final FailureCause failureCause, final Throwable cause)
    {
        Throwable root = cause;
        while (null != root.getCause() && root != root.getCause())
        {
            root = root.getCause();
        }
        final StackTraceElement[] where = root.getStackTrace();
        return "member " + memberId + " stops (" + failureCause + "): " + failureCause.description() + ": " +
            (root == cause ? "" : cause.getMessage() + ", caused by ") + root +
            (where.length > 0 ? " at " + where[0] : "") + " [data directory " + dataDirectory + "]. What to do: " +
            failureCause.remedy();
    }
}
