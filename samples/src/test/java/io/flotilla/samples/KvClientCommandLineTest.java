package io.flotilla.samples;

import io.flotilla.engine.ReadConsistency;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintStream;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KvClient's command line without a cluster: help, usage errors, and the values its options take (with units).
 * Every run that would reach a cluster is refused before it connects. The commands against a cluster are in
 * {@link KvClusterTest}.
 */
class KvClientCommandLineTest
{
    private static final String ENDPOINTS = "0=localhost:1:2";

    @Test
    void helpListsTheCommandsAndEachCommandHasItsOwn()
    {
        final LauncherRun help = run("--help");
        assertEquals(0, help.exitCode, help::toString);
        for (final String command : new String[]{ "put", "get", "delete", "clear", "cas", "load", "verify", "feed", "digest" })
        {
            assertTrue(help.out.contains("  " + command + " "), command + "\n" + help);
            final LauncherRun commandHelp = run(command, "--help");
            assertEquals(0, commandHelp.exitCode, commandHelp::toString);
            assertTrue(commandHelp.out.startsWith("Usage: KvClient " + command), commandHelp::toString);
        }
        final LauncherRun load = run("help", "load");
        assertEquals(0, load.exitCode, load::toString);
        assertTrue(load.out.contains("--rate=RATE"), load::toString);
        assertTrue(load.out.contains("(default: 2000/s)"), load::toString);
    }

    @Test
    void noCommandOrAnUnknownOneIsAUsageError()
    {
        final LauncherRun none = run("--endpoints", ENDPOINTS);
        assertEquals(2, none.exitCode, none::toString);
        assertTrue(none.err.startsWith("KvClient: give a command"), none::toString);

        final LauncherRun unknown = run("--endpoints", ENDPOINTS, "gte", "k");
        assertEquals(2, unknown.exitCode, unknown::toString);
        assertTrue(unknown.err.contains("Unmatched arguments from index 2: 'gte', 'k'"), unknown::toString);
        assertTrue(unknown.err.contains("Did you mean: KvClient "), "suggests a command: " + unknown);
    }

    @Test
    void aMistypedOptionIsAUsageErrorThatNamesIt()
    {
        final LauncherRun run = run("--endpoints", ENDPOINTS, "load", "--rat", "1000/s");
        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.startsWith("KvClient: Unknown options: '--rat', '1000/s'"), run::toString);
        assertTrue(run.err.contains("--rate"), "suggests the option: " + run);
        assertTrue(run.err.contains("Run 'KvClient load --help'"), run::toString);

        final LauncherRun misplaced = run("--endpoints", ENDPOINTS, "--get-mode", "lease", "get", "k");
        assertEquals(2, misplaced.exitCode, "--get-mode is get's option: " + misplaced);
    }

    @Test
    void loadTakesRatesSizesAndDurationsWithUnits()
    {
        final CommandLine.ParseResult parsed = parse("--endpoints", ENDPOINTS, "load", "--rate", "10k/s",
            "--duration", "15s", "--warmup", "500ms", "--value-size", "1k", "--acks", "a.txt").subcommand();
        assertEquals(10_000L, (long)parsed.matchedOptionValue("--rate", 0L));
        assertEquals(Duration.ofSeconds(15), parsed.matchedOptionValue("--duration", Duration.ZERO));
        assertEquals(Duration.ofMillis(500), parsed.matchedOptionValue("--warmup", Duration.ZERO));
        assertEquals(1024L, (long)parsed.matchedOptionValue("--value-size", 0L));

        assertEquals(1000L, (long)parse("load", "--rate", "1000/s").subcommand().matchedOptionValue("--rate", 0L));
        assertEquals(1000L, (long)parse("load", "--rate", "1000").subcommand().matchedOptionValue("--rate", 0L));
        assertEquals(Duration.ofSeconds(60),
            parse("digest", "--wait", "60s", "d0").subcommand().matchedOptionValue("--wait", Duration.ZERO));
    }

    @Test
    void badValuesAreUsageErrorsBeforeAnyConnection()
    {
        assertUsageError("Invalid value for option '--rate': 'fast' is not a rate", "load", "--rate", "fast");
        assertUsageError("Invalid value for option '--duration': '10' has no unit", "load", "--duration", "10");
        assertUsageError("Invalid value for option '--value-size': '1.5k' is not a size",
            "load", "--value-size", "1.5k");
        assertUsageError("--rate 2000000/s is above 1000000/s", "load", "--rate", "2m/s");
        assertUsageError("--duration must be at least 1s", "load", "--duration", "500ms");
        assertUsageError("--value-size must be 1 to", "load", "--value-size", "0");
        assertUsageError("Invalid value for option '--get-mode': 'stale' is not a get mode: give read-index, " +
            "lease or log", "get", "--get-mode", "stale", "k");
        assertUsageError("Invalid value for positional parameter at index 2 (TTL_MS): 'soon'",
            "put", "k", "v", "soon");
        assertUsageError("Missing required parameter: 'VALUE'", "put", "k");
        assertUsageError("Missing required parameter: 'ACKS_FILE'", "verify");
        assertUsageError("Missing required parameter: 'DATA_DIR'", "digest", "--wait", "1s");
        assertUsageError("Invalid value for option '--wait': '30' has no unit", "digest", "--wait", "30", "d0");
        assertUsageError("Invalid value for option '--duration': '30' has no unit", "feed", "--duration", "30");
    }

    @Test
    void aCommandThatNeedsTheClusterWithoutEndpointsIsAUsageError()
    {
        final String membersBefore = System.clearProperty("flotilla.members");
        final String endpointsBefore = System.clearProperty("flotilla.client.ingress.endpoints");
        try
        {
            final LauncherRun run = run("put", "k", "v");
            assertEquals(2, run.exitCode, run::toString);
            assertTrue(run.err.contains("no endpoints: give --endpoints SPEC before the command"), run::toString);
        }
        finally
        {
            restore("flotilla.members", membersBefore);
            restore("flotilla.client.ingress.endpoints", endpointsBefore);
        }
    }

    @Test
    void getAndVerifyReadAsTheGetModeSays()
    {
        assertEquals(ReadConsistency.LINEARIZABLE, readOptions("get", "k").consistency());
        assertEquals(ReadConsistency.LEASE, readOptions("get", "--get-mode", "lease", "k").consistency());
        assertNull(readOptions("verify", "--get-mode", "log", "acks.txt").consistency());
        assertEquals(ReadConsistency.LINEARIZABLE,
            readOptions("verify", "--get-mode", "read-index", "--prefer-followers", "acks.txt").consistency());
    }

    private static ReadOptions readOptions(final String... args)
    {
        final CommandLine.ParseResult command = parse(args).subcommand();
        return (ReadOptions)command.commandSpec().mixins().get("read").userObject();
    }

    private static void assertUsageError(final String message, final String... args)
    {
        final String[] withEndpoints = new String[args.length + 2];
        withEndpoints[0] = "--endpoints";
        withEndpoints[1] = ENDPOINTS;
        System.arraycopy(args, 0, withEndpoints, 2, args.length);
        final LauncherRun run = run(withEndpoints);
        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains(message), () -> "expected '" + message + "' in\n" + run);
    }

    private static CommandLine.ParseResult parse(final String... args)
    {
        return KvClient.commandLine(new PrintStream(PrintStream.nullOutputStream())).parseArgs(args);
    }

    private static LauncherRun run(final String... args)
    {
        return LauncherRun.run(KvClient::commandLine, args);
    }

    private static void restore(final String property, final String value)
    {
        if (null != value)
        {
            System.setProperty(property, value);
        }
    }
}
