package io.flotilla.admin.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * What every Flotilla command line does alike (the cluster tool, the KV node and client, the perf harness, the
 * nemesis): a usage error (an unknown or mistyped option, a bad value, a missing argument) prints the command's name,
 * what is wrong, picocli's suggestions for a near miss and where the usage is, and exits {@value #EXIT_USAGE}; a
 * command that throws prints the exception with its stack trace and exits {@value #EXIT_FAILED}.
 * Values with units take them as the {@code flotilla.*} settings do: {@link DurationConverter},
 * {@link SizeConverter}, {@link RateConverter}.
 */
public final class CommandLines
{
    /** Exit code: done. */
    public static final int EXIT_OK = 0;

    /** Exit code: the command failed, or found a problem. */
    public static final int EXIT_FAILED = 1;

    /** Exit code: a usage error. */
    public static final int EXIT_USAGE = 2;

    private CommandLines()
    {
    }

    /**
     * @param command a {@link CommandLine.Command} annotated object, with its subcommands if any.
     * @return its command line, with the usage error and failure handling of every Flotilla command line;
     * {@link CommandLine#execute(String...)} gives the exit code.
     */
    public static CommandLine create(final Object command)
    {
        final CommandLine commandLine = new CommandLine(command);
        commandLine.setParameterExceptionHandler(CommandLines::onUsageError);
        commandLine.setExecutionExceptionHandler(CommandLines::onFailure);
        return commandLine;
    }

    /**
     * Prints a usage error on the command line's error stream.
     *
     * @param ex   the error: an unknown option, a bad value, or one a command threw itself.
     * @param args the command line's arguments.
     * @return {@link #EXIT_USAGE}.
     */
    public static int onUsageError(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine commandLine = ex.getCommandLine();
        final PrintWriter err = commandLine.getErr();
        err.println(commandLine.getCommandSpec().root().name() + ": " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Run '" + commandLine.getCommandSpec().qualifiedName() + " --help' for its usage.");
        err.flush();
        return EXIT_USAGE;
    }

    /**
     * Prints a command's unexpected failure, with its stack trace, on the command line's error stream.
     *
     * @param ex          what the command threw.
     * @param commandLine of the command that threw it.
     * @param parseResult of its arguments.
     * @return {@link #EXIT_FAILED}.
     */
    public static int onFailure(
        final Exception ex, final CommandLine commandLine, final CommandLine.ParseResult parseResult)
    {
        final PrintWriter err = commandLine.getErr();
        err.println(commandLine.getCommandSpec().qualifiedName() + " failed: " + ex);
        ex.printStackTrace(err);
        err.flush();
        return EXIT_FAILED;
    }
}
