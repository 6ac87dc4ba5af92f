package io.flotilla.engine.client;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The futures of {@link FlotillaClient#callAsync} and {@link FlotillaClient#queryAsync}, by sequence and by query id.
 * The client looks here before it gives an outcome to its listener: an outcome with a future completes it (on the
 * client's thread, inside {@code poll}, once the client's own state is updated) and goes to no listener. Empty maps
 * cost a size check, so a client that uses no futures pays nothing.
 */
final class ClientFutures
{
    /**
     * The named failure for an outcome other than OK, as the blocking forms throw it.
     */
    @FunctionalInterface
    interface Failures
    {
        FlotillaClientException failure(Outcome outcome, boolean isQuery, long id, byte[] payload);
    }

    private final Long2ObjectHashMap<CompletableFuture<DirectBuffer>> requests = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<CompletableFuture<DirectBuffer>> queries = new Long2ObjectHashMap<>();
    private final Failures failures;

    ClientFutures(final Failures failures)
    {
        this.failures = failures;
    }

    void addRequest(final long sequence, final CompletableFuture<DirectBuffer> future)
    {
        requests.put(sequence, future);
    }

    void addQuery(final long queryId, final CompletableFuture<DirectBuffer> future)
    {
        queries.put(queryId, future);
    }

    /**
     * @return the future of a request, no longer kept here, or null when its outcome is the listener's.
     */
    CompletableFuture<DirectBuffer> takeRequest(final long sequence)
    {
        return requests.isEmpty() ? null : requests.remove(sequence);
    }

    /**
     * @return the future of a query, no longer kept here, or null when its outcome is the listener's.
     */
    CompletableFuture<DirectBuffer> takeQuery(final long queryId)
    {
        return queries.isEmpty() ? null : queries.remove(queryId);
    }

    /**
     * The client closed: every open future fails with the reason.
     */
    void closeAll(final FlotillaClientException reason)
    {
        // Taken out first: a dependent stage completed here may call the client.
        final List<CompletableFuture<DirectBuffer>> open = new ArrayList<>(requests.values());
        open.addAll(queries.values());
        requests.clear();
        queries.clear();
        open.forEach((future) -> future.completeExceptionally(reason));
    }

    /**
     * Complete a future taken from here with its outcome: the payload copied on OK, the named failure otherwise.
     */
    void complete(
        final CompletableFuture<DirectBuffer> future,
        final boolean isQuery,
        final long id,
        final Outcome outcome,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        if (Outcome.OK == outcome)
        {
            future.complete(new UnsafeBuffer(payload));
        }
        else
        {
            future.completeExceptionally(failures.failure(outcome, isQuery, id, payload));
        }
    }
}
