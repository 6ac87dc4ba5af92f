package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.NodeFailedException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /health/live}: 200 while the node runs; 503 once it has stopped (closed, or stopped by a failure, which
 * is named), so that a supervisor restarts the process.
 */
final class LiveHandler implements RouteHandler
{
    private final ClusterNode node;

    LiveHandler(final ClusterNode node)
    {
        this.node = node;
    }

    public AdminReply handle(final byte[] body)
    {
        final Map<String, Object> json = new LinkedHashMap<>();
        if (node.isRunning())
        {
            json.put("live", true);
            return AdminReply.json(200, json);
        }
        final NodeFailedException failure = node.failure();
        json.put("live", false);
        json.put("failure", null == failure ? null : failure.getMessage());
        return AdminReply.json(503, json);
    }
}
