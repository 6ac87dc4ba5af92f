package io.flotilla.engine;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * N nodes in one JVM over real Aeron on loopback: ports of this JVM's own ({@link TestPorts}), a data directory per
 * node under a temp directory, a {@link ChecksumStateMachine} per node. Every wait is bounded.
 */
public final class TestCluster implements AutoCloseable
{
    public static final long TIMEOUT_MS = 20_000;

    private final File baseDir;
    private final String membersSpec;
    private final int size;
    private final int[] ports;
    private final ClusterNode[] nodes;
    private final ChecksumStateMachine[] machines;
    private final AtomicLongArray electedLeaders;
    private final AtomicLongArray committed;
    private final AtomicLongArray roleChanges;
    private final ClusterKeys keys = ClusterKeys.generate();

    public TestCluster(final File baseDir, final int size)
    {
        this.baseDir = baseDir;
        this.size = size;
        ports = freeUdpPorts(2 * size);
        final StringBuilder spec = new StringBuilder();
        for (int i = 0; i < size; i++)
        {
            if (i > 0)
            {
                spec.append(',');
            }
            spec.append(i).append("=localhost:").append(ports[2 * i]).append(':').append(ports[2 * i + 1]);
        }
        membersSpec = spec.toString();
        nodes = new ClusterNode[size];
        machines = new ChecksumStateMachine[size];
        electedLeaders = new AtomicLongArray(size);
        committed = new AtomicLongArray(size);
        roleChanges = new AtomicLongArray(size);
    }

