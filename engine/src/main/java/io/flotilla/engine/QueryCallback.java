package io.flotilla.engine;

/**
 * Completion of an in-process query. Called exactly once per query: on the node's agent thread, or on the querying
 * thread when the query could not be queued. Must be quick and must not block or throw.
 */
@FunctionalInterface
public interface QueryCallback
{
    /**
     * @param result of the query; a view valid only during the call (copy what you keep).
     */
    void onComplete(QueryResult result);
}
