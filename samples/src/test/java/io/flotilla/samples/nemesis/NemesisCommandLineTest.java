package io.flotilla.samples.nemesis;

import io.flotilla.samples.LauncherRun;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The nemesis' command line without running it (a run needs root; {@link NemesisTest} runs the CI schedule): help,
 * usage errors, and the schedule the options choose.
 */
class NemesisCommandLineTest
{
    @Test
    void helpListsTheOptionsAndTheFaults()
    {
        final LauncherRun run = run("--help");
        assertEquals(0, run.exitCode, run::toString);
        assertTrue(run.out.startsWith("Usage: NemesisRunner"), run::toString);
        for (final String text : new String[]{ "--minutes=N", "--short", "--faults=FAULT", "--seed=S", "--clients=N",
            "--run-dir=DIR", Fault.WIPE_FOLLOWER.name() })
        {
            assertTrue(run.out.contains(text), text + "\n" + run);
        }
    }

    @Test
    void aMistypedOptionIsAUsageErrorThatNamesIt()
    {
        final LauncherRun run = run("--minute", "5");
        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.startsWith("NemesisRunner: Unknown options: '--minute', '5'"), run::toString);
        assertTrue(run.err.contains("--minutes"), "suggests the option: " + run);
    }

    @Test
    void badValuesAndConflictingSchedulesAreUsageErrors()
    {
        assertUsageError("Invalid value for option '--faults' (FAULT): expected one of", "--faults", "KILL_LEADER,NAP");
        assertUsageError("Invalid value for option '--minutes': 'ten' is not a long", "--minutes", "ten");
        assertUsageError("--minutes, --short and --faults are exclusive: give one", "--short", "--minutes", "5");
        assertUsageError("--minutes, --short and --faults are exclusive: give one", "--short", "--faults",
            "KILL_LEADER");
        assertUsageError("--minutes must be at least 1", "--minutes", "0");
        assertUsageError("--clients must be at least 1", "--short", "--clients", "0");
    }

    @Test
    void withoutAScheduleOrTheMinutesPropertyItIsAUsageError()
    {
        final String before = System.clearProperty(NemesisCommand.MINUTES_PROP);
        try
        {
            assertUsageError("give --minutes N (random faults), --short (the CI schedule) or --faults F,F...");
        }
        finally
        {
            if (null != before)
            {
                System.setProperty(NemesisCommand.MINUTES_PROP, before);
            }
        }
    }

    @Test
    void theOptionsChooseTheSchedule()
    {
        final NemesisCommand faults = parse("--faults", "PAUSE_LEADER,PARTITION_KILL_LEADER", "--seed", "42");
        assertEquals(List.of(Fault.PAUSE_LEADER, Fault.PARTITION_KILL_LEADER), faults.schedule());
        assertEquals(0, faults.soakNs());

        assertEquals(Fault.SHORT_SCHEDULE, parse("--short").schedule());

        final NemesisCommand soak = parse("--minutes", "20");
        assertNull(soak.schedule(), "random faults");
        assertEquals(TimeUnit.MINUTES.toNanos(20), soak.soakNs());
    }

    private static NemesisCommand parse(final String... args)
    {
        final CommandLine commandLine = NemesisCommand.commandLine(new PrintStream(PrintStream.nullOutputStream()));
        commandLine.parseArgs(args);
        return commandLine.getCommand();
    }

    private static void assertUsageError(final String message, final String... args)
    {
        final LauncherRun run = run(args);
        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains(message), () -> "expected '" + message + "' in\n" + run);
    }

    private static LauncherRun run(final String... args)
    {
        return LauncherRun.run(NemesisCommand::commandLine, args);
    }
}
