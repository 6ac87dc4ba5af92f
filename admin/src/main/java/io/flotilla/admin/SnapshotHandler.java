package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;

import java.util.Map;
import java.util.Set;

/**
 * {@code POST /snapshot} (no body or {@code {}}): the node takes a snapshot at its applied index; answered with the
 * snapshot's last included index once it is written.
 */
final class SnapshotHandler implements RouteHandler
{
    private final ClusterNode node;
    private final long timeoutNs;

    SnapshotHandler(final ClusterNode node, final long timeoutNs)
    {
        this.node = node;
        this.timeoutNs = timeoutNs;
    }

    public AdminReply handle(final byte[] body)
    {
        JsonRequest.parse(body, Set.of());
        final Long snapshotIndex;
        try
        {
            snapshotIndex = Await.outcome(node.takeSnapshot(), timeoutNs);
        }
        catch (final Await.ExecutionFailure ex)
        {
            return AdminReply.error(500, "SNAPSHOT_FAILED", "the snapshot failed: " + ex.getCause());
        }
        if (null == snapshotIndex)
        {
            return AdminReply.error(504, "TIMEOUT", "the snapshot was not done within " + Await.describe(timeoutNs) +
                " (" + AdminServer.Context.REQUEST_TIMEOUT_PROP + "); it may still complete: watch snapshotIndex in " +
                "/status");
        }
        return AdminReply.json(200, Map.of("snapshotIndex", snapshotIndex));
    }
}
