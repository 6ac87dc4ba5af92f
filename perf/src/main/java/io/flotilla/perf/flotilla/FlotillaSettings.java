package io.flotilla.perf.flotilla;

import io.flotilla.archive.Settings;
import io.flotilla.engine.ClusterKeys;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.Durability;
import io.flotilla.engine.Threading;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How the Flotilla target is configured, from the command line ({@code --nodes}, {@code --durability},
 * {@code --threading}, {@code --client-response-timeout}, {@code --clients}); the node agents' idle strategy comes from
 * {@code -Dflotilla.idle.strategy} as in any {@link ClusterNode.Context}, and so does
 * {@code -Dflotilla.cluster.insecure=true} (peers unauthenticated; {@code PEER_AUTH=off scripts/perf.sh}).
 *
 * @param durability              log durability of every node.
 * @param threading               media threading of every node.
 * @param clientResponseTimeoutNs silence after which the client presumes the leader lost (bounds failover).
 * @param clients                 client sessions the load is spread over (each allows 64 outstanding requests).
 * @param members                 members of the cluster {@link FlotillaTarget} builds (the Aeron Cluster baseline is
 *                                built to the same size); the recovery and snapshot runs size their own clusters.
 */
public record FlotillaSettings(
    Durability durability, Threading threading, long clientResponseTimeoutNs, int clients, int members)
{
    /**
     * One session, as Aeron Cluster's target has: it caps Flotilla's window at 64 outstanding. More sessions lift the
     * cap (16 x 64 = the harness's default window of 1024) but, measured on this machine, made latency far worse.
     */
    public static final int DEFAULT_CLIENTS = 1;

    /** ASYNC: Aeron Cluster's default does not fsync either ({@code fileSyncLevel=0}), so the comparison is fair. */
    public static final Durability DEFAULT_DURABILITY = Durability.ASYNC;

    /** COMPACT: one thread per node, media stack included. */
    public static final Threading DEFAULT_THREADING = Threading.COMPACT;

    /** 500 ms, as the demo: shorter than the 300-600 ms election timeout plus the client's detection would allow. */
    public static final long DEFAULT_CLIENT_RESPONSE_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);

    /** Three members, as the demo's cluster: a quorum of 2, one failure tolerated. */
    public static final int DEFAULT_MEMBERS = 3;

    /** One key for the nodes of this JVM: they sign their consensus messages unless peers are insecure. */
    private static final ClusterKeys CLUSTER_KEYS = ClusterKeys.generate();

    /**
     * @throws IllegalArgumentException if there are no clients or no members.
     */
    public FlotillaSettings
    {
        if (clients < 1 || members < 1)
        {
            throw new IllegalArgumentException("clients and members must be at least 1, got " + clients + " and " +
                members);
        }
    }

    /**
     * @return the defaults.
     */
    public static FlotillaSettings defaults()
    {
        return new FlotillaSettings(DEFAULT_DURABILITY, DEFAULT_THREADING, DEFAULT_CLIENT_RESPONSE_TIMEOUT_NS,
            DEFAULT_CLIENTS, DEFAULT_MEMBERS);
    }

    /**
     * @param ctx of a node.
     * @return ctx, given this JVM's cluster key unless {@code flotilla.cluster.insecure} is set.
     */
    public ClusterNode.Context peerAuthentication(final ClusterNode.Context ctx)
    {
        return ctx.insecurePeers() ? ctx : ctx.clusterKeys(CLUSTER_KEYS);
    }

    /**
     * @return {@code key=value} pairs (no spaces inside values) for summary lines; not the member count, which the
     * runs that use it print themselves ({@link FlotillaTarget#config()}).
     */
    public String describe()
    {
        return String.format(Locale.ROOT,
            "durability=%s threading=%s peer_auth=%s node_idle=%s node_idle_max_park=%s client_response_timeout_ms=%d " +
            "clients=%d",
            durability, threading, Settings.bool(ClusterNode.Context.INSECURE_PEERS_PROP, false) ? "off" : "on",
            System.getProperty(ClusterNode.Context.IDLE_STRATEGY_PROP, "backoff"),
            System.getProperty(ClusterNode.Context.IDLE_MAX_PARK_PROP, "100us"),
            TimeUnit.NANOSECONDS.toMillis(clientResponseTimeoutNs), clients);
    }
}
