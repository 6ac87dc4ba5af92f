package io.flotilla.perf.harness;

import io.flotilla.archive.Durability;
import io.flotilla.archive.NodeMedia;
import io.flotilla.perf.flotilla.FailoverRun;
import io.flotilla.perf.flotilla.FlotillaSettings;
import io.flotilla.perf.flotilla.FlotillaTarget;
import io.flotilla.perf.flotilla.RecoveryRun;
import io.flotilla.perf.snapshot.SnapshotInstallRun;
import io.flotilla.perf.snapshot.SnapshotLatencyRun;
import io.flotilla.perf.snapshot.SnapshotRestartRun;
import io.flotilla.perf.snapshot.SnapshotSettings;
import io.flotilla.perf.snapshot.SnapshotSoakRun;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Command line: start one target, run the requested latency runs (one per rate) and/or a throughput run against
 * it, and write each result ({@code .hgrm} and a summary line) to the results directory.
 * <pre>
 * java -cp perf/target/flotilla-benchmarks.jar io.flotilla.perf.harness.PerfMain \
 *     --target aeron-cluster --mode latency,throughput --rate 1000,10000 --size 32 \
 *     --warmup 5 --duration 10 --window 1024 --results perf/results/now
 * </pre>
 */
public final class PerfMain
{
    private static final String USAGE = String.join(System.lineSeparator(),
        "usage: PerfMain --target NAME [options]",
        "  --target NAME          one of " + Targets.names(),
        "  --mode LIST            latency, throughput, failover, recovery, snapshot-restart, snapshot-install,",
        "                         snapshot-latency, snapshot-soak, comma separated (default latency); all but",
        "                         latency and throughput are Flotilla only; the snapshot modes run first, on their",
        "                         own clusters (docs/performance.md, Snapshots)",
        "  --rate LIST            offered rates in msg/s for latency runs, comma separated (default 10000)",
        "  --size BYTES           message size (default 32)",
        "  --warmup SECONDS       warm-up before each measured period (default 5)",
        "  --duration SECONDS     measured period of each run (default 10)",
        "  --window N             outstanding messages in throughput runs (default 1024)",
        "  --drain SECONDS        wait for outstanding echoes after a run (default 5)",
        "  --idle spin|yield|backoff  load loop idle strategy (default yield)",
        "  --results DIR          results directory (default perf/results/<UTC timestamp>)",
        "  --durability FSYNC|ASYNC   Flotilla's log durability (default ASYNC: Aeron Cluster does not fsync either)",
        "  --threading COMPACT|DEDICATED  Flotilla's media threading (default COMPACT)",
        "  --client-response-timeout-ms N  Flotilla client's leader-loss detection (default 500)",
        "  --clients N            Flotilla client sessions the load is spread over, 64 outstanding each (default 1)",
        "  --rounds N             failover: leader closes (default 3); the first --rate is the offered rate",
        "  --steady SECONDS       failover: steady load before each close and after each restart (default 3)",
        "  --entries N            recovery: commands in the restarted node's log (default 2000000)",
        SnapshotSettings.USAGE);

    private PerfMain()
    {
    }

