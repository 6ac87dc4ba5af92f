package io.flotilla.engine;

import org.agrona.DirectBuffer;

/**
 * The service a team replicates: applied to every committed command, in log order, on every node.
 * <p>
 * Must be deterministic: its only inputs are the commands and the entries' leader timestamps (never the local
 * clock, randomness or I/O). Called on the node agent's thread; it must not block and must not throw (an
 * exception is a bug and stops the node loudly).
 */
public interface StateMachine
{
    /**
     * Apply one committed command and write its response.
     *
     * @param index       log index of the command.
     * @param timestampNs leader timestamp of the entry, epoch nanoseconds; the only clock a state machine may use.
     * @param command     buffer holding the command; valid only during the call.
     * @param offset      of the command.
     * @param length      of the command.
     * @param response    where to write the response (on followers it is discarded).
     */
    void apply(long index, long timestampNs, DirectBuffer command, int offset, int length, Response response);

    /**
     * Time advanced without a command (a no-op or session entry was applied). State machines with timers (TTL
     * expiry, say) use it; the default does nothing.
     *
     * @param index       log index of the entry.
     * @param timestampNs leader timestamp of the entry, epoch nanoseconds.
     */
    default void onTimeAdvanced(final long index, final long timestampNs)
    {
    }
}
