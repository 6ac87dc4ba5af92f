package io.flotilla.admin.tool;

/**
 * A subcommand's failure with the exit code it ends the tool with and the message it prints, without a stack trace.
 */
final class ToolException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    ToolException(final int exitCode, final String message)
    {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode()
    {
        return exitCode;
    }
}
