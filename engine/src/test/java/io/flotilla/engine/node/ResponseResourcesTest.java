package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.flotilla.codecs.Protocol;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.TestCluster;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A flood of connects naming thousands of response channels, some asking for 3 x 64 MiB of pre-allocated term
 * buffer each, cannot make the node open more reply publications than its cap or fill its Aeron directory; once
 * the flood's sessions expire, an honest client connects again.
 */
class ResponseResourcesTest
{
    private static final int MAX_SESSIONS = 16;
    private static final int CONNECTS = 3_000;
    private static final int HOSTILE_STREAM_ID = 7341;
    private static final int FIRST_HOSTILE_PORT = 41_000;
    private static final byte[] GOOD = "good".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BAD = "bad".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    File tempDir;

    @Test
    @Timeout(180)
    void aConnectFloodStaysWithinThePublicationCapAndTheAeronDirectory() throws IOException, InterruptedException
    {
        try (TestCluster cluster = new TestCluster(tempDir, 1))
        {
            final ClusterNode node = cluster.start(0, cluster.context(0)
                .maxSessions(MAX_SESSIONS)
                .sessionTimeoutNs(TimeUnit.SECONDS.toNanos(2))
                .authenticator((connect) -> connect.credentialsLength() == GOOD.length ? "" : null));
            cluster.awaitLeader();
            final int cap = node.context().responseMaxPublications();
            assertEquals(MAX_SESSIONS + ClusterNode.Context.RESPONSE_PUBLICATIONS_HEADROOM, cap);
            final File aeronDir = new File(node.aeronDirectoryName());

            try (Aeron observer = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir.getPath()));
                RawIngressClient client = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
            {
                final CountersReader counters = observer.countersReader();
                final long diskBeforeKb = diskUsageKb(aeronDir);
                final int filesBefore = publicationFiles(aeronDir);

                long mostPublications = 0;
                for (int i = 0; i < CONNECTS; i++)
                {
                    final String channel = "aeron:udp?endpoint=localhost:" + (FIRST_HOSTILE_PORT + i) +
                        (0 == (CONNECTS - 1 - i) % 3 ? "|term-length=64m|sparse=false" : "");
                    client.connect(0, i, Protocol.VERSION, 0 == i % 10 ? GOOD : BAD, channel, HOSTILE_STREAM_ID);
                    if (0 == i % 50)
                    {
                        mostPublications = Math.max(mostPublications,
                            counter(counters, NodeCounters.RESPONSE_PUBLICATIONS_TYPE_ID));
                    }
                }
                // Every third connect names a refused channel; the last connect is one of them.
                cluster.await("every connect handled", () ->
                    counter(counters, NodeCounters.RESPONSE_CHANNELS_REFUSED_TYPE_ID) >= CONNECTS / 3);
                mostPublications = Math.max(mostPublications,
                    counter(counters, NodeCounters.RESPONSE_PUBLICATIONS_TYPE_ID));

                assertTrue(mostPublications <= cap, mostPublications + " publications, cap " + cap);
                final int filesAfter = publicationFiles(aeronDir);
                assertTrue(filesAfter - filesBefore <= cap, (filesAfter - filesBefore) + " new publication files");
                final long diskGrowthKb = diskUsageKb(aeronDir) - diskBeforeKb;
                // Before the policy, one connect asking for term-length=64m|sparse=false took 192 MiB.
                assertTrue(diskGrowthKb < 32 * 1024, "the Aeron directory grew by " + diskGrowthKb + " KiB");
                assertEquals(CONNECTS / 3, counter(counters, NodeCounters.RESPONSE_CHANNELS_REFUSED_TYPE_ID));
                assertTrue(counter(counters, NodeCounters.RESPONSE_CHANNELS_UNAVAILABLE_TYPE_ID) > CONNECTS / 2,
                    "most rejects find no publication to go on");

                // The flood's sessions expire; an honest client gets a session again (a reject's budget refills).
                final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TestCluster.TIMEOUT_MS);
                long correlationId = CONNECTS;
                while (true)
                {
                    client.connect(0, ++correlationId, Protocol.VERSION, GOOD);
                    final Object reply = client.awaitAny(TimeUnit.SECONDS.toNanos(1));
                    if (reply instanceof RawIngressClient.Ack)
                    {
                        break;
                    }
                    assertTrue(System.nanoTime() - deadlineNs < 0, "no session after the flood, last: " + reply);
                }
            }
        }
    }

    private static long counter(final CountersReader counters, final int typeId)
    {
        final long[] value = { -1 };
        counters.forEach((counterId, type, keyBuffer, label) ->
        {
            if (type == typeId)
            {
                value[0] = counters.getCounterValue(counterId);
            }
        });
        return value[0];
    }

    private static int publicationFiles(final File aeronDir)
    {
        final String[] names = new File(aeronDir, "publications").list();
        return null == names ? 0 : (int)Arrays.stream(names).filter((name) -> name.endsWith(".logbuffer")).count();
    }

    /**
     * @return the disk (here /dev/shm memory) the directory really takes, sparse files counted by their blocks.
     */
    private static long diskUsageKb(final File dir) throws IOException, InterruptedException
    {
        final Process du = new ProcessBuilder("du", "-sk", dir.getPath()).redirectErrorStream(true).start();
        final String output = new String(du.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, du.waitFor(), output);
        return Long.parseLong(output.trim().split("\\s+")[0]);
    }
}
