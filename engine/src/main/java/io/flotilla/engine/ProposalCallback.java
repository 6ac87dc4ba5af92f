package io.flotilla.engine;

/**
 * Completion of an in-process proposal. Called exactly once per proposal: on the node's agent thread, or on the
 * proposing thread when the proposal could not be queued. Must be quick and must not block or throw.
 */
@FunctionalInterface
public interface ProposalCallback
{
    /**
     * @param result of the proposal; a view valid only during the call (copy what you keep).
     */
    void onComplete(ProposalResult result);
}
