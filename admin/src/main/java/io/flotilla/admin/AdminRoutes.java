package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;

import java.util.List;

/**
 * Every route of the admin endpoint.
 */
final class AdminRoutes
{
    private AdminRoutes()
    {
    }

    static List<AdminRoute> of(final ClusterNode node, final AdminServer.Context ctx)
    {
        final long timeoutNs = ctx.requestTimeoutNs();
        return List.of(
            AdminRoute.get("/status", AdminAuth.Access.READ, new StatusHandler(node)),
            AdminRoute.get("/health/live", AdminAuth.Access.PROBE, new LiveHandler(node)),
            AdminRoute.get("/health/ready", AdminAuth.Access.PROBE, new ReadyHandler(node, ctx.readyMaxLag())),
            AdminRoute.post("/propose", new ProposeHandler(node, timeoutNs)),
            AdminRoute.post("/transfer-leadership", new TransferLeadershipHandler(node, timeoutNs)),
            AdminRoute.post("/snapshot", new SnapshotHandler(node, timeoutNs)));
    }
}
