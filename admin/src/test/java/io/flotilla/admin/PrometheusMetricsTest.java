package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.NodeCounter;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.Role;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real 3-node cluster's metrics after some commands: the exposition passes promtool (Prometheus's own parser and
 * linter), and the values read back from it are the node's.
 */
class PrometheusMetricsTest
{
    private static final int COMMANDS = 500;
    private static final int NODES = 3;
    private static final String COMMIT_LATENCY = "flotilla_commit_latency_seconds";
    private static final String APPLY_LATENCY = "flotilla_apply_latency_seconds";

    @TempDir
    File tempDir;

    @Test
    @Timeout(180)
    void everyNodesExpositionPassesPromtoolRunningAndClosed()
    {
        try (TestCluster cluster = startWithCommands())
        {
            final ClusterNode leader = cluster.awaitLeader();
            final PrometheusMetrics leaderMetrics = new PrometheusMetrics(leader);
            final AtomicReference<String> leaderText = new AtomicReference<>();
            cluster.await("the leader's scrape with its followers", () ->
            {
                leaderText.set(scrape(leaderMetrics));
                return leaderText.get().contains("flotilla_follower_lag{");
            });
            assertPromtoolFindsNothing("leader " + leader.memberId(), leaderText.get());
            for (int i = 0; i < NODES; i++)
            {
                if (cluster.node(i) != leader)
                {
                    assertPromtoolFindsNothing("member " + i, scrape(new PrometheusMetrics(cluster.node(i))));
                }
            }

            final ClusterNode follower = aFollower(cluster, leader);
            final PrometheusMetrics metrics = new PrometheusMetrics(follower);
            cluster.stop(follower.memberId());
            assertPromtoolFindsNothing("closed member " + follower.memberId(), scrape(metrics));
        }
    }

    @Test
    @Timeout(180)
    void gaugesAtAQuietMomentAndTheStatusMetricsCarryTheNodesValues()
    {
        try (TestCluster cluster = startWithCommands())
        {
            for (int i = 0; i < NODES; i++)
            {
                final String member = Integer.toString(i);
                final QuietScrape quiet = quietScrape(cluster, cluster.node(i));
                final MetricsExposition exposition = quiet.exposition();
                for (final NodeCounter counter : NodeCounter.values())
                {
                    final String family = "flotilla_" + counter.counterName();
                    if (NodeCounter.Kind.COUNTER == counter.kind())
                    {
                        assertEquals("counter", exposition.type(family + "_total"), family);
                        assertEquals(counter.description(), exposition.help(family + "_total"), family);
                        assertTrue(exposition.samples(family).isEmpty(), family + " only with _total");
                    }
                    else
                    {
                        assertEquals("gauge", exposition.type(family), family);
                        assertEquals(counter.description(), exposition.help(family), family);
                        assertEquals(quiet.value(counter), exposition.value(family, "member", member), family);
                    }
                }
                assertEquals(quiet.value(NodeCounter.COMMIT_INDEX),
                    exposition.value("flotilla_commit_index", "member", member));
                assertEquals(1, exposition.value("flotilla_up", "member", member));
                assertEquals(1, exposition.value("flotilla_info", "member", member, "version", ClusterNode.version()));

                if (Role.LEADER.ordinal() == quiet.value(NodeCounter.ROLE))
                {
                    assertFollowersCaughtUp(quiet, i);
                }
                else
                {
                    assertTrue(exposition.samples("flotilla_follower_match_index").isEmpty(), "follower " + i);
                    assertTrue(exposition.samples("flotilla_follower_lag").isEmpty(), "follower " + i);
                }
            }
        }
    }

    @Test
    @Timeout(180)
    void counterSamplesLieBetweenTheNodesReadingsAroundTheScrape()
    {
        try (TestCluster cluster = startWithCommands())
        {
            final ClusterNode leader = cluster.awaitLeader();
            final PrometheusMetrics metrics = new PrometheusMetrics(leader);
            final String member = Integer.toString(leader.memberId());
            final long[] before = counters(leader);
            final MetricsExposition exposition = new MetricsExposition(scrape(metrics));
            final long[] after = counters(leader);
            for (final NodeCounter counter : NodeCounter.values())
            {
                if (NodeCounter.Kind.COUNTER == counter.kind())
                {
                    final long low = before[counter.ordinal()];
                    final long high = after[counter.ordinal()];
                    final double value =
                        exposition.value("flotilla_" + counter.counterName() + "_total", "member", member);
                    assertTrue(low <= value && value <= high, counter + " " + value + " not in [" + low + ", " +
                        high + "]");
                }
            }
        }
    }

