package io.flotilla.admin.tool;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.exceptions.AeronException;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code flotilla errors --aeron-dir DIR}: the distinct errors a node's media driver recorded in its CnC file, read
 * with Aeron's own error log reader, as Aeron's ErrorStat does. Works on the directory of a running node and of a
 * stopped one (a node removes its Aeron directory when it closes cleanly; one that was killed leaves it).
 */
@Command(
    name = "errors",
    mixinStandardHelpOptions = true,
    description = {
        "Print the error log of a node's media driver: each distinct error, how often and when it was observed.",
        "Exit 0 when no error is recorded, 1 when some are, 2 when the directory holds no Aeron CnC file."
    })
final class ErrorsCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--aeron-dir", required = true, paramLabel = "DIR",
        description = "The node's Aeron directory (flotilla.aeron.dir, or ClusterNode.aeronDirectoryName()).")
    private File aeronDirectory;

    public Integer call()
    {
        final File cncFile = new File(aeronDirectory, CncFileDescriptor.CNC_FILE);
        if (!aeronDirectory.isDirectory())
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "no Aeron directory " + aeronDirectory +
                " (a node removes its own when it closes cleanly)");
        }
        if (!cncFile.isFile() || cncFile.length() <= CncFileDescriptor.META_DATA_LENGTH)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), aeronDirectory + " holds no Aeron " +
                CncFileDescriptor.CNC_FILE + ": is it a media driver's directory?");
        }

        final PrintWriter out = spec.commandLine().getOut();
        final boolean driverActive =
            CommonContext.isDriverActive(aeronDirectory, CommonContext.DEFAULT_DRIVER_TIMEOUT_MS, (message) -> {});
        final MappedByteBuffer cnc = IoUtil.mapExistingFile(cncFile, FileChannel.MapMode.READ_ONLY, "cnc");
        try
        {
            final AtomicBuffer errorLog = CommonContext.errorLogBuffer(cnc);
            out.println("error log of " + cncFile + " (media driver " + (driverActive ? "running" : "not running") +
                ")");
            final int distinctErrors = ErrorLogReader.read(errorLog,
                (observationCount, firstObservationTimestamp, lastObservationTimestamp, encodedException) ->
                {
                    out.println();
                    out.println(observationCount + " observations from " + Instant.ofEpochMilli(firstObservationTimestamp) +
                        " to " + Instant.ofEpochMilli(lastObservationTimestamp) + ":");
                    out.println(encodedException.stripTrailing());
                });
            out.println();
            out.println(distinctErrors + " distinct errors");
            out.flush();
            return 0 == distinctErrors ? FlotillaTool.EXIT_OK : FlotillaTool.EXIT_FAILED;
        }
        catch (final AeronException ex)
        {
            throw new ToolException(FlotillaTool.EXIT_FAILED, "cannot read " + cncFile + ": " + ex.getMessage());
        }
        finally
        {
            IoUtil.unmap(cnc);
        }
    }
}
