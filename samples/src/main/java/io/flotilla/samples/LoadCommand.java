package io.flotilla.samples;

import io.flotilla.admin.cli.DurationConverter;
import io.flotilla.admin.cli.RateConverter;
import io.flotilla.admin.cli.SizeConverter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code KvClient load}: the options of a {@link KvLoad} run.
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = {
        "PUTs of unique keys at a fixed rate through one session, latency measured from each request's intended " +
            "send time; every acknowledged write is recorded in the acks file (for verify).",
        "Exit 1 when some requests were still unanswered 30 s after the end."
    })
final class LoadCommand implements Callable<Integer>
{
    private static final long MAX_RATE = 1_000_000;
    private static final Duration MIN_DURATION = Duration.ofSeconds(1);

    @ParentCommand
    private KvClient client;

    @Spec
    private CommandSpec spec;

    @Option(names = "--rate", paramLabel = "RATE", defaultValue = "2000/s", converter = RateConverter.class,
        description = "PUTs offered per second, e.g. 1000/s, 10k/s or 1000; at most " + MAX_RATE + "/s " +
            "(default: ${DEFAULT-VALUE}).")
    private long rate;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
        description = "How long the measured load runs, at least 1s, e.g. 15s (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
        description = "A warm-up at the same rate first, its writes recorded but not measured, e.g. 3s " +
            "(default: ${DEFAULT-VALUE}).")
    private Duration warmup;

    @Option(names = "--value-size", paramLabel = "SIZE", defaultValue = "32", converter = SizeConverter.class,
        description = "Bytes per value, e.g. 32 or 1k (default: ${DEFAULT-VALUE}).")
    private long valueSize;

    @Option(names = "--acks", paramLabel = "FILE", defaultValue = "acks.txt",
        description = "Where the acknowledged writes are recorded, one 'key value' line each " +
            "(default: ${DEFAULT-VALUE}).")
    private Path acks;

    @Option(names = "--hgrm", paramLabel = "FILE", description = "Also write the latency histogram (HdrHistogram " +
        "percentile distribution, in microseconds) to FILE.")
    private Path hgrm;

    public Integer call() throws IOException
    {
        if (rate > MAX_RATE)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rate " + rate + "/s is above " +
                MAX_RATE + "/s");
        }
        if (duration.compareTo(MIN_DURATION) < 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--duration must be at least 1s");
        }
        if (valueSize < 1 || valueSize > Integer.MAX_VALUE)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--value-size must be 1 to " +
                Integer.MAX_VALUE + " bytes");
        }
        return KvLoad.run(client.context(spec), rate, warmup.toNanos(), duration.toNanos(), (int)valueSize, acks,
            hgrm, client.out());
    }
}
