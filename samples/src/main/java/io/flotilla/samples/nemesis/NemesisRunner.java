package io.flotilla.samples.nemesis;

import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.flotilla.admin.tool.FlotillaTool;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.MembershipStatus;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.samples.KvCommands;
import io.flotilla.samples.ReplicaStatus;
import io.flotilla.samples.verify.CheckResult;
import io.flotilla.samples.verify.FeedChecker;
import io.flotilla.samples.verify.HistoryRecorder;
import io.flotilla.samples.verify.LinearizabilityChecker;
import io.flotilla.samples.verify.Verdict;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs three {@link io.flotilla.samples.KvNode} JVMs in network namespaces under a concurrent KV workload, with
 * thresholds that make them snapshot, compact and install snapshots all the time, injects faults on a schedule
 * (kill -9, a deleted data directory, SIGSTOP/SIGCONT, partitions, members added, replaced and removed through the
 * cluster tool with a fourth, spare node), heals, and checks the run: the history is
 * linearizable (every acknowledged write present or overwritten by a legal order), the replicas converge to the
 * same applied index and state digest, no node logged a checksum error or exited by itself, and the cluster served
 * again within {@link #SERVE_BOUND_MS} after every heal. Every wait has a deadline; everything started is stopped,
 * namespaces and /dev/shm directories removed, even on failure.
 * <pre>
 *   NemesisRunner [--minutes N | --short | --faults F,F...] [--seed S] [--run-dir DIR] [--clients N]
 * </pre>
 * {@code --minutes N} (or {@code -Dnemesis.minutes=N}) runs random faults for N minutes (the soak); {@code --short}
 * runs {@link Fault#SHORT_SCHEDULE}; {@code --faults} the given faults in order ({@link NemesisCommand}). Exit
 * status 0 when no anomaly was found, 1 otherwise, 2 on a usage error.
 */
public final class NemesisRunner
{
    /** How long after a heal (or a restart) the cluster must have acknowledged an operation again. */
    static final long SERVE_BOUND_MS = 30_000;
    private static final long READY_BOUND_MS = 120_000;
    private static final long CONVERGE_BOUND_MS = 60_000;
    private static final long QUIET_MS = 1_500;
    /** A recovery slower than this is logged with the elections behind it. */
    private static final long SLOW_RECOVERY_MS = 5_000;
    private static final int NODES = 3;
    /** The slot a membership fault starts a new member in (the founding slots are 0 to NODES - 1). */
    private static final int SPARE = NODES;
    /** How long a membership change may take, the new member's catch-up included, retries while electing too. */
    private static final long MEMBERSHIP_BOUND_MS = 90_000;
    /** Subscribers to the KV change feed beside the workload's clients. */
    private static final int FEEDS = 2;
    private static final long ROGUE_SEND_NS = TimeUnit.MILLISECONDS.toNanos(200);
    // What a node rejoining after data loss logs (NodeAgent): the term learned, the fence resumed at a restart, lifted.
    private static final String TERM_LEARNED = "from the other voters: follows a leader";
    private static final String FENCE_RESUMED = "rejoining after data loss (begun before a restart";
    private static final String FENCE_LIFTED = "takes part in elections again";
    private static final String INSTALL_FINISHED_AT_RESTART = "(a restart during its install)";
    private static final long ROGUE_TERM_JUMP = 1_000;
    private static final int ROGUE_FLOOD_PER_SECOND = 100;
    private static final int ROGUE_HIJACK_AROUND = 32;
    /** Sessions the workload opened since the last fault are this young: sequences from 1 may still be ahead. */
    private static final int ROGUE_HIJACK_SEQUENCES = 64;
    private static final int ROGUE_FLOOD_REQUESTS = 5_000;
    /** More than the nodes' session limit ({@link ClusterNode.Context#MAX_SESSIONS_DEFAULT}). */
    private static final int ROGUE_CONNECT_BURST = 2_000;

    private final Path runDir;
    private final List<Fault> schedule;
    private final long soakNs;
    private final long seed;
    private final int clients;
    private final PrintStream out;
    private final SplittableRandom random;
    private final Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
    private final List<String> anomalies = new ArrayList<>();
    private long maxRecoveryMs;
    private volatile NodeProcesses nodes;
    private volatile NetworkFabric fabric;
    private volatile MediaDriver clientDriver;
    /** The rogue peer's and client's own media driver: what they do to it must not touch the workload's. */
    private volatile MediaDriver rogueDriver;

    /**
     * @param schedule the faults in order, or null for random faults during {@code soakNs}.
     */
    public NemesisRunner(
        final Path runDir, final List<Fault> schedule, final long soakNs, final long seed, final int clients,
        final PrintStream out)
    {
        this.runDir = runDir;
        this.schedule = schedule;
        this.soakNs = soakNs;
        this.seed = seed;
        this.clients = clients;
        this.out = out;
        this.random = new SplittableRandom(seed);
    }

    /**
     * Runs the nemesis from the command line, {@link NemesisCommand} ({@code --help}), and exits with its status.
     */
    public static void main(final String[] args)
    {
        System.exit(NemesisCommand.commandLine(System.out).execute(args));
    }

    /**
     * Runs the schedule and the checks.
     *
     * @return what was done and every anomaly found.
     */
    public NemesisReport run() throws IOException, InterruptedException
    {
        final long startNs = System.nanoTime();
        log("nemesis: seed " + seed + ", " + clients + " clients, " +
            (null == schedule ? "random faults for " + TimeUnit.NANOSECONDS.toSeconds(soakNs) + " s" :
            "schedule " + schedule) + ", run dir " + runDir.toAbsolutePath());
        final Thread cleanupHook = new Thread(this::cleanUp, "nemesis-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
        Workload workload = null;
        CheckResult check = null;
        List<SnapshotActivity> snapshots = List.of();
        String convergence = "not reached";
        FeedChecker.Result feed = null;
        final Path historyFile = runDir.resolve("history.txt");
        final Writer historyWriter = Files.newBufferedWriter(historyFile, StandardCharsets.UTF_8);
        final HistoryRecorder recorder = new HistoryRecorder(System::nanoTime, historyWriter);
        try
        {
            fabric = NetworkFabric.create(NODES + 1);
            nodes = new NodeProcesses(runDir, fabric, NODES, NODES + 1);
            for (int i = 0; i < NODES; i++)
            {
                nodes.start(i);
            }
            require(await(READY_BOUND_MS, this::allReady), "nodes not ready within " + READY_BOUND_MS + " ms");
            require(await(READY_BOUND_MS, () -> nodes.leader() >= 0), "no leader within " + READY_BOUND_MS + " ms");
            log("3 nodes up (" + nodes.members() + "), leader node " + nodes.leader());

            final MediaDriver driver = launchHostDriver();
            clientDriver = driver;
            rogueDriver = launchHostDriver();
            workload = new Workload(new FlotillaClient.Context()
                .ingressEndpoints(nodes.members())
                .responseChannel("aeron:udp?endpoint=" + fabric.hostAddress() + ":0")
                .aeronDirectoryName(driver.aeronDirectoryName())
                .responseTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
                .connectTimeoutNs(TimeUnit.SECONDS.toNanos(3)), recorder, 5, 4_000, seed);
            workload.start(clients);
            workload.startFeeds(FEEDS);
            final Workload w = workload;
            require(await(SERVE_BOUND_MS * 2, () -> w.okCount() > 0), "no operation acknowledged");
            log("workload running");

            runFaults(workload, recorder, startNs);

            require(workload.stop(30_000), "client threads did not stop within 30 s");
            healAll();
            final long readBoundMs = SERVE_BOUND_MS + workload.keys() * 50;
            final int unread = workload.readAllKeys(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(readBoundMs));
            if (unread > 0)
            {
                anomalies.add(unread + " keys could not be read back within " + readBoundMs + " ms after healing");
            }
            feed = workload.checkFeeds(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SERVE_BOUND_MS));
            log("feed: " + feed);
            for (final String anomaly : feed.anomalies())
            {
                anomalies.add("feed: " + anomaly);
            }
            convergence = converge();
            for (final Workload.ReadPath path : Workload.ReadPath.values())
            {
                if (0 == workload.reads(path))
                {
                    anomalies.add("no get was answered through " + path + ": " + workload.readCounts());
                }
            }
            if (workload.badCommands() > 0)
            {
                anomalies.add(workload.badCommands() + " commands refused as malformed");
            }
        }
        catch (final AbortException ex)
        {
            anomalies.add(ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            anomalies.add("nemesis run failed: " + ex);
            ex.printStackTrace(out);
        }
        finally
        {
            if (null != workload)
            {
                workload.stop(30_000);
            }
            // Checked whatever happened: a run stopped early still has a history that must be linearizable.
            check = checkHistory(recorder, historyFile);
            CloseHelper.quietClose(historyWriter);
            if (null != nodes)
            {
                anomalies.addAll(nodes.problems());
                if (!anomalies.isEmpty())
                {
                    for (int i = 0; i < nodes.slots(); i++)
                    {
                        out.println("---- node " + i + " log tail ----\n" + nodes.logTail(i, 15));
                    }
                }
            }
            cleanUp();
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
            if (null != nodes)
            {
                snapshots = nodes.snapshotActivity();
                log("snapshots: " + snapshots);
            }
        }
        final long feedChanges = null == feed ? 0 : feed.changes();
        final String feedText = null == feed ? "not checked" : feed + ", " + workload.feedSessions() + " sessions";
        final String verdict = null == check ? "not checked" : check.verdict() + " (" + check.operationCount() +
            " operations, " + TimeUnit.NANOSECONDS.toMillis(check.elapsedNs()) + " ms)";
        return null == workload ?
            new NemesisReport(System.nanoTime() - startNs, 0, 0, 0, "none", new EnumMap<>(faults), maxRecoveryMs, 0, verdict,
                feedChanges, feedText, convergence, snapshots, null == nodes ? List.of() : nodes.startFailures(), List.copyOf(anomalies)) :
            new NemesisReport(System.nanoTime() - startNs, workload.operations(), workload.okCount(),
                workload.infoCount(), workload.readCounts(), new EnumMap<>(faults), maxRecoveryMs, TimeUnit.NANOSECONDS.toMillis(workload.maxGapNs()),
                verdict, feedChanges, feedText, convergence, snapshots, null == nodes ? List.of() : nodes.startFailures(),
                List.copyOf(anomalies));
    }

    private CheckResult checkHistory(final HistoryRecorder recorder, final Path historyFile)
    {
        recorder.flush();
        final CheckResult check = new LinearizabilityChecker().check(recorder.history());
        log("history: " + check.operationCount() + " operations checked in " +
            TimeUnit.NANOSECONDS.toMillis(check.elapsedNs()) + " ms: " + check.verdict());
        if (Verdict.LINEARIZABLE != check.verdict())
        {
            // Logged here too, before the nodes' log tails: a CI log that keeps only its head still shows it.
            log(check.report());
            anomalies.add("history " + check.verdict() + " (saved in " + historyFile + "):\n" + check.report());
        }
        return check;
    }

    private void runFaults(final Workload workload, final HistoryRecorder recorder, final long startNs)
        throws InterruptedException, IOException
    {
        final int total = null == schedule ? -1 : schedule.size();
        for (int n = 0; null == schedule ? System.nanoTime() - startNs < soakNs : n < total; n++)
        {
            Thread.sleep(QUIET_MS);
            final Fault fault = null == schedule ? Fault.values()[random.nextInt(Fault.values().length)] : schedule.get(n);
            final long holdMs = null == schedule ? 1_000 + random.nextInt(5_000) : 3_000;
            final Instant faultStart = Instant.now();
            final String what = inject(fault, holdMs, workload);
            faults.merge(fault, 1, Integer::sum);
            final long healNs = System.nanoTime();
            final boolean served = await(SERVE_BOUND_MS, () -> workload.lastOkCompletionNs() - healNs > 0);
            final long recoveryMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healNs);
            maxRecoveryMs = Math.max(maxRecoveryMs, recoveryMs);
            log("fault " + (n + 1) + (total > 0 ? "/" + total : "") + " " + fault + ": " + what + ", held " + holdMs +
                " ms; " + (served ? "served again " + recoveryMs + " ms after healing" : "NOT SERVING") + "; leader " +
                leaderText() + "; " + workload.operations() + " ops (" + workload.infoCount() + " unknown)");
            recorder.flush();
            if (recoveryMs > SLOW_RECOVERY_MS)
            {
                log("slow recovery; role changes since the fault began:\n  " +
                    String.join("\n  ", nodes.roleChangesSince(faultStart)));
            }
            if (!served)
            {
                throw new AbortException("no operation acknowledged within " + SERVE_BOUND_MS + " ms after healing " +
                    fault);
            }
            require(await(READY_BOUND_MS, this::allReady), "a node was not ready again within " + READY_BOUND_MS +
                " ms after " + fault);
        }
    }

    /**
     * Injects the fault, holds it for {@code holdMs}, heals it.
     *
     * @return what was done, for the log.
     */
    private String inject(final Fault fault, final long holdMs, final Workload workload)
        throws InterruptedException, IOException
    {
        final int target = switch (fault)
        {
            case KILL_LEADER, PAUSE_LEADER, PARTITION_LEADER, PARTITION_KILL_LEADER, ROLLING_RESTART, REMOVE_LEADER ->
                leaderOrRandom();
            case WIPE_FOLLOWER -> followerOfAnyTerm();
            case REPLACE_MEMBER -> followerOfStableLeader();
            default -> random.nextInt(NODES);
        };
        switch (fault)
        {
            case KILL_LEADER, KILL_RANDOM ->
            {
                nodes.kill(target, 10_000);
                Thread.sleep(holdMs);
                nodes.start(target);
                return "kill -9 node " + target + ", restarted";
            }
            case KILL_DURING_RECOVERY ->
            {
                nodes.kill(target, 10_000);
                Thread.sleep(holdMs / 2);
                nodes.start(target);
                final long killAgainMs = 300 + random.nextInt(1_500);
                Thread.sleep(killAgainMs);
                nodes.kill(target, 10_000);
                Thread.sleep(holdMs / 2);
                nodes.start(target);
                return "kill -9 node " + target + ", restarted, killed again " + killAgainMs + " ms later, restarted";
            }
            case WIPE_FOLLOWER ->
            {
                return wipeFollower(target, holdMs, workload);
            }
            case ROLLING_RESTART ->
            {
                return rollingRestart(target);
            }
            case PAUSE_LEADER, PAUSE_RANDOM ->
            {
                nodes.pause(target);
                Thread.sleep(holdMs);
                nodes.resume(target);
                return "SIGSTOP node " + target + ", SIGCONT";
            }
            case PAUSE_ALL ->
            {
                for (int i = 0; i < NODES; i++)
                {
                    nodes.pause(i);
                }
                Thread.sleep(holdMs);
                for (int i = 0; i < NODES; i++)
                {
                    nodes.resume(i);
                }
                return "SIGSTOP all nodes, SIGCONT";
            }
            case PARTITION_LEADER, PARTITION_MINORITY ->
            {
                fabric.isolate(List.of(target));
                Thread.sleep(holdMs);
                fabric.heal();
                return "node " + target + " cut off from the others, healed";
            }
            case PARTITION_KILL_LEADER ->
            {
                fabric.isolate(List.of(target));
                Thread.sleep(holdMs / 2);
                nodes.kill(target, 10_000);
                nodes.start(target);
                Thread.sleep(holdMs / 2);
                fabric.heal();
                return "node " + target + " cut off, killed -9 and restarted while cut off, healed";
            }
            case PARTITION_BRIDGE ->
            {
                final int a = (target + 1) % NODES;
                final int b = (target + 2) % NODES;
                fabric.cut(a, b);
                Thread.sleep(holdMs);
                fabric.heal();
                return "nodes " + a + " and " + b + " cut from each other (both see node " + target + "), healed";
            }
            case ROGUE_PEER ->
            {
                return roguePeer(holdMs, workload);
            }
            case ROGUE_CLIENT ->
            {
                return rogueClient(holdMs, workload);
            }
            case ADD_REMOVE_MEMBER ->
            {
                return addRemoveMember(holdMs, workload);
            }
            case REPLACE_MEMBER ->
            {
                return replaceMember(target);
            }
            case REMOVE_LEADER ->
            {
                return removeLeader(target);
            }
            default -> throw new IllegalStateException(fault.name());
        }
    }

    /**
     * {@link Fault#ROLLING_RESTART}: each node in turn, from {@code first} (the leader), stopped with SIGTERM and
     * restarted; the next one stops only once every node is ready again, as an operator's rolling upgrade waits.
     */
    private String rollingRestart(final int first) throws InterruptedException
    {
        final StringBuilder done = new StringBuilder("rolling restart, SIGTERM and restart of node");
        for (int k = 0; k < NODES; k++)
        {
            final int id = (first + k) % NODES;
            final long startNs = System.nanoTime();
            nodes.stop(id, 15_000);
            final long stoppedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            nodes.start(id);
            require(await(READY_BOUND_MS, this::allReady), "node " + id + " was not ready again within " +
                READY_BOUND_MS + " ms of its restart in a rolling restart");
            done.append(' ').append(id).append(" (stopped in ").append(stoppedMs).append(" ms)");
        }
        return done.toString();
    }

    /**
     * {@link Fault#ROGUE_PEER}: forged consensus messages from the clients' host, aimed from the leader's counters
     * (its term and commit index) and each follower's; an anomaly when the cluster stopped serving meanwhile or a
     * node's term jumped.
     */
    private String roguePeer(final long holdMs, final Workload workload) throws InterruptedException
    {
        final long startNs = System.nanoTime();
        final int leader = leaderOrRandom();
        final ConsensusCounters aim = nodes.consensusCounters(leader);
        if (null == aim)
        {
            Thread.sleep(holdMs);
            return "no counters of node " + leader + " to aim from; nothing sent";
        }
        final long term = aim.term();
        final String value = "rogue-peer-" + System.nanoTime();
        final List<DirectBuffer> forged = workload.liveKeys().stream().map(key -> putCommand(key, value)).toList();
        final long okBefore = workload.okCount();
        int sent = 0;
        long flood;
        try (RoguePeer rogue = new RoguePeer(rogueDriver.aeronDirectoryName(), nodes.members(), ROGUE_SEND_NS))
        {
            final int leaderId = nodes.memberId(leader);
            for (int slot = 0; slot < NODES; slot++)
            {
                final int to = nodes.memberId(slot);
                final int other = nodes.memberId((slot + 1) % NODES);
                final ConsensusCounters target = nodes.consensusCounters(slot);
                if (slot != leader && null != target)
                {
                    sent += rogue.appendEntries(to, leaderId, term, target.commitIndex(), term, forged) ? 1 : 0;
                    sent += rogue.timeoutNow(to, leaderId, term) ? 1 : 0;
                }
                sent += rogue.requestVote(to, other, term + ROGUE_TERM_JUMP, aim.commitIndex() + ROGUE_TERM_JUMP, term,
                    false, true) ? 1 : 0;
                sent += rogue.appendResponse(to, other, term + ROGUE_TERM_JUMP, false, 0, 0) ? 1 : 0;
                sent += rogue.appendResponse(to, other, Long.MAX_VALUE, false, 0, 0) ? 1 : 0;
            }
            flood = rogue.floodAppendResponses(term, ROGUE_FLOOD_PER_SECOND,
                Math.max(0, TimeUnit.MILLISECONDS.toNanos(holdMs) - (System.nanoTime() - startNs)));
        }
        if (workload.okCount() == okBefore)
        {
            anomalies.add("no operation acknowledged during " + Fault.ROGUE_PEER + " (" + holdMs + " ms)");
        }
        for (int i = 0; i < NODES; i++)
        {
            final ConsensusCounters counters = nodes.consensusCounters(i);
            if (null != counters && counters.term() >= term + ROGUE_TERM_JUMP)
            {
                anomalies.add(Fault.ROGUE_PEER + " moved node " + i + "'s term from " + term + " to " + counters.term());
            }
        }
        return "forged " + sent + " messages as members of term " + term + " (appends, TimeoutNow, votes with " +
            "transfer, far and largest terms), then " + flood + " AppendResponses in rising terms; nodes refused " +
            refusedMessages() + " messages so far";
    }

    /**
     * {@link Fault#ROGUE_CLIENT}: hijack attempts, a flood, a connect burst and bad response channels at the leader;
     * an anomaly when the session limit or the response channel policy gave way or the workload went unserved.
     */
    private String rogueClient(final long holdMs, final Workload workload) throws InterruptedException, IOException
    {
        final long startNs = System.nanoTime();
        final int leader = leaderOrRandom();
        final String value = "rogue-client-" + System.nanoTime();
        final long okBefore = workload.okCount();
        final StringBuilder what = new StringBuilder("at node " + leader + ": ");
        try (RogueClient rogue = new RogueClient(rogueDriver.aeronDirectoryName(), nodes.members(),
            "aeron:udp?endpoint=" + fabric.hostAddress() + ":" + freeHostPort(), ROGUE_SEND_NS))
        {
            // The flood is applied, in the rogue's own session: the feeds receive it, many times. A hijacked write
            // is not registered: a feed that receives one reports a write no client made.
            final String hijackKey = workload.liveKeys().get(0);
            workload.floodedElsewhere("rogue-flood", value);
            final int leaderId = nodes.memberId(leader);
            final int own = rogue.connect(leaderId, 1, "", TimeUnit.SECONDS.toNanos(2));
            final long observed = rogue.newestSession();
            final int badChannels = rogue.connect(leaderId, 3, "|term-length=16m|sparse=false", TimeUnit.SECONDS.toNanos(2));
            // At the leader of now: the connects before may have cost the last one its leadership.
            final int burst = rogue.connect(nodes.memberId(leaderOrRandom()), ROGUE_CONNECT_BURST, "", TimeUnit.SECONDS.toNanos(3));
            final int hijacks = rogue.hijack(leaderId, 0 == observed ? 1 : observed, ROGUE_HIJACK_AROUND,
                ROGUE_HIJACK_AROUND, ROGUE_HIJACK_SEQUENCES, random, putCommand(hijackKey, value));
            final int flood = 0 == observed ? 0 :
                rogue.flood(leaderId, observed, ROGUE_FLOOD_REQUESTS, putCommand("rogue-flood", value));
            what.append(own).append(" own session (id ").append(observed).append("), ").append(badChannels)
                .append(" of 3 sparse=false connects and ").append(burst).append(" of ").append(ROGUE_CONNECT_BURST)
                .append(" burst connects acknowledged, ").append(hijacks)
                .append(" requests into other sessions, a flood of ").append(flood).append(" unread requests");
            if (burst > ClusterNode.Context.MAX_SESSIONS_DEFAULT)
            {
                anomalies.add(Fault.ROGUE_CLIENT + ": a burst of " + ROGUE_CONNECT_BURST + " connects opened " + burst +
                    " sessions, past the limit of " + ClusterNode.Context.MAX_SESSIONS_DEFAULT);
            }
            if (badChannels > 0)
            {
                anomalies.add(Fault.ROGUE_CLIENT + ": " + badChannels + " sessions opened on a response channel " +
                    "with sparse=false");
            }
            Thread.sleep(Math.max(0, holdMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)));
        }
        if (workload.okCount() == okBefore)
        {
            anomalies.add("no operation acknowledged during " + Fault.ROGUE_CLIENT);
        }
        return what.toString();
    }

    /**
     * @return a media driver in the host namespace, removed when closed.
     */
    private static MediaDriver launchHostDriver()
    {
        return MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(CommonContext.generateRandomDirName())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(1 << 20));
    }

    private long refusedMessages()
    {
        long refused = 0;
        for (int i = 0; i < NODES; i++)
        {
            final ConsensusCounters counters = nodes.consensusCounters(i);
            refused += null == counters ? 0 : counters.refusedMessages();
        }
        return refused;
    }

    private static DirectBuffer putCommand(final String key, final String value)
    {
        final ExpandableArrayBuffer command = new ExpandableArrayBuffer(64);
        final int length = new KvCommands().put(command, 0, key, value.getBytes(StandardCharsets.UTF_8), 0);
        return new UnsafeBuffer(command, 0, length);
    }

    private int freeHostPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(fabric.hostAddress(), 0)))
        {
            return socket.getLocalPort();
        }
    }

    /**
     * {@link Fault#ADD_REMOVE_MEMBER}: the spare joins as a new member and serves as a voter for the hold, then
     * leaves; an anomaly when the workload went unserved while it was a voter.
     */
    private String addRemoveMember(final long holdMs, final Workload workload) throws InterruptedException
    {
        final int id = startJoining(SPARE);
        final long addNs = System.nanoTime();
        final String added = member("add", "--id", String.valueOf(id), "--endpoint", nodes.endpoint(SPARE));
        final long addMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - addNs);
        nodes.member(SPARE, true);
        final String caughtUp = caughtUpHow(SPARE);
        final long okBefore = workload.okCount();
        Thread.sleep(holdMs);
        if (workload.okCount() == okBefore)
        {
            anomalies.add("no operation acknowledged during " + Fault.ADD_REMOVE_MEMBER + " while member " + id +
                " was a voter (" + holdMs + " ms)");
        }
        final String removed = member("remove", "--id", String.valueOf(id));
        nodes.member(SPARE, false);
        nodes.stop(SPARE, 15_000);
        return "node " + SPARE + " started empty as member " + id + ", added in " + addMs + " ms (" + caughtUp +
            "): " + added + "; removed: " + removed + "; stopped";
    }

    /**
     * {@link Fault#REPLACE_MEMBER}: follower {@code target} killed and replaced by the spare; then the target's slot
     * rebuilt under a new member id replaces the spare.
     */
    private String replaceMember(final int target) throws InterruptedException
    {
        final int dead = nodes.memberId(target);
        nodes.kill(target, 10_000);
        final int spareId = startJoining(SPARE);
        final String first = member("replace", "--id", String.valueOf(spareId), "--endpoint", nodes.endpoint(SPARE),
            "--replaces", String.valueOf(dead));
        nodes.member(SPARE, true);
        nodes.member(target, false);
        final String spareCaughtUp = caughtUpHow(SPARE);
        final int rebuiltId = startJoining(target);
        final String second = member("replace", "--id", String.valueOf(rebuiltId), "--endpoint",
            nodes.endpoint(target), "--replaces", String.valueOf(spareId));
        nodes.member(target, true);
        nodes.member(SPARE, false);
        nodes.stop(SPARE, 15_000);
        return "kill -9 node " + target + " (member " + dead + "), replaced by node " + SPARE + " as member " +
            spareId + " (" + spareCaughtUp + "): " + first + "; node " + target + " wiped, as member " + rebuiltId +
            " (" + caughtUpHow(target) + ") replaced member " + spareId + ": " + second + "; node " + SPARE +
            " stopped";
    }

    /**
     * {@link Fault#REMOVE_LEADER}: the leader, slot {@code leader}, removes itself; once another leads, it is stopped
     * and its slot, wiped, joins again under a new member id.
     */
    private String removeLeader(final int leader) throws InterruptedException
    {
        final int id = nodes.memberId(leader);
        final String removed = member("remove", "--id", String.valueOf(id));
        nodes.member(leader, false);
        final long removedNs = System.nanoTime();
        require(await(SERVE_BOUND_MS, () ->
        {
            final int now = nodes.leader();
            return now >= 0 && now != leader;
        }), "no other leader within " + SERVE_BOUND_MS + " ms of leader member " + id + " removing itself");
        final long electedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - removedNs);
        final int next = nodes.leader();
        nodes.stop(leader, 15_000);
        final int rejoinedId = startJoining(leader);
        final String added = member("add", "--id", String.valueOf(rejoinedId), "--endpoint", nodes.endpoint(leader));
        nodes.member(leader, true);
        return "leader node " + leader + " (member " + id + ") removed itself: " + removed + "; node " + next +
            " leads " + electedMs + " ms later; node " + leader + " stopped, wiped, joined as member " + rejoinedId +
            " (" + caughtUpHow(leader) + "): " + added;
    }

    /**
     * Starts slot {@code slot} empty as a new member and waits until it is up.
     *
     * @return its new member id.
     */
    private int startJoining(final int slot) throws InterruptedException
    {
        final int id = nodes.startJoining(slot);
        require(await(READY_BOUND_MS, () -> nodes.isReady(slot)), "node " + slot + ", joining as member " + id +
            ", not up within " + READY_BOUND_MS + " ms");
        return id;
    }

    /**
     * @return how a member just added caught up: through how many snapshot installs.
     */
    private String caughtUpHow(final int slot)
    {
        final SnapshotCounters counters = nodes.counters(slot);
        return null == counters ? "its counters unreadable" : counters.installs() > 0 ?
            "caught up through " + counters.installs() + " snapshot install(s)" : "caught up from the leader's log";
    }

    /**
     * Runs the cluster tool's {@code member} command against the running nodes, as an operator would (it finds the
     * leader among them), again while no leader can take the change (an election under way; nothing was changed).
     *
     * @return the configuration committed, as the tool printed it, on one line.
     */
    private String member(final String... args) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MEMBERSHIP_BOUND_MS);
        while (true)
        {
            final List<String> command = new ArrayList<>(List.of("member"));
            command.addAll(List.of(args));
            command.addAll(List.of("--nodes", nodes.adminNodes(), "--token-file", nodes.adminTokenFile().toString(),
                "--timeout", "70s"));
            final StringWriter text = new StringWriter();
            final PrintWriter writer = new PrintWriter(text);
            final int exit = FlotillaTool.commandLine(Map.of()).setOut(writer).setErr(writer)
                .execute(command.toArray(String[]::new));
            writer.flush();
            final String answer = text.toString().trim();
            if (FlotillaTool.EXIT_OK == exit)
            {
                return committedMembers(answer);
            }
            final boolean noChange = answer.contains(MembershipStatus.NOT_LEADER.name()) ||
                answer.contains(MembershipStatus.TERM_NOT_COMMITTED.name()) || answer.contains("no leader among");
            if (!noChange || System.nanoTime() - deadlineNs > 0)
            {
                throw new AbortException("flotilla " + String.join(" ", command) + " failed (exit " + exit + "): " +
                    answer);
            }
            Thread.sleep(200);
        }
    }

    /**
     * @return the tool's answer to a membership change ({@code committed at index N:} and a table of members) as
     * {@code index N: voters [..] learners [..]}.
     */
    private static String committedMembers(final String answer)
    {
        final List<String> voters = new ArrayList<>();
        final List<String> learners = new ArrayList<>();
        String index = "?";
        for (final String line : answer.split("\n"))
        {
            final String[] words = line.trim().split("\\s+");
            if (line.startsWith("committed at index "))
            {
                index = words[3].replace(":", "");
            }
            else if (words.length >= 2 && "voter".equals(words[1]))
            {
                voters.add(words[0]);
            }
            else if (words.length >= 2 && "learner".equals(words[1]))
            {
                learners.add(words[0]);
            }
        }
        return "index " + index + ": voters " + voters + (learners.isEmpty() ? "" : " learners " + learners);
    }

    /**
     * {@code kill -9} of follower {@code target}, its data directory deleted, held down while the others go on
     * serving, and longer (up to {@link #SERVE_BOUND_MS}) until the leader's log no longer begins at index 1, then
     * restarted empty, and waited for until it has caught up with the leader's applied index at the restart: the
     * next fault finds the two others holding the whole log again (see {@link Fault#WIPE_FOLLOWER}).
     */
    private String wipeFollower(final int target, final long holdMs, final Workload workload)
        throws InterruptedException
    {
        final String terms = termsOf(target);
        final long killNs = System.nanoTime();
        nodes.kill(target, 10_000);
        nodes.wipe(target);
        Thread.sleep(holdMs);
        // An entry committed after the kill was acknowledged by both others: each holds every committed entry.
        require(await(SERVE_BOUND_MS, () -> workload.lastOkCompletionNs() - killNs > 0),
            "no operation acknowledged within " + SERVE_BOUND_MS + " ms of wiping node " + target);
        // Held longer if need be (bounded) until the leader has compacted: a blank node must then get an install.
        await(SERVE_BOUND_MS, () ->
        {
            final int leader = nodes.leader();
            final SnapshotCounters counters = leader < 0 ? null : nodes.counters(leader);
            return null != counters && counters.logFirstIndex() > 1;
        });
        final int[] leader = {-1};
        final ReplicaStatus[] leaderStatus = new ReplicaStatus[1];
        require(await(SERVE_BOUND_MS, () ->
        {
            leader[0] = nodes.leader();
            leaderStatus[0] = leader[0] < 0 ? null : nodes.status(leader[0]);
            return null != leaderStatus[0];
        }), "no leader within " + SERVE_BOUND_MS + " ms of wiping node " + target);
        final SnapshotCounters leaderCounters = nodes.counters(leader[0]);
        final long catchUpIndex = leaderStatus[0].appliedIndex();
        final long installsBefore = nodes.installs(target);
        final int logLinesBefore = nodes.logLines(target, 0).size();
        final long restartNs = System.nanoTime();
        final String rejoinRestart = startRejoinAndKillItWhileFenced(target, logLinesBefore);
        require(await(READY_BOUND_MS, () ->
        {
            final ReplicaStatus status = nodes.status(target);
            return allReady() && null != status && status.appliedIndex() >= catchUpIndex;
        }), "wiped node " + target + " did not catch up to index " + catchUpIndex + " within " + READY_BOUND_MS + " ms");
        final long rejoinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartNs);
        // Behind a compacted log only an install lets it catch up; its count rises just after the state machine
        // (whose applied index the status shows) has loaded the snapshot. Counted over both of its processes: the
        // first may have installed before it was killed, or received the whole snapshot, loaded then at the restart.
        final long leaderFirstIndex = null == leaderCounters ? 1 : leaderCounters.logFirstIndex();
        final boolean loadedAtRestart = nodes.logLines(target, logLinesBefore).stream()
            .anyMatch((line) -> line.contains(INSTALL_FINISHED_AT_RESTART));
        final long[] installs = {0};
        await(5_000, () ->
        {
            installs[0] = nodes.installs(target) - installsBefore;
            return installs[0] > 0 || loadedAtRestart || leaderFirstIndex <= 1;
        });
        final SnapshotCounters counters = nodes.counters(target);
        final String snapshotIndex = null == counters ? "unknown" : String.valueOf(counters.snapshotIndex());
        final String how;
        if (installs[0] > 0)
        {
            how = "rejoined through " + installs[0] + " snapshot install(s) (its newest snapshot then at index " +
                snapshotIndex + ")";
        }
        else if (loadedAtRestart)
        {
            how = "rejoined through the snapshot it had received when it was killed, loaded at its restart (its " +
                "newest snapshot then at index " + snapshotIndex + ")";
        }
        else
        {
            how = "rejoined from the leader's log, no install";
        }
        return "kill -9 node " + target + " (a follower, " + terms + "), data directory deleted, restarted empty " +
            "while the leader's log began at index " + (null == leaderCounters ? "unknown" : leaderFirstIndex) + "; " +
            rejoinRestart + "; " + how + ", caught up to index " + catchUpIndex + " in " + rejoinMs + " ms";
    }

    /**
     * Start the wiped node {@code target} (rejoining after data loss); once it has learned the term and before it
     * has caught up, {@code kill -9} it and start it again, now without the rejoin setting: its voting fence, kept in
     * its state file, must still hold (its log says the rejoin began before a restart) until it catches up.
     *
     * @param target     the wiped node.
     * @param firstStart the number of lines its log had before this start.
     * @return what happened, for the report.
     */
    private String startRejoinAndKillItWhileFenced(final int target, final int firstStart)
        throws InterruptedException
    {
        nodes.start(target);
        final boolean[] lifted = {false};
        require(await(READY_BOUND_MS, () ->
        {
            final List<String> lines = nodes.logLines(target, firstStart);
            lifted[0] = lines.stream().anyMatch((line) -> line.contains(FENCE_LIFTED));
            return lifted[0] || lines.stream().anyMatch((line) -> line.contains(TERM_LEARNED));
        }), "wiped node " + target + " learned no term within " + READY_BOUND_MS + " ms of its restart");
        if (lifted[0])
        {
            return "caught up before it could be killed while fenced";
        }

        nodes.kill(target, 10_000);
        final int secondStart = nodes.logLines(target, 0).size();
        nodes.start(target);
        require(await(READY_BOUND_MS, () -> nodes.logLines(target, secondStart).stream()
            .anyMatch((line) -> line.contains(FENCE_RESUMED))),
            "wiped node " + target + ", killed while fenced and restarted, did not say it is still rejoining: " +
            nodes.logTail(target, 5));
        require(await(READY_BOUND_MS, () -> nodes.logLines(target, secondStart).stream()
            .anyMatch((line) -> line.contains(FENCE_LIFTED))),
            "wiped node " + target + " did not lift its fence within " + READY_BOUND_MS + " ms of its second restart");
        return "kill -9 again while fenced (it had learned the term), restarted without the rejoin setting: still " +
            "fenced until it caught up";
    }

    /**
     * @return node {@code target}'s term beside the leader's, as their status says now.
     */
    private String termsOf(final int target)
    {
        final ReplicaStatus status = nodes.status(target);
        final int leader = nodes.leader();
        final ReplicaStatus leaderStatus = leader < 0 ? null : nodes.status(leader);
        return "in term " + (null == status ? "unknown" : String.valueOf(status.term())) + ", the leader's " +
            (null == leaderStatus ? "unknown" : String.valueOf(leaderStatus.term()));
    }

    /**
     * A follower to wipe: any node but the leader, whatever its term (it may lag, in an older one). The votes it
     * forgets are covered by the term probe: of three voters both others must tell it their terms, the candidate its
     * old self voted for among them, so it learns a term at least that vote's and its fence refuses votes through
     * the term it lifts in.
     */
    private int followerOfAnyTerm() throws InterruptedException
    {
        final int[] leader = {-1};
        require(await(SERVE_BOUND_MS, () ->
        {
            leader[0] = nodes.leader();
            return leader[0] >= 0;
        }), "no leader within " + SERVE_BOUND_MS + " ms to wipe a follower of");
        return (leader[0] + 1 + random.nextInt(NODES - 1)) % NODES;
    }

    /**
     * A follower to replace: only while all three nodes agree on the term and the leader, so that the change is
     * asked of a leader the others follow.
     */
    private int followerOfStableLeader() throws InterruptedException
    {
        final int[] leader = {-1};
        require(await(SERVE_BOUND_MS, () ->
        {
            leader[0] = nodes.leader();
            final ReplicaStatus leaderStatus = leader[0] < 0 ? null : nodes.status(leader[0]);
            for (int i = 0; i < NODES && null != leaderStatus; i++)
            {
                final ReplicaStatus status = nodes.status(i);
                if (null == status || status.term() != leaderStatus.term() ||
                    status.leader() != nodes.memberId(leader[0]))
                {
                    return false;
                }
            }
            return null != leaderStatus;
        }), "no stable leader within " + SERVE_BOUND_MS + " ms to wipe a follower of");
        return (leader[0] + 1 + random.nextInt(NODES - 1)) % NODES;
    }

    private int leaderOrRandom() throws InterruptedException
    {
        await(5_000, () -> nodes.leader() >= 0);
        final int leader = nodes.leader();
        return leader >= 0 ? leader : random.nextInt(NODES);
    }

    private String leaderText()
    {
        final int leader = nodes.leader();
        final ReplicaStatus status = leader < 0 ? null : nodes.status(leader);
        return null == status ? "unknown" : "node " + leader + " term " + status.term();
    }

    private void healAll() throws InterruptedException
    {
        fabric.heal();
        for (int i = 0; i < NODES; i++)
        {
            if (nodes.isPaused(i))
            {
                nodes.resume(i);
            }
            if (!nodes.isAlive(i))
            {
                nodes.start(i);
            }
        }
        require(await(READY_BOUND_MS, this::allReady), "nodes not all ready after healing");
    }

    /**
     * Waits until all replicas report the same applied index, then compares their digests.
     */
    private String converge() throws InterruptedException
    {
        final ReplicaStatus[] statuses = new ReplicaStatus[NODES];
        final boolean sameIndex = await(CONVERGE_BOUND_MS, () ->
        {
            for (int i = 0; i < NODES; i++)
            {
                statuses[i] = nodes.status(i);
                if (null == statuses[i] || statuses[i].appliedIndex() != statuses[0].appliedIndex())
                {
                    return false;
                }
            }
            return true;
        });
        final StringBuilder text = new StringBuilder();
        boolean identical = sameIndex;
        for (int i = 0; i < NODES; i++)
        {
            text.append(i == 0 ? "" : "; ").append("node ").append(i).append(' ').append(statuses[i]);
            identical &= null != statuses[i] && statuses[i].digest().equals(statuses[0].digest());
        }
        if (!identical)
        {
            anomalies.add("replicas did not converge within " + CONVERGE_BOUND_MS + " ms: " + text);
        }
        log("replicas " + (identical ? "identical" : "DIFFER") + ": " + text);
        return (identical ? "identical: " : "DIFFER: ") + text;
    }

    private boolean allReady()
    {
        boolean ready = true;
        for (int i = 0; i < NODES; i++)
        {
            if (!nodes.isReady(i))
            {
                nodes.restartIfStartFailed(i);
                ready = false;
            }
        }
        return ready;
    }

    /**
     * Stops the nodes, removes the network and the /dev/shm directories; from the run's end or a shutdown hook.
     */
    private synchronized void cleanUp()
    {
        CloseHelper.quietClose(clientDriver);
        CloseHelper.quietClose(rogueDriver);
        CloseHelper.quietClose(nodes);
        CloseHelper.quietClose(fabric);
    }

    private void log(final String message)
    {
        out.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + message);
        out.flush();
    }

    private static void require(final boolean condition, final String problem)
    {
        if (!condition)
        {
            throw new AbortException(problem);
        }
    }

    private static boolean await(final long timeoutMs, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * A run that cannot go on: reported as an anomaly, then everything is cleaned up.
     */
    private static final class AbortException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        AbortException(final String message)
        {
            super(message);
        }
    }
}
