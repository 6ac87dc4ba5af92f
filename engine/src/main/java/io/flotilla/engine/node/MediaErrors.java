package io.flotilla.engine.node;

import io.aeron.exceptions.AeronException;
import io.flotilla.engine.FailureCause;
import org.agrona.ErrorHandler;

/**
 * The error handler of the node's media driver, archive and Aeron client (any of their threads). An error the node
 * cannot go on after ({@link FailureCause#of}) is kept for the node agent, which stops on its next duty cycle and
 * reports it once; recoverable errors go to the node's error handler, except Aeron's warnings (a failed send to a
 * peer that is down, say), which stay in the driver's and archive's error logs and counters only. It also keeps the
 * Aeron client's default handler from exiting the JVM on a driver timeout.
 */
final class MediaErrors implements ErrorHandler
{
    private final ErrorHandler recoverableErrors;
    private volatile Throwable fatalError;

    /**
     * @param recoverableErrors told of the errors the node goes on after.
     */
    MediaErrors(final ErrorHandler recoverableErrors)
    {
        this.recoverableErrors = recoverableErrors;
    }

    public void onError(final Throwable error)
    {
        if (null != FailureCause.of(error))
        {
            if (null == fatalError)
            {
                fatalError = error;
            }
        }
        else if (!(error instanceof AeronException) || AeronException.Category.WARN != ((AeronException)error).category())
        {
            recoverableErrors.onError(error);
        }
    }

    /**
     * @return the first error the media reported that the node cannot go on after, or null.
     */
    Throwable fatalError()
    {
        return fatalError;
    }
}
