package io.flotilla.samples.verify;

import io.flotilla.archive.Settings;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Checks a history of KV operations for linearizability.
 * <p>
 * Every operation touches one key and the keys are independent registers, so by locality (Herlihy and Wing;
 * porcupine's P-compositionality) the history is linearizable exactly when each key's sub-history is; each key is
 * searched on its own by {@link KeySearch}, within a budget of steps and time. Failed operations (definitely not
 * applied) are dropped, and so are reads of unknown outcome (they constrain nothing); other operations of unknown
 * outcome may take effect at any time after their invocation, or never. Every key starts absent.
 * <p>
 * {@code clear()} touches every key at one instant and so breaks the per-key split: a history holding one is
 * rejected. Keys with a TTL that can expire during the run cannot be checked either (the model has no expiry).
 * <p>
 * {@link #main(String[])} checks saved history files; see docs/linearizability.md.
 */
public final class LinearizabilityChecker
{
    /** System property: list entries one key's search may visit before it gives up with UNKNOWN. */
    public static final String MAX_STEPS_PROP_NAME = "flotilla.verify.max.steps.per.key";

    /** Default of {@link #MAX_STEPS_PROP_NAME}: about a second; the memo holds at most that many 16-byte entries. */
    public static final long MAX_STEPS_DEFAULT = 10_000_000;

    /** System property: how long one key's search may take (e.g. 60s) before it gives up with UNKNOWN. */
    public static final String MAX_TIME_PROP_NAME = "flotilla.verify.max.time.per.key";

    /** Default of {@link #MAX_TIME_PROP_NAME}. */
    public static final long MAX_TIME_DEFAULT_NS = TimeUnit.SECONDS.toNanos(60);

    /** The prefix of the checker's properties, which the engine leaves to it. */
    public static final String PREFIX = "flotilla.verify.";

    /** Every property the checker reads: all of {@link #PREFIX}. */
    public static final List<String> PROPERTIES = Settings.names(MAX_STEPS_PROP_NAME, MAX_TIME_PROP_NAME);

    /** Exit status of {@link #main(String[])}: every history linearizable. */
    public static final int EXIT_LINEARIZABLE = 0;

    /** Exit status of {@link #main(String[])}: some history not linearizable. */
    public static final int EXIT_NOT_LINEARIZABLE = 1;

    /** Exit status of {@link #main(String[])}: no violation found, but some search ran out of budget. */
    public static final int EXIT_UNKNOWN = 2;

    /** Exit status of {@link #main(String[])}: bad arguments or an unreadable or malformed file. */
    public static final int EXIT_BAD_INPUT = 3;

    private final long maxStepsPerKey;
    private final long maxTimePerKeyNs;

    /**
     * A checker with the budget from the system properties, or the defaults.
     *
     * @throws IllegalArgumentException naming a property that does not parse, or a {@code flotilla.verify.*} one
     *                                  the checker does not read.
     */
    public LinearizabilityChecker()
    {
        this(
            Settings.longInteger(MAX_STEPS_PROP_NAME, MAX_STEPS_DEFAULT),
            Settings.durationNs(MAX_TIME_PROP_NAME, MAX_TIME_DEFAULT_NS));
        Settings.rejectUnknown("LinearizabilityChecker", PREFIX, List.of(), PROPERTIES);
    }

    /**
     * @param maxStepsPerKey  list entries one key's search may visit; beyond it the key is UNKNOWN.
     * @param maxTimePerKeyNs time one key's search may take; beyond it the key is UNKNOWN.
     */
    public LinearizabilityChecker(final long maxStepsPerKey, final long maxTimePerKeyNs)
    {
        if (maxStepsPerKey <= 0)
        {
            throw new IllegalArgumentException(
                "maxStepsPerKey must be positive, was " + maxStepsPerKey + " (set " + MAX_STEPS_PROP_NAME + ")");
        }
        if (maxTimePerKeyNs <= 0)
        {
            throw new IllegalArgumentException(
                "maxTimePerKeyNs must be positive, was " + maxTimePerKeyNs + " (set " + MAX_TIME_PROP_NAME + ")");
        }
        this.maxStepsPerKey = maxStepsPerKey;
        this.maxTimePerKeyNs = maxTimePerKeyNs;
    }

    /**
     * Check a history.
     *
     * @param history to check.
     * @return the conclusion, per key and for the whole.
     * @throws IllegalArgumentException when the history holds a clear, which cannot be checked per key.
     */
    public CheckResult check(final History history)
    {
        final long startNs = System.nanoTime();
        final Map<String, List<Operation>> byKey = new LinkedHashMap<>();
        int dropped = 0;
        for (final Operation operation : history.operations())
        {
            if (KvOp.Kind.CLEAR == operation.op().kind())
            {
                throw new IllegalArgumentException("operation #" + operation.id() + " is a clear: it touches every " +
                    "key at one instant, so the history cannot be checked key by key; leave clear out of checked " +
                    "workloads");
            }
            if (Outcome.FAIL == operation.outcome() ||
                (Outcome.UNKNOWN == operation.outcome() && KvOp.Kind.GET == operation.op().kind()))
            {
                dropped++;
                continue;
            }
            byKey.computeIfAbsent(operation.op().key(), (k) -> new ArrayList<>()).add(operation);
        }

        final List<KeyResult> results = new ArrayList<>(byKey.size());
        for (final Map.Entry<String, List<Operation>> entry : byKey.entrySet())
        {
            results.add(new KeySearch(entry.getKey(), entry.getValue()).run(maxStepsPerKey, maxTimePerKeyNs));
        }
        return new CheckResult(
            results, history.operations().size(), dropped, history.originNs(), System.nanoTime() - startNs);
    }

    /**
     * Check saved history files and print a report for each; the exit status is the worst verdict
     * ({@link #EXIT_LINEARIZABLE}, {@link #EXIT_NOT_LINEARIZABLE}, {@link #EXIT_UNKNOWN}, {@link #EXIT_BAD_INPUT}).
     *
     * @param args history files.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out));
    }

    /**
     * What {@link #main(String[])} does, without exiting.
     *
     * @param args history files.
     * @param out  where the reports go.
     * @return the exit status.
     */
    static int run(final String[] args, final PrintStream out)
    {
        if (0 == args.length)
        {
            out.println("usage: java [-D" + MAX_STEPS_PROP_NAME + "=N] [-D" + MAX_TIME_PROP_NAME + "=60s] " +
                "-cp <classes> " + LinearizabilityChecker.class.getName() + " <history-file>...");
            return EXIT_BAD_INPUT;
        }

        final LinearizabilityChecker checker = new LinearizabilityChecker();
        int status = EXIT_LINEARIZABLE;
        for (final String file : args)
        {
            int fileStatus;
            try
            {
                final CheckResult result = checker.check(History.read(Path.of(file)));
                out.println(file + ": " + result.report());
                fileStatus = Verdict.LINEARIZABLE == result.verdict() ? EXIT_LINEARIZABLE :
                    Verdict.NOT_LINEARIZABLE == result.verdict() ? EXIT_NOT_LINEARIZABLE : EXIT_UNKNOWN;
            }
            catch (final IOException | IllegalArgumentException ex)
            {
                out.println(file + ": cannot check: " + ex.getMessage());
                fileStatus = EXIT_BAD_INPUT;
            }
            status = worse(status, fileStatus);
        }
        return status;
    }

    private static int worse(final int a, final int b)
    {
        // A violation is the finding that matters most, then a file that could not be checked, then a budget.
        final int[] rank = {0, 3, 1, 2};
        return rank[a] >= rank[b] ? a : b;
    }
}
