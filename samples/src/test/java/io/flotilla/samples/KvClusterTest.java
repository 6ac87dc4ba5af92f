package io.flotilla.samples;

import io.flotilla.engine.Authenticator;
import io.flotilla.engine.ClusterKeys;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.Durability;
import io.flotilla.engine.QueryStatus;
import io.flotilla.engine.ReadConsistency;
import io.flotilla.engine.SharedSecretAuthenticator;
import io.flotilla.engine.SharedSecretCredentials;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.client.FlotillaClientException;
import io.flotilla.engine.client.Outcome;
import io.flotilla.engine.Role;
import io.flotilla.samples.codecs.KvStatus;
import io.flotilla.samples.verify.FeedChecker;
import io.flotilla.samples.verify.FeedSubscription;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client library and the KV state machine against a real three-node cluster in this JVM (Aeron UDP on
 * loopback): commands, the named rejection, a leader closed under pipelined load with every request answered once,
 * replicas converging to the same digest, and the change feed across a leader change.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KvClusterTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    File baseDir;

    private final ClusterNode[] nodes = new ClusterNode[3];
    private final KvStateMachine[] machines = new KvStateMachine[3];
    private final KvCommands commands = new KvCommands();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private String members;
    private FlotillaClient client;

    @AfterEach
    void after()
    {
        CloseHelper.close(client);
        CloseHelper.closeAll(nodes);
    }

    private void startCluster() throws Exception
    {
        startCluster(Authenticator.ALLOW_ALL, new FlotillaClient.Context());
    }

    private void startCluster(final Authenticator authenticator, final FlotillaClient.Context clientContext)
        throws Exception
    {
        final StringBuilder spec = new StringBuilder();
        final DatagramSocket[] sockets = new DatagramSocket[6];
        try
        {
            for (int i = 0; i < sockets.length; i++)
            {
                sockets[i] = new DatagramSocket(0);
            }
            for (int i = 0; i < 3; i++)
            {
                spec.append(i == 0 ? "" : ",").append(i).append("=localhost:").append(sockets[2 * i].getLocalPort())
                    .append(':').append(sockets[2 * i + 1].getLocalPort());
            }
        }
        finally
        {
            CloseHelper.closeAll(sockets);
        }
        members = spec.toString();

        final ClusterKeys keys = ClusterKeys.generate();
        for (int i = 0; i < 3; i++)
        {
            machines[i] = new KvStateMachine();
            nodes[i] = ClusterNode.launch(new ClusterNode.Context()
                .memberId(i)
                .clusterKeys(keys)
                .members(members)
                .dataDirectory(new File(baseDir, "node-" + i))
                .durability(Durability.ASYNC)
                .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300), TimeUnit.MILLISECONDS.toNanos(600))
                .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
                .authenticator(authenticator)
                .stateMachine(machines[i]));
        }
        client = FlotillaClient.connect(clientContext
            .ingressEndpoints(members)
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20))
            .responseTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)));
    }

    private static void await(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.yield();
        }
    }

    private KvStatus call(final int length)
    {
        final DirectBuffer result = client.call(buffer, 0, length, TIMEOUT_NS);
        return commands.status(result, 0, result.capacity());
    }

    /**
     * @return the member that leads (the client's acknowledged call means one does).
     */
    private ClusterNode leader()
    {
        final ClusterNode[] found = new ClusterNode[1];
        await("a leader", () ->
        {
            for (final ClusterNode node : nodes)
            {
                if (Role.LEADER == node.role())
                {
                    found[0] = node;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private void awaitReplicasEqual(final int... members)
    {
        await("replicas at the same applied index", () ->
        {
            final long index = machines[members[0]].summary().appliedIndex();
            for (final int member : members)
            {
                if (machines[member].summary().appliedIndex() != index)
                {
                    return false;
                }
            }
            return true;
        });
        for (final int member : members)
        {
            assertEquals(machines[members[0]].summary(), machines[member].summary(), "replica " + member);
        }
    }

    @Test
    void commandsThroughTheClientReachEveryReplica() throws Exception
    {
        startCluster();
        assertEquals(KvStatus.OK, call(commands.put(buffer, 0, "k", "v1".getBytes(StandardCharsets.UTF_8), 0)));
        assertEquals(KvStatus.OK, call(commands.get(buffer, 0, "k")));
        assertEquals(KvStatus.NOT_FOUND, call(commands.get(buffer, 0, "missing")));

        final FlotillaClientException ex = assertThrows(FlotillaClientException.class,
            () -> call(commands.cas(buffer, 0, "k", "v0".getBytes(StandardCharsets.UTF_8), new byte[1], 0)));
        assertEquals(FlotillaClientException.Reason.REJECTED, ex.reason());
        final byte[] payload = ex.payload();
        assertArrayEquals("v1".getBytes(StandardCharsets.UTF_8),
            commands.value(new UnsafeBuffer(payload), 0, payload.length), "a failed CAS carries the current value");

        assertEquals(KvStatus.OK, call(commands.delete(buffer, 0, "k")));
        assertEquals(KvStatus.OK, call(commands.put(buffer, 0, "z", new byte[] {1}, 0)));
        awaitReplicasEqual(0, 1, 2);
        assertEquals(1, machines[0].size());
        assertEquals(machines[0].computeDigest(), machines[0].digest());
    }

    /**
     * GET as a query, in process on every member, ReadIndex and lease, straight after each acknowledged PUT: the new
     * value, without a log entry (the leader's commit index does not move while only queries run).
     */
    @Test
    void aGetQueryOnEveryMemberSeesTheLatestAcknowledgedPutWithoutALogEntry() throws Exception
    {
        startCluster();
        final ExpandableArrayBuffer get = new ExpandableArrayBuffer(64);
        final int getLength = commands.get(get, 0, "k");
        for (int i = 1; i <= 5; i++)
        {
            final String value = "v" + i;
            assertEquals(KvStatus.OK, call(commands.put(buffer, 0, "k", value.getBytes(StandardCharsets.UTF_8), 0)));
            final ClusterNode leader = leader();
            final long committed = leader.commitIndex();
            for (final ClusterNode node : nodes)
            {
                for (final ReadConsistency consistency : ReadConsistency.values())
                {
                    final CompletableFuture<String> answer = new CompletableFuture<>();
                    node.query(consistency, get, 0, getLength, (result) -> answer.complete(QueryStatus.OK ==
                        result.status() && KvStatus.OK == commands.status(result.buffer(), result.offset(),
                        result.length()) ? new String(commands.value(result.buffer(), result.offset(), result.length()),
                        StandardCharsets.UTF_8) : result.toString()));
                    assertEquals(value, answer.get(30, TimeUnit.SECONDS), "member " + node.memberId() + " " + consistency);
                }
            }
            assertEquals(committed, leader.commitIndex(), "no log entry for the queries");
        }
        awaitReplicasEqual(0, 1, 2);
        assertEquals(0, machines[0].badCommands());
    }

    @Test
    void theCliSendsSharedSecretCredentialsAndIsRefusedWithoutThem() throws Exception
    {
        final byte[] secret = SharedSecretCredentials.parseHex("8899aabbccddeeff0011223344556677");
        final Path secretFile = baseDir.toPath().resolve("kv.secret");
        Files.writeString(secretFile, "# the kv principal's secret\n8899aabbccddeeff0011223344556677\n");
        startCluster(new SharedSecretAuthenticator(Map.of("kv", secret), TimeUnit.SECONDS.toNanos(30)),
            new FlotillaClient.Context().principal("kv").secret(secret));

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, KvClient.run(new String[]{ "--endpoints", members, "--principal", "kv", "--secret-file",
            secretFile.toString(), "put", "k", "v" }, new PrintStream(out)), out::toString);
        assertEquals(KvStatus.OK, call(commands.get(buffer, 0, "k")));
        assertEquals(1, KvClient.run(new String[]{ "--endpoints", members, "get", "k" }, new PrintStream(out)),
            "without credentials the session is refused");
    }

    @Test
    void theCliReadsThroughTheLogOnRequestAndRefusesAnUnknownGetMode() throws Exception
    {
        startCluster();
        assertEquals(KvStatus.OK, call(commands.put(buffer, 0, "k", "v1".getBytes(StandardCharsets.UTF_8), 0)));

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, KvClient.run(new String[]{ "--endpoints", members, "get", "--get-mode", "log", "k" },
            new PrintStream(out)), out::toString);
        assertEquals("OK v1", out.toString(StandardCharsets.UTF_8).trim());
        assertEquals(2, KvClient.run(new String[]{ "--endpoints", members, "get", "--get-mode", "stale", "k" },
            new PrintStream(out)), "an unknown get mode is a usage error");
    }

    @Test
    void theCliLoadsAtARateWithUnitsThenReadsEveryAcknowledgedWriteBack() throws Exception
    {
        startCluster();
        final Path acks = baseDir.toPath().resolve("acks.txt");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, KvClient.run(new String[]{ "--endpoints", members, "load", "--rate", "200/s", "--duration",
            "1s", "--warmup", "500ms", "--value-size", "64", "--acks", acks.toString() }, new PrintStream(out)),
            out::toString);
        assertEquals(300, Files.readAllLines(acks).size(), "200/s for 1.5 s, every write acknowledged: " + out);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("load: acked=200 failed={}"), out::toString);

        out.reset();
        assertEquals(0, KvClient.run(new String[]{ "--endpoints", members, "verify", "--get-mode", "lease",
            acks.toString() }, new PrintStream(out)), out::toString);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("300 hold their acknowledged value, 0 do not"),
            out::toString);
    }

    @Test
    void coLocatedClientReachesTheLeaderOverIpc() throws Exception
    {
        startCluster();
        final ClusterNode leader = nodes[client.leaderMemberId()];
        try (FlotillaClient ipcClient = FlotillaClient.connect(new FlotillaClient.Context()
            .ingressEndpoints("aeron:ipc")
            .responseChannel("aeron:ipc")
            .aeronDirectoryName(leader.aeronDirectoryName())
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20))))
        {
            final int length = commands.put(buffer, 0, "ipc", new byte[] {7}, 0);
            final DirectBuffer result = ipcClient.call(buffer, 0, length, TIMEOUT_NS);
            assertEquals(KvStatus.OK, commands.status(result, 0, result.capacity()));
        }
        assertEquals(KvStatus.OK, call(commands.get(buffer, 0, "ipc")), "visible to the UDP client too");
    }

    @Test
    void leaderClosedUnderLoadEveryRequestAnsweredOnceReplicasAgree() throws Exception
    {
        startCluster();
        final int total = 3000;
        final boolean[] answered = new boolean[total + 1];
        final int[] ok = new int[1];
        final int[] sent = new int[1];
        final int leader = client.leaderMemberId();
        assertNotEquals(-1, leader);

        final long deadlineNs = System.nanoTime() + TIMEOUT_NS * 2;
        boolean leaderClosed = false;
        while (ok[0] < total)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "load did not finish; answered " + ok[0]);
            if (sent[0] < total)
            {
                final int length = commands.put(buffer, 0, "key-" + sent[0],
                    ("value-" + sent[0]).getBytes(StandardCharsets.UTF_8), 0);
                final long sequence = client.offer(buffer, 0, length);
                if (sequence > 0)
                {
                    sent[0]++;
                }
                else
                {
                    assertEquals(FlotillaClient.BACK_PRESSURED, sequence);
                }
            }
            client.poll((sequence, outcome, logIndex, result, offset, length) ->
            {
                assertEquals(Outcome.OK, outcome, "sequence " + sequence);
                assertEquals(KvStatus.OK, commands.status(result, offset, length));
                assertTrue(!answered[(int)sequence], "sequence " + sequence + " answered twice");
                answered[(int)sequence] = true;
                ok[0]++;
            });
            if (!leaderClosed && ok[0] >= total / 3)
            {
                nodes[leader].close();
                nodes[leader] = null;
                leaderClosed = true;
            }
        }

        final int[] survivors = leader == 0 ? new int[] {1, 2} : leader == 1 ? new int[] {0, 2} : new int[] {0, 1};
        await("a new leader", () -> Role.LEADER == nodes[survivors[0]].role() || Role.LEADER == nodes[survivors[1]].role());
        assertTrue(client.resendPasses() >= 1, "the client moved to the new leader");
        awaitReplicasEqual(survivors);
        assertEquals(total, machines[survivors[0]].size(), "every write applied, none lost");
        assertEquals(total, machines[survivors[0]].appliedCommands(), "no request applied twice");
    }

    @Test
    void theChangeFeedDeliversEveryAcknowledgedWriteOnceInOrderAcrossALeaderClose() throws Exception
    {
        startCluster();
        final Map<String, Long> acknowledged = new HashMap<>();
        try (KvFeedClient feed = new KvFeedClient(() -> new FlotillaClient.Context()
            .ingressEndpoints(members)
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20))
            .responseTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)), (subscription, change) -> {}))
        {
            await("the feed subscribed", () ->
            {
                feed.doWork();
                return !feed.subscriptions().isEmpty();
            });
            final int leader = client.leaderMemberId();
            for (int i = 0; i < 600; i++)
            {
                if (300 == i)
                {
                    nodes[leader].close();
                    nodes[leader] = null;
                }
                final String key = "feed-" + (i % 7);
                final String value = "v" + i;
                final long invokedNs = System.nanoTime();
                assertEquals(KvStatus.OK, call(commands.put(buffer, 0, key, value.getBytes(StandardCharsets.UTF_8), 0)));
                acknowledged.put(FeedChecker.write(key, value), invokedNs);
                feed.doWork();
            }
            assertEquals(KvStatus.OK, call(commands.delete(buffer, 0, "feed-0")));
            final FeedSubscription fenced = feed.fence("feed-fence", System.nanoTime() + TIMEOUT_NS);
            assertNotNull(fenced, "the fence write arrived: " + feed.lastFailure());

            final FeedChecker.Result result = FeedChecker.check(feed.subscriptions(), acknowledged, write ->
                acknowledged.containsKey(write) || feed.fenceWrites().contains(write), write -> false);
            assertEquals(List.of(), result.anomalies());
            assertEquals(1, result.subscriptions(), "one session, one subscription, across the leader change");
            final List<KvChange> changes = fenced.changes();
            assertEquals(602, changes.size(), "every write, the delete and the fence");
            assertEquals("DELETE feed-0", changes.get(600).kind() + " " + changes.get(600).key());
        }
    }

    /**
     * A closing leader tells its bound clients to go to the new leader (NOT_LEADER, sequence 0). A client with nothing
     * outstanding (one that only reads session messages, as a feed subscriber does) must not start its leader-lost
     * deadline then: it would fail its next request, a connect timeout later, at once with NO_LEADER (it did, in
     * scripts/demo.sh, before the fix).
     */
    @Test
    void aRequestLongAfterAnIdleClientWasRedirectedByAClosingLeaderIsAnswered() throws Exception
    {
        startCluster();
        assertEquals(KvStatus.OK, call(commands.put(buffer, 0, "before", "1".getBytes(StandardCharsets.UTF_8), 0)));
        try (FlotillaClient idle = FlotillaClient.connect(new FlotillaClient.Context()
            .ingressEndpoints(members)
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(1))
            .responseTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))))
        {
            idle.call(buffer, 0, commands.get(buffer, 0, "before"), TIMEOUT_NS);
            final int leader = idle.leaderMemberId();
            nodes[leader].close();
            nodes[leader] = null;
            await("the idle client follows the redirect to the new leader", () ->
            {
                idle.poll();
                return idle.leaderMemberId() != leader && idle.leaderMemberId() >= 0;
            });
            final long idleUntilNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(2); // beyond its connect timeout
            while (System.nanoTime() - idleUntilNs < 0)
            {
                idle.poll();
                Thread.yield();
            }
            final DirectBuffer result = idle.call(buffer, 0, commands.get(buffer, 0, "before"), TIMEOUT_NS);
            assertEquals(KvStatus.OK, commands.status(result, 0, result.capacity()));
        }
    }
}