    @Test
    @Timeout(180)
    void latenciesAreCumulativeClassicHistogramsInSecondsFromTheNodesHistograms()
    {
        try (TestCluster cluster = startWithCommands())
        {
            for (int i = 0; i < NODES; i++)
            {
                final ClusterNode node = cluster.node(i);
                final String member = Integer.toString(i);
                final PrometheusMetrics metrics = new PrometheusMetrics(node);
                final AtomicReference<Histogram> commitLatency = new AtomicReference<>();
                final AtomicReference<MetricsExposition> scraped = new AtomicReference<>();
                cluster.await("a scrape of member " + i + " while its commit latencies do not change", () ->
                {
                    final Histogram before = node.commitLatency();
                    scraped.set(new MetricsExposition(scrape(metrics)));
                    commitLatency.set(node.commitLatency());
                    return before.getTotalCount() == commitLatency.get().getTotalCount();
                });
                final MetricsExposition exposition = scraped.get();

                for (final String histogram : List.of(COMMIT_LATENCY, APPLY_LATENCY))
                {
                    assertEquals("histogram", exposition.type(histogram), histogram);
                    final long count = (long)exposition.value(histogram + "_count", "member", member);
                    assertTrue(count >= COMMANDS, histogram + "_count " + count);
                    assertTrue(exposition.value(histogram + "_sum", "member", member) > 0, histogram + "_sum");
                    assertCumulativeUpToInf(histogram, exposition.samples(histogram + "_bucket"), count);
                }
                assertCommitLatencyFrom(commitLatency.get(), exposition, member);
            }
        }
    }

    @Test
    @Timeout(180)
    void aClosedNodeStillScrapesAndReportsDown()
    {
        try (TestCluster cluster = startWithCommands())
        {
            final ClusterNode follower = aFollower(cluster, cluster.awaitLeader());
            final String member = Integer.toString(follower.memberId());
            final PrometheusMetrics metrics = new PrometheusMetrics(follower);
            assertEquals(1, new MetricsExposition(scrape(metrics)).value("flotilla_up", "member", member));

            cluster.stop(follower.memberId());
            final MetricsExposition closed = new MetricsExposition(scrape(metrics));
            assertEquals(0, closed.value("flotilla_up", "member", member));
            assertEquals(follower.counter(NodeCounter.COMMIT_INDEX),
                closed.value("flotilla_commit_index", "member", member));
            assertTrue(closed.value(COMMIT_LATENCY + "_count", "member", member) >= COMMANDS);
            assertEquals(1, closed.value("flotilla_info", "member", member, "version", ClusterNode.version()));
        }
    }

    private TestCluster startWithCommands()
    {
        final TestCluster cluster = new TestCluster(tempDir, NODES).startAll();
        cluster.proposeAllAcrossLeaderChanges(COMMANDS, 64, "metrics-");
        cluster.awaitConverged(COMMANDS);
        return cluster;
    }

    private static ClusterNode aFollower(final TestCluster cluster, final ClusterNode leader)
    {
        return cluster.node((leader.memberId() + 1) % NODES);
    }

    /**
     * A scrape taken while none of the node's counters moved, with the counters' values then.
     */
    private record QuietScrape(MetricsExposition exposition, long[] counters)
    {
        long value(final NodeCounter counter)
        {
            return counters[counter.ordinal()];
        }
    }

    /**
     * @return a scrape taken while none of the node's counters moved and, on the leader, with every follower caught
     * up: its gauges can be compared with the node's readings.
     */
    private static QuietScrape quietScrape(final TestCluster cluster, final ClusterNode node)
    {
        final PrometheusMetrics metrics = new PrometheusMetrics(node);
        final AtomicReference<QuietScrape> quiet = new AtomicReference<>();
        cluster.await("a scrape of member " + node.memberId() + " at a quiet moment", () ->
        {
            final long[] before = counters(node);
            final MetricsExposition exposition = new MetricsExposition(scrape(metrics));
            quiet.set(new QuietScrape(exposition, before));
            return Arrays.equals(before, counters(node)) &&
                exposition.samples("flotilla_follower_lag").stream().allMatch((lag) -> 0 == lag.value());
        });
        return quiet.get();
    }

