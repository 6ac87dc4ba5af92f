package io.flotilla.admin.tool;

import io.flotilla.archive.NodeDataVerifier;
import io.flotilla.archive.SnapshotInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code flotilla verify-log --data-dir DIR}: checks a stopped node's state file, log and snapshots by checksum as a
 * restart would ({@link NodeDataVerifier}), changing nothing.
 */
@Command(
    name = "verify-log",
    mixinStandardHelpOptions = true,
    description = {
        "Check a stopped node's data directory as a restart would, changing nothing: the node state file, every " +
            "entry of the log (checksum, index, term) and every snapshot (both checksums). Prints what it found: " +
            "entries, first..last index, snapshots, and what a restart would repair (a torn tail it cuts).",
        "Exit 0 when nothing is corrupt, 1 when something is (or the node is running: its data directory is " +
            "locked), 2 when the directory is missing or holds no node's data."
    })
final class VerifyLogCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "The node's data directory.")
    private File dataDirectory;

    public Integer call()
    {
        final NodeDataVerifier.Report report;
        try
        {
            report = NodeDataVerifier.verify(dataDirectory);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
        catch (final IllegalStateException ex)
        {
            throw new ToolException(FlotillaTool.EXIT_FAILED, ex.getMessage() + ": stop the node first");
        }

        final PrintWriter out = spec.commandLine().getOut();
        out.println("data directory " + report.dataDirectory());
        out.println("state: " + (report.hasState() ? "term " + report.currentTerm() + ", voted for " +
            (report.votedFor() < 0 ? "nobody" : "member " + report.votedFor()) + ", commit hint " +
            report.commitIndexHint() : "none"));
        out.println("log: " + (report.recordingId() < 0 ? "no recording" : "recording " + report.recordingId()) +
            ", " + report.entries() + " entries" + (report.entries() > 0 ? ", index " + report.firstIndex() + ".." +
            report.lastIndex() + ", term " + report.firstTerm() + ".." + report.lastTerm() + ", " +
            report.logBytes() + " bytes" : ", begins after index " + (report.firstIndex() - 1)));
        out.println("snapshots: " + report.snapshots().size());
        for (final NodeDataVerifier.SnapshotCheck check : report.snapshots())
        {
            final SnapshotInfo snapshot = check.snapshot();
            out.println("  " + snapshot.path().getFileName() + ": index " + snapshot.index() + ", term " +
                snapshot.term() + ", " + snapshot.length() + " bytes, " + (null == check.problem() ?
                "members " + Arrays.stream(check.verified().memberIds()).mapToObj(String::valueOf)
                .collect(Collectors.joining(",")) + ", ok" : "CORRUPT"));
        }
        for (final String note : report.notes())
        {
            out.println("note: " + note);
        }
        for (final String problem : report.problems())
        {
            out.println("CORRUPT: " + problem);
        }
        out.println(report.isClean() ? "verified: no corruption" : report.problems().size() + " problems found");
        out.flush();
        return report.isClean() ? FlotillaTool.EXIT_OK : FlotillaTool.EXIT_FAILED;
    }
}
