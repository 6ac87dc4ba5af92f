package io.flotilla.engine.sim;

/**
 * A safety or liveness property the simulation checks was violated.
 */
public final class SimulationFailure extends RuntimeException
{
    public SimulationFailure(final String message)
    {
        super(message);
    }
}