    private static long[] counters(final ClusterNode node)
    {
        final NodeCounter[] counters = NodeCounter.values();
        final long[] values = new long[counters.length];
        for (final NodeCounter counter : counters)
        {
            values[counter.ordinal()] = node.counter(counter);
        }
        return values;
    }

    private static void assertFollowersCaughtUp(final QuietScrape quiet, final int leaderId)
    {
        final String member = Integer.toString(leaderId);
        for (int peer = 0; peer < NODES; peer++)
        {
            if (peer != leaderId)
            {
                final String peerId = Integer.toString(peer);
                assertEquals(quiet.value(NodeCounter.LOG_LAST_INDEX),
                    quiet.exposition().value("flotilla_follower_match_index", "member", member, "peer", peerId));
                assertEquals(0, quiet.exposition().value("flotilla_follower_lag", "member", member, "peer", peerId));
            }
        }
        assertEquals(NODES - 1, quiet.exposition().samples("flotilla_follower_lag").size());
    }

    private static void assertCumulativeUpToInf(
        final String histogram, final List<MetricsExposition.Sample> buckets, final long count)
    {
        assertTrue(buckets.size() > 2, histogram + " buckets " + buckets);
        double previousBound = Double.NEGATIVE_INFINITY;
        double previousCount = 0;
        for (final MetricsExposition.Sample bucket : buckets)
        {
            final double bound = MetricsExposition.parseValue(bucket.labels().get("le"));
            assertTrue(bound > previousBound, histogram + " bounds ascend: " + buckets);
            assertTrue(bucket.value() >= previousCount, histogram + " counts are cumulative: " + buckets);
            previousBound = bound;
            previousCount = bucket.value();
        }
        final MetricsExposition.Sample last = buckets.get(buckets.size() - 1);
        assertEquals("+Inf", last.labels().get("le"), histogram);
        assertEquals(count, last.value(), histogram + " +Inf bucket holds every observation");
    }

    /**
     * The commit latency histogram holds what the node's HdrHistogram (ns) held at the scrape, in seconds.
     */
    private static void assertCommitLatencyFrom(
        final Histogram latencyNs, final MetricsExposition exposition, final String member)
    {
        assertEquals(latencyNs.getTotalCount(), (long)exposition.value(COMMIT_LATENCY + "_count", "member", member));
        for (final MetricsExposition.Sample bucket : exposition.samples(COMMIT_LATENCY + "_bucket"))
        {
            final double bound = MetricsExposition.parseValue(bucket.labels().get("le"));
            if (Double.POSITIVE_INFINITY != bound)
            {
                // HdrHistogram holds a value to within 1 %: a bucket counts the values up to its bound, give or take
                // those within 2 % below it.
                final long boundNs = Math.round(bound * 1e9);
                final long atLeast = latencyNs.getCountBetweenValues(0, boundNs * 98 / 100);
                final long atMost = latencyNs.getCountBetweenValues(0, boundNs);
                assertTrue(atLeast <= bucket.value() && bucket.value() <= atMost,
                    "bucket le=" + bound + " " + bucket.value() + " not in [" + atLeast + ", " + atMost + "]");
            }
        }
        final double sumSeconds = latencyNs.getMean() * latencyNs.getTotalCount() / 1e9;
        assertEquals(sumSeconds, exposition.value(COMMIT_LATENCY + "_sum", "member", member), sumSeconds * 1e-9);
    }

    private static void assertPromtoolFindsNothing(final String what, final String text)
    {
        final Promtool.Result result = Promtool.checkMetrics(text.getBytes(StandardCharsets.UTF_8));
        assertEquals(0, result.exitCode(),
            () -> "promtool check metrics, " + what + ": " + result.output() + "\n" + text);
        assertEquals("", result.output().strip(), () -> "promtool findings, " + what + ":\n" + text);
    }

    private static String scrape(final PrometheusMetrics metrics)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try
        {
            metrics.write(out);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
