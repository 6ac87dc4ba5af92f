package io.flotilla.archive;

import java.net.BindException;

/**
 * Turns "Address already in use" from binding a UDP endpoint (Aeron reports it from the driver, as the message of a
 * registration or archive error) into a message that names the setting to change.
 */
public final class PortInUse
{
    private static final String ADDRESS_IN_USE = "address already in use";

    private PortInUse()
    {
    }

    /**
     * @param throwable a failure to open a channel.
     * @return whether it, or one of its causes, is a bind to an address in use.
     */
    public static boolean isCause(final Throwable throwable)
    {
        for (Throwable t = throwable; null != t; t = t.getCause() == t ? null : t.getCause())
        {
            if (t instanceof BindException || String.valueOf(t.getMessage()).toLowerCase().contains(ADDRESS_IN_USE))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param failure  a failure to open a channel.
     * @param endpoint what could not be bound, e.g. "consensus endpoint localhost:20110 of member 0".
     * @param setting  what to change, e.g. "its consensus port in flotilla.members".
     * @return a failure naming the setting when the address was in use; else {@code failure} itself.
     */
    public static RuntimeException explain(final RuntimeException failure, final String endpoint, final String setting)
    {
        if (!isCause(failure))
        {
            return failure;
        }
        return new IllegalStateException(endpoint + " is in use by another process or node (Address already in use): " +
            "stop it, or change " + setting, failure);
    }
}
