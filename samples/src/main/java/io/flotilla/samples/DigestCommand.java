package io.flotilla.samples;

import io.flotilla.admin.cli.DurationConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code KvClient digest DATA_DIR...}: compares the replicas' status files, {@link ReplicaDigests}.
 */
@Command(
    name = "digest",
    mixinStandardHelpOptions = true,
    description = {
        "Wait until the replicas' status files (DATA_DIR/kv-status) report the same applied index, then check " +
            "their state digests are equal. Reads the files only: no cluster connection.",
        "Exit 1 when they differ, or do not reach the same applied index in time."
    })
final class DigestCommand implements Callable<Integer>
{
    @ParentCommand
    private KvClient client;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
        description = "How long to wait for the same applied index, e.g. 60s (default: ${DEFAULT-VALUE}).")
    private Duration wait;

    @Parameters(arity = "1..*", paramLabel = "DATA_DIR", description = "The replicas' data directories.")
    private List<String> dataDirs;

    public Integer call() throws InterruptedException
    {
        return ReplicaDigests.compare(dataDirs, wait, client.out()) ? 0 : 1;
    }
}
