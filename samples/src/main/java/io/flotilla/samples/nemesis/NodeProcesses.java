package io.flotilla.samples.nemesis;

import io.flotilla.admin.AdminServer;
import io.flotilla.engine.ClusterKeys;
import io.flotilla.engine.ClusterNode;
import io.flotilla.samples.KvNode;
import io.flotilla.samples.ReplicaStatus;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The {@link KvNode} JVMs of a nemesis run, each in its network namespace, started as {@code scripts/demo.sh}
 * starts them (same JVM flags, FSYNC log, an admin endpoint) with {@link #SNAPSHOT_SETTINGS}; data in
 * {@code RUN_DIR/node-N}, output appended to {@code RUN_DIR/node-N.log}, Aeron directories under {@code /dev/shm}
 * removed on {@link #close()}. Knows which nodes it killed or paused, so a node that exits by itself is noticed, and
 * keeps count of the snapshots each node installed over all its processes ({@link #snapshotActivity()}).
 * <p>
 * "Node N" is a slot: a namespace, a data directory and a log file. Slots {@code 0} to {@link #count()}{@code - 1}
 * found the cluster, as members {@code 0} to {@code count() - 1}; the slots after them are spares, for the membership
 * faults. A slot that joins the cluster ({@link #startJoining}) takes a member id never used before, so that no
 * member ever comes back under an id whose votes it forgot.
 */
public final class NodeProcesses implements AutoCloseable
{
    /** The flags Aeron and Agrona need on Java 17 (the parent pom's {@code flotilla.jvm.flags}, as scripts/lib.sh). */
    public static final List<String> JVM_FLAGS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-Djava.net.preferIPv4Stack=true");
    /**
     * Thresholds small enough that every node snapshots every few seconds under the workload, and archive segments
     * small enough (about 3,000 of its entries) that compaction purges one at nearly every snapshot: a blank
     * follower, and one paused or cut off for a few seconds, needs an install. 512 KiB segments of a log with
     * 256 KiB terms (a segment is a multiple of the term length; both in bytes, these two settings take no size
     * suffix).
     */
    static final List<String> SNAPSHOT_SETTINGS = List.of(
        "-Dflotilla.snapshot.log.entries=2000", "-Dflotilla.snapshot.retain.entries=300",
        "-Dflotilla.archive.segment.length=524288", "-Dflotilla.log.term.length=262144");
    static final int CONSENSUS_PORT = 20110;
    static final int INGRESS_PORT = 20111;
    static final int ADMIN_PORT = 20112;
    private static final long STOP_TIMEOUT_MS = 15_000;
    /** What a node must never log: a frame or log entry failing its checksum, or a corrupt log. */
    private static final Pattern LOG_PROBLEM = Pattern.compile("(?i)checksum|corrupt");
    /** The line a node logs when it has taken a snapshot itself (not when it loads or installs one). */
    private static final Pattern SNAPSHOT_TAKEN = Pattern.compile(": snapshot at index \\d+ term \\d+, \\d+ bytes");

    private final Path runDir;
    private final NetworkFabric fabric;
    private final int founders;
    private final String aeronPrefix;
    private final Path keyFile;
    private final Path adminTokenFile;
    private final int[] memberIds;
    private final boolean[] members;
    private int nextMemberId;
    private final Process[] processes;
    private final boolean[] paused;
    private final boolean[] wiped;
    private final boolean[] readySinceStart;
    private final int[] failedStarts;
    private final SnapshotCounters[] lastCounters;
    private final long[] installsOfProcess;
    private final long[] installsBefore;
    private final List<String> unexpectedExits = new ArrayList<>();
    private final List<String> startFailures = new ArrayList<>();

    /**
     * @param founders the slots that found the cluster, the first ones.
     * @param slots    every slot, the spares included (the fabric has a namespace for each).
     */
    NodeProcesses(final Path runDir, final NetworkFabric fabric, final int founders, final int slots)
    {
        this.runDir = runDir;
        this.fabric = fabric;
        this.founders = founders;
        this.memberIds = new int[slots];
        this.members = new boolean[slots];
        for (int i = 0; i < slots; i++)
        {
            memberIds[i] = i < founders ? i : -1;
            members[i] = i < founders;
        }
        this.nextMemberId = founders;
        this.processes = new Process[slots];
        this.paused = new boolean[slots];
        this.wiped = new boolean[slots];
        this.readySinceStart = new boolean[slots];
        this.failedStarts = new int[slots];
        this.lastCounters = new SnapshotCounters[slots];
        this.installsOfProcess = new long[slots];
        this.installsBefore = new long[slots];
        this.aeronPrefix = "/dev/shm/flotilla-nemesis-" + ProcessHandle.current().pid() + "-";
        keyFile = runDir.resolve("cluster.key");
        adminTokenFile = runDir.resolve("admin.token");
        try
        {
            ClusterKeys.generate().write(keyFile); // the nodes of this run sign their consensus messages with it
            // The membership faults change the cluster through the nodes' admin endpoints, with this token.
            final byte[] token = new byte[24];
            new SecureRandom().nextBytes(token);
            Files.writeString(adminTokenFile, HexFormat.of().formatHex(token), StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the run's cluster key or admin token in " + runDir, ex);
        }
    }

    /**
     * @return the founding slots; the cluster has this many voters between membership faults.
     */
    int count()
    {
        return founders;
    }

    /**
     * @return every slot, the spares included.
     */
    int slots()
    {
        return processes.length;
    }

    /**
     * @return the members spec of the slots that are members now.
     */
    String members()
    {
        final StringBuilder spec = new StringBuilder();
        for (int i = 0; i < processes.length; i++)
        {
            if (members[i])
            {
                spec.append(spec.length() == 0 ? "" : ",").append(memberIds[i]).append('=').append(endpoint(i));
            }
        }
        return spec.toString();
    }

    /**
     * @return the member id slot {@code id} runs as (or ran as last), -1 for a spare never started.
     */
    int memberId(final int id)
    {
        return memberIds[id];
    }

    /**
     * @return the slot running as member {@code memberId}, or -1.
     */
    int slotOf(final int memberId)
    {
        for (int i = 0; i < processes.length; i++)
        {
            if (memberIds[i] == memberId)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return where the others reach slot {@code id}: {@code host:consensusPort:ingressPort}.
     */
    String endpoint(final int id)
    {
        return fabric.nodeAddress(id) + ':' + CONSENSUS_PORT + ':' + INGRESS_PORT;
    }

    /**
     * @return the admin endpoints ({@code host:port}) of the slots running now, for the cluster tool.
     */
    String adminNodes()
    {
        final StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < processes.length; i++)
        {
            if (isAlive(i))
            {
                nodes.append(nodes.length() == 0 ? "" : ",").append(fabric.nodeAddress(i)).append(':')
                    .append(ADMIN_PORT);
            }
        }
        return nodes.toString();
    }

    Path adminTokenFile()
    {
        return adminTokenFile;
    }

    /**
     * Records that slot {@code id} is, or no longer is, a member: the members spec of later starts follows.
     */
    void member(final int id, final boolean isMember)
    {
        members[id] = isMember;
    }

    /**
     * Starts slot {@code id}, which must be down, empty, as a new member joining the running cluster: it takes a
     * member id never used before and waits to be added ({@code flotilla.join}).
     *
     * @return the new member id.
     */
    int startJoining(final int id)
    {
        wipe(id);
        wiped[id] = false; // a new member, not one that lost its data: it needs no voting fence
        memberIds[id] = nextMemberId++;
        start(id);
        return memberIds[id];
    }

    Path dataDir(final int id)
    {
        return runDir.resolve("node-" + id);
    }

    /**
     * Starts node {@code id} (a fresh process; its data directory is kept across restarts unless {@link #wipe}d, and
     * then it starts as a node rejoining after data loss).
     */
    void start(final int id)
    {
        checkExited(id);
        try
        {
            Files.createDirectories(dataDir(id));
            Files.deleteIfExists(dataDir(id).resolve(ReplicaStatus.FILE_NAME));
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(JVM_FLAGS);
            command.addAll(SNAPSHOT_SETTINGS);
            final boolean joined = memberIds[id] >= founders;
            final StringBuilder spec = new StringBuilder(members());
            if (!members[id])
            {
                spec.append(',').append(memberIds[id]).append('=').append(endpoint(id));
            }
            if (joined)
            {
                // Until its log or snapshot says it is a voter, a member that joined counts itself as none.
                command.add("-D" + ClusterNode.Context.JOIN_PROP + "=true");
            }
            if (wiped[id])
            {
                // Kept out of elections until caught up: it forgot its vote and its entries (VotingFence).
                command.add("-D" + ClusterNode.Context.REJOIN_AFTER_DATA_LOSS_PROP + "=true");
                wiped[id] = false;
            }
            command.addAll(List.of("-Xmx256m", "-XX:+UseParallelGC", "-Dflotilla.aeron.dir=" + aeronDir(id),
                "-D" + ClusterNode.Context.CLUSTER_KEY_FILE_PROP + "=" + keyFile,
                "-D" + AdminServer.Context.PORT_PROP + "=" + ADMIN_PORT,
                "-D" + AdminServer.Context.BIND_PROP + "=" + fabric.nodeAddress(id),
                "-D" + AdminServer.Context.TOKEN_FILE_PROP + "=" + adminTokenFile,
                // A membership change waits for the new member to catch up, an install included.
                "-D" + AdminServer.Context.REQUEST_TIMEOUT_PROP + "=60s",
                "-cp", System.getProperty("java.class.path"), KvNode.class.getName(),
                "--member-id", String.valueOf(memberIds[id]), "--members", spec.toString(),
                "--data-dir", dataDir(id).toString()));
            final File log = runDir.resolve("node-" + id + ".log").toFile();
            processes[id] = new ProcessBuilder(fabric.inNamespace(id, command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
            paused[id] = false;
            readySinceStart[id] = false;
            lastCounters[id] = null;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start node " + id, ex);
        }
    }

    /**
     * @return true when node {@code id} runs and has published its status (it is up and its log replayed).
     */
    boolean isReady(final int id)
    {
        final ReplicaStatus status = status(id);
        final boolean ready = isAlive(id) && null != status && status.pid() == processes[id].pid();
        if (ready)
        {
            readySinceStart[id] = true;
            failedStarts[id] = 0;
        }
        return ready;
    }

    /**
     * A node that exits while starting (before it published its status) is started once more, as
     * {@code scripts/demo.sh} does; the failure is kept as a warning ({@link #startFailures()}). A second failed
     * start in a row, or an exit after the node was up, is an anomaly ({@link #problems()}).
     */
    void restartIfStartFailed(final int id)
    {
        checkExited(id);
        if (null == processes[id] && !readySinceStart[id] && failedStarts[id] == 1)
        {
            start(id);
        }
    }

    List<String> startFailures()
    {
        return List.copyOf(startFailures);
    }

    boolean isAlive(final int id)
    {
        return null != processes[id] && processes[id].isAlive();
    }

    boolean isPaused(final int id)
    {
        return paused[id];
    }

    ReplicaStatus status(final int id)
    {
        return ReplicaStatus.read(dataDir(id));
    }

    /**
     * @return the id of the running, not paused node reporting itself leader in the highest term, or -1.
     */
    int leader()
    {
        int leader = -1;
        long term = -1;
        for (int i = 0; i < processes.length; i++)
        {
            final ReplicaStatus status = status(i);
            if (isAlive(i) && !paused[i] && null != status && "LEADER".equals(status.role()) && status.term() > term)
            {
                leader = i;
                term = status.term();
            }
        }
        return leader;
    }

    /**
     * Stop node {@code id} with SIGTERM (its shutdown hook closes the node: a leader hands over first) and wait until
     * it is gone.
     */
    void stop(final int id, final long timeoutMs) throws InterruptedException
    {
        final Process process = processes[id];
        endOfProcess(id, process);
        process.destroy();
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            throw new IllegalStateException("node " + id + " (pid " + process.pid() + ") did not stop within " +
                timeoutMs + " ms of SIGTERM");
        }
        processes[id] = null;
        paused[id] = false;
    }

    /**
     * {@code kill -9} node {@code id} and wait until it is gone.
     */
    void kill(final int id, final long timeoutMs) throws InterruptedException
    {
        final Process process = processes[id];
        process.destroyForcibly();
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            throw new IllegalStateException("node " + id + " (pid " + process.pid() + ") survived kill -9");
        }
        endOfProcess(id, process);
        processes[id] = null;
        paused[id] = false;
    }

    /**
     * Deletes node {@code id}'s whole data directory (log, snapshots, node state: a replaced disk); the node must
     * be down. Its log file, beside the directory, is kept.
     */
    void wipe(final int id)
    {
        if (isAlive(id))
        {
            throw new IllegalStateException("node " + id + " runs: kill it before deleting its data directory");
        }
        IoUtil.delete(dataDir(id).toFile(), false);
        wiped[id] = true;
    }

    /**
     * Reads node {@code id}'s snapshot counters now.
     *
     * @return the counters of its running process, else the last ones seen of its latest process (null if none
     * yet).
     */
    SnapshotCounters counters(final int id)
    {
        final Process process = processes[id];
        if (null != process)
        {
            sampleCounters(id, process.pid());
        }
        return lastCounters[id];
    }

    /**
     * @return the snapshots node {@code id} has installed from a leader, over all its processes so far.
     */
    long installs(final int id)
    {
        counters(id);
        return installsBefore[id] + installsOfProcess[id];
    }

    /**
     * @return node {@code id}'s consensus counters now, as anyone who can read its Aeron directory sees them, or
     * null when it does not run or they cannot be read.
     */
    ConsensusCounters consensusCounters(final int id)
    {
        final Process process = processes[id];
        return null == process ? null : ConsensusCounters.read(aeronDir(id), process.pid());
    }

    /**
     * @return every founding slot's snapshots over the run: taken (from its log), installed (counted over its
     * processes) and its newest snapshot and first log index when last seen; complete after {@link #close()}.
     */
    List<SnapshotActivity> snapshotActivity() throws IOException
    {
        final List<SnapshotActivity> activity = new ArrayList<>();
        for (int i = 0; i < founders; i++)
        {
            final long installs = installs(i);
            int taken = 0;
            final Path log = runDir.resolve("node-" + i + ".log");
            if (Files.exists(log))
            {
                for (final String line : Files.readAllLines(log, StandardCharsets.UTF_8))
                {
                    taken += SNAPSHOT_TAKEN.matcher(line).find() ? 1 : 0;
                }
            }
            final SnapshotCounters last = lastCounters[i];
            activity.add(new SnapshotActivity(i, taken, installs,
                null == last ? 0 : last.snapshotIndex(), null == last ? 1 : last.logFirstIndex()));
        }
        return activity;
    }

    /**
     * {@code kill -STOP}: the process stops dead, its sockets stay open (a long GC pause, a stalled VM).
     */
    void pause(final int id)
    {
        signal(id, "-STOP");
        paused[id] = true;
    }

    void resume(final int id)
    {
        signal(id, "-CONT");
        paused[id] = false;
    }

    /**
     * @return problems found so far: nodes that exited without being killed, and log lines about checksums or
     * corruption.
     */
    List<String> problems() throws IOException
    {
        for (int i = 0; i < processes.length; i++)
        {
            checkExited(i);
        }
        final List<String> problems = new ArrayList<>(unexpectedExits);
        for (int i = 0; i < processes.length; i++)
        {
            final Path log = runDir.resolve("node-" + i + ".log");
            if (Files.exists(log))
            {
                for (final String line : Files.readAllLines(log, StandardCharsets.UTF_8))
                {
                    if (LOG_PROBLEM.matcher(line).find())
                    {
                        problems.add("node " + i + " logged: " + line);
                    }
                }
            }
        }
        return problems;
    }

    /**
     * @return every node's role-change lines logged at or after {@code since}, in time order: the elections behind a
     * slow recovery.
     */
    List<String> roleChangesSince(final Instant since) throws IOException
    {
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < processes.length; i++)
        {
            final Path log = runDir.resolve("node-" + i + ".log");
            if (Files.exists(log))
            {
                for (final String line : Files.readAllLines(log, StandardCharsets.UTF_8))
                {
                    final int space = line.indexOf(' ');
                    if (line.contains(" role=") && space > 0 && !parseInstant(line.substring(0, space)).isBefore(since))
                    {
                        lines.add(line);
                    }
                }
            }
        }
        lines.sort(Comparator.comparing((final String line) -> parseInstant(line.substring(0, line.indexOf(' ')))));
        return lines;
    }

    /**
     * @return the last lines of node {@code id}'s log, for a failure report.
     */
    String logTail(final int id, final int lines)
    {
        final List<String> all = logLines(id, 0);
        return all.isEmpty() ? "(no log)" : String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /**
     * @return node {@code id}'s log lines from line {@code from} on (the log holds every start's lines, in order):
     * none when it has fewer or cannot be read.
     */
    List<String> logLines(final int id, final int from)
    {
        try
        {
            final List<String> all = Files.readAllLines(runDir.resolve("node-" + id + ".log"), StandardCharsets.UTF_8);
            return from >= all.size() ? List.of() : all.subList(from, all.size());
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return List.of();
        }
    }

    /**
     * Resumes paused nodes, stops every node (SIGTERM, then SIGKILL after a bound) and removes the Aeron
     * directories; never throws. The counters are read first: a node that stops cleanly frees them.
     */
    @Override
    public void close()
    {
        for (int i = 0; i < processes.length; i++)
        {
            if (isAlive(i))
            {
                if (paused[i])
                {
                    signalQuietly(processes[i].pid(), "-CONT");
                }
                endOfProcess(i, processes[i]);
                processes[i].destroy();
            }
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MS);
        for (int i = 0; i < processes.length; i++)
        {
            if (null != processes[i])
            {
                try
                {
                    if (!processes[i].waitFor(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS))
                    {
                        processes[i].destroyForcibly().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    }
                }
                catch (final InterruptedException ex)
                {
                    processes[i].destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
            IoUtil.delete(aeronDir(i), true);
        }
    }

    private File aeronDir(final int id)
    {
        return new File(aeronPrefix + id);
    }

    private void sampleCounters(final int id, final long pid)
    {
        final SnapshotCounters counters = SnapshotCounters.read(aeronDir(id), pid);
        if (null != counters)
        {
            lastCounters[id] = counters;
            installsOfProcess[id] = Math.max(installsOfProcess[id], counters.installs());
        }
    }

    /**
     * A process of node {@code id} ends (or is about to): its install count is read a last time (a killed
     * process's CnC file stays until the next start replaces it) and added to the node's earlier ones.
     */
    private void endOfProcess(final int id, final Process process)
    {
        sampleCounters(id, process.pid());
        installsBefore[id] += installsOfProcess[id];
        installsOfProcess[id] = 0;
    }

    private static Instant parseInstant(final String text)
    {
        try
        {
            return Instant.parse(text);
        }
        catch (final DateTimeParseException ex)
        {
            return Instant.MIN;
        }
    }

    private void checkExited(final int id)
    {
        final Process process = processes[id];
        if (null != process && !process.isAlive())
        {
            final String what = "node " + id + " (pid " + process.pid() + ") exited by itself with status " +
                process.exitValue() + (readySinceStart[id] ? "" : " while starting") + "; log tail:\n" + logTail(id, 20);
            endOfProcess(id, process);
            if (readySinceStart[id] || ++failedStarts[id] > 1)
            {
                unexpectedExits.add(what);
            }
            else
            {
                startFailures.add(what);
            }
            processes[id] = null;
        }
    }

    private void signal(final int id, final String signal)
    {
        if (!signalQuietly(processes[id].pid(), signal))
        {
            throw new IllegalStateException("kill " + signal + " of node " + id + " failed");
        }
    }

    private static boolean signalQuietly(final long pid, final String signal)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", signal, String.valueOf(pid)).redirectErrorStream(true).start();
            return kill.waitFor(10, TimeUnit.SECONDS) && 0 == kill.exitValue();
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
