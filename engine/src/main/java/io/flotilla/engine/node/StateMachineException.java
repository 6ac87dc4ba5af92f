package io.flotilla.engine.node;

/**
 * The state machine threw while it was applied (or its state loaded from a snapshot): a deterministic failure, so
 * the replica cannot go on (every replica meets the same entry).
 */
public final class StateMachineException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param operation what the state machine was doing, e.g. "apply".
     * @param index     of the entry (or the snapshot's last included index).
     * @param cause     what it threw.
     */
    public StateMachineException(final String operation, final long index, final Throwable cause)
    {
        super("state machine failed in " + operation + " at index " + index + ": " + cause, cause);
    }
}
