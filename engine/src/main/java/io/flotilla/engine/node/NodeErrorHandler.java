package io.flotilla.engine.node;

import io.aeron.exceptions.AeronException;
import io.flotilla.engine.FailureCause;
import io.flotilla.engine.NodeFailedException;
import org.agrona.ErrorHandler;

/**
 * The error handler of everything in a node (its components, media driver, archive and Aeron client; any thread),
 * put in front of the embedder's by {@code ClusterNode.Context.conclude()} as Aeron's contexts do. An error the node
 * cannot go on after ({@link FailureCause#of}) is kept for the node agent, which stops on its next duty cycle and
 * reports it once, as a {@link NodeFailedException}, which passes through to the embedder's handler. Recoverable
 * errors go to the embedder's handler too, except Aeron's warnings (a failed send to a peer that is down, say), which
 * stay in the driver's and archive's error logs and counters only. It also keeps the Aeron client's default handler
 * from exiting the JVM on a driver timeout.
 */
public final class NodeErrorHandler implements ErrorHandler
{
    private final ErrorHandler embedderErrorHandler;
    private volatile Throwable fatalError;

    /**
     * @param embedderErrorHandler told of the node's failure and of the errors it goes on after.
     */
    public NodeErrorHandler(final ErrorHandler embedderErrorHandler)
    {
        this.embedderErrorHandler = embedderErrorHandler;
    }

    public void onError(final Throwable error)
    {
        if (error instanceof NodeFailedException)
        {
            embedderErrorHandler.onError(error);
        }
        else if (null != FailureCause.of(error))
        {
            if (null == fatalError)
            {
                fatalError = error;
            }
        }
        else if (!(error instanceof AeronException) || AeronException.Category.WARN != ((AeronException)error).category())
        {
            embedderErrorHandler.onError(error);
        }
    }

    /**
     * @return the first error reported that the node cannot go on after, or null.
     */
    Throwable fatalError()
    {
        return fatalError;
    }
}
