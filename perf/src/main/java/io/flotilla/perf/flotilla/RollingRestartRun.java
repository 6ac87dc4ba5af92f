package io.flotilla.perf.flotilla;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.NodeCounter;
import io.flotilla.engine.Role;
import io.flotilla.perf.harness.EchoHandler;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The rolling restart: commands at a fixed rate while each node in turn, the leader first, is stopped the way an
 * operator stops one ({@link ClusterNode#close()} with its leadership handover, {@link
 * FlotillaTarget#withHandoverOnClose}), launched again on its directory and caught up before the next. The stop and
 * the launch run on a thread of their own, so the client is polled throughout, as a client in another process would
 * be. The node's figure is the <b>gap</b>: the longest time between two consecutive responses from the start of the
 * stop until the node has caught up, what the demo's rolling restart reports too, and when it ended
 * ({@code gap_end_ms}: in the handover, or later while the node was launched and caught up); {@code stop_gap_ms} is
 * the longest of the silences that began before {@code close()} returned, counted from the stop's start: the stop's
 * own part. Beside it, the steps of
 * the stop as the load loop sees them, in ms after the stop began: another member leads ({@code new_leader_ms}, a
 * leader's stop only), the client is redirected ({@code redirect_ms}), the first response to a command sent after the
 * stop began ({@code first_response_ms}), {@code close()} returns ({@code stop_ms}); and the elections the other
 * members started on an election timeout (a handover should leave none) and for a transfer. Any cluster size works
 * ({@code --nodes}): every member is restarted once per round.
 */
public final class RollingRestartRun implements EchoHandler
{
    private static final long STEP_DEADLINE_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long NOT_SEEN = 0;

    private final FlotillaTarget target;
    private final PacedLoad load;
    private final long steadyNs;
    private long received;
    private long lastArrivalNs;
    private long longestSilenceNs;
    private long longestSilenceEndNs;
    private long longestStopSilenceNs;
    // When the node's close() returned (0 before), written by the restarting thread.
    private volatile long stoppedNs;
    private long stopStartNs = Long.MAX_VALUE;
    private long firstResponseNs;

    /**
     * @param target       a started target whose nodes hand leadership over on close.
     * @param rate         offered commands per second.
     * @param steadyNs     steady load before each stop.
     * @param idleStrategy of the load loop.
     */
    public RollingRestartRun(
        final FlotillaTarget target, final long rate, final long steadyNs, final IdleStrategy idleStrategy)
    {
        this.target = target;
        this.load = new PacedLoad(target, this, rate, idleStrategy);
        this.steadyNs = steadyNs;
    }

    public void onEcho(final long sendTimeNs)
    {
        final long nowNs = System.nanoTime();
        received++;
        if (lastArrivalNs > 0 && nowNs - lastArrivalNs > longestSilenceNs)
        {
            longestSilenceNs = nowNs - lastArrivalNs;
            longestSilenceEndNs = nowNs;
        }
        final long stopped = stoppedNs;
        if (nowNs - stopStartNs > 0 && (0 == stopped || lastArrivalNs - stopped < 0))
        {
            // Counted from the stop's start: a stall of the host just before it is not the stop's.
            longestStopSilenceNs =
                Math.max(longestStopSilenceNs, nowNs - Math.max(lastArrivalNs, stopStartNs));
        }
        lastArrivalNs = nowNs;
        if (sendTimeNs >= stopStartNs && NOT_SEEN == firstResponseNs)
        {
            firstResponseNs = nowNs;
        }
    }

    /**
     * Run the rolling restarts.
     *
     * @param rounds how many rolling restarts of every node.
     * @return one line per restarted node and a final line with the longest gaps, {@code key=value} pairs.
     */
    public List<String> run(final int rounds)
    {
        final List<String> lines = new ArrayList<>();
        load.start();
        long maxLeaderGapNs = 0;
        long maxLeaderStopGapNs = 0;
        long maxFollowerGapNs = 0;
        long timeoutElections = 0;
        for (int round = 1; round <= rounds; round++)
        {
            final int first = target.leaderMemberId();
            if (first < 0)
            {
                throw new IllegalStateException("round " + round + ": no node leads");
            }
            for (int i = 0; i < target.memberCount(); i++)
            {
                final int memberId = (first + i) % target.memberCount();
                final Step step = restart(memberId);
                final boolean wasLeader = step.wasLeader;
                final String line = String.format(Locale.ROOT,
                    "target=flotilla mode=rolling-restart round=%d member=%d role=%s new_leader=%d gap_ms=%.1f " +
                    "gap_end_ms=%.1f stop_gap_ms=%.1f steady_silence_ms=%.1f new_leader_ms=%s redirect_ms=%s " +
                    "first_response_ms=%.1f stop_ms=%.1f launch_ms=%.1f timeout_elections=%d transfer_elections=%d %s",
                    round, memberId, wasLeader ? "leader" : "follower", step.leaderAfter, step.gapNs / 1e6,
                    step.gapEndNs / 1e6, step.stopGapNs / 1e6, step.steadySilenceNs / 1e6,
                    wasLeader ? ms(step.newLeaderNs) : "-", ms(step.redirectNs), step.firstResponseNs / 1e6,
                    step.stopNs / 1e6, step.launchNs / 1e6, step.timeoutElections, step.transferElections,
                    target.config());
                System.out.println(line);
                lines.add(line);
                timeoutElections += step.timeoutElections;
                if (wasLeader)
                {
                    maxLeaderGapNs = Math.max(maxLeaderGapNs, step.gapNs);
                    maxLeaderStopGapNs = Math.max(maxLeaderStopGapNs, step.stopGapNs);
                }
                else
                {
                    maxFollowerGapNs = Math.max(maxFollowerGapNs, step.gapNs);
                }
            }
        }
        drain();

        final String last = String.format(Locale.ROOT,
            "target=flotilla mode=rolling-restart rounds=%d rate=%d max_leader_gap_ms=%.1f " +
            "max_leader_stop_gap_ms=%.1f max_follower_gap_ms=%.1f timeout_elections=%d sent=%d received=%d " +
            "malformed=%d %s",
            rounds, load.rate(), maxLeaderGapNs / 1e6, maxLeaderStopGapNs / 1e6,
            maxFollowerGapNs / 1e6, timeoutElections, load.sent(), received, target.malformedEchoes(), target.config());
        System.out.println(last);
        lines.add(last);
        return lines;
    }

    private Step restart(final int memberId)
    {
        final Step step = new Step();
        longestSilenceNs = 0;
        load.runUntil(System.nanoTime() + steadyNs);
        step.steadySilenceNs = longestSilenceNs;

        final long electionsBefore = othersCounter(memberId, NodeCounter.ELECTIONS);
        final long transferElectionsBefore = othersCounter(memberId, NodeCounter.TRANSFER_ELECTIONS);
        final long redirectsBefore = target.clientRedirects();
        step.wasLeader = memberId == target.leaderMemberId();
        longestSilenceNs = 0;
        longestStopSilenceNs = 0;
        stoppedNs = 0;
        firstResponseNs = NOT_SEEN;
        stopStartNs = System.nanoTime();
        final long[] stoppedAtNs = new long[2];
        // When the close returned and when the launch did. Until it completes, the load loop reads no state of the
        // member being restarted (its node is replaced).
        final CompletableFuture<Void> restart = CompletableFuture.runAsync(() ->
        {
            target.stop(memberId);
            stoppedAtNs[0] = System.nanoTime();
            stoppedNs = stoppedAtNs[0];
            target.restart(memberId);
            stoppedAtNs[1] = System.nanoTime();
        });

        final long deadlineNs = stopStartNs + STEP_DEADLINE_NS;
        while (!restart.isDone() || NOT_SEEN == firstResponseNs)
        {
            final long nowNs = System.nanoTime();
            if (nowNs - deadlineNs > 0)
            {
                throw new IllegalStateException("member " + memberId + ": not restarted, or nothing committed, " +
                    "60 s after its stop began");
            }
            if (NOT_SEEN == step.newLeaderNs && step.wasLeader && otherLeader(memberId) >= 0)
            {
                step.newLeaderNs = nowNs - stopStartNs;
            }
            if (NOT_SEEN == step.redirectNs && target.clientRedirects() != redirectsBefore)
            {
                step.redirectNs = nowNs - stopStartNs;
            }
            load.step();
        }
        join(restart, memberId);
        step.stopNs = stoppedAtNs[0] - stopStartNs;
        step.launchNs = stoppedAtNs[1] - stoppedAtNs[0];
        step.firstResponseNs = firstResponseNs - stopStartNs;
        awaitCaughtUp(memberId);
        step.gapNs = longestSilenceNs;
        step.gapEndNs = longestSilenceEndNs - stopStartNs;
        step.stopGapNs = longestStopSilenceNs;
        step.leaderAfter = target.leaderMemberId();
        final long transferElections =
            othersCounter(memberId, NodeCounter.TRANSFER_ELECTIONS) - transferElectionsBefore;
        step.transferElections = transferElections;
        step.timeoutElections = othersCounter(memberId, NodeCounter.ELECTIONS) - electionsBefore - transferElections;
        stopStartNs = Long.MAX_VALUE;
        return step;
    }

    private static String ms(final long ns)
    {
        return NOT_SEEN == ns ? "-" : String.format(Locale.ROOT, "%.1f", ns / 1e6);
    }

    private static void join(final CompletableFuture<Void> restart, final int memberId)
    {
        try
        {
            restart.get(0, TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting member " + memberId, ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IllegalStateException("member " + memberId + " could not be restarted", ex);
        }
    }

    private long othersCounter(final int memberId, final NodeCounter counter)
    {
        long sum = 0;
        for (int i = 0; i < target.memberCount(); i++)
        {
            if (i != memberId)
            {
                sum += target.node(i).counter(counter);
            }
        }
        return sum;
    }

    private int otherLeader(final int memberId)
    {
        for (int i = 0; i < target.memberCount(); i++)
        {
            if (i != memberId && Role.LEADER == target.node(i).role())
            {
                return i;
            }
        }
        return -1;
    }

    private void awaitCaughtUp(final int memberId)
    {
        final long deadlineNs = System.nanoTime() + STEP_DEADLINE_NS;
        final ClusterNode restarted = target.node(memberId);
        while (true)
        {
            final int leader = target.leaderMemberId();
            if (leader >= 0 && leader != memberId && restarted.appliedIndex() >= target.node(leader).commitIndex())
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

    private void drain()
    {
        load.drain(() -> received);
    }



    /**
     * What one node's restart showed, in ns after its stop began (durations are ns).
     */
    private static final class Step
    {
        boolean wasLeader;
        long steadySilenceNs;
        long newLeaderNs;
        long redirectNs;
        long firstResponseNs;
        long stopNs;
        long launchNs;
        long gapNs;
        long gapEndNs;
        long stopGapNs;
        int leaderAfter;
        long timeoutElections;
        long transferElections;
    }
}
