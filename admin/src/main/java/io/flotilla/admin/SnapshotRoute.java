package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /snapshot}: a snapshot at the node's applied index now ({@link ClusterNode#takeSnapshot()}), answered
 * with its index once durable.
 */
final class SnapshotRoute implements AdminRoute
{
    private final ClusterNode node;
    private final long timeoutNs;

    SnapshotRoute(final ClusterNode node, final long timeoutNs)
    {
        this.node = node;
        this.timeoutNs = timeoutNs;
    }

    public String method()
    {
        return "POST";
    }

    public AdminResponse handle(final Map<String, Object> body) throws AdminException
    {
        try
        {
            final long index = node.takeSnapshot().get(timeoutNs, TimeUnit.NANOSECONDS);
            final Map<String, Object> json = new LinkedHashMap<>();
            json.put("snapshotIndex", index);
            return AdminResponse.ok(json);
        }
        catch (final ExecutionException ex)
        {
            throw new AdminException(500, "SNAPSHOT_FAILED", String.valueOf(ex.getCause()));
        }
        catch (final TimeoutException ex)
        {
            throw new AdminException(504, "TIMEOUT", "the snapshot was not done within " +
                TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms: it may still complete (watch snapshotIndex in /status)");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AdminException(503, "CLOSED", "the admin endpoint is stopping");
        }
    }
}
