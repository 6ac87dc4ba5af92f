package io.flotilla.samples;

import java.util.logging.LogManager;

/**
 * java.util.logging's manager, except that the reset its own shutdown hook makes (closing every handler) waits
 * until the launcher has stopped the node: on SIGTERM that hook runs beside the one that stops the node, and would
 * otherwise take the node's last lines with it (the leader's handover, its role change, "closed"). A reset asked
 * while the JVM runs is made at once, as always. In use when {@code java.util.logging.manager} names it before the
 * first logger exists ({@link KvNode#main} sets it unless it is set; not from here: initialising this class
 * initialises {@link LogManager}, which reads the property then).
 */
public final class ShutdownLogManager extends LogManager
{
    private volatile boolean stopped;

    /**
     * Made by {@link LogManager} itself, named by the {@code java.util.logging.manager} property.
     */
    public ShutdownLogManager()
    {
    }

    /**
     * The launcher has stopped the node: close the handlers now if the JVM's shutdown already asked for it, and at
     * once when it does later. Does nothing when another manager is in use.
     */
    static void nodeStopped()
    {
        if (LogManager.getLogManager() instanceof ShutdownLogManager manager)
        {
            manager.stopped = true;
            if (isShuttingDown())
            {
                manager.resetNow();
            }
        }
    }

    public void reset()
    {
        if (stopped || !isShuttingDown())
        {
            resetNow();
        }
    }

    private void resetNow()
    {
        super.reset();
    }

    // The runtime refuses new shutdown hooks once its shutdown has begun: the one way to ask it.
    private static boolean isShuttingDown()
    {
        final Thread probe = new Thread(() -> {});
        try
        {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        }
        catch (final IllegalStateException ex)
        {
            return true;
        }
    }
}
