package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.NodeCounter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every {@link NodeCounter} as {@code flotilla_<counterName>}: a Prometheus counter for a
 * {@link NodeCounter.Kind#COUNTER} (the writer adds {@code _total}; it restarts from zero at each launch, which
 * Prometheus reads as a reset), a gauge for a {@link NodeCounter.Kind#GAUGE}, with the counter's description as help.
 * Read with {@link ClusterNode#counter(NodeCounter)} at scrape time.
 */
final class NodeCountersCollector implements MultiCollector
{
    private static final NodeCounter[] COUNTERS = NodeCounter.values();

    private final ClusterNode node;
    private final Labels labels;
    private final List<MetricFamilyDescriptor> descriptors;

    NodeCountersCollector(final ClusterNode node, final Labels labels)
    {
        this.node = node;
        this.labels = labels;
        final List<MetricFamilyDescriptor> descriptors = new ArrayList<>(COUNTERS.length);
        for (final NodeCounter counter : COUNTERS)
        {
            final MetricFamilyDescriptor.Builder<?> builder = NodeCounter.Kind.COUNTER == counter.kind() ?
                MetricFamilyDescriptor.counter(metricName(counter)) : MetricFamilyDescriptor.gauge(metricName(counter));
            descriptors.add(builder.help(counter.description()).labelName(MetricsLabels.MEMBER).build());
        }
        this.descriptors = Collections.unmodifiableList(descriptors);
    }

    public MetricSnapshots collect()
    {
        final MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
        for (final NodeCounter counter : COUNTERS)
        {
            snapshots.metricSnapshot(snapshot(counter, node.counter(counter)));
        }
        return snapshots.build();
    }

    public List<MetricFamilyDescriptor> getMetricFamilyDescriptors()
    {
        return descriptors;
    }

    private MetricSnapshot snapshot(final NodeCounter counter, final long value)
    {
        if (NodeCounter.Kind.COUNTER == counter.kind())
        {
            return CounterSnapshot.builder()
                .name(metricName(counter))
                .help(counter.description())
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build())
                .build();
        }
        return GaugeSnapshot.builder()
            .name(metricName(counter))
            .help(counter.description())
            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build())
            .build();
    }

    private static String metricName(final NodeCounter counter)
    {
        return "flotilla_" + counter.counterName();
    }
}
