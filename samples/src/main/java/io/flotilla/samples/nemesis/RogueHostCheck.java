package io.flotilla.samples.nemesis;

import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo's rogue host: from a media driver of its own and without the cluster key, it forges what the attack
 * table of docs/security.md lists against a running cluster (an AppendEntries claiming to be the leader, a
 * TimeoutNow, a RequestVote with the transfer flag a thousand terms ahead, an AppendResponse with the largest term)
 * and checks from the nodes' counters that every node refused them and kept its term and leader.
 * <pre>
 *   RogueHostCheck MEMBERS_SPEC AERON_DIR=PID [AERON_DIR=PID ...]   (one per member, in member id order)
 * </pre>
 * Exits 0 when every forgery was refused, 1 otherwise.
 */
public final class RogueHostCheck
{
    private static final long SEND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long REFUSAL_DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int FORGERIES_PER_NODE = 4;

    private RogueHostCheck()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        if (args.length < 2)
        {
            System.err.println("usage: RogueHostCheck MEMBERS_SPEC AERON_DIR=PID [AERON_DIR=PID ...]");
            System.exit(2);
        }
        final String membersSpec = args[0];
        final int nodeCount = args.length - 1;
        final File[] aeronDirs = new File[nodeCount];
        final long[] pids = new long[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            final String[] dirAndPid = args[i + 1].split("=", 2);
            aeronDirs[i] = new File(dirAndPid[0]);
            pids[i] = Long.parseLong(dirAndPid[1]);
        }
        System.exit(check(membersSpec, aeronDirs, pids) ? 0 : 1);
    }

    private static boolean check(final String membersSpec, final File[] aeronDirs, final long[] pids)
        throws InterruptedException
    {
        final ConsensusCounters[] before = read(aeronDirs, pids);
        final ConsensusCounters leader = leaderOf(before);
        if (null == leader)
        {
            System.out.println("rogue host: no leader to impersonate");
            return false;
        }

        final MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(CommonContext.generateRandomDirName())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(1 << 20));
        try (RoguePeer rogue = new RoguePeer(driver.aeronDirectoryName(), membersSpec, SEND_TIMEOUT_NS))
        {
            final UnsafeBuffer command = new UnsafeBuffer("PUT forged-key forged-value".getBytes(StandardCharsets.US_ASCII));
            for (int id = 0; id < aeronDirs.length; id++)
            {
                final int other = (id + 1) % aeronDirs.length;
                rogue.appendEntries(id, leader.leader(), leader.term(), before[id].commitIndex(), leader.term(),
                    List.of(command));
                rogue.timeoutNow(id, leader.leader(), leader.term());
                rogue.requestVote(id, other, leader.term() + 1000, Long.MAX_VALUE / 4, leader.term() + 1000, false, true);
                rogue.appendResponse(id, other, Long.MAX_VALUE, true, Long.MAX_VALUE / 4, 0);
            }
        }
        finally
        {
            CloseHelper.close(driver);
        }

        final ConsensusCounters[] after = awaitRefusals(aeronDirs, pids, before);
        boolean refused = true;
        for (int id = 0; id < aeronDirs.length; id++)
        {
            final long refusals = after[id].authenticationFailures() - before[id].authenticationFailures();
            final boolean kept = after[id].term() == before[id].term() && after[id].leader() == before[id].leader();
            System.out.println("rogue host: node " + id + " refused " + refusals + " of " + FORGERIES_PER_NODE +
                " forged messages as unauthenticated; term " + before[id].term() + " -> " + after[id].term() +
                ", leader " + before[id].leader() + " -> " + after[id].leader());
            refused &= kept && refusals >= FORGERIES_PER_NODE;
        }
        return refused;
    }

    private static ConsensusCounters[] awaitRefusals(
        final File[] aeronDirs, final long[] pids, final ConsensusCounters[] before) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + REFUSAL_DEADLINE_NS;
        while (true)
        {
            final ConsensusCounters[] now = read(aeronDirs, pids);
            boolean all = true;
            for (int id = 0; id < now.length; id++)
            {
                all &= now[id].authenticationFailures() - before[id].authenticationFailures() >= FORGERIES_PER_NODE;
            }
            if (all || System.nanoTime() - deadlineNs > 0)
            {
                return now;
            }
            Thread.sleep(50);
        }
    }

    private static ConsensusCounters[] read(final File[] aeronDirs, final long[] pids)
    {
        final ConsensusCounters[] counters = new ConsensusCounters[aeronDirs.length];
        for (int id = 0; id < aeronDirs.length; id++)
        {
            counters[id] = ConsensusCounters.read(aeronDirs[id], pids[id]);
            if (null == counters[id])
            {
                throw new IllegalStateException("cannot read the counters of node " + id + " in " + aeronDirs[id]);
            }
        }
        return counters;
    }

    private static ConsensusCounters leaderOf(final ConsensusCounters[] counters)
    {
        for (final ConsensusCounters node : counters)
        {
            if (node.isLeader())
            {
                return node;
            }
        }
        return null;
    }
}
