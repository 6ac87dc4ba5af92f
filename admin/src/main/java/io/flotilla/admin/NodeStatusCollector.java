package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.NodeStatus;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.List;

/**
 * What {@link ClusterNode#status()} adds to the counters: {@code flotilla_up} (1 while the node runs),
 * {@code flotilla_info} (its version) and, on the leader only, {@code flotilla_follower_match_index} and
 * {@code flotilla_follower_lag} for each follower ({@code peer} label). Other nodes have no follower samples (the
 * writer leaves out a family without samples).
 */
final class NodeStatusCollector implements MultiCollector
{
    private static final String UP = "flotilla_up";
    private static final String UP_HELP = "1 while the node runs, 0 once it stopped (closed, or stopped by a failure)";
    private static final String INFO = "flotilla";
    private static final String INFO_HELP = "the Flotilla version the node runs";
    private static final String MATCH_INDEX = "flotilla_follower_match_index";
    private static final String MATCH_INDEX_HELP =
        "on the leader, the highest index known to match the leader's log, per follower";
    private static final String LAG = "flotilla_follower_lag";
    private static final String LAG_HELP = "on the leader, entries a follower is behind the leader's last index";

    private final ClusterNode node;
    private final Labels labels;

    NodeStatusCollector(final ClusterNode node, final Labels labels)
    {
        this.node = node;
        this.labels = labels;
    }

    public MetricSnapshots collect()
    {
        final NodeStatus status = node.status();

        final GaugeSnapshot.Builder matchIndex = GaugeSnapshot.builder().name(MATCH_INDEX).help(MATCH_INDEX_HELP);
        final GaugeSnapshot.Builder lag = GaugeSnapshot.builder().name(LAG).help(LAG_HELP);
        for (final NodeStatus.Follower follower : status.followers())
        {
            final Labels peer = labels.add(MetricsLabels.PEER, Integer.toString(follower.memberId()));
            matchIndex.dataPoint(gauge(peer, follower.matchIndex()));
            lag.dataPoint(gauge(peer, follower.lag()));
        }

        return MetricSnapshots.of(
            GaugeSnapshot.builder().name(UP).help(UP_HELP).dataPoint(gauge(labels, status.running() ? 1 : 0)).build(),
            InfoSnapshot.builder()
                .name(INFO)
                .help(INFO_HELP)
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                    .labels(labels.add(MetricsLabels.VERSION, status.version()))
                    .build())
                .build(),
            matchIndex.build(),
            lag.build());
    }

    public List<MetricFamilyDescriptor> getMetricFamilyDescriptors()
    {
        return List.of(
            MetricFamilyDescriptor.gauge(UP).help(UP_HELP).labelName(MetricsLabels.MEMBER).build(),
            MetricFamilyDescriptor.info(INFO).help(INFO_HELP)
                .labelNames(MetricsLabels.MEMBER, MetricsLabels.VERSION).build(),
            MetricFamilyDescriptor.gauge(MATCH_INDEX).help(MATCH_INDEX_HELP)
                .labelNames(MetricsLabels.MEMBER, MetricsLabels.PEER).build(),
            MetricFamilyDescriptor.gauge(LAG).help(LAG_HELP)
                .labelNames(MetricsLabels.MEMBER, MetricsLabels.PEER).build());
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot gauge(final Labels labels, final long value)
    {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
