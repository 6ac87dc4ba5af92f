package io.flotilla.samples.nemesis;

import io.flotilla.engine.ReadConsistency;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.client.FlotillaClientException;
import io.flotilla.samples.KvCommands;
import io.flotilla.samples.KvFeedClient;
import io.flotilla.samples.codecs.KvStatus;
import io.flotilla.samples.verify.FeedChecker;
import io.flotilla.samples.verify.FeedSubscription;
import io.flotilla.samples.verify.HistoryRecorder;
import io.flotilla.samples.verify.KvOp;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Concurrent KV clients, one {@link FlotillaClient} a thread, each running get (35 %), put (25 %), cas (30 %) and
 * delete (10 %) on a small set of keys with unique written values, recording every operation in a {@link HistoryRecorder}.
 * A get takes one of three paths, in turn: a GET command through the log, a {@link ReadConsistency#LINEARIZABLE}
 * query (ReadIndex) or a {@link ReadConsistency#LEASE} query; every other client prefers followers for its queries
 * (follower reads). The checker holds every path to the same rule: a read sees every write acknowledged before it
 * began.
 * <ul>
 *   <li>ok: the answer (a failed compare-and-set is ok with result false: it observed the value);</li>
 *   <li>fail: a command the state machine refused as malformed (never applied; also an anomaly), or a query that got
 *       no answer (a read changes nothing);</li>
 *   <li>info: a timeout, a lost leader, an expired or closed session — the command may still be applied. The client
 *       is then closed and a new session opened under a new process label.</li>
 * </ul>
 * Beside them, feed clients ({@link KvFeedClient}, a thread and a session each) subscribe to the KV change feed and
 * record every change; {@link #checkFeeds} fences each feed after the workload stopped and holds what they received to
 * the writes made ({@link FeedChecker}): values are unique, so every acknowledged write is named by its value.
 * <p>
 * Keys rotate: every {@code opsPerGeneration} operations the workload moves to {@code keysPerGeneration} fresh keys,
 * keeping each key's history small enough to check quickly (see docs/linearizability.md).
 */
final class Workload
{
    private static final long CALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long RECONNECT_DELAY_MS = 50;
    private static final int FINAL_READ_PROCESS = 1_000_000;

    private final FlotillaClient.Context clientTemplate;
    private final HistoryRecorder recorder;
    private final int keysPerGeneration;
    private final int opsPerGeneration;
    private final long seed;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Thread> feedThreads = new ArrayList<>();
    private final List<KvFeedClient> feeds = new ArrayList<>();
    private final Map<String, Long> acknowledgedWrites = new ConcurrentHashMap<>();
    private final Set<String> madeWrites = ConcurrentHashMap.newKeySet();
    private final Set<String> floodedWrites = ConcurrentHashMap.newKeySet();
    private final Map<String, String> lastKnown = new ConcurrentHashMap<>();
    private final AtomicLong operations = new AtomicLong();
    private final AtomicLong okCount = new AtomicLong();
    private final AtomicLong infoCount = new AtomicLong();
    private final AtomicLong badCommands = new AtomicLong();
    private final AtomicInteger processes = new AtomicInteger();
    private final AtomicLong maxGapNs = new AtomicLong();
    private final AtomicLongArray readsByPath = new AtomicLongArray(ReadPath.values().length);
    private final AtomicLong followerReads = new AtomicLong();
    private volatile long lastOkCompletionNs;
    private volatile boolean running = true;
    private volatile boolean feedsRunning = true;

    /**
     * @param clientTemplate endpoints, response channel, media driver and timeouts for every client.
     */
    Workload(
        final FlotillaClient.Context clientTemplate,
        final HistoryRecorder recorder,
        final int keysPerGeneration,
        final int opsPerGeneration,
        final long seed)
    {
        this.clientTemplate = clientTemplate;
        this.recorder = recorder;
        this.keysPerGeneration = keysPerGeneration;
        this.opsPerGeneration = opsPerGeneration;
        this.seed = seed;
    }

    void start(final int clients)
    {
        for (int i = 0; i < clients; i++)
        {
            final SplittableRandom random = new SplittableRandom(seed * 31 + i);
            final boolean preferFollowers = 1 == (i & 1);
            final Thread thread = new Thread(() -> runClient(random, preferFollowers), "nemesis-client-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /**
     * Start the feed clients: each subscribes and records the changes until {@link #stop}.
     */
    void startFeeds(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final KvFeedClient feed = new KvFeedClient(() -> copy(clientTemplate), (subscription, change) -> {});
            feeds.add(feed);
            final Thread thread = new Thread(() -> runFeed(feed), "nemesis-feed-" + i);
            thread.setDaemon(true);
            feedThreads.add(thread);
            thread.start();
        }
    }

    /**
     * Stops the clients, then the feed clients; an operation in flight completes (or times out) first.
     *
     * @return true if every client and feed thread ended within the bound.
     */
    boolean stop(final long timeoutMs) throws InterruptedException
    {
        running = false;
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        boolean stopped = join(threads, deadlineNs);
        feedsRunning = false;
        stopped &= join(feedThreads, deadlineNs);
        return stopped;
    }

    private static boolean join(final List<Thread> threads, final long deadlineNs) throws InterruptedException
    {
        boolean stopped = true;
        for (final Thread thread : threads)
        {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime())));
            stopped &= !thread.isAlive();
        }
        return stopped;
    }

    /**
     * After {@link #stop}: fence every feed (a write of its own, received, shows its subscription was live to the
     * end), close them, and check what they received against the writes made.
     *
     * @param deadlineNs for the fences, all feeds together.
     * @return the checker's findings; a feed that could not be fenced is an anomaly.
     */
    FeedChecker.Result checkFeeds(final long deadlineNs)
    {
        final List<FeedSubscription> subscriptions = new ArrayList<>();
        final List<String> unfenced = new ArrayList<>();
        for (int i = 0; i < feeds.size(); i++)
        {
            final KvFeedClient feed = feeds.get(i);
            if (null == feed.fence("feed-fence-" + i, deadlineNs))
            {
                unfenced.add("feed " + i + " could not be fenced (its last failure: " + feed.lastFailure() + ")");
            }
            madeWrites.addAll(feed.fenceWrites());
            feed.close();
            subscriptions.addAll(feed.subscriptions());
            if (feed.strayMessages() > 0)
            {
                unfenced.add("feed " + i + " got " + feed.strayMessages() + " messages outside a subscription");
            }
        }
        final FeedChecker.Result result = FeedChecker.check(
            subscriptions, acknowledgedWrites, madeWrites::contains, floodedWrites::contains);
        final List<String> anomalies = new ArrayList<>(unfenced);
        anomalies.addAll(result.anomalies());
        return new FeedChecker.Result(result.changes(), result.subscriptions(), result.fenced(), List.copyOf(anomalies));
    }

    /**
     * A write made outside the workload, one command sent again and again (the rogue client's flood): the feeds may
     * receive it at many indices.
     */
    void floodedElsewhere(final String key, final String value)
    {
        floodedWrites.add(FeedChecker.write(key, value));
    }

    /**
     * @return sessions the feed clients opened.
     */
    long feedSessions()
    {
        return feeds.stream().mapToLong(KvFeedClient::sessions).sum();
    }

    /**
     * @return gets answered by each path, and how many of the queries among them came from clients preferring
     * followers, as text for the report.
     */
    String readCounts()
    {
        final StringBuilder text = new StringBuilder();
        for (final ReadPath path : ReadPath.values())
        {
            text.append(path.name().toLowerCase()).append('=').append(readsByPath.get(path.ordinal())).append(' ');
        }
        return text.append("from-follower-preferring-clients=").append(followerReads.get()).toString();
    }

    /**
     * @return gets answered through the given path.
     */
    long reads(final ReadPath path)
    {
        return readsByPath.get(path.ordinal());
    }

    long operations()
    {
        return operations.get();
    }

    long okCount()
    {
        return okCount.get();
    }

    long infoCount()
    {
        return infoCount.get();
    }

    long badCommands()
    {
        return badCommands.get();
    }

    /**
     * @return the longest time between two consecutive acknowledgements (of any client): the longest the cluster
     * was seen not serving.
     */
    long maxGapNs()
    {
        return maxGapNs.get();
    }

    /**
     * @return {@link System#nanoTime()} when the last operation completed ok.
     */
    long lastOkCompletionNs()
    {
        return lastOkCompletionNs;
    }

    /**
     * Reads every key the workload touched through the log, recorded like the other operations: an acknowledged
     * write that was lost shows up as a read the checker cannot place.
     *
     * @return keys not read (no answer within the deadline).
     */
    int readAllKeys(final long deadlineNs)
    {
        final long generations = generations();
        final KvCommands commands = new KvCommands();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        int unread = 0;
        FlotillaClient client = null;
        try
        {
            for (long g = 0; g < generations; g++)
            {
                for (int k = 0; k < keysPerGeneration; k++)
                {
                    final String key = key(g, k);
                    boolean read = false;
                    while (!read && System.nanoTime() - deadlineNs < 0)
                    {
                        client = null == client ? connect(false) : client;
                        if (null == client)
                        {
                            continue;
                        }
                        final long id = recorder.invoke(FINAL_READ_PROCESS, KvOp.get(key));
                        try
                        {
                            final DirectBuffer reply = client.call(buffer, 0, commands.get(buffer, 0, key), CALL_TIMEOUT_NS);
                            recorder.ok(id, getResult(commands, reply));
                            read = true;
                        }
                        catch (final FlotillaClientException ex)
                        {
                            recorder.info(id);
                            CloseHelper.quietClose(client);
                            client = null;
                        }
                    }
                    unread += read ? 0 : 1;
                }
            }
        }
        finally
        {
            CloseHelper.quietClose(client);
        }
        return unread;
    }

    /**
     * @return how many keys the workload may have touched.
     */
    long keys()
    {
        return generations() * keysPerGeneration;
    }

    /**
     * @return the keys the clients work on now.
     */
    List<String> liveKeys()
    {
        final long generation = operations.get() / opsPerGeneration;
        final List<String> keys = new ArrayList<>();
        for (int k = 0; k < keysPerGeneration; k++)
        {
            keys.add(key(generation, k));
        }
        return keys;
    }

    private long generations()
    {
        return operations.get() / opsPerGeneration + 1;
    }

    private void runClient(final SplittableRandom random, final boolean preferFollowers)
    {
        final KvCommands commands = new KvCommands();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        FlotillaClient client = null;
        int process = -1;
        long sequence = 0;
        try
        {
            while (running)
            {
                if (null == client)
                {
                    client = connect(preferFollowers);
                    if (null == client)
                    {
                        continue;
                    }
                    process = processes.incrementAndGet();
                }
                final long n = operations.getAndIncrement();
                final String key = key(n / opsPerGeneration, random.nextInt(keysPerGeneration));
                final String value = "p" + process + "-" + (++sequence);
                final int choice = random.nextInt(20);
                if (choice < 7)
                {
                    final ReadPath path = ReadPath.values()[(int)(n % ReadPath.values().length)];
                    client = get(client, process, commands, buffer, key, path, preferFollowers);
                }
                else if (choice < 12)
                {
                    client = put(client, process, commands, buffer, key, value);
                }
                else if (choice < 18)
                {
                    client = cas(client, process, commands, buffer, key, lastKnown.get(key), value);
                }
                else
                {
                    client = delete(client, process, commands, buffer, key);
                }
            }
        }
        finally
        {
            CloseHelper.quietClose(client);
        }
    }

    private void runFeed(final KvFeedClient feed)
    {
        while (feedsRunning)
        {
            if (0 == feed.doWork() && !pauseQuietly(1))
            {
                return;
            }
        }
    }

    private FlotillaClient get(
        final FlotillaClient client,
        final int process,
        final KvCommands commands,
        final ExpandableArrayBuffer buffer,
        final String key,
        final ReadPath path,
        final boolean preferFollowers)
    {
        final long id = recorder.invoke(process, KvOp.get(key));
        final int length = commands.get(buffer, 0, key);
        try
        {
            final DirectBuffer reply = ReadPath.LOG == path ?
                client.call(buffer, 0, length, CALL_TIMEOUT_NS) :
                client.query(path.consistency, buffer, 0, length, CALL_TIMEOUT_NS);
            final String value = getResult(commands, reply);
            recorder.ok(id, value);
            remember(key, value);
            readsByPath.incrementAndGet(path.ordinal());
            if (preferFollowers && ReadPath.LOG != path)
            {
                followerReads.incrementAndGet();
            }
            return client;
        }
        catch (final FlotillaClientException ex)
        {
            return ReadPath.LOG == path ? failed(client, id, ex) : queryFailed(client, id, ex);
        }
    }

    /**
     * A query that got no answer changed nothing (fail). The session is kept unless it is gone or no leader could be
     * found: a query left outstanding is never applied, whatever happens to it.
     */
    private FlotillaClient queryFailed(final FlotillaClient client, final long id, final FlotillaClientException ex)
    {
        recorder.fail(id);
        if (FlotillaClientException.Reason.TIMEOUT == ex.reason() || FlotillaClientException.Reason.BACK_PRESSURED ==
            ex.reason())
        {
            return client;
        }
        CloseHelper.quietClose(client);
        return null;
    }

    private FlotillaClient put(
        final FlotillaClient client, final int process, final KvCommands commands, final ExpandableArrayBuffer buffer,
        final String key, final String value)
    {
        final String write = madeWrite(key, value);
        final long invokedNs = System.nanoTime();
        final long id = recorder.invoke(process, KvOp.put(key, value));
        try
        {
            client.call(buffer, 0, commands.put(buffer, 0, key, utf8(value), 0), CALL_TIMEOUT_NS);
            recorder.ok(id);
            acknowledgedWrites.put(write, invokedNs);
            remember(key, value);
            return client;
        }
        catch (final FlotillaClientException ex)
        {
            return failed(client, id, ex);
        }
    }

    private FlotillaClient delete(
        final FlotillaClient client, final int process, final KvCommands commands, final ExpandableArrayBuffer buffer,
        final String key)
    {
        final long id = recorder.invoke(process, KvOp.delete(key));
        try
        {
            client.call(buffer, 0, commands.delete(buffer, 0, key), CALL_TIMEOUT_NS); // OK or NOT_FOUND: both answers
            recorder.ok(id);
            remember(key, null);
            return client;
        }
        catch (final FlotillaClientException ex)
        {
            return failed(client, id, ex);
        }
    }

    private FlotillaClient cas(
        final FlotillaClient client, final int process, final KvCommands commands, final ExpandableArrayBuffer buffer,
        final String key, final String expected, final String value)
    {
        final String write = madeWrite(key, value);
        final long invokedNs = System.nanoTime();
        final long id = recorder.invoke(process, KvOp.cas(key, expected, value));
        try
        {
            client.call(buffer, 0, commands.cas(buffer, 0, key, null == expected ? null : utf8(expected), utf8(value), 0),
                CALL_TIMEOUT_NS);
            recorder.ok(id, true);
            acknowledgedWrites.put(write, invokedNs);
            remember(key, value);
            return client;
        }
        catch (final FlotillaClientException ex)
        {
            if (FlotillaClientException.Reason.REJECTED == ex.reason())
            {
                final UnsafeBuffer payload = new UnsafeBuffer(ex.payload());
                if (KvStatus.CAS_MISMATCH == commands.status(payload, 0, payload.capacity()))
                {
                    recorder.ok(id, false);
                    remember(key, toText(commands.value(payload, 0, payload.capacity())));
                    return client;
                }
            }
            return failed(client, id, ex);
        }
    }

    /**
     * A BAD_COMMAND refusal is certainly not applied (fail); anything else may yet be (info), and the session is
     * replaced: its outstanding request could still be resent and applied.
     */
    private FlotillaClient failed(final FlotillaClient client, final long id, final FlotillaClientException ex)
    {
        if (FlotillaClientException.Reason.REJECTED == ex.reason())
        {
            recorder.fail(id);
            badCommands.incrementAndGet();
            return client;
        }
        recorder.info(id);
        infoCount.incrementAndGet();
        CloseHelper.quietClose(client);
        return null;
    }

    private String getResult(final KvCommands commands, final DirectBuffer reply)
    {
        final KvStatus status = commands.status(reply, 0, reply.capacity());
        if (KvStatus.NOT_FOUND == status)
        {
            return null;
        }
        if (KvStatus.OK != status)
        {
            throw new IllegalStateException("GET answered " + status);
        }
        return toText(commands.value(reply, 0, reply.capacity()));
    }

    private String madeWrite(final String key, final String value)
    {
        final String write = FeedChecker.write(key, value);
        madeWrites.add(write);
        return write;
    }

    private void remember(final String key, final String value)
    {
        okCount.incrementAndGet();
        final long nowNs = System.nanoTime();
        final long previousNs = lastOkCompletionNs;
        lastOkCompletionNs = nowNs;
        if (0 != previousNs)
        {
            maxGapNs.accumulateAndGet(nowNs - previousNs, Math::max);
        }
        if (null == value)
        {
            lastKnown.remove(key);
        }
        else
        {
            lastKnown.put(key, value);
        }
    }

    private FlotillaClient connect(final boolean preferFollowers)
    {
        try
        {
            return FlotillaClient.connect(copy(clientTemplate).preferFollowerReads(preferFollowers));
        }
        catch (final FlotillaClientException ex)
        {
            if (!pauseQuietly(RECONNECT_DELAY_MS))
            {
                running = false;
            }
            return null;
        }
    }

    /**
     * @return false when interrupted (the interrupt is kept).
     */
    private static boolean pauseQuietly(final long ms)
    {
        try
        {
            Thread.sleep(ms);
            return true;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static FlotillaClient.Context copy(final FlotillaClient.Context template)
    {
        return new FlotillaClient.Context()
            .ingressEndpoints(template.ingressEndpoints())
            .responseChannel(template.responseChannel())
            .aeronDirectoryName(template.aeronDirectoryName())
            .responseTimeoutNs(template.responseTimeoutNs())
            .connectTimeoutNs(template.connectTimeoutNs());
    }

    /**
     * How a get reads.
     */
    enum ReadPath
    {
        /** A GET command: written to the log, applied, answered. */
        LOG(null),
        /** A query confirmed by a round of heartbeats (ReadIndex). */
        READ_INDEX(ReadConsistency.LINEARIZABLE),
        /** A query answered from the leader's lease when it holds one. */
        LEASE(ReadConsistency.LEASE);

        final ReadConsistency consistency;

        ReadPath(final ReadConsistency consistency)
        {
            this.consistency = consistency;
        }
    }

    private static String key(final long generation, final int index)
    {
        return "g" + generation + "k" + index;
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String toText(final byte[] value)
    {
        return null == value || 0 == value.length ? null : new String(value, StandardCharsets.UTF_8);
    }
}
