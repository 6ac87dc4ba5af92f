package io.flotilla.engine.sim;

import org.junit.jupiter.api.Test;

import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seed sweeps of the simulator over cluster sizes and fault mixes. {@code -Dsim.seeds=N} sets the seeds per
 * scenario (a soak; the cheap three-node mix runs 2N), {@code -Dsim.rogue.seeds=N} those of the rogue-peer scenarios,
 * {@code -Dsim.membership.seeds=N} those of the membership changes; {@code -Dsim.seed=S} replays one seed in each
 * scenario. A failure names the seed, the
 * command that replays it and the last events before the violation.
 */
class RaftSimulationTest
{
    private static final int DEFAULT_SEEDS = 500;
    private static final int DEFAULT_ROGUE_SEEDS = 30;
    private static final int DEFAULT_MEMBERSHIP_SEEDS = 300;
    private static final int READ_CHECK_SEEDS = 10;

    @Test
    void threeNodesAllFaults()
    {
        // Three-node seeds are cheap: twice as many.
        sweep("threeNodesAllFaults", 2, () -> SimOptions.allFaults(3));
    }

    @Test
    void fiveNodesAllFaults()
    {
        sweep("fiveNodesAllFaults", 1, () -> SimOptions.allFaults(5));
    }

    @Test
    void sevenNodesAllFaults()
    {
        sweep("sevenNodesAllFaults", 1, () -> SimOptions.allFaults(7));
    }

    @Test
    void fiveNodesCrashStorm()
    {
        // Frequent crashes with slow disks: what is not durable is lost often.
        sweep("fiveNodesCrashStorm", 1, () -> SimOptions.allFaults(5)
            .crashMeanIntervalNs(150 * SimOptions.MS)
            .downtimeMaxNs(300 * SimOptions.MS)
            .diskDelayMaxNs(20 * SimOptions.MS)
            .partitionMeanIntervalNs(0));
    }

    @Test
    void threeNodesHostileNetwork()
    {
        // No crashes; heavy loss, duplication and stale messages, frequent partitions.
        sweep("threeNodesHostileNetwork", 1, () -> SimOptions.allFaults(3)
            .crashMeanIntervalNs(0)
            .lossRate(0.2)
            .duplicateRate(0.1)
            .longDelayRate(0.05)
            .partitionMeanIntervalNs(300 * SimOptions.MS));
    }

    @Test
    void membershipChangesAllFaults()
    {
        // Three to seven nodes by seed, one to all of them voters at first; -Dsim.membership.seeds=N for a sweep.
        final MembershipCounts counts = new MembershipCounts();
        sweepSeeds("membershipChangesAllFaults", Integer.getInteger("sim.membership.seeds", DEFAULT_MEMBERSHIP_SEEDS),
            seed -> SimOptions.membershipFaults(3 + (int)(seed % 5)), counts);
        if (!System.getProperty("sim.seed", "").isBlank())
        {
            return;
        }
        // The workload must not silently do nothing over a sweep: changes are accepted, some refused as in progress,
        // and some remove their leader.
        assertTrue(counts.results.getOrDefault("accepted", 0) > 0, counts.toString());
        assertTrue(counts.results.getOrDefault("CHANGE_IN_PROGRESS", 0) > 0, counts.toString());
        assertTrue(counts.leaderRemovals > 0, counts.toString());
    }

    @Test
    void threeNodesRoguePeer()
    {
        // Few seeds by default, to keep the build short; -Dsim.rogue.seeds=N for a sweep.
        sweepSeeds("threeNodesRoguePeer", rogueSeeds(), () -> SimOptions.rogueFaults(3));
    }

    @Test
    void fiveNodesRoguePeer()
    {
        sweepSeeds("fiveNodesRoguePeer", rogueSeeds(), () -> SimOptions.rogueFaults(5));
    }

    @Test
    void readsOfEveryKindAreServedAndFailedUnderFaults()
    {
        // The workload must not silently do nothing: a few seeds serve and fail reads of all four kinds.
        final ReadCounts reads = new ReadCounts();
        for (long seed = 1; seed <= READ_CHECK_SEEDS; seed++)
        {
            reads.add(runSeed("readsOfEveryKindAreServedAndFailedUnderFaults", seed, () -> SimOptions.allFaults(3))
                .readCounts());
        }
        for (final ReadKind kind : ReadKind.values())
        {
            assertTrue(reads.count(kind, SimRead.Outcome.SERVED) > 0, kind + " never served: " + reads);
            assertTrue(reads.count(kind, SimRead.Outcome.FAILED) > 0, kind + " never failed: " + reads);
        }
    }