    /**
     * Start every member; if one fails to start, close those started before rethrowing, since the caller's
     * try-with-resources never gets the cluster to close and they would run on under the tests that follow.
     */
    public TestCluster startAll()
    {
        try
        {
            for (int i = 0; i < size; i++)
            {
                start(i);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            close();
            throw ex;
        }
        return this;
    }

    public ClusterNode start(final int memberId)
    {
        return start(memberId, context(memberId));
    }

    public ClusterNode start(final int memberId, final ClusterNode.Context context)
    {
        return start(memberId, context, new ChecksumStateMachine());
    }

    public ClusterNode start(final int memberId, final ClusterNode.Context context, final ChecksumStateMachine machine)
    {
        machines[memberId] = machine;
        nodes[memberId] = ClusterNode.launch(context.stateMachine(machine));
        return nodes[memberId];
    }

    /**
     * Start a member with a state machine of the test's own, set on the context ({@link #machine} is null for it).
     */
    public ClusterNode startWith(final int memberId, final ClusterNode.Context context)
    {
        machines[memberId] = null;
        nodes[memberId] = ClusterNode.launch(context);
        return nodes[memberId];
    }

    /**
     * @return the member's data directory.
     */
    public File dataDirectory(final int memberId)
    {
        return new File(baseDir, "node-" + memberId);
    }

    public ClusterNode.Context context(final int memberId)
    {
        return new ClusterNode.Context()
            .memberId(memberId)
            .members(membersSpec)
            .clusterKeys(keys)
            .dataDirectory(dataDirectory(memberId))
            .durability(Durability.ASYNC)
            .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300), TimeUnit.MILLISECONDS.toNanos(600))
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(50))
            // Closing a node stands for a crash in these tests (leader loss, failover by election), and a cluster
            // closes fast; GracefulStopTest sets the handover wait itself.
            .shutdownTransferTimeoutNs(0)
            .listener(new NodeListener()
            {
                public void onRoleChange(final int memberId, final Role role, final long term)
                {
                    roleChanges.incrementAndGet(memberId);
                }

                public void onLeaderElected(final int memberId, final int leaderMemberId, final long term)
                {
                    electedLeaders.set(memberId, leaderMemberId);
                }

                public void onCommit(final int memberId, final long commitIndex)
                {
                    committed.set(memberId, commitIndex);
                }
            });
    }

    /**
     * @return the leader the member's listener heard of last.
     */
    public long electedLeader(final int memberId)
    {
        return electedLeaders.get(memberId);
    }

    /**
     * @return the commit index the member's listener heard of last.
     */
    public long committed(final int memberId)
    {
        return committed.get(memberId);
    }

    /**
     * @return how many role or term changes the member's listener heard of.
     */
    public long roleChanges(final int memberId)
    {
        return roleChanges.get(memberId);
    }

    public void stop(final int memberId)
    {
        CloseHelper.close(nodes[memberId]);
        nodes[memberId] = null;
    }

    public String membersSpec()
    {
        return membersSpec;
    }

    /**
     * @param ids some of the members.
     * @return a members spec naming only them (a smaller founding cluster, or a joining node's view of it).
     */
    public String membersSpec(final int... ids)
    {
        final StringBuilder spec = new StringBuilder();
        for (final int id : ids)
        {
            spec.append(spec.length() > 0 ? "," : "").append(id).append('=').append(endpoint(id));
        }
        return spec.toString();
    }

    /**
     * @param memberId of a member.
     * @return its endpoint as a configuration carries it, host:consensusPort:ingressPort.
     */
    public String endpoint(final int memberId)
    {
        return "localhost:" + ports[2 * memberId] + ":" + ports[2 * memberId + 1];
    }

    /**
     * @param memberId of a member.
     * @return its consensus endpoint in {@link #membersSpec()}, host:port.
     */
    public String consensusEndpoint(final int memberId)
    {
        return "localhost:" + ports[2 * memberId];
    }

    /**
     * @param memberId of a member.
     * @return its ingress endpoint in {@link #membersSpec()}, host:port.
     */
    public String ingressEndpoint(final int memberId)
    {
        return "localhost:" + ports[2 * memberId + 1];
    }

    public ClusterNode node(final int memberId)
    {
        return nodes[memberId];
    }

    public ChecksumStateMachine machine(final int memberId)
    {
        return machines[memberId];
    }

    /**
     * Wait until exactly one running node leads and every running node knows it.
     */
    public ClusterNode awaitLeader()
    {
        final AtomicReference<ClusterNode> leader = new AtomicReference<>();
        await("a leader known to every running node", () ->
        {
            ClusterNode found = null;
            for (final ClusterNode node : nodes)
            {
                if (null != node && Role.LEADER == node.role())
                {
                    if (null != found)
                    {
                        return false;
                    }
                    found = node;
                }
            }
            if (null == found)
            {
                return false;
            }
            for (final ClusterNode node : nodes)
            {
                if (null != node && node.leaderMemberId() != found.memberId())
                {
                    return false;
                }
            }
            leader.set(found);
            return true;
        });
        return leader.get();
    }

    /**
     * Propose {@code count} commands through a node, keeping up to {@code window} in flight, retrying
     * BACK_PRESSURED ones, and wait for all of them to be applied OK.
     */
    public static void proposeAll(final ClusterNode node, final int count, final int window, final String prefix)
    {
        proposeAll(node, count, window, prefix, 0);
    }

    /**
     * As {@link #proposeAll(ClusterNode, int, int, String)}, with commands padded to at least {@code minLength}.
     */
    public static void proposeAll(
        final ClusterNode node, final int count, final int window, final String prefix, final int minLength)
    {
        propose(node, count, window, prefix, minLength, false);
    }

    /**
     * Propose {@code count} commands through whichever node leads, moving to the new leader when leadership changes
     * (proposals a change refused or dropped were not applied, and are sent again); wait for all of them to be
     * applied OK. For tests where leadership may move under load (a loaded machine, snapshots).
     */
    public void proposeAllAcrossLeaderChanges(final int count, final int window, final String prefix)
    {
        int remaining = count;
        for (int round = 0; remaining > 0; round++)
        {
            remaining = propose(awaitLeader(), remaining, window, prefix + round + "-", 0, true);
        }
    }

    /**
     * @return how many were refused NOT_LEADER or DROPPED (never applied) when {@code retryable}; any other failure
     * fails the test.
     */
    private static int propose(
        final ClusterNode node,
        final int count,
        final int window,
        final String prefix,
        final int minLength,
        final boolean retryable)
    {
        final AtomicLong completed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong notApplied = new AtomicLong();
        final AtomicReference<ProposalResult> lastFailure = new AtomicReference<>();
        final AtomicLong backPressured = new AtomicLong();
        final UnsafeBuffer command = new UnsafeBuffer(new byte[Math.max(64, minLength)]);
        command.setMemory(0, command.capacity(), (byte)'.');
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS * 3);

        int sent = 0;
        while (completed.get() + failed.get() + notApplied.get() < count)
        {
            if (System.nanoTime() > deadline)
            {
                fail("proposals timed out: sent " + sent + " completed " + completed.get() + " failed " + failed.get());
            }
            if (sent - completed.get() - failed.get() - notApplied.get() - backPressured.get() < window &&
                sent < count)
            {
                final int length = Math.max(minLength, command.putStringWithoutLengthAscii(0, prefix + sent));
                node.propose(command, 0, length, (result) ->
                {
                    final ProposalStatus status = result.status();
                    if (ProposalStatus.OK == status)
                    {
                        completed.incrementAndGet();
                    }
                    else if (ProposalStatus.BACK_PRESSURED == status)
                    {
                        backPressured.incrementAndGet();
                    }
                    else if (retryable && (ProposalStatus.NOT_LEADER == status || ProposalStatus.DROPPED == status))
                    {
                        notApplied.incrementAndGet();
                    }
                    else
                    {
                        lastFailure.set(result.copy());
                        failed.incrementAndGet();
                    }
                });
                sent++;
            }
            else if (backPressured.get() > 0)
            {
                // Re-send the back-pressured ones as new proposals.
                final long n = backPressured.getAndSet(0);
                sent -= (int)n;
            }
            else
            {
                Thread.onSpinWait();
            }
        }
        if (failed.get() > 0)
        {
            fail(failed.get() + " proposals failed, last: " + lastFailure.get());
        }
        return (int)notApplied.get();
    }

    /**
     * Wait until every running node applied the same number of commands, at least {@code count}, with the same
     * checksum.
     */
    public void awaitConverged(final long count)
    {
        await("every running node applied " + count + " commands with one checksum", () ->
        {
            long checksum = 0;
            boolean first = true;
            for (int i = 0; i < size; i++)
            {
                if (null != nodes[i])
                {
                    if (machines[i].count() != count)
                    {
                        return false;
                    }
                    if (first)
                    {
                        checksum = machines[i].checksum();
                        first = false;
                    }
                    else if (checksum != machines[i].checksum())
                    {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    public String describe()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++)
        {
            sb.append("\n  member ").append(i).append(": ");
            if (null == nodes[i])
            {
                sb.append("stopped");
            }
            else
            {
                sb.append(nodes[i].role()).append(" term=").append(nodes[i].term())
                    .append(" leader=").append(nodes[i].leaderMemberId())
                    .append(" commit=").append(nodes[i].commitIndex())
                    .append(" applied=").append(nodes[i].appliedIndex());
                if (null != machines[i])
                {
                    sb.append(" count=").append(machines[i].count()).append(" checksum=").append(machines[i].checksum());
                }
            }
        }
        return sb.toString();
    }

    public void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out waiting for " + what + describe());
            }
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    public void close()
    {
        for (int i = 0; i < size; i++)
        {
            CloseHelper.quietClose(nodes[i]);
            nodes[i] = null;
        }
    }

    /**
     * @return {@code count} distinct UDP ports that no bind to port 0 can take before the test binds them
     * ({@link TestPorts}).
     */
    /**
     * Propose through whichever node leads until the command is applied OK (for commands that end the same when
     * applied twice, or whose tests count what was applied).
     */
    public void proposeUntilOk(final UnsafeBuffer command)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (System.nanoTime() < deadline)
        {
            final CompletableFuture<ProposalStatus> status = new CompletableFuture<>();
            if (awaitLeader().propose(command, 0, command.capacity(), (r) -> status.complete(r.status())))
            {
                try
                {
                    if (ProposalStatus.OK == status.get(TIMEOUT_MS, TimeUnit.MILLISECONDS))
                    {
                        return;
                    }
                }
                catch (final Exception ex)
                {
                    fail("proposal did not complete: " + ex + describe());
                }
            }
            Thread.onSpinWait();
        }
        fail("proposal not applied OK in time" + describe());
    }

    public static int[] freeUdpPorts(final int count)
    {
        return TestPorts.allocate(count);
    }
}
