package io.flotilla.archive;

import io.aeron.Aeron;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ControlResponsePoller;
import io.aeron.archive.codecs.ControlResponseCode;
import io.aeron.archive.codecs.ControlResponseDecoder;

import java.util.Arrays;

/**
 * The archive client's control responses for the store's asynchronous requests (a read-back's replay, a purge): one
 * poll per duty cycle of the one response subscription they share, each response handed to whoever awaits its
 * correlation id. A response nobody awaits is dropped, as a synchronous {@link AeronArchive} call on this thread drops
 * the responses that are not its own: a request whose answer does not come in time must be asked again.
 */
final class ArchiveResponses
{
    /** One read-back and one purge at a time. */
    private static final int CAPACITY = 2;

    /**
     * Awaits the response to a request.
     */
    interface Listener
    {
        /**
         * @param correlationId of the request answered.
         * @param code          of the response.
         * @param relevantId    of the response: a replay session id, a start position.
         * @param errorMessage  when refused.
         */
        void onResponse(long correlationId, ControlResponseCode code, long relevantId, String errorMessage);
    }

    private final AeronArchive archive;
    private final long[] correlationIds = new long[CAPACITY];
    private final Listener[] listeners = new Listener[CAPACITY];
    private int awaiting;

    ArchiveResponses(final AeronArchive archive)
    {
        this.archive = archive;
        Arrays.fill(correlationIds, Aeron.NULL_VALUE);
    }

    /**
     * @param correlationId of a request sent.
     * @param listener      to receive its response, once.
     */
    void await(final long correlationId, final Listener listener)
    {
        final int slot = slotOf(Aeron.NULL_VALUE);
        if (slot < 0)
        {
            throw new IllegalStateException("more than " + CAPACITY + " archive requests awaiting a response");
        }
        correlationIds[slot] = correlationId;
        listeners[slot] = listener;
        awaiting++;
    }

    /**
     * @param correlationId of a request whose response is no longer awaited; nothing happens if it is not.
     */
    void cancel(final long correlationId)
    {
        final int slot = slotOf(correlationId);
        if (slot >= 0)
        {
            clear(slot);
        }
    }

    /**
     * Poll for one response while any is awaited, and hand it to its listener.
     *
     * @return the amount of work done.
     */
    int poll()
    {
        if (0 == awaiting)
        {
            return 0;
        }

        final ControlResponsePoller poller = archive.controlResponsePoller();
        final int workCount = poller.poll();
        if (poller.isPollComplete() && poller.controlSessionId() == archive.controlSessionId() &&
            poller.templateId() == ControlResponseDecoder.TEMPLATE_ID)
        {
            final int slot = slotOf(poller.correlationId());
            if (slot >= 0)
            {
                final Listener listener = listeners[slot];
                clear(slot);
                listener.onResponse(poller.correlationId(), poller.code(), poller.relevantId(), poller.errorMessage());
            }
        }

        return workCount;
    }

    private int slotOf(final long correlationId)
    {
        for (int i = 0; i < CAPACITY; i++)
        {
            if (correlationIds[i] == correlationId)
            {
                return i;
            }
        }

        return -1;
    }

    private void clear(final int slot)
    {
        correlationIds[slot] = Aeron.NULL_VALUE;
        listeners[slot] = null;
        awaiting--;
    }
}
