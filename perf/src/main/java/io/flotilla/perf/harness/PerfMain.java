package io.flotilla.perf.harness;

import io.flotilla.admin.cli.CommandLines;
import io.flotilla.admin.cli.DurationConverter;
import io.flotilla.admin.cli.FlotillaVersion;
import io.flotilla.admin.cli.RateConverter;
import io.flotilla.admin.cli.SizeConverter;
import io.flotilla.engine.Durability;
import io.flotilla.engine.Threading;
import io.flotilla.perf.flotilla.FailoverRun;
import io.flotilla.perf.flotilla.FlotillaSettings;
import io.flotilla.perf.flotilla.FlotillaTarget;
import io.flotilla.perf.flotilla.RecoveryRun;
import io.flotilla.perf.flotilla.RollingRestartRun;
import io.flotilla.perf.snapshot.SnapshotInstallRun;
import io.flotilla.perf.snapshot.SnapshotLatencyRun;
import io.flotilla.perf.snapshot.SnapshotOptions;
import io.flotilla.perf.snapshot.SnapshotRestartRun;
import io.flotilla.perf.snapshot.SnapshotSettings;
import io.flotilla.perf.snapshot.SnapshotSoakRun;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Command line: start one target, run the requested latency runs (one per rate) and/or a throughput run against
 * it, and write each result ({@code .hgrm} and a summary line) to the results directory ({@code --help} lists every
 * option, docs/performance.md explains them).
 * <pre>
 * java -cp perf/target/flotilla-benchmarks.jar io.flotilla.perf.harness.PerfMain \
 *     --target aeron-cluster --mode latency,throughput --rate 1000/s,10k/s --size 32 \
 *     --warmup 5s --duration 10s --window 1024 --results perf/results/now
 * </pre>
 */
@Command(
    name = "PerfMain",
    mixinStandardHelpOptions = true,
    versionProvider = FlotillaVersion.class,
    sortOptions = false,
    description = {
        "Start one target (a system under test), run latency runs at fixed rates and/or a throughput run against " +
            "it, and the Flotilla-only failover, recovery and snapshot runs; results go to the results directory " +
            "(docs/performance.md)."
    },
    footer = {
        "",
        "Exit codes: 0 done, 1 a run failed, 2 usage error."
    })
