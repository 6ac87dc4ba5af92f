package io.flotilla.admin.tool;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/**
 * One run of the tool in this JVM, as {@code scripts/flotilla} would run it, with its output and exit code.
 */
final class ToolRun
{
    final int exitCode;
    final String out;
    final String err;

    private ToolRun(final int exitCode, final String out, final String err)
    {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    static ToolRun run(final String... args)
    {
        return run(Map.of(), args);
    }

    static ToolRun run(final Map<String, String> environment, final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = FlotillaTool.commandLine(environment);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exitCode = commandLine.execute(args);
        return new ToolRun(exitCode, out.toString(), err.toString());
    }

    public String toString()
    {
        return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
