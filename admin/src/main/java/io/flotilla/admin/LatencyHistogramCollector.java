package io.flotilla.admin;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.Unit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * A node latency as a Prometheus classic histogram in seconds: fixed bucket bounds, their counts and the sum
 * computed at scrape time from a copy of the node's HdrHistogram (nanoseconds, everything since launch).
 * <p>
 * HdrHistogram keeps each value only to within its precision (1 %): a value counts in a bucket by its median
 * equivalent value, the one HdrHistogram's own mean uses, and the sum adds the same values.
 */
final class LatencyHistogramCollector implements Collector
{
    private final String name;
    private final String help;
    private final Labels labels;
    private final Supplier<Histogram> latenciesNs;
    private final double[] upperBoundsSeconds;
    private final long[] upperBoundsNs;

    /**
     * @param name               of the metric, ending in {@code _seconds}.
     * @param help               what it measures.
     * @param labels             of its samples.
     * @param latenciesNs        a copy of everything recorded, in nanoseconds, on each call.
     * @param upperBoundsSeconds of the buckets, ascending, without {@code +Inf} (added here).
     */
    LatencyHistogramCollector(
        final String name,
        final String help,
        final Labels labels,
        final Supplier<Histogram> latenciesNs,
        final double[] upperBoundsSeconds)
    {
        this.name = name;
        this.help = help;
        this.labels = labels;
        this.latenciesNs = latenciesNs;
        this.upperBoundsSeconds = Arrays.copyOf(upperBoundsSeconds, upperBoundsSeconds.length + 1);
        this.upperBoundsSeconds[upperBoundsSeconds.length] = Double.POSITIVE_INFINITY;
        upperBoundsNs = new long[this.upperBoundsSeconds.length];
        for (int i = 0; i < upperBoundsSeconds.length; i++)
        {
            upperBoundsNs[i] = Math.round(upperBoundsSeconds[i] * 1e9);
        }
        upperBoundsNs[upperBoundsSeconds.length] = Long.MAX_VALUE;
    }

    public HistogramSnapshot collect()
    {
        final Histogram histogram = latenciesNs.get();
        final long[] counts = new long[upperBoundsNs.length];
        double sumNs = 0;
        for (final HistogramIterationValue value : histogram.recordedValues())
        {
            final long valueNs = histogram.medianEquivalentValue(value.getValueIteratedTo());
            final long count = value.getCountAtValueIteratedTo();
            counts[bucketOf(valueNs)] += count;
            sumNs += (double)valueNs * count;
        }

        return HistogramSnapshot.builder()
            .name(name)
            .help(help)
            .unit(Unit.SECONDS)
            .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .labels(labels)
                .classicHistogramBuckets(ClassicHistogramBuckets.of(upperBoundsSeconds, counts))
                .sum(sumNs / 1e9)
                .build())
            .build();
    }

    public MetricFamilyDescriptor getMetricFamilyDescriptor()
    {
        return MetricFamilyDescriptor.histogram(name)
            .help(help)
            .unit(Unit.SECONDS)
            .labelNames(labels.stream().map(Label::getName).toArray(String[]::new))
            .build();
    }

    private int bucketOf(final long valueNs)
    {
        final int found = Arrays.binarySearch(upperBoundsNs, valueNs);
        return found >= 0 ? found : -found - 1;
    }
}