    /**
     * Entry point; exits with 0 on success, 1 on a run failure, 2 on bad arguments.
     *
     * @param args see the usage text.
     */
    public static void main(final String[] args)
    {
        final Options options;
        try
        {
            options = new Options(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }

        int status = 0;
        try
        {
            runAll(options);
        }
        catch (final Exception ex)
        {
            ex.printStackTrace();
            status = 1;
        }
        System.exit(status);
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
        runSnapshotModes(options);
        if (options.recovery)
        {
            final String line = new RecoveryRun(options.flotilla).run(options.entries, options.size);
            appendLines(options.resultsDir, "recovery.txt", List.of(line));
        }
        if (!options.latency && !options.throughput && !options.failover)
        {
            return results;
        }
        try (LoadTarget target = Targets.create(options.target, options.flotilla))
        {
            System.out.println("starting " + options.target + " (" + options.size + " B messages) " + target.config());
            target.start(options.size);
            if (options.latency)
            {
                for (final long rate : options.rates)
                {
                    final Runner run = new LatencyRun(
                        rate, options.warmupNs, options.durationNs, options.drainNs, options.idleStrategy());
                    results.add(runOne(run, target, options));
                }
            }
            if (options.throughput)
            {
                final Runner run = new ThroughputRun(
                    options.window, options.warmupNs, options.durationNs, options.drainNs, options.idleStrategy());
                results.add(runOne(run, target, options));
            }
            if (options.failover)
            {
                final List<String> lines = new FailoverRun(
                    (FlotillaTarget)target, options.rates[0], options.steadyNs, options.idleStrategy())
                    .run(options.rounds);
                appendLines(options.resultsDir, "failover.txt", lines);
            }
        }
        return results;
    }

    private static void runSnapshotModes(final Options options) throws Exception
    {
        if (options.modes.contains("snapshot-restart"))
        {
            appendLines(options.resultsDir, "snapshot-restart.txt",
                new SnapshotRestartRun(options.flotilla, options.snapshot).run());
        }
        if (options.modes.contains("snapshot-install"))
        {
            appendLines(options.resultsDir, "snapshot-install.txt",
                new SnapshotInstallRun(options.flotilla, options.snapshot).run());
        }
        if (options.modes.contains("snapshot-latency"))
        {
            appendLines(options.resultsDir, "snapshot-latency.txt",
                new SnapshotLatencyRun(options.flotilla, options.snapshot).run(options.rates[0], options.size,
                    options.warmupNs, options.durationNs, options.drainNs, options.idleStrategy(), options.resultsDir));
        }
        if (options.modes.contains("snapshot-soak"))
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
        final RunResult result = run.run(target, options.size);
        final Path hgrm = result.writeTo(options.resultsDir);
        System.out.println(result.summaryLine() + " file=" + hgrm);
        return result;
    }

    /**
     * Parsed command line.
     */
    public static final class Options
    {
        private static final List<String> MODES = List.of("latency", "throughput", "failover", "recovery",
            "snapshot-restart", "snapshot-install", "snapshot-latency", "snapshot-soak");

        final String target;
        final List<String> modes;
        final boolean latency;
        final boolean throughput;
        final boolean failover;
        final boolean recovery;
        final FlotillaSettings flotilla;
        final SnapshotSettings snapshot;
        final int rounds;
        final long steadyNs;
        final long entries;
        final long[] rates;
        final int size;
        final long warmupNs;
        final long durationNs;
        final long drainNs;
        final int window;
        final String idle;
        final Path resultsDir;

        /**
         * Parse {@code --name value} pairs.
         *
         * @param args the command line.
         * @throws IllegalArgumentException saying which argument is wrong.
         */
        public Options(final String[] args)
        {
            final Map<String, String> values = new HashMap<>();
            for (int i = 0; i < args.length; i += 2)
            {
                if (!args[i].startsWith("--") || i + 1 >= args.length)
                {
                    throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
                }
                values.put(args[i].substring(2), args[i + 1]);
            }

            target = required(values, "target");
            if (!Targets.names().contains(target))
            {
                throw new IllegalArgumentException("unknown target '" + target + "', known: " + Targets.names());
            }
            modes = List.of(values.getOrDefault("mode", "latency").split(","));
            latency = modes.contains("latency");
            throughput = modes.contains("throughput");
            failover = modes.contains("failover");
            recovery = modes.contains("recovery");
            if (!MODES.containsAll(modes))
            {
                throw new IllegalArgumentException("--mode must list some of " + MODES);
            }
            if (!List.of("latency", "throughput").containsAll(modes) && !"flotilla".equals(target))
            {
                throw new IllegalArgumentException("--mode failover, recovery and snapshot-* need --target flotilla");
            }
            flotilla = new FlotillaSettings(
                Durability.valueOf(values.getOrDefault("durability", FlotillaSettings.DEFAULT_DURABILITY.name())),
                NodeMedia.Threading.valueOf(
                    values.getOrDefault("threading", FlotillaSettings.DEFAULT_THREADING.name())),
                TimeUnit.MILLISECONDS.toNanos(Long.parseLong(values.getOrDefault("client-response-timeout-ms",
                    Long.toString(TimeUnit.NANOSECONDS.toMillis(FlotillaSettings.DEFAULT_CLIENT_RESPONSE_TIMEOUT_NS))))),
                Integer.parseInt(values.getOrDefault("clients", Integer.toString(FlotillaSettings.DEFAULT_CLIENTS))));
            snapshot = SnapshotSettings.parse(values);
            rounds = Integer.parseInt(values.getOrDefault("rounds", "3"));
            steadyNs = seconds(values, "steady", "3");
            entries = Long.parseLong(values.getOrDefault("entries", "2000000"));
            final String[] rateList = values.getOrDefault("rate", "10000").split(",");
            rates = new long[rateList.length];
            for (int i = 0; i < rateList.length; i++)
            {
                rates[i] = Long.parseLong(rateList[i].trim());
            }
            size = Payload.checkLength(Integer.parseInt(values.getOrDefault("size", "32")));
            warmupNs = seconds(values, "warmup", "5");
            durationNs = seconds(values, "duration", "10");
            drainNs = seconds(values, "drain", "5");
            window = Integer.parseInt(values.getOrDefault("window", "1024"));
            idle = values.getOrDefault("idle", "yield");
            idleStrategy();
            resultsDir = Paths.get(values.getOrDefault("results", "perf/results/" +
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))));
            values.keySet().removeAll(List.of(
                "target", "mode", "rate", "size", "warmup", "duration", "drain", "window", "idle", "results",
                "durability", "threading", "client-response-timeout-ms", "clients", "rounds", "steady", "entries"));
            if (!values.isEmpty())
            {
                throw new IllegalArgumentException("unknown options " + values.keySet());
            }
        }

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

        private static String required(final Map<String, String> values, final String name)
        {
            final String value = values.get(name);
            if (null == value)
            {
                throw new IllegalArgumentException("--" + name + " is required");
            }
            return value;
        }

        private static long seconds(final Map<String, String> values, final String name, final String defaultValue)
        {
            final double seconds = Double.parseDouble(values.getOrDefault(name, defaultValue));
            if (seconds < 0)
            {
                throw new IllegalArgumentException("--" + name + " must be >= 0 seconds");
            }
            return (long)(seconds * TimeUnit.SECONDS.toNanos(1));
        }
    }
}
