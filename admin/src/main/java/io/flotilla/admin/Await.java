package io.flotilla.admin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounded waits on an HTTP worker thread for what the node completes on its own.
 */
final class Await
{
    private Await()
    {
    }

    /**
     * @return the value, or null when not completed within the timeout.
     * @throws AdminRefusal (503) when the wait is interrupted (the server is closing).
     * @throws ExecutionFailure when the future completed exceptionally.
     */
    static <T> T outcome(final CompletableFuture<T> future, final long timeoutNs)
    {
        try
        {
            return future.get(timeoutNs, TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw closing();
        }
        catch (final ExecutionException ex)
        {
            throw new ExecutionFailure(null == ex.getCause() ? ex : ex.getCause());
        }
    }

    /**
     * @return the time as a person reads it, e.g. {@code 5000 ms}.
     */
    static String describe(final long timeoutNs)
    {
        return TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms";
    }

    static AdminRefusal closing()
    {
        return new AdminRefusal(503, "CLOSED", "the admin server is closing: the outcome is unknown");
    }

    /**
     * What a future failed with.
     */
    static final class ExecutionFailure extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        ExecutionFailure(final Throwable cause)
        {
            super(cause.getMessage(), cause);
        }
    }
}
