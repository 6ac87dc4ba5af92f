package io.flotilla.perf.harness;

import io.flotilla.engine.Durability;
import io.flotilla.engine.Threading;
import io.flotilla.perf.flotilla.FlotillaSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PerfMain's command line without running a target: help, usage errors, and the values its options take (with
 * units), checked by {@link PerfMain.Options#conclude}. The runs themselves are in {@link HarnessSmokeTest}.
 */
class PerfMainCommandLineTest
{
    @Test
    void helpListsEveryOptionWithItsDefault()
    {
        final Run run = run("--help");
        assertEquals(0, run.exitCode, run::toString);
        assertTrue(run.out.startsWith("Usage: PerfMain"), run::toString);
        for (final String text : new String[]{ "--target=NAME", "aeron-cluster", "--rate=RATE[,RATE...]",
            "(default: 10000/s)", "--warmup=DURATION", "(default: 5s)", "--client-response-timeout=DURATION",
            "--state-bytes=SIZE", "--soak-rate=RATE", "Exit codes: 0 done, 1 a run failed, 2 usage error." })
        {
            assertTrue(run.out.contains(text), text + "\n" + run);
        }
    }

    @Test
    void aMistypedOrMissingOptionIsAUsageErrorThatNamesIt()
    {
        final Run mistyped = run("--target", "ping", "--durration", "10s");
        assertEquals(2, mistyped.exitCode, mistyped::toString);
        assertTrue(mistyped.err.startsWith("PerfMain: Unknown options: '--durration', '10s'"), mistyped::toString);
        assertTrue(mistyped.err.contains("--duration"), "suggests the option: " + mistyped);

        final Run noTarget = run("--mode", "latency");
        assertEquals(2, noTarget.exitCode, noTarget::toString);
        assertTrue(noTarget.err.contains("Missing required option: '--target=NAME'"), noTarget::toString);
    }

    @Test
    void badValuesAreUsageErrors()
    {
        assertUsageError("'1000/min' is not a rate", "--target", "ping", "--rate", "1000/min");
        assertUsageError("'10' has no unit", "--target", "ping", "--duration", "10");
        assertUsageError("expected one of [FSYNC, ASYNC]", "--target", "flotilla", "--durability", "SOMETIMES");
        assertUsageError("unknown --target 'raft', known: ", "--target", "raft");
        assertUsageError("--mode must list some of", "--target", "ping", "--mode", "latency,speed");
        assertUsageError("--mode failover, rolling-restart, recovery and snapshot-* need --target flotilla",
            "--target", "ping", "--mode", "failover");
        assertUsageError("message size 4 must be in", "--target", "ping", "--size", "4");
        assertUsageError("--idle must be spin, yield or backoff, got 'nap'", "--target", "ping", "--idle", "nap");
        assertUsageError("--snapshots must list on, off or both", "--target", "flotilla", "--snapshots", "on,maybe");
        assertUsageError("'1.5k' is not a size", "--target", "flotilla", "--state-bytes", "1.5k");
        assertUsageError("--nodes must be 3, 5 or 7 (NODES=3, 5 or 7 in scripts/perf.sh), got 4",
            "--target", "aeron-cluster", "--nodes", "4");
        assertUsageError("--nodes 5 applies to --mode latency, throughput, failover and rolling-restart only",
            "--target", "flotilla", "--mode", "snapshot-install", "--nodes", "5");
    }

    @Test
    void valuesTakeTheirUnits()
    {
        final PerfMain.Options options = conclude("--target", "flotilla", "--mode", "latency,failover",
            "--rate", "1000/s,10k/s,50000", "--size", "1k", "--warmup", "500ms", "--duration", "2s", "--drain", "0",
            "--steady", "3s", "--client-response-timeout", "250ms", "--durability", "FSYNC", "--threading",
            "DEDICATED", "--clients", "16", "--nodes", "5", "--state-bytes", "64m", "--state-value-bytes", "10k", "--soak-rate",
            "20k/s", "--soak-minutes", "0.5", "--commands", "1000,2000", "--snapshots", "off", "--results", "r");
        assertEquals(List.of(1_000L, 10_000L, 50_000L), options.rates);
        assertEquals(1024, options.size);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), options.warmup.toNanos());
        assertEquals(TimeUnit.SECONDS.toNanos(2), options.duration.toNanos());
        assertEquals(0, options.drain.toNanos());
        assertEquals(TimeUnit.SECONDS.toNanos(3), options.steady.toNanos());
        assertEquals(new FlotillaSettings(Durability.FSYNC, Threading.DEDICATED,
            TimeUnit.MILLISECONDS.toNanos(250), 16, 5), options.flotilla);
        assertEquals(64L << 20, options.snapshot.stateBytes());
        assertEquals(10_240, options.snapshot.stateValueBytes());
        assertEquals(20_000, options.snapshot.soakRate());
        assertEquals(TimeUnit.SECONDS.toNanos(30), options.snapshot.soakNs());
        assertArrayEquals(new long[]{ 1000, 2000 }, options.snapshot.commands());
        assertArrayEquals(new boolean[]{ false }, options.snapshot.restartWith());
        assertEquals(Path.of("r"), options.resultsDir);
        assertTrue(options.runs("failover") && options.runs("latency") && !options.runs("throughput"));
    }

    @Test
    void theDefaultsAreTheHarnessDefaults()
    {
        final PerfMain.Options options = conclude("--target", "ping");
        assertEquals(FlotillaSettings.defaults(), options.flotilla);
        assertEquals(List.of(10_000L), options.rates);
        assertEquals(32, options.size);
        assertEquals(TimeUnit.SECONDS.toNanos(5), options.warmup.toNanos());
        assertEquals(TimeUnit.SECONDS.toNanos(10), options.duration.toNanos());
        assertEquals(TimeUnit.MINUTES.toNanos(30), options.snapshot.soakNs());
        assertTrue(options.runs("latency") && !options.runs("throughput"));
        assertTrue(options.resultsDir.startsWith(Path.of("perf", "results")), options.resultsDir::toString);
    }

    private static PerfMain.Options conclude(final String... args)
    {
        final CommandLine commandLine = PerfMain.commandLine();
        final CommandLine.ParseResult parsed = commandLine.parseArgs(args);
        final PerfMain.Options options = (PerfMain.Options)parsed.commandSpec().mixins().get("options").userObject();
        options.conclude(parsed.commandSpec());
        return options;
    }

    private static void assertUsageError(final String message, final String... args)
    {
        final Run run = run(args);
        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains(message), () -> "expected '" + message + "' in\n" + run);
    }

    private static Run run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = PerfMain.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return new Run(commandLine.execute(args), out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err)
    {
        public String toString()
        {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }
}
