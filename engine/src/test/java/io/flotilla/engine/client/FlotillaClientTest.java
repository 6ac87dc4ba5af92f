package io.flotilla.engine.client;

import io.aeron.Aeron;
import io.flotilla.codecs.ReadMode;
import io.flotilla.engine.ReadConsistency;
import io.flotilla.engine.TestPorts;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's state logic (leader search, redirects, resends with the same sequence, the window, named failures,
 * queries and their retries) against {@link FakeCluster} on a real embedded media driver.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlotillaClientTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Response> responses = new ArrayList<>();
    private final ResponseListener collector = (sequence, outcome, logIndex, buffer, offset, length) ->
        responses.add(new Response(sequence, outcome, buffer.getStringWithoutLengthAscii(offset, length)));

    private final List<QueryResult> queryResults = new ArrayList<>();
    private final QueryListener queryCollector = (queryId, outcome, readIndex, buffer, offset, length) ->
        queryResults.add(new QueryResult(queryId, outcome, readIndex, buffer.getStringWithoutLengthAscii(offset, length)));

    record Response(long sequence, Outcome outcome, String payload)
    {
    }

    record QueryResult(long queryId, Outcome outcome, long readIndex, String payload)
    {
    }

    @AfterEach
    void after() throws Exception
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            closeables.get(i).close();
        }
    }

    private FakeCluster cluster(final int leaderId)
    {
        final FakeCluster cluster = new FakeCluster(TestPorts.allocate(3), leaderId);
        closeables.add(cluster);
        return cluster;
    }

    private FlotillaClient.Context context(final FakeCluster cluster)
    {
        return new FlotillaClient.Context()
            .ingressEndpoints(cluster.membersSpec())
            .aeronDirectoryName(cluster.aeronDirectoryName())
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .responseTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300))
            .retryDelayNs(TimeUnit.MILLISECONDS.toNanos(10));
    }

    private FlotillaClient connect(final FlotillaClient.Context ctx)
    {
        final FlotillaClient client = FlotillaClient.connect(ctx);
        closeables.add(client);
        return client;
    }

    private static DirectBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(final DirectBuffer buffer)
    {
        return buffer.getStringWithoutLengthAscii(0, buffer.capacity());
    }

    private void pollUntil(final FlotillaClient client, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("condition not met in time; responses so far: " + responses +
                "; query results so far: " + queryResults);
            }
            if (0 == client.poll(collector, queryCollector))
            {
                Thread.yield();
            }
        }
    }

    private long offer(final FlotillaClient client, final String text)
    {
        final DirectBuffer buffer = ascii(text);
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        long sequence;
        while ((sequence = client.offer(buffer, 0, buffer.capacity())) == FlotillaClient.BACK_PRESSURED)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "window never opened");
            client.poll(collector);
        }
        return sequence;
    }

    private long offerQuery(final FlotillaClient client, final ReadConsistency consistency, final String text)
    {
        final DirectBuffer buffer = ascii(text);
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        long queryId;
        while ((queryId = client.offerQuery(consistency, buffer, 0, buffer.capacity())) == FlotillaClient.BACK_PRESSURED)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "query window never opened");
            client.poll(collector, queryCollector);
        }
        return queryId;
    }

    /**
     * Every sequence 1..count answered exactly once with its own payload and applied exactly once. Outcomes arrive
     * as answers do: after a lost answer is recovered by a resend, later sequences may have been delivered first.
     */
    private void assertAnsweredOnce(final FakeCluster cluster, final int count)
    {
        assertEquals(count, responses.size(), responses::toString);
        final List<Response> sorted = new ArrayList<>(responses);
        sorted.sort(Comparator.comparingLong(Response::sequence));
        for (int i = 0; i < count; i++)
        {
            final Response response = sorted.get(i);
            assertEquals(i + 1, response.sequence());
            assertEquals(Outcome.OK, response.outcome());
            assertEquals("cmd-" + (i + 1), response.payload());
            assertEquals(1, cluster.applied(i + 1), "sequence " + (i + 1) + " applied once");
        }
    }

    @Test
    void connectFollowsNotLeaderHintToTheLeader()
    {
        final FakeCluster cluster = cluster(2);
        final FlotillaClient client = connect(context(cluster));

        assertEquals(2, client.leaderMemberId());
        assertTrue(client.redirects() >= 1);
        assertTrue(client.sessionId() > 0);
        assertEquals("cmd-1", text(client.call(ascii("cmd-1"), 0, 5, TIMEOUT_NS)));
    }

    @Test
    void connectWithoutHintsTriesEveryMember()
    {
        final FakeCluster cluster = cluster(1);
        cluster.hints = false;
        final FlotillaClient client = connect(context(cluster));

        assertEquals(1, client.leaderMemberId());
    }

    @Test
    void connectFailsWithNoLeaderWhenNoneIsElected()
    {
        final FakeCluster cluster = cluster(-1);
        final FlotillaClient.Context ctx = context(cluster).connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(800));

        final FlotillaClientException ex = assertThrows(FlotillaClientException.class, () -> connect(ctx));
        assertEquals(FlotillaClientException.Reason.NO_LEADER, ex.reason());
    }

    @Test
    void connectFailsWithNoLeaderWhenNothingListens()
    {
        final int port = TestPorts.allocate(1)[0];
        final FakeCluster cluster = cluster(0);
        final FlotillaClient.Context ctx = context(cluster)
            .ingressEndpoints("localhost:" + port)
            .connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(600));

        final FlotillaClientException ex = assertThrows(FlotillaClientException.class, () -> connect(ctx));
        assertEquals(FlotillaClientException.Reason.NO_LEADER, ex.reason());
    }

    @Test
    void callNamesRejection()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));

        final FlotillaClientException ex = assertThrows(
            FlotillaClientException.class, () -> client.call(ascii("reject-me"), 0, 9, TIMEOUT_NS));
        assertEquals(FlotillaClientException.Reason.REJECTED, ex.reason());
        assertEquals("reject-me", new String(ex.payload(), StandardCharsets.US_ASCII));
        assertEquals("cmd-2", text(client.call(ascii("cmd-2"), 0, 5, TIMEOUT_NS)));
    }

    @Test
    void callNamesARequestTooOldToBeAnswered()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        cluster.requestTooOld.set(1);

        final FlotillaClientException ex = assertThrows(
            FlotillaClientException.class, () -> client.call(ascii("cmd-1"), 0, 5, TIMEOUT_NS));
        assertEquals(FlotillaClientException.Reason.ERROR, ex.reason());
        assertEquals(0, ex.payload().length);
        assertEquals("cmd-2", text(client.call(ascii("cmd-2"), 0, 5, TIMEOUT_NS)));
    }

    @Test
    void windowHoldsSixtyFourThenBackPressures()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));

        for (int i = 1; i <= FlotillaClient.MAX_OUTSTANDING; i++)
        {
            final DirectBuffer buffer = ascii("cmd-" + i);
            assertEquals(i, client.offer(buffer, 0, buffer.capacity()));
        }
        final DirectBuffer extra = ascii("cmd-65");
        assertEquals(FlotillaClient.BACK_PRESSURED, client.offer(extra, 0, extra.capacity()));

        pollUntil(client, () -> responses.size() == FlotillaClient.MAX_OUTSTANDING);
        assertEquals(0, client.outstanding());
        assertEquals(65, client.offer(extra, 0, extra.capacity()));
        pollUntil(client, () -> responses.size() == 65);
        assertAnsweredOnce(cluster, 65);
        for (int i = 0; i < 65; i++)
        {
            assertEquals(i + 1, responses.get(i).sequence(), "without failures outcomes arrive in order");
        }
    }

    @Test
    void leaderStepsDownAndClientResendsToNewLeaderWithSameSequences()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        for (int i = 1; i <= 5; i++)
        {
            offer(client, "cmd-" + i);
        }
        pollUntil(client, () -> responses.size() == 5);

        cluster.leaderId = 1; // member 0 now answers NOT_LEADER with a hint to 1
        for (int i = 6; i <= 30; i++)
        {
            offer(client, "cmd-" + i);
        }
        pollUntil(client, () -> responses.size() == 30);

        assertAnsweredOnce(cluster, 30);
        assertEquals(1, client.leaderMemberId());
        assertEquals(1, cluster.sessionsOpened.get());
        assertEquals(1, client.redirects(), "later NOT_LEADER answers naming the same leader are not acted on");
        assertEquals(1, client.resendPasses());
        assertEquals(1, cluster.attaches.get(), "attached once to the new leader before resending");
    }

    @Test
    void requestsFollowTheAttachToANewLeaderWithoutWaitingForItsAck()
    {
        final FakeCluster cluster = cluster(0);
        cluster.bindings = true;
        final FlotillaClient client = connect(context(cluster));
        for (int i = 1; i <= 5; i++)
        {
            offer(client, "cmd-" + i);
        }
        pollUntil(client, () -> responses.size() == 5);

        cluster.attachAcksToWithhold.set(Integer.MAX_VALUE); // the new leader binds, its acks never arrive
        cluster.leaderId = 1;
        for (int i = 6; i <= 30; i++)
        {
            offer(client, "cmd-" + i);
        }
        pollUntil(client, () -> responses.size() == 30);

        assertAnsweredOnce(cluster, 30);
        assertEquals(0, cluster.unboundRequests.get(), "every request reached a member after the attach there");
        assertEquals(1, client.redirects());
    }

    @Test
    void requestsDroppedWithARefusedAttachAreSentAgainBehindTheNextAttempt()
    {
        final FakeCluster cluster = cluster(0);
        cluster.bindings = true;
        final FlotillaClient client = connect(context(cluster));
        offer(client, "cmd-1");
        pollUntil(client, () -> responses.size() == 1);

        cluster.attachesToDrop.set(1);
        cluster.leaderId = 1;
        for (int i = 2; i <= 20; i++)
        {
            offer(client, "cmd-" + i);
        }
        pollUntil(client, () -> responses.size() == 20);

        assertAnsweredOnce(cluster, 20);
        assertTrue(cluster.unboundRequests.get() > 0, "the requests behind the refused attach were dropped");
        assertEquals(1, cluster.attaches.get());
        assertEquals(1, client.resendPasses(), "resent behind the second attach, not after a response timeout");
    }

    @Test
    void anAttachAcknowledgedAfterTheClientMovedOnCountsForTheMemberThatBoundIt()
    {
        final FakeCluster cluster = cluster(0);
        cluster.bindings = true;
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final Aeron aeron = Aeron.connect(
            new Aeron.Context().aeronDirectoryName(cluster.aeronDirectoryName()).errorHandler(errors::add));
        closeables.add(aeron);
        // A retry delay long enough that the late ack arrives while the client waits to try the next member.
        final FlotillaClient client = connect(context(cluster).aeron(aeron)
            .responseTimeoutNs(TimeUnit.SECONDS.toNanos(5)).retryDelayNs(TimeUnit.SECONDS.toNanos(2)));
        offer(client, "cmd-1");
        pollUntil(client, () -> responses.size() == 1);

        cluster.attachAcksToHold.set(1);
        cluster.leaderId = 1;
        offer(client, "cmd-2");
        pollUntil(client, () -> responses.size() == 2); // attached at 1, its ack held
        cluster.leaderId = -1; // an election: member 1 answers NOT_LEADER without a hint
        offer(client, "cmd-3");
        pollUntil(client, () -> 2 == client.redirects()); // holding before it tries member 2
        cluster.releaseHeldAttachAcks = true;
        pollUntil(client, () -> !cluster.releaseHeldAttachAcks);
        cluster.leaderId = 2;
        pollUntil(client, () -> responses.size() == 3);

        assertAnsweredOnce(cluster, 3);
        assertEquals(2, cluster.attaches.get(), "attached at 1, then at 2");
        assertEquals(List.of(), errors, "the late ack was taken, not failed on");
        assertEquals(0, client.droppedMessages());
    }

    @Test
    void aMemberMovedBackToIsAttachedAgainSinceItMayHaveRestarted()
    {
        final FakeCluster cluster = cluster(0);
        cluster.bindings = true;
        final FlotillaClient client = connect(context(cluster));
        offer(client, "cmd-1");
        pollUntil(client, () -> responses.size() == 1);

        cluster.leaderId = 1;
        offer(client, "cmd-2");
        pollUntil(client, () -> responses.size() == 2);
        cluster.forgetBindings(0); // restarted in a rolling restart
        cluster.leaderId = 0;
        for (int i = 3; i <= 10; i++)
        {
            offer(client, "cmd-" + i);
        }
        pollUntil(client, () -> responses.size() == 10);

        assertAnsweredOnce(cluster, 10);
        assertEquals(2, cluster.attaches.get(), "attached at 1, then at 0 again");
        assertEquals(0, cluster.unboundRequests.get());
        assertEquals(2, client.resendPasses(), "two redirects, no response timeout");
    }

    @Test
    void staleHintsNamingASilentLeaderAreNotFollowedBack()
    {
        final FakeCluster cluster = cluster(0);
        // The member is suspect for one response timeout: long enough to span this test's 200 ms election.
        final FlotillaClient client = connect(context(cluster).responseTimeoutNs(TimeUnit.SECONDS.toNanos(1)));
        cluster.silentMemberId = 0; // crashed, but the followers have not noticed: they still name it
        for (int i = 1; i <= 10; i++)
        {
            offer(client, "cmd-" + i);
        }
        pollUntil(client, () -> cluster.notLeaderAnswers.get() >= 10);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        pollUntil(client, () -> System.nanoTime() - deadlineNs > 0);

        cluster.leaderId = 2; // the election completes
        pollUntil(client, () -> responses.size() == 10);
        assertAnsweredOnce(cluster, 10);
        assertEquals(10, cluster.receivedWhileSilent.get(), "nothing sent again to the silent member");
    }

    @Test
    void requestRefusedByABackPressuredLeaderIsSentAgain()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        cluster.requestToRefuse.set(3);
        for (int i = 1; i <= 10; i++)
        {
            offer(client, "cmd-" + i);
        }
        pollUntil(client, () -> responses.size() == 10);

        assertAnsweredOnce(cluster, 10);
        assertTrue(client.resendPasses() >= 1);
    }

    @Test
    void leaderCrashesAndClientFindsNewLeaderAfterResponseTimeout()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        offer(client, "cmd-1");
        pollUntil(client, () -> responses.size() == 1);

        cluster.silentMemberId = 0;
        cluster.leaderId = 2;
        for (int i = 2; i <= 40; i++)
        {
            offer(client, "cmd-" + i);
        }
        pollUntil(client, () -> responses.size() == 40);

        assertAnsweredOnce(cluster, 40);
        assertEquals(2, client.leaderMemberId());
        assertTrue(client.resendPasses() >= 1);
    }

    @Test
    void electionWithoutHintsIsRidOutByRetrying()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        cluster.silentMemberId = 0;
        cluster.leaderId = -1;
        for (int i = 1; i <= 10; i++)
        {
            offer(client, "cmd-" + i);
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
        pollUntil(client, () -> System.nanoTime() - deadlineNs > 0);
        assertEquals(0, responses.size());

        cluster.leaderId = 1;
        pollUntil(client, () -> responses.size() == 10);
        assertAnsweredOnce(cluster, 10);
    }

    @Test
    void lostResponseIsAnsweredFromTheSessionCacheAndAppliedOnce()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        cluster.responsesToLose.set(3);
        for (int i = 1; i <= 8; i++)
        {
            offer(client, "cmd-" + i);
        }
        pollUntil(client, () -> responses.size() == 8);

        assertAnsweredOnce(cluster, 8);
        assertTrue(client.resendPasses() >= 1);
    }

    @Test
    void sequenceGapMakesTheClientResendInOrder()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        cluster.requestToLose.set(2);
        for (int i = 1; i <= 6; i++)
        {
            offer(client, "cmd-" + i);
        }
        pollUntil(client, () -> responses.size() == 6);

        assertAnsweredOnce(cluster, 6);
        assertTrue(cluster.sequenceGaps.get() >= 1);
    }

    @Test
    void sessionMessagesAreDeliveredOnceInOrderAGapIsAskedForAgainAndTheyAreAcknowledged()
    {
        final FakeCluster cluster = cluster(0);
        final List<Long> delivered = new ArrayList<>();
        final FlotillaClient client = connect(context(cluster).sessionMessageListener(
            (sequence, logIndex, outcome, buffer, offset, length) ->
            {
                assertEquals(Outcome.OK, outcome);
                assertEquals(1000 + sequence, logIndex);
                assertEquals(sequence, buffer.getLong(offset));
                delivered.add(sequence);
            }));
        final long id = client.sessionId();
        for (final long sequence : new long[]{ 1, 2, 3, 5, 6 })
        {
            cluster.sessionMessagesToSend.add(new long[]{ id, sequence });
        }
        pollUntil(client, () -> hasAck(cluster, id, 3, true));
        assertEquals(List.of(1L, 2L, 3L), delivered, "nothing after the gap is delivered");
        assertEquals(1, client.sessionMessageGaps());

        // The resend: everything after 3, with a repeat of what was already delivered.
        for (final long sequence : new long[]{ 2, 4, 5, 6 })
        {
            cluster.sessionMessagesToSend.add(new long[]{ id, sequence });
        }
        pollUntil(client, () -> hasAck(cluster, id, 6, false));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), delivered);
        assertEquals(6, client.sessionMessagesReceived());
        assertTrue(client.duplicateSessionMessages() >= 1);

        // A repeat means the sender does not know what the client has: it acknowledges again.
        cluster.sessionMessageAcks.clear();
        cluster.sessionMessagesToSend.add(new long[]{ id, 5 });
        pollUntil(client, () -> hasAck(cluster, id, 6, false));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), delivered);
    }

    private static boolean hasAck(final FakeCluster cluster, final long sessionId, final long received, final boolean resend)
    {
        for (final long[] ack : cluster.sessionMessageAcks)
        {
            if (ack[0] == sessionId && ack[1] == received && (1 == ack[2]) == resend)
            {
                return true;
            }
        }
        return false;
    }

    @Test
    void expiredSessionIsNamedEverywhere()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        cluster.expireSessions = true;
        final long sequence = offer(client, "cmd-1");
        pollUntil(client, () -> responses.size() == 1);

        assertEquals(new Response(sequence, Outcome.SESSION_EXPIRED, ""), responses.get(0));
        final DirectBuffer buffer = ascii("cmd-2");
        assertEquals(FlotillaClient.SESSION_EXPIRED, client.offer(buffer, 0, buffer.capacity()));
        final FlotillaClientException ex = assertThrows(
            FlotillaClientException.class, () -> client.call(buffer, 0, buffer.capacity(), TIMEOUT_NS));
        assertEquals(FlotillaClientException.Reason.SESSION_EXPIRED, ex.reason());
    }

    @Test
    void leaderLostForLongerThanConnectTimeoutFailsOutstandingWithNoLeader()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster).connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(700)));
        cluster.silentMemberId = 0;
        cluster.leaderId = -1;
        offer(client, "cmd-1");
        offer(client, "cmd-2");
        pollUntil(client, () -> responses.size() == 2);

        assertEquals(Outcome.NO_LEADER, responses.get(0).outcome());
        assertEquals(Outcome.NO_LEADER, responses.get(1).outcome());
        final DirectBuffer buffer = ascii("cmd-3");
        assertEquals(FlotillaClient.NO_LEADER, client.offer(buffer, 0, buffer.capacity()));
    }

    @Test
    void callTimesOutWhileNobodyAnswers()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        cluster.silentMemberId = 0;
        cluster.leaderId = -1;

        final FlotillaClientException ex = assertThrows(FlotillaClientException.class,
            () -> client.call(ascii("cmd-1"), 0, 5, TimeUnit.MILLISECONDS.toNanos(200)));
        assertEquals(FlotillaClientException.Reason.TIMEOUT, ex.reason());
    }

    @Test
    void closedClientSaysSo()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        client.close();

        final DirectBuffer buffer = ascii("cmd-1");
        assertEquals(FlotillaClient.CLOSED, client.offer(buffer, 0, buffer.capacity()));
        final FlotillaClientException ex = assertThrows(
            FlotillaClientException.class, () -> client.call(buffer, 0, buffer.capacity(), TIMEOUT_NS));
        assertEquals(FlotillaClientException.Reason.CLOSED, ex.reason());
    }

    @Test
    void idleClientKeepsItsSessionAliveAtEveryMemberSoANewLeaderHearsIt()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster).keepAliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(20)));

        cluster.leaderId = 2; // a leader change the idle client cannot know about
        pollUntil(client, () -> cluster.keepAlivesByMember.get(2) >= 3 && cluster.keepAlivesByMember.get(0) >= 3 &&
            cluster.keepAlivesByMember.get(1) >= 3);
        assertEquals(0, responses.size());
    }

    @Test
    void embeddedDriverIsLaunchedAndRemoved()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = FlotillaClient.connect(context(cluster).aeronDirectoryName(null));
        try
        {
            assertEquals("cmd-1", text(client.call(ascii("cmd-1"), 0, 5, TIMEOUT_NS)));
        }
        finally
        {
            client.close();
        }
    }

    @Test
    void queriesAreAnsweredWithTheirOwnIdsByTheMemberCommandsGoTo()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        assertEquals("cmd-1", text(client.call(ascii("cmd-1"), 0, 5, TIMEOUT_NS)));

        assertEquals(1, offerQuery(client, ReadConsistency.LINEARIZABLE, "q-1"));
        assertEquals(2, offerQuery(client, ReadConsistency.LEASE, "q-2"));
        pollUntil(client, () -> queryResults.size() == 2);

        queryResults.sort(Comparator.comparingLong(QueryResult::queryId));
        assertEquals(new QueryResult(1, Outcome.OK, queryResults.get(0).readIndex(), "q-1"), queryResults.get(0));
        assertEquals(new QueryResult(2, Outcome.OK, queryResults.get(1).readIndex(), "q-2"), queryResults.get(1));
        assertTrue(queryResults.get(0).readIndex() > 0, "the read index comes with the answer");
        assertEquals(ReadMode.LEASE, cluster.lastQueryMode);
        assertEquals("q-3", text(client.query(ReadConsistency.LINEARIZABLE, ascii("q-3"), 0, 3, TIMEOUT_NS)));
        assertEquals(ReadMode.READ_INDEX, cluster.lastQueryMode);
        assertEquals(3, cluster.queriesByMember.get(0), "without follower preference queries go to the leader");
        assertEquals(0, client.outstandingQueries());
        assertEquals("cmd-2", text(client.call(ascii("cmd-2"), 0, 5, TIMEOUT_NS)));
        assertEquals(1, cluster.applied(2), "queries take no sequence: the next command is sequence 2");
    }

    @Test
    void followerPreferenceSpreadsQueriesOverTheFollowersWhileCommandsGoToTheLeader()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster).preferFollowerReads(true));
        for (int i = 1; i <= 20; i++)
        {
            offerQuery(client, ReadConsistency.LINEARIZABLE, "q-" + i);
        }
        pollUntil(client, () -> queryResults.size() == 20);
        assertEquals("cmd-1", text(client.call(ascii("cmd-1"), 0, 5, TIMEOUT_NS)));

        assertTrue(queryResults.stream().allMatch((result) -> Outcome.OK == result.outcome()), queryResults::toString);
        assertEquals(0, cluster.queriesByMember.get(0), "no query to the leader");
        assertEquals(10, cluster.queriesByMember.get(1), "the followers in turn");
        assertEquals(10, cluster.queriesByMember.get(2), "the followers in turn");
        assertEquals(0, cluster.requestsByMember.get(1) + cluster.requestsByMember.get(2), "commands to the leader");
        assertEquals(0, client.queryResends());
    }

    @Test
    void notLeaderAnswerWithAHintSendsTheQueryToTheHintedMember()
    {
        final FakeCluster cluster = cluster(0);
        cluster.followersRefuseReads = true;
        final FlotillaClient client = connect(context(cluster).preferFollowerReads(true));
        final long queryId = offerQuery(client, ReadConsistency.LINEARIZABLE, "q-1");
        pollUntil(client, () -> queryResults.size() == 1);

        assertEquals(new QueryResult(queryId, Outcome.OK, queryResults.get(0).readIndex(), "q-1"), queryResults.get(0));
        assertEquals(1, cluster.queriesByMember.get(1), "the follower asked first");
        assertEquals(1, cluster.queriesByMember.get(0), "then the leader it named");
        assertEquals(2, cluster.queryReceipts(queryId), "straight to the hinted member, nowhere else");
        assertEquals(1, client.queryResends());
    }

    @Test
    void unansweredQueryIsSentAgainWithTheSameIdToAnotherMemberAfterTheResponseTimeout()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        cluster.silentMemberId = 0; // the member the client talks to crashed; no command is outstanding to notice
        final long startNs = System.nanoTime();
        final long queryId = offerQuery(client, ReadConsistency.LINEARIZABLE, "q-1");
        pollUntil(client, () -> queryResults.size() == 1);

        assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(300), "after the response timeout");
        assertEquals(new QueryResult(queryId, Outcome.OK, queryResults.get(0).readIndex(), "q-1"), queryResults.get(0));
        assertEquals(1, cluster.queriesByMember.get(0));
        assertEquals(1, cluster.queriesByMember.get(1), "the next member, with the same query id");
        assertEquals(2, cluster.queryReceipts(queryId));
    }

    @Test
    void queryRefusedByABusyMemberIsSentAgainAfterTheRetryDelay()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        cluster.queryToRefuse.set(1);
        assertEquals(1, offerQuery(client, ReadConsistency.LEASE, "q-1"));
        pollUntil(client, () -> queryResults.size() == 1);

        assertEquals(Outcome.OK, queryResults.get(0).outcome());
        assertEquals(2, cluster.queryReceipts(1));
        assertEquals(2, cluster.queriesByMember.get(0), "asked the same member again");
        assertEquals(1, client.queryResends());
    }

    @Test
    void repeatedAnswersToAQueryAreIgnoredAndCounted()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        cluster.duplicateQueryAnswers = true;
        for (int i = 1; i <= 10; i++)
        {
            offerQuery(client, ReadConsistency.LINEARIZABLE, "q-" + i);
        }
        pollUntil(client, () -> client.duplicateQueryResponses() == 10);

        assertEquals(10, queryResults.size(), queryResults::toString);
        assertEquals(10, queryResults.stream().mapToLong(QueryResult::queryId).distinct().count());
        assertEquals(0, client.droppedMessages());
    }

    @Test
    void blockingQueryNamesRejectionAndTimesOut()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));

        final FlotillaClientException rejected = assertThrows(FlotillaClientException.class,
            () -> client.query(ReadConsistency.LINEARIZABLE, ascii("reject-q"), 0, 8, TIMEOUT_NS));
        assertEquals(FlotillaClientException.Reason.REJECTED, rejected.reason());
        assertArrayEquals("reject-q".getBytes(StandardCharsets.US_ASCII), rejected.payload());

        cluster.leaderId = -1; // an election: every member answers NOT_LEADER without a hint
        final FlotillaClientException timedOut = assertThrows(FlotillaClientException.class,
            () -> client.query(ReadConsistency.LINEARIZABLE, ascii("q-2"), 0, 3, TimeUnit.MILLISECONDS.toNanos(200)));
        assertEquals(FlotillaClientException.Reason.TIMEOUT, timedOut.reason());
        assertEquals(0, client.outstandingQueries(), "a query timed out is abandoned");

        cluster.leaderId = 0;
        assertEquals("q-3", text(client.query(ReadConsistency.LEASE, ascii("q-3"), 0, 3, TIMEOUT_NS)));
    }

    @Test
    void queryOutcomeReceivedByACommandOnlyPollIsKeptForTheNextQueryPoll()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster));
        final long queryId = offerQuery(client, ReadConsistency.LINEARIZABLE, "q-1");
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (client.outstandingQueries() > 0)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "no answer");
            client.poll(collector);
        }
        assertEquals(0, queryResults.size());

        client.poll(collector, queryCollector);
        assertEquals(List.of(new QueryResult(queryId, Outcome.OK, queryResults.get(0).readIndex(), "q-1")),
            queryResults);
        client.poll(collector, queryCollector);
        assertEquals(1, queryResults.size(), "delivered once");
    }

    @Test
    void queryEndsWithSessionExpiredOrNoLeader()
    {
        final FakeCluster cluster = cluster(0);
        final FlotillaClient client = connect(context(cluster).connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(700)));
        cluster.leaderId = -1;
        final long unanswered = offerQuery(client, ReadConsistency.LINEARIZABLE, "q-1");
        pollUntil(client, () -> queryResults.size() == 1);
        assertEquals(new QueryResult(unanswered, Outcome.NO_LEADER, -1, ""), queryResults.get(0));

        cluster.leaderId = 0;
        cluster.expireSessions = true;
        final long expired = offerQuery(client, ReadConsistency.LINEARIZABLE, "q-2");
        pollUntil(client, () -> queryResults.size() == 2);
        assertEquals(new QueryResult(expired, Outcome.SESSION_EXPIRED, -1, ""), queryResults.get(1));
    }

    @Test
    void attachAckFromAForwardingFollowerKeepsCommandsAtThatFollower()
    {
        final FakeCluster cluster = cluster(0);
        cluster.forwarding = true;
        final FlotillaClient client = connect(context(cluster));
        cluster.silentMemberId = 0;
        cluster.leaderId = 2;
        for (int i = 1; i <= 10; i++)
        {
            offer(client, "cmd-" + i);
        }
        pollUntil(client, () -> responses.size() == 10);

        assertAnsweredOnce(cluster, 10);
        assertEquals(1, cluster.attaches.get(), "attached at the follower, which acked naming the leader 2");
        assertEquals(0, cluster.requestsByMember.get(2), "commands stay at the member that acked and forwards");
        assertEquals(1, client.leaderMemberId(), "the member the client sends to");
    }

    @Test
    void steadyStateOffersQueriesAndPollsDoNotAllocate()
    {
        final FakeCluster cluster = cluster(0);
        // Timeouts long enough that a slow machine never takes the failover path, which may allocate.
        final FlotillaClient client = connect(context(cluster)
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(30))
            .responseTimeoutNs(TimeUnit.SECONDS.toNanos(20)));
        final UnsafeBuffer command = new UnsafeBuffer(new byte[32]);
        final long[] answered = new long[2];
        final ResponseListener counter = (sequence, outcome, logIndex, buffer, offset, length) -> answered[0]++;
        final QueryListener queryCounter = (queryId, outcome, readIndex, buffer, offset, length) -> answered[1]++;
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        // Rounds of 5,000 requests and 5,000 queries: after two warm-up rounds one must allocate nothing. A rare path
        // taken on a loaded machine (a deoptimization, back-pressure met for the first time) may allocate once in a
        // round; allocation per request or query would show in every round as thousands of bytes.
        final List<Long> allocatedByRound = new ArrayList<>();
        for (int round = 0; round < 12 && !(round > 2 && allocatedByRound.get(round - 1) == 0); round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            long offered = 0;
            long queried = 0;
            answered[0] = 0;
            answered[1] = 0;
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while ((answered[0] < 5_000 || answered[1] < 5_000) && System.nanoTime() - deadlineNs < 0)
            {
                if (offered < 5_000 && client.offer(command, 0, command.capacity()) > 0)
                {
                    offered++;
                }
                if (queried < 5_000 && client.offerQuery(ReadConsistency.LINEARIZABLE, command, 0, command.capacity()) > 0)
                {
                    queried++;
                }
                client.poll(counter, queryCounter);
            }
            allocatedByRound.add(threads.getCurrentThreadAllocatedBytes() - before);
            assertEquals(5_000, answered[0]);
            assertEquals(5_000, answered[1]);
        }
        assertEquals(0, client.resendPasses());
        assertEquals(0, client.queryResends());
        assertEquals(0L, allocatedByRound.get(allocatedByRound.size() - 1),
            "no round of 5000 offers, 5000 queries and their polls after warm-up allocated nothing; bytes by round: " +
            allocatedByRound);
    }
}