    @Test
    void timersFireAndAreRestoredFromSnapshotsUnderFaults()
    {
        // The timer workload must not silently do nothing: timers fire, and fire on nodes that restarted from or
        // installed a snapshot (their timer table came from it), each checked against the committed history.
        final long[] timers = new long[3];
        for (long seed = 1; seed <= READ_CHECK_SEEDS; seed++)
        {
            final long[] seedTimers = runSeed(
                "timersFireAndAreRestoredFromSnapshotsUnderFaults", seed, () -> SimOptions.allFaults(3)).timerCounts();
            for (int i = 0; i < timers.length; i++)
            {
                timers[i] += seedTimers[i];
            }
        }
        assertTrue(timers[0] > 0, "no timer fired in the committed history");
        assertTrue(timers[2] > 0, "no timer fired on a node whose timers were loaded from a snapshot");
    }

    private static int rogueSeeds()
    {
        return Integer.getInteger("sim.rogue.seeds", DEFAULT_ROGUE_SEEDS);
    }

    private static void sweep(final String scenario, final int weight, final Supplier<SimOptions> options)
    {
        sweepSeeds(scenario, weight * Integer.getInteger("sim.seeds", DEFAULT_SEEDS), options);
    }

    private static void sweepSeeds(final String scenario, final int seeds, final Supplier<SimOptions> options)
    {
        sweepSeeds(scenario, seeds, seed -> options.get(), new MembershipCounts());
    }

    private static void sweepSeeds(
        final String scenario, final int seeds, final LongFunction<SimOptions> options, final MembershipCounts changes)
    {
        final String single = System.getProperty("sim.seed", "");
        if (!single.isBlank())
        {
            changes.add(runSeed(scenario, Long.parseLong(single.trim()), options));
            return;
        }

        final long start = System.nanoTime();
        final long[] counts = new long[4];
        final long[] timers = new long[3];
        final ReadCounts reads = new ReadCounts();
        for (long seed = 1; seed <= seeds; seed++)
        {
            final Simulation simulation = runSeed(scenario, seed, options);
            final long[] seedCounts = simulation.snapshotCounts();
            for (int i = 0; i < counts.length; i++)
            {
                counts[i] += seedCounts[i];
            }
            reads.add(simulation.readCounts());
            changes.add(simulation);
            final long[] seedTimers = simulation.timerCounts();
            for (int i = 0; i < timers.length; i++)
            {
                timers[i] += seedTimers[i];
            }
        }
        System.out.printf(
            "%s: %d seeds passed in %.1f s; snapshots written %d, installed %d, rejected %d; wipes %d; " +
            "timers fired %d (by nodes %d, after a snapshot load %d); %s%s%n", scenario, seeds,
            (System.nanoTime() - start) / 1e9, counts[0], counts[1], counts[2], counts[3], timers[0], timers[1],
            timers[2], reads, changes.results.isEmpty() ? "" : "; " + changes);
    }

    private static Simulation runSeed(final String scenario, final long seed, final Supplier<SimOptions> options)
    {
        return runSeed(scenario, seed, anySeed -> options.get());
    }

    private static Simulation runSeed(final String scenario, final long seed, final LongFunction<SimOptions> options)
    {
        try
        {
            final Simulation simulation = new Simulation(options.apply(seed), seed, false);
            simulation.runChaos();
            return simulation;
        }
        catch (final Throwable failure)
        {
            // Replay the same seed with the trace on: the run is deterministic, so it fails the same way.
            final Simulation replay = new Simulation(options.apply(seed), seed, true);
            String replayOutcome;
            try
            {
                replay.runChaos();
                replayOutcome = "replay did NOT fail: the simulation is not deterministic";
            }
            catch (final Throwable replayFailure)
            {
                replayOutcome = "replay failed the same way: " + replayFailure;
            }
            final AssertionError error = new AssertionError(
                scenario + " failed with seed " + seed + ": " + failure + "\n" +
                "replay: mvn -B -o -q -pl engine -am test -Dtest=RaftSimulationTest#" + scenario +
                " -Dsim.seed=" + seed + " -Dsurefire.failIfNoSpecifiedTests=false\n" +
                replayOutcome + "\n" + replay.describeNodes() + "\nlast events:\n" + replay.trace(), failure);
            System.err.println(error.getMessage());
            throw error;
        }
    }

    /**
     * The membership changes proposed over a sweep, by result, and how many removed their leader.
     */
    private static final class MembershipCounts
    {
        final TreeMap<String, Integer> results = new TreeMap<>();
        long leaderRemovals;
        long leadersIntroduced;

        void add(final Simulation simulation)
        {
            simulation.changeResults().forEach((result, count) -> results.merge(result, count, Integer::sum));
            leaderRemovals += simulation.leaderRemovals();
            leadersIntroduced += simulation.leadersIntroduced();
        }

        public String toString()
        {
            return "membership changes " + results + ", leader removed " + leaderRemovals + ", introduced to a node that could not answer " +
                leadersIntroduced;
        }
    }
}
