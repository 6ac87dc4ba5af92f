package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A node's metrics in the Prometheus text exposition format, for the admin endpoint's {@code GET /metrics}: every
 * {@link io.flotilla.engine.NodeCounter} ({@code flotilla_<name>}, counters with {@code _total}), whether the node
 * runs ({@code flotilla_up}), its version ({@code flotilla_info}), on the leader each follower's match index and lag,
 * and commit and apply latency as classic histograms in seconds. Every sample carries a {@code member} label.
 * <p>
 * A scrape never touches the node's thread: the collectors build their snapshots at scrape time, on the caller's
 * thread, from {@link ClusterNode#counter}, {@link ClusterNode#status()} and the latency histogram copies, which any
 * thread may call, while the node runs and after it closed. Safe for concurrent scrapes. Each instance has its own
 * registry (never the library's static default one), so several nodes can live in one JVM.
 */
public final class PrometheusMetrics
{
    /** Commit latency: 10 µs to 10 s (an entry waits for the quorum round and the durability of the log). */
    private static final double[] COMMIT_LATENCY_BOUNDS_SECONDS =
    {
        10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6,
        1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3,
        1, 2.5, 5, 10
    };

    /** Apply latency: 100 ns to 1 s (one state machine call, usually well under a microsecond). */
    private static final double[] APPLY_LATENCY_BOUNDS_SECONDS =
    {
        100e-9, 250e-9, 500e-9, 1e-6, 2.5e-6, 5e-6, 10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6,
        1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /**
     * @param node whose metrics to expose; it may be closed later, a scrape then reports its last values.
     */
    public PrometheusMetrics(final ClusterNode node)
    {
        final Labels member = Labels.of(MetricsLabels.MEMBER, Integer.toString(node.memberId()));
        registry.register(new NodeCountersCollector(node, member));
        registry.register(new NodeStatusCollector(node, member));
        registry.register(new LatencyHistogramCollector(
            "flotilla_commit_latency_seconds",
            "time from an entry's append to this node's log to this node learning it is committed",
            member,
            node::commitLatency,
            COMMIT_LATENCY_BOUNDS_SECONDS));
        registry.register(new LatencyHistogramCollector(
            "flotilla_apply_latency_seconds",
            "time the state machine took to apply one command",
            member,
            node::applyLatency,
            APPLY_LATENCY_BOUNDS_SECONDS));
    }

    /**
     * @return the content type of what {@link #write(OutputStream)} writes (the text format, version 0.0.4).
     */
    public String contentType()
    {
        return writer.getContentType();
    }

    /**
     * One scrape: collect every metric now and write them.
     *
     * @param out to write the exposition to, UTF-8; flushed, not closed.
     * @throws IOException if writing to {@code out} fails.
     */
    public void write(final OutputStream out) throws IOException
    {
        writer.write(out, registry.scrape());
    }
}
