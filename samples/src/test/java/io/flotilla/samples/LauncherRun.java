package io.flotilla.samples;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * One run of a launcher's command line in this JVM, as its script would run it, with its output and exit code.
 */
public final class LauncherRun
{
    public final int exitCode;
    public final String out;
    public final String err;

    private LauncherRun(final int exitCode, final String out, final String err)
    {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    /**
     * @param launcher the launcher's command line, given the stream its results (and the usage) go to.
     * @param args     the arguments.
     * @return the run.
     */
    public static LauncherRun run(final Function<PrintStream, CommandLine> launcher, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final StringWriter err = new StringWriter();
        final int exitCode;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8))
        {
            final CommandLine commandLine = launcher.apply(outStream);
            commandLine.setOut(new PrintWriter(outStream, true));
            commandLine.setErr(new PrintWriter(err, true));
            exitCode = commandLine.execute(args);
        }
        return new LauncherRun(exitCode, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    public String toString()
    {
        return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
