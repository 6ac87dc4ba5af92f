package io.flotilla.perf.harness;

/**
 * Receives the send time carried by each echo a {@link LoadTarget} polls.
 */
@FunctionalInterface
public interface EchoHandler
{
    /**
     * One echo arrived.
     *
     * @param sendTimeNs the send time the message was offered with.
     */
    void onEcho(long sendTimeNs);
}
