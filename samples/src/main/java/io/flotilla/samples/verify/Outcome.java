package io.flotilla.samples.verify;

/**
 * How a recorded operation ended, from the client's point of view.
 */
public enum Outcome
{
    /** Completed: the operation took effect once, with the recorded result. */
    OK,

    /** Definitely not applied (rejected before it could reach the log, say); the checker drops it. */
    FAIL,

    /**
     * Timed out, or never completed: it may take effect once at any time after its invocation, or never.
     */
    UNKNOWN
}
