package io.flotilla.admin.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared command-line conventions: the unit converters, the usage error and failure exit codes and messages.
 */
class CommandLinesTest
{
    private final DurationConverter durations = new DurationConverter();
    private final SizeConverter sizes = new SizeConverter();
    private final RateConverter rates = new RateConverter();

    @Test
    void durationsTakeAgronasUnits()
    {
        assertEquals(Duration.ofSeconds(10), durations.convert("10s"));
        assertEquals(Duration.ofSeconds(10), durations.convert("10S"));
        assertEquals(Duration.ofMillis(500), durations.convert("500ms"));
        assertEquals(Duration.ofNanos(250_000), durations.convert("250us"));
        assertEquals(Duration.ofNanos(100), durations.convert("100ns"));
        assertEquals(Duration.ZERO, durations.convert("0"));
        assertEquals(Duration.ZERO, durations.convert("0s"));
    }

    @Test
    void aDurationWithoutAUnitOrWithABadOneIsRefused()
    {
        assertTrue(refusal(() -> durations.convert("10")).contains("'10' has no unit: give one, e.g. 10s or 10ms"));
        for (final String bad : new String[]{ "1.5s", "2m", "-1s", "ten", "", "10 s" })
        {
            assertTrue(refusal(() -> durations.convert(bad)).contains("is not a duration"), bad);
        }
    }

    @Test
    void sizesTakeAgronasUnits()
    {
        assertEquals(32L, sizes.convert("32"));
        assertEquals(64L * 1024, sizes.convert("64k"));
        assertEquals(64L * 1024, sizes.convert("64K"));
        assertEquals(16L * 1024 * 1024, sizes.convert("16m"));
        assertEquals(1L << 30, sizes.convert("1g"));
        for (final String bad : new String[]{ "1.5k", "-1", "10kb", "big" })
        {
            assertTrue(refusal(() -> sizes.convert(bad)).contains("is not a size"), bad);
        }
    }

    @Test
    void ratesArePerSecondWithDecimalMultipliers()
    {
        assertEquals(1000L, rates.convert("1000/s"));
        assertEquals(1000L, rates.convert("1000"));
        assertEquals(10_000L, rates.convert("10k/s"));
        assertEquals(10_000L, rates.convert("10K"));
        assertEquals(2_000_000L, rates.convert("2m/s"));
        assertEquals(1L, rates.convert("1/s"));
    }

    @Test
    void aZeroNegativeOrMalformedRateIsRefused()
    {
        assertTrue(refusal(() -> rates.convert("0/s")).contains("must be above zero"));
        for (final String bad : new String[]{ "-5/s", "+5", "1.5k/s", "1000/ms", "k/s", "/s", "", "fast",
            "99999999999999999k" })
        {
            assertTrue(refusal(() -> rates.convert(bad)).contains("is not a rate"), bad);
        }
    }

    @Test
    void helpIsPrintedWithExitZero()
    {
        final Run run = run("--help");
        assertEquals(CommandLines.EXIT_OK, run.exitCode, run::toString);
        assertTrue(run.out.contains("--timeout=DURATION"), run::toString);
    }

    @Test
    void aMistypedOptionIsAUsageErrorThatNamesItAndSuggestsTheRightOne()
    {
        final Run run = run("--timout", "5s");
        assertEquals(CommandLines.EXIT_USAGE, run.exitCode, run::toString);
        assertTrue(run.err.startsWith("probe: Unknown options: '--timout', '5s'"), run::toString);
        assertTrue(run.err.contains("--timeout"), run::toString);
        assertTrue(run.err.contains("Run 'probe --help' for its usage."), run::toString);
    }

    @Test
    void aBadValueIsAUsageErrorThatNamesTheOptionAndTheUnits()
    {
        final Run run = run("--timeout", "5");
        assertEquals(CommandLines.EXIT_USAGE, run.exitCode, run::toString);
        assertTrue(run.err.contains("Invalid value for option '--timeout': '5' has no unit"), run::toString);
    }

    @Test
    void aValueTheCommandRefusesIsAUsageErrorAndOneThatThrowsIsAFailure()
    {
        final Run refused = run("--timeout", "0s");
        assertEquals(CommandLines.EXIT_USAGE, refused.exitCode, refused::toString);
        assertTrue(refused.err.contains("probe: --timeout must be above zero"), refused::toString);

        final Run failed = run("--timeout", "1ns");
        assertEquals(CommandLines.EXIT_FAILED, failed.exitCode, failed::toString);
        assertTrue(failed.err.contains("probe failed: java.lang.IllegalStateException: too short"), failed::toString);
    }

    @Test
    void theGivenValueReachesTheCommand()
    {
        final Run run = run("--timeout", "250ms");
        assertEquals(CommandLines.EXIT_OK, run.exitCode, run::toString);
        assertEquals("PT0.25S" + System.lineSeparator(), run.out);
    }

    private static String refusal(final org.junit.jupiter.api.function.Executable conversion)
    {
        return assertThrows(CommandLine.TypeConversionException.class, conversion).getMessage();
    }

    private static Run run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = CommandLines.create(new Probe());
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

    @Command(name = "probe", mixinStandardHelpOptions = true)
    static final class Probe implements Callable<Integer>
    {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = DurationConverter.class)
        private Duration timeout;

        public Integer call()
        {
            if (timeout.isZero())
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be above zero");
            }
            if (timeout.toNanos() == 1)
            {
                throw new IllegalStateException("too short");
            }
            spec.commandLine().getOut().println(timeout);
            return CommandLines.EXIT_OK;
        }
    }
}