public final class PerfMain implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Mixin
    private Options options;

    private PerfMain()
    {
    }

    /**
     * @return the harness as a picocli command line: {@link CommandLine#execute(String...)} runs it and gives the
     * exit status.
     */
    public static CommandLine commandLine()
    {
        return CommandLines.create(new PerfMain());
    }

    /**
     * Entry point; exits with 0 on success, 1 on a run failure, 2 on bad arguments.
     *
     * @param args see {@code --help}.
     */
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    public Integer call() throws Exception
    {
        options.conclude(spec);
        runAll(options);
        return CommandLines.EXIT_OK;
    }

    /**
     * Start the target, run every requested run in order (latency per rate, then throughput), write results.
     *
     * @param options parsed options.
     * @return the results, also written to the results directory.
     * @throws Exception if the target fails to start or results cannot be written.
     */
    public static List<RunResult> runAll(final Options options) throws Exception
    {
        final List<RunResult> results = new ArrayList<>();
        final int size = (int)options.size;
        runSnapshotModes(options);
        if (options.runs("recovery"))
        {
            final String line = new RecoveryRun(options.flotilla).run(options.entries, size);
            appendLines(options.resultsDir, "recovery.txt", List.of(line));
        }
        if (options.runs("rolling-restart"))
        {
            try (FlotillaTarget target = FlotillaTarget.withHandoverOnClose(options.flotilla))
            {
                target.start(size);
                final List<String> lines = new RollingRestartRun(
                    target, options.rates.get(0), options.steady.toNanos(), options.idleStrategy()).run(options.rounds);
                appendLines(options.resultsDir, "rolling-restart.txt", lines);
            }
        }
        if (!options.runs("latency") && !options.runs("throughput") && !options.runs("failover"))
        {
            return results;
        }
        try (LoadTarget target = Targets.create(options.target, options.flotilla))
        {
            System.out.println("starting " + options.target + " (" + size + " B messages) " + target.config());
            target.start(size);
            if (options.runs("latency"))
            {
                for (final long rate : options.rates)
                {
                    final Runner run = new LatencyRun(rate, options.warmup.toNanos(), options.duration.toNanos(),
                        options.drain.toNanos(), options.idleStrategy());
                    results.add(runOne(run, target, options));
                }
            }
            if (options.runs("throughput"))
            {
                final Runner run = new ThroughputRun(options.window, options.warmup.toNanos(),
                    options.duration.toNanos(), options.drain.toNanos(), options.idleStrategy());
                results.add(runOne(run, target, options));
            }
            if (options.runs("failover"))
            {
                final List<String> lines = new FailoverRun(
                    (FlotillaTarget)target, options.rates.get(0), options.steady.toNanos(), options.idleStrategy())
                    .run(options.rounds);
                appendLines(options.resultsDir, "failover.txt", lines);
            }
        }
        return results;
    }

    private static void runSnapshotModes(final Options options) throws Exception
    {
        if (options.runs("snapshot-restart"))
        {
            appendLines(options.resultsDir, "snapshot-restart.txt",
                new SnapshotRestartRun(options.flotilla, options.snapshot).run());
        }
        if (options.runs("snapshot-install"))
        {
            appendLines(options.resultsDir, "snapshot-install.txt",
                new SnapshotInstallRun(options.flotilla, options.snapshot).run());
        }
        if (options.runs("snapshot-latency"))
        {
            appendLines(options.resultsDir, "snapshot-latency.txt",
                new SnapshotLatencyRun(options.flotilla, options.snapshot).run(options.rates.get(0),
                    (int)options.size, options.warmup.toNanos(), options.duration.toNanos(), options.drain.toNanos(),
                    options.idleStrategy(), options.resultsDir));
        }
        if (options.runs("snapshot-soak"))
        {
            appendLines(options.resultsDir, "snapshot-soak.txt",
                new SnapshotSoakRun(options.flotilla, options.snapshot).run());
        }
    }

    private static void appendLines(final Path directory, final String file, final List<String> lines)
        throws IOException
    {
        Files.createDirectories(directory);
        Files.write(directory.resolve(file), lines, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static RunResult runOne(final Runner run, final LoadTarget target, final Options options)
        throws IOException
    {
        final RunResult result = run.run(target, (int)options.size);
        final Path hgrm = result.writeTo(options.resultsDir);
        System.out.println(result.summaryLine() + " file=" + hgrm);
        return result;
    }

    /**
     * The parsed command line: options as given, then {@link #conclude(CommandSpec)} checks them and derives the
     * settings.
     */
    public static final class Options
    {
        private static final List<String> MODES = List.of("latency", "throughput", "failover",
            "rolling-restart", "recovery", "snapshot-restart", "snapshot-install", "snapshot-latency", "snapshot-soak");
        private static final List<String> BASELINE_MODES = List.of("latency", "throughput");
        // Odd sizes only: an even one tolerates no more failures than the odd size below it and needs a larger quorum.
        private static final List<Integer> NODE_COUNTS = List.of(3, 5, 7);
        // The modes that build their cluster to --nodes; the others size their own (recovery: one member).
        private static final List<String> SIZED_MODES = List.of("latency", "throughput", "failover", "rolling-restart");

        @Option(names = "--target", required = true, paramLabel = "NAME", completionCandidates = TargetNames.class,
            description = "The system under test: ${COMPLETION-CANDIDATES}.")
        String target;

        @Option(names = "--mode", paramLabel = "MODE[,MODE...]", split = ",", defaultValue = "latency",
            description = {
                "Runs, comma separated (default: ${DEFAULT-VALUE}): latency, throughput, failover, " +
                    "rolling-restart, recovery, snapshot-restart, snapshot-install, snapshot-latency, snapshot-soak.",
                "All but latency and throughput are Flotilla only; the snapshot modes run first, on their own " +
                    "clusters (docs/performance.md, Snapshots)."
            })
        List<String> modes;

        @Option(names = "--rate", paramLabel = "RATE[,RATE...]", split = ",", defaultValue = "10000/s",
            converter = RateConverter.class,
            description = "Offered rates of the latency runs, e.g. 1000/s,10k/s; failover, rolling-restart and " +
                "snapshot-latency use the first (default: ${DEFAULT-VALUE}).")
        List<Long> rates;

        @Option(names = "--size", paramLabel = "SIZE", defaultValue = "32", converter = SizeConverter.class,
            description = "Message size in bytes (default: ${DEFAULT-VALUE}).")
        long size;

        @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "Warm-up before each measured period (default: ${DEFAULT-VALUE}).")
        Duration warmup;

        @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10s",
            converter = DurationConverter.class,
            description = "Measured period of each run (default: ${DEFAULT-VALUE}).")
        Duration duration;

        @Option(names = "--window", paramLabel = "N", defaultValue = "1024",
            description = "Outstanding messages in throughput runs (default: ${DEFAULT-VALUE}).")
        int window;

        @Option(names = "--drain", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "Wait for outstanding echoes after a run (default: ${DEFAULT-VALUE}).")
        Duration drain;

        @Option(names = "--idle", paramLabel = "spin|yield|backoff", defaultValue = "yield",
            description = "The load loop's idle strategy (default: ${DEFAULT-VALUE}).")
        String idle;

        @Option(names = "--results", paramLabel = "DIR",
            description = "Results directory (default: perf/results/<UTC timestamp>).")
        Path results;

        @Option(names = "--nodes", paramLabel = "3|5|7", defaultValue = "" + FlotillaSettings.DEFAULT_MEMBERS,
            description = "Members of the cluster, Aeron Cluster's and every flotilla target's alike, in latency, " +
                "throughput, failover and rolling-restart (default: ${DEFAULT-VALUE}); ping ignores it.")
        int nodes;

        @Option(names = "--durability", paramLabel = "FSYNC|ASYNC", defaultValue = "ASYNC",
            description = "Flotilla's log durability (default: ${DEFAULT-VALUE}: Aeron Cluster does not fsync " +
                "either).")
        Durability durability;

        @Option(names = "--threading", paramLabel = "COMPACT|DEDICATED", defaultValue = "COMPACT",
            description = "Flotilla's media threading (default: ${DEFAULT-VALUE}).")
        Threading threading;

        @Option(names = "--client-response-timeout", paramLabel = "DURATION", defaultValue = "500ms",
            converter = DurationConverter.class,
            description = "The Flotilla client's leader-loss detection (default: ${DEFAULT-VALUE}).")
        Duration clientResponseTimeout;

        @Option(names = "--clients", paramLabel = "N", defaultValue = "" + FlotillaSettings.DEFAULT_CLIENTS,
            description = "Flotilla client sessions the load is spread over, 64 outstanding each " +
                "(default: ${DEFAULT-VALUE}).")
        int clients;

        @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "failover: leader closes; rolling-restart: restarts of every node (default: " +
                "${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--steady", paramLabel = "DURATION", defaultValue = "3s", converter = DurationConverter.class,
            description = "failover: steady load before each close and after each restart; rolling-restart: " +
                "before each stop (default: ${DEFAULT-VALUE}).")
        Duration steady;

        @Option(names = "--entries", paramLabel = "N", defaultValue = "2000000",
            description = "recovery: commands in the restarted node's log (default: ${DEFAULT-VALUE}).")
        long entries;

        @Mixin
        SnapshotOptions snapshotOptions;

        FlotillaSettings flotilla;
        SnapshotSettings snapshot;
        Path resultsDir;

        /**
         * Checks the options and derives the settings from them.
         *
         * @param spec the command line, named in a usage error.
         * @throws CommandLine.ParameterException naming the option that is wrong.
         */
        void conclude(final CommandSpec spec)
        {
            require(spec, Targets.names().contains(target),
                "unknown --target '" + target + "', known: " + Targets.names());
            require(spec, MODES.containsAll(modes), "--mode must list some of " + MODES);
            require(spec, BASELINE_MODES.containsAll(modes) || "flotilla".equals(target),
                "--mode failover, rolling-restart, recovery and snapshot-* need --target flotilla");
            require(spec, NODE_COUNTS.contains(nodes),
                "--nodes must be 3, 5 or 7 (NODES=3, 5 or 7 in scripts/perf.sh), got " + nodes);
            require(spec, FlotillaSettings.DEFAULT_MEMBERS == nodes || SIZED_MODES.containsAll(modes),
                "--nodes " + nodes + " applies to --mode latency, throughput, failover and rolling-restart only: " +
                    "recovery runs one member and snapshot-* three; leave --nodes at " +
                    FlotillaSettings.DEFAULT_MEMBERS + " for them");
            try
            {
                Payload.checkLength((int)Math.min(size, Integer.MAX_VALUE));
                idleStrategy();
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
            }
            require(spec, window >= 1, "--window must be at least 1");
            require(spec, clients >= 1, "--clients must be at least 1");
            require(spec, rounds >= 1, "--rounds must be at least 1");
            require(spec, entries >= 1, "--entries must be at least 1");
            flotilla = new FlotillaSettings(durability, threading, clientResponseTimeout.toNanos(), clients, nodes);
            snapshot = snapshotOptions.settings(spec);
            resultsDir = null != results ? results : Paths.get("perf/results/" +
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")));
        }

        boolean runs(final String mode)
        {
            return modes.contains(mode);
        }

        /**
         * @return a new idle strategy of {@code --idle}, for one run's load loop.
         */
        IdleStrategy idleStrategy()
        {
            switch (idle)
            {
                case "spin":
                    return new BusySpinIdleStrategy();
                case "yield":
                    return new YieldingIdleStrategy();
                case "backoff":
                    return new BackoffIdleStrategy();
                default:
                    throw new IllegalArgumentException("--idle must be spin, yield or backoff, got '" + idle + "'");
            }
        }

        private static void require(final CommandSpec spec, final boolean condition, final String problem)
        {
            if (!condition)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), problem);
            }
        }
    }

    /**
     * The known targets, for {@code --target}'s description.
     */
    static final class TargetNames implements Iterable<String>
    {
        public Iterator<String> iterator()
        {
            return Targets.names().iterator();
        }
    }
}
