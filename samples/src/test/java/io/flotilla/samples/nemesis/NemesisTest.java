package io.flotilla.samples.nemesis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CI fault schedule ({@link Fault#SHORT_SCHEDULE}: every fault kind, the rogue peer and the rogue client
 * included, {@code KILL_LEADER} twice) on three KvNode JVMs in network namespaces (needs root, as CI runs) under four
 * concurrent clients, with snapshot thresholds small enough ({@link NodeProcesses#SNAPSHOT_SETTINGS}) that every
 * node snapshots and compacts several times; passes when
 * the run found no anomaly (linearizable history, replicas identical, no checksum error logged, no node exiting by
 * itself, service within {@link NemesisRunner#SERVE_BOUND_MS} of every heal), every node took a snapshot and the
 * wiped follower came back through at least one install, and the change feed's subscribers received the changes
 * with no anomaly (in the anomalies: {@link io.flotilla.samples.verify.FeedChecker}). The seed is printed; rerun one with
 * {@code -Dnemesis.seed=S}. The run's log is printed to the test's output (target/surefire-reports).
 */
class NemesisTest
{
    @TempDir
    Path runDir;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void shortFaultScheduleFindsNoAnomaly() throws Exception
    {
        final long seed = Long.getLong("nemesis.seed", System.nanoTime());
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(new TeeStream(log), true, StandardCharsets.UTF_8);

        final NemesisReport report = new NemesisRunner(runDir, Fault.SHORT_SCHEDULE, 0, seed, 4, out).run();
        out.println(report);

        final String context = "seed " + seed + "\n" + log.toString(StandardCharsets.UTF_8);
        assertTrue(report.anomalies().isEmpty(), context);
        assertEquals(Fault.values().length, report.faults().size(), "every fault kind injected\n" + context);
        assertEquals(Fault.SHORT_SCHEDULE.size(), report.faultCount(), context);
        assertTrue(report.acknowledged() > 1_000, "the workload made progress\n" + context);
        assertTrue(report.linearizability().startsWith("LINEARIZABLE"), context);
        assertTrue(report.feedChanges() > 1_000, "the change feed received the writes\n" + context);
        assertEquals(3, report.snapshots().size(), context);
        for (final SnapshotActivity node : report.snapshots())
        {
            assertTrue(node.taken() > 0, "node " + node.node() + " took a snapshot\n" + context);
        }
        assertTrue(report.installs() > 0, "a snapshot was installed after " + Fault.WIPE_FOLLOWER + "\n" + context);
    }

    /**
     * Copies the run's log to standard output as it happens (a hung run still shows how far it got).
     */
    private static final class TeeStream extends OutputStream
    {
        private final ByteArrayOutputStream copy;

        TeeStream(final ByteArrayOutputStream copy)
        {
            this.copy = copy;
        }

        @Override
        public void write(final int b)
        {
            copy.write(b);
            System.out.write(b);
        }

        @Override
        public void write(final byte[] bytes, final int offset, final int length)
        {
            copy.write(bytes, offset, length);
            System.out.write(bytes, offset, length);
        }

        @Override
        public void flush()
        {
            System.out.flush();
        }
    }
}
