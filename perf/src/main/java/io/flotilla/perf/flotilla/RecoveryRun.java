package io.flotilla.perf.flotilla;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.ProposalCallback;
import io.flotilla.engine.ProposalResult;
import io.flotilla.engine.ProposalStatus;
import io.flotilla.engine.Role;
import io.flotilla.perf.baseline.LoopbackResources;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recovery test: a node's log is filled with N commands, the node is closed and launched again on the same
 * directory, and the figure is how long {@link ClusterNode#launch} takes until the node runs: media stack start,
 * the archive log opened (every segment read, every frame's checksum checked, the index rebuilt) and every
 * committed command applied again to a fresh {@link EchoStateMachine}. A launch on an empty directory is timed too,
 * so the replay's own share can be told apart from the media stack's start-up.
 * <p>
 * The node is a one-member cluster: filling the log through three replicas would only make the set-up slower, and
 * a restarted member replays its own log the same way whatever the cluster size.
 */
public final class RecoveryRun implements ProposalCallback
{
    private static final long DEADLINE_NS = TimeUnit.MINUTES.toNanos(5);
    private static final int MAX_IN_FLIGHT = 2048;

    private final FlotillaSettings settings;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * @param settings durability and threading of the node.
     */
    public RecoveryRun(final FlotillaSettings settings)
    {
        this.settings = settings;
    }

    public void onComplete(final ProposalResult result)
    {
        if (ProposalStatus.OK == result.status())
        {
            committed.incrementAndGet();
        }
        else if (ProposalStatus.BACK_PRESSURED != result.status())
        {
            failed.incrementAndGet();
        }
    }

    /**
     * Fill, restart, time.
     *
     * @param entries       commands in the log.
     * @param messageLength bytes per command.
     * @return the result line, {@code key=value} pairs.
     */
    public String run(final long entries, final int messageLength)
    {
        final LoopbackResources resources = new LoopbackResources("flotilla-perf-recovery");
        try
        {
            final int[] ports = LoopbackResources.freeUdpPorts(2);
            final String members = "0=localhost:" + ports[0] + ":" + ports[1];
            final File dataDir = resources.dataDir("node-0");

            final long fillStartNs = System.nanoTime();
            try (ClusterNode node = launch(members, dataDir, resources.aeronDir("fill"), new EchoStateMachine()))
            {
                fill(node, entries, messageLength);
            }
            final long fillNs = System.nanoTime() - fillStartNs;

            final EchoStateMachine replayed = new EchoStateMachine();
            final long launchStartNs = System.nanoTime();
            final long launchNs;
            final long lastIndex;
            try (ClusterNode node = launch(members, dataDir, resources.aeronDir("restart"), replayed))
            {
                launchNs = System.nanoTime() - launchStartNs;
                lastIndex = node.appliedIndex();
            }
            if (replayed.appliedCommands() != entries)
            {
                throw new IllegalStateException("replayed " + replayed.appliedCommands() + " commands, expected " +
                    entries);
            }

            final long emptyStartNs = System.nanoTime();
            try (ClusterNode ignored = launch(
                members, resources.dataDir("empty"), resources.aeronDir("empty"), new EchoStateMachine()))
            {
                final long emptyNs = System.nanoTime() - emptyStartNs;
                final String line = String.format(Locale.ROOT,
                    "target=flotilla mode=recovery entries=%d size=%d log_last_index=%d fill_s=%.1f " +
                    "restart_ms=%.1f entries_per_s=%.0f empty_restart_ms=%.1f replay_only_entries_per_s=%.0f %s",
                    entries, messageLength, lastIndex, fillNs / 1e9, launchNs / 1e6, entries * 1e9 / launchNs,
                    emptyNs / 1e6, entries * 1e9 / Math.max(1, launchNs - emptyNs), settings.describe());
                System.out.println(line);
                return line;
            }
        }
        finally
        {
            resources.deleteDirectories();
        }
    }

    private ClusterNode launch(
        final String members, final File dataDir, final String aeronDir, final EchoStateMachine stateMachine)
    {
        return ClusterNode.launch(settings.peerAuthentication(new ClusterNode.Context())
            .memberId(0)
            .members(members)
            .dataDirectory(dataDir)
            .aeronDirectoryName(aeronDir)
            .durability(settings.durability())
            .threading(settings.threading())
            .stateMachine(stateMachine));
    }

    private void fill(final ClusterNode node, final long entries, final int messageLength)
    {
        final UnsafeBuffer command = new UnsafeBuffer(ByteBuffer.allocateDirect(messageLength));
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (Role.LEADER != node.role())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("a one-node cluster did not elect itself");
            }
            Thread.yield();
        }
        long proposed = 0;
        while (committed.get() < entries)
        {
            if (System.nanoTime() - deadlineNs > 0 || failed.get() > 0)
            {
                throw new IllegalStateException("log not filled: " + committed.get() + " of " + entries +
                    " committed, " + failed.get() + " failed (a one-node cluster should commit alone)");
            }
            if (proposed < entries && proposed - committed.get() < MAX_IN_FLIGHT)
            {
                command.putLong(0, proposed);
                if (node.propose(command, 0, messageLength, this))
                {
                    proposed++;
                }
            }
            else
            {
                Thread.yield(); // two cores: leave the node's agent the CPU
            }
        }
    }
}
