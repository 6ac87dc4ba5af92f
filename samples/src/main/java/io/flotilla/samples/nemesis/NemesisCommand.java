package io.flotilla.samples.nemesis;

import io.flotilla.admin.cli.CommandLines;
import io.flotilla.admin.cli.FlotillaVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The command line of {@link NemesisRunner#main(String[])} (scripts/nemesis.sh): which faults, for how long, with
 * how many clients, where.
 */
@Command(
    name = "NemesisRunner",
    mixinStandardHelpOptions = true,
    versionProvider = FlotillaVersion.class,
    sortOptions = false,
    description = {
        "Fault soak: three KvNode JVMs in network namespaces (needs root) under a concurrent KV workload, faults " +
            "injected and healed, then the checks: a linearizable history, identical replicas, no checksum error, " +
            "service again after every heal (docs/fault-testing.md).",
        "Give one of --minutes (random faults), --short (the CI schedule) or --faults (a schedule of your own)."
    },
    footer = {
        "",
        "Exit codes: 0 no anomaly found, 1 an anomaly (see the report), 2 usage error."
    })
final class NemesisCommand implements Callable<Integer>
{
    /** System property: the default of {@code --minutes}. */
    static final String MINUTES_PROP = "nemesis.minutes";

    @Spec
    private CommandSpec spec;

    @Option(names = "--minutes", paramLabel = "N",
        description = "Random faults for N minutes, the soak (default: -D" + MINUTES_PROP + ").")
    private Long minutes;

    @Option(names = "--short", description = "The CI schedule: every fault once, KILL_LEADER twice.")
    private boolean shortSchedule;

    @Option(names = "--faults", paramLabel = "FAULT", split = ",",
        description = "These faults in this order, comma separated, from: ${COMPLETION-CANDIDATES}.")
    private List<Fault> faults;

    @Option(names = "--seed", paramLabel = "S",
        description = "Seed of the fault choice, hold times and workload (default: the clock; printed at the start).")
    private Long seed;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "4",
        description = "Concurrent KV clients of the workload (default: ${DEFAULT-VALUE}).")
    private int clients;

    @Option(names = "--run-dir", paramLabel = "DIR", defaultValue = "run/nemesis",
        description = "Where the history, the nodes' data and logs go (default: ${DEFAULT-VALUE}).")
    private Path runDir;

    private final PrintStream out;

    private NemesisCommand(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * @param out where the run's log and report go.
     * @return the nemesis as a picocli command line: {@link CommandLine#execute(String...)} gives the exit status.
     */
    static CommandLine commandLine(final PrintStream out)
    {
        return CommandLines.create(new NemesisCommand(out));
    }

    public Integer call() throws IOException, InterruptedException
    {
        final List<Fault> schedule = schedule();
        if (clients < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--clients must be at least 1");
        }
        Files.createDirectories(runDir);
        final NemesisReport report = new NemesisRunner(runDir, schedule, soakNs(),
            null == seed ? System.nanoTime() : seed, clients, out).run();
        out.println(report);
        return report.anomalies().isEmpty() ? CommandLines.EXIT_OK : CommandLines.EXIT_FAILED;
    }

    /**
     * @return the faults to run in order, or null for random faults during {@link #soakNs()}.
     * @throws CommandLine.ParameterException unless exactly one of --minutes (or its property), --short and --faults
     *                                        is given.
     */
    List<Fault> schedule()
    {
        final int given = (null != minutes ? 1 : 0) + (shortSchedule ? 1 : 0) + (null != faults ? 1 : 0);
        if (given > 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--minutes, --short and --faults are exclusive: give one");
        }
        if (shortSchedule)
        {
            return Fault.SHORT_SCHEDULE;
        }
        if (null != faults)
        {
            return List.copyOf(faults);
        }
        if (soakMinutes() <= 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), null != minutes ?
                "--minutes must be at least 1" :
                "give --minutes N (random faults), --short (the CI schedule) or --faults F,F...");
        }
        return null;
    }

    /**
     * @return how long the random faults go on; 0 when a schedule is given.
     */
    long soakNs()
    {
        return shortSchedule || null != faults ? 0 : TimeUnit.MINUTES.toNanos(soakMinutes());
    }

    private long soakMinutes()
    {
        return null != minutes ? minutes : Long.getLong(MINUTES_PROP, 0);
    }
}
