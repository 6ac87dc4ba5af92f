package io.flotilla.perf.flotilla;

import io.flotilla.engine.ClusterNode;
import io.flotilla.perf.harness.EchoHandler;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The failover test: commands at a fixed rate, and in each round the leader's node is closed
 * ({@link FlotillaTarget#closeLeader()}, in-JVM close, no leadership transfer) in the middle of the run. The round's
 * figure is the <b>gap</b>: from the moment the close begins to the arrival of the first response to a command sent
 * after it, i.e. the time during which the cluster committed nothing new for the client (election, the client
 * finding the new leader, resending its outstanding commands and the commit itself). The longest silence between
 * two consecutive responses is reported too. The closed node is restarted and caught up before the next round.
 */
public final class FailoverRun implements EchoHandler
{
    private static final long ROUND_DEADLINE_NS = TimeUnit.SECONDS.toNanos(60);

    private final FlotillaTarget target;
    private final PacedLoad load;
    private final long steadyNs;
    private final Histogram roundTrips = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private long received;
    private long lastArrivalNs;
    private long longestSilenceNs;
    private long closeStartNs = Long.MAX_VALUE;
    private long firstCommitAfterCloseNs;

    /**
     * @param target       a started Flotilla target.
     * @param rate         offered commands per second.
     * @param steadyNs     steady load before each close and after each restart.
     * @param idleStrategy of the load loop.
     */
    public FailoverRun(final FlotillaTarget target, final long rate, final long steadyNs, final IdleStrategy idleStrategy)
    {
        this.target = target;
        this.load = new PacedLoad(target, this, rate, idleStrategy);
        this.steadyNs = steadyNs;
    }

    public void onEcho(final long sendTimeNs)
    {
        final long nowNs = System.nanoTime();
        received++;
        roundTrips.recordValue(Math.max(0, nowNs - sendTimeNs));
        if (lastArrivalNs > 0)
        {
            longestSilenceNs = Math.max(longestSilenceNs, nowNs - lastArrivalNs);
        }
        lastArrivalNs = nowNs;
        if (sendTimeNs >= closeStartNs && 0 == firstCommitAfterCloseNs)
        {
            firstCommitAfterCloseNs = nowNs;
        }
    }

    /**
     * Run the rounds.
     *
     * @param rounds how many leader closes.
     * @return one line per round and a final line with the maximum, {@code key=value} pairs.
     */
    public List<String> run(final int rounds)
    {
        final List<String> lines = new ArrayList<>();
        load.start();
        long maxGapNs = 0;
        for (int round = 1; round <= rounds; round++)
        {
            load.runUntil(System.nanoTime() + steadyNs);
            longestSilenceNs = 0;
            firstCommitAfterCloseNs = 0;
            closeStartNs = System.nanoTime();
            final int closed = target.closeLeader();
            if (closed < 0)
            {
                throw new IllegalStateException("round " + round + ": no node leads");
            }
            final long closedAfterNs = System.nanoTime() - closeStartNs;
            final long deadlineNs = closeStartNs + ROUND_DEADLINE_NS;
            while (0 == firstCommitAfterCloseNs)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("round " + round + ": nothing committed 60 s after closing " +
                        "leader " + closed);
                }
                load.step();
            }
            final long gapNs = firstCommitAfterCloseNs - closeStartNs;
            load.runUntil(System.nanoTime() + steadyNs);
            maxGapNs = Math.max(maxGapNs, gapNs);

            final String line = String.format(Locale.ROOT,
                "target=flotilla mode=failover round=%d closed_member=%d new_leader=%d close_call_ms=%.1f " +
                "gap_ms=%.1f longest_silence_ms=%.1f %s",
                round, closed, target.leaderMemberId(), closedAfterNs / 1e6, gapNs / 1e6, longestSilenceNs / 1e6,
                target.config());
            System.out.println(line);
            lines.add(line);

            target.restart(closed);
            awaitCaughtUp(closed);
        }
        load.runUntil(System.nanoTime() + steadyNs);
        load.drain(() -> received);

        final String last = String.format(Locale.ROOT,
            "target=flotilla mode=failover rounds=%d rate=%d max_gap_ms=%.1f sent=%d received=%d malformed=%d " +
            "rtt_p50_us=%.1f rtt_p99_us=%.1f rtt_max_us=%.1f %s",
            rounds, load.rate(), maxGapNs / 1e6, load.sent(), received,
            target.malformedEchoes(), roundTrips.getValueAtPercentile(50) / 1e3,
            roundTrips.getValueAtPercentile(99) / 1e3, roundTrips.getMaxValue() / 1e3, target.config());
        System.out.println(last);
        lines.add(last);
        return lines;
    }



    private void awaitCaughtUp(final int memberId)
    {
        final long deadlineNs = System.nanoTime() + ROUND_DEADLINE_NS;
        final ClusterNode restarted = target.node(memberId);
        while (true)
        {
            final int leader = target.leaderMemberId();
            if (leader >= 0 && leader != memberId &&
                restarted.appliedIndex() >= target.node(leader).commitIndex() - 1000)
            {
                return;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("member " + memberId + " did not catch up within 60 s");
            }
            load.step();
        }
    }
}
