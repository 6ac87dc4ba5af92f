package io.flotilla.archive;

/**
 * Closing a node's resources when some of them may be broken: unlike {@code CloseHelper.closeAll}, which stops at an
 * {@link Error}, every resource is closed even after one threw an Error (a SIGBUS in a mapped file, say), so the lock,
 * the ports and the Aeron directory are still released.
 */
public final class Resources
{
    private Resources()
    {
    }

    /**
     * Close each resource in order (nulls skipped), then rethrow the first failure with the later ones suppressed.
     *
     * @param resources to close.
     */
    public static void closeAll(final AutoCloseable... resources)
    {
        Throwable first = null;
        for (final AutoCloseable resource : resources)
        {
            if (null != resource)
            {
                try
                {
                    resource.close();
                }
                catch (final Throwable ex)
                {
                    if (null == first)
                    {
                        first = ex;
                    }
                    else
                    {
                        first.addSuppressed(ex);
                    }
                }
            }
        }
        if (first instanceof Error)
        {
            throw (Error)first;
        }
        if (first instanceof RuntimeException)
        {
            throw (RuntimeException)first;
        }
        if (null != first)
        {
            throw new IllegalStateException("close failed", first);
        }
    }
}
