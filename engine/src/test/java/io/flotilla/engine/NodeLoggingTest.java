package io.flotilla.engine;

import io.flotilla.engine.node.NodeAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a 3-node cluster logs through {@code System.Logger} (whose default backend is java.util.logging, so a JUL
 * handler on the {@code io.flotilla} logger sees every record): each election, leader, snapshot and stop once per
 * node at its level, and nothing at any level under a steady load of commands.
 */
class NodeLoggingTest
{
    private static final String ROLE_LOGGER = NodeAgent.class.getName();

    @TempDir
    File tempDir;

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler()
    {
        public void publish(final LogRecord record)
        {
            records.add(record);
        }

        public void flush()
        {
        }

        public void close()
        {
        }
    };
    // Held here: JUL keeps loggers weakly, and a collected one would forget the level and handler set on it.
    private final Logger flotillaLogger = Logger.getLogger("io.flotilla");
    private Level previousLevel;

    @BeforeEach
    void captureEveryLevel()
    {
        previousLevel = flotillaLogger.getLevel();
        flotillaLogger.setLevel(Level.ALL);
        capture.setLevel(Level.ALL);
        flotillaLogger.addHandler(capture);
    }

    @AfterEach
    void restoreLogging()
    {
        flotillaLogger.removeHandler(capture);
        flotillaLogger.setLevel(previousLevel);
    }

    @Test
    @Timeout(120)
    void electionsLeadersSnapshotsAndStopsAreLoggedOnceAndASteadyLoadLogsNothing() throws Exception
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3))
        {
            for (int i = 0; i < 3; i++)
            {
                final ClusterNode.Context ctx = cluster.context(i);
                ctx.snapshotConfig().logEntries(0).logBytes(0);
                cluster.start(i, ctx);
            }

            final ClusterNode first = cluster.awaitLeader();
            awaitLeaderLogged(cluster, first);

            final long term = first.term();
            final int before = records.size();
            TestCluster.proposeAll(first, 5_000, 64, "steady-");
            cluster.awaitConverged(5_000);
            final List<LogRecord> underLoad = records.subList(before, records.size());
            if (term == first.term() && Role.LEADER == first.role())
            {
                assertEquals("", describe(underLoad), "logged under a steady load with one leader");
            }
            else
            {
                // A loaded machine moved leadership during the load: only that may have been logged.
                assertTrue(underLoad.stream().allMatch((r) -> isLeadershipLine(r.getMessage())),
                    () -> "logged under load besides a leader change:" + describe(underLoad));
            }

            final ClusterNode leader = cluster.awaitLeader();
            final long index = leader.takeSnapshot().get(TestCluster.TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(1L, count(Level.INFO, ROLE_LOGGER, "member " + leader.memberId() + ": snapshot at index " +
                index + " term "), () -> describe(records));
            assertEquals(1L, count((r) -> r.getMessage().matches("member \\d+: snapshot at index .*")),
                () -> "only the leader snapshots:" + describe(records));

            final int stopped = leader.memberId();
            cluster.stop(stopped);
            assertEquals(1L, count(Level.INFO, ClusterNode.class.getName(), "member " + stopped + ": closed"));
            final ClusterNode next = cluster.awaitLeader();
            assertTrue(next.term() > leader.term());
            awaitLeaderLogged(cluster, next);
            final String winner = "member " + next.memberId() + ": ";
            assertEquals(1L, count((r) -> Level.INFO == r.getLevel() && r.getMessage().startsWith(winner) &&
                r.getMessage().contains(" -> PRE_CANDIDATE term " + (next.term() - 1) + " ") &&
                r.getMessage().endsWith(": pre-vote for term " + next.term())), () -> describe(records));
            assertEquals(1L, count(Level.INFO, ROLE_LOGGER, winner + "PRE_CANDIDATE -> CANDIDATE term " + next.term() +
                " leader -1: won the pre-vote: election for term " + next.term()), () -> describe(records));

            final List<String> severe = records.stream().filter((r) -> Level.SEVERE == r.getLevel())
                .map(LogRecord::getMessage).toList();
            assertEquals(List.of(), severe, "errors logged");
        }
    }

    /**
     * The leader's role change line and, on every other running node, the one line that names the leader of that
     * term: each logged once.
     */
    private void awaitLeaderLogged(final TestCluster cluster, final ClusterNode leader)
    {
        final int leaderId = leader.memberId();
        final long term = leader.term();
        final String leaderLine = "member " + leaderId + ": CANDIDATE -> LEADER term " + term + " leader " +
            leaderId + ": won the election for term " + term;
        cluster.await("member " + leaderId + " logged its leadership of term " + term,
            () -> count(Level.INFO, ROLE_LOGGER, leaderLine) >= 1);
        for (int i = 0; i < 3; i++)
        {
            if (i != leaderId && null != cluster.node(i))
            {
                final int member = i;
                cluster.await("member " + member + " logged leader " + leaderId + " of term " + term,
                    () -> countLeaderKnown(member, leaderId, term) >= 1);
            }
        }

        assertEquals(1L, count(Level.INFO, ROLE_LOGGER, leaderLine), () -> describe(records));
        for (int i = 0; i < 3; i++)
        {
            if (i != leaderId && null != cluster.node(i))
            {
                assertEquals(1L, countLeaderKnown(i, leaderId, term), () -> describe(records));
            }
        }
    }

    private long countLeaderKnown(final int member, final int leaderId, final long term)
    {
        final String follows = "member " + member + ": follows leader " + leaderId + " elected in term " + term;
        final String prefix = "member " + member + ": ";
        final String becameFollower = " -> FOLLOWER term " + term + " leader " + leaderId + ": ";
        return count((r) -> Level.INFO == r.getLevel() && ROLE_LOGGER.equals(r.getLoggerName()) &&
            (r.getMessage().equals(follows) ||
            (r.getMessage().startsWith(prefix) && r.getMessage().contains(becameFollower))));
    }

    private long count(final Level level, final String loggerName, final String messagePrefix)
    {
        return count((r) -> level == r.getLevel() && loggerName.equals(r.getLoggerName()) &&
            r.getMessage().startsWith(messagePrefix));
    }

    private long count(final Predicate<LogRecord> matches)
    {
        return records.stream().filter(matches).count();
    }

    private static boolean isLeadershipLine(final String message)
    {
        return message.contains(" -> ") || message.contains(": follows leader ") ||
            message.contains(": truncating the log after index ");
    }

    private static String describe(final List<LogRecord> records)
    {
        final StringBuilder sb = new StringBuilder();
        records.forEach((r) -> sb.append("\n  ").append(r.getLevel()).append(' ').append(r.getLoggerName()).append(' ')
            .append(r.getMessage()));
        return sb.toString();
    }
}
