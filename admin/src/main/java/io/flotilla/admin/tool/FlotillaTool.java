package io.flotilla.admin.tool;

import io.flotilla.admin.cli.CommandLines;
import io.flotilla.admin.cli.FlotillaVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Map;

/**
 * {@code flotilla}, the cluster tool (launcher: scripts/flotilla; docs/operations.md): reads and changes a running
 * cluster through its nodes' admin endpoints, and reads a node's files (its media driver's error log, its log and
 * snapshots). Exit codes: {@value #EXIT_OK} done, {@value #EXIT_FAILED} the operation failed or found a problem,
 * {@value #EXIT_USAGE} a usage error, {@value #EXIT_UNREACHABLE} a node could not be reached.
 */
@Command(
    name = "flotilla",
    mixinStandardHelpOptions = true,
    versionProvider = FlotillaVersion.class,
    description = "Operate a Flotilla cluster: its nodes' status, leadership and snapshots over their admin " +
        "endpoints; a node's Aeron error log; a stopped node's log and snapshots.",
    subcommands = {
        StatusCommand.class,
        LeaderCommand.class,
        MembersCommand.class,
        MemberCommand.class,
        TransferCommand.class,
        SnapshotCommand.class,
        ErrorsCommand.class,
        VerifyLogCommand.class,
        CommandLine.HelpCommand.class
    },
    footer = {
        "",
        "Exit codes: 0 done, 1 the operation failed or found a problem, 2 usage error, 3 a node could not be reached.",
        "Environment: " + AdminOptions.NODES_ENV + " (default --nodes), " + AdminOptions.TOKEN_FILE_ENV +
            " (default --token-file)."
    })
public final class FlotillaTool implements Runnable
{
    public static final int EXIT_OK = CommandLines.EXIT_OK;
    public static final int EXIT_FAILED = CommandLines.EXIT_FAILED;
    public static final int EXIT_USAGE = CommandLines.EXIT_USAGE;
    public static final int EXIT_UNREACHABLE = 3;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private final Map<String, String> environment;

    private FlotillaTool(final Map<String, String> environment)
    {
        this.environment = environment;
    }

    /**
     * The tool as a picocli command line: set its out and err with {@link CommandLine#setOut} and
     * {@link CommandLine#setErr}, then {@link CommandLine#execute(String...)} gives the exit code.
     *
     * @param environment where {@code FLOTILLA_ADMIN_*} defaults come from, e.g. {@link System#getenv()}.
     * @return the command line.
     */
    public static CommandLine commandLine(final Map<String, String> environment)
    {
        final CommandLine commandLine = CommandLines.create(new FlotillaTool(Map.copyOf(environment)));
        commandLine.setExecutionExceptionHandler(FlotillaTool::onFailure);
        return commandLine;
    }

    public static void main(final String[] args)
    {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a command, e.g. 'flotilla status'");
    }

    Map<String, String> environment()
    {
        return environment;
    }

    private static int onFailure(
        final Exception ex, final CommandLine commandLine, final CommandLine.ParseResult parseResult)
    {
        final PrintWriter err = commandLine.getErr();
        if (ex instanceof ToolException)
        {
            err.println("flotilla " + commandLine.getCommandName() + ": " + ex.getMessage());
            err.flush();
            return ((ToolException)ex).exitCode();
        }
        return CommandLines.onFailure(ex, commandLine, parseResult);
    }
}
