package io.flotilla.perf.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Prints the side-by-side table of a results directory from its {@link RunResult#SUMMARY_FILE}: per latency rate
 * and for throughput, every target's percentiles with ratios to Aeron Cluster (the peer) and of p50 to ping (the
 * floor), and in the throughput table the target's CPU time per echo ({@code cpu/msg}, µs: every thread of the
 * target's JVM but the load thread) and the cores it kept busy. A ratio below 1 means the target beats Aeron Cluster on latency; above 1 on
 * throughput.
 * <pre>
 * java -cp perf/target/flotilla-benchmarks.jar io.flotilla.perf.harness.ComparisonTable perf/results/DIR
 * </pre>
 */
public final class ComparisonTable
{
    static final String PEER = "aeron-cluster";
    static final String FLOOR = "ping";
    // Everything else in a summary line is the target's configuration (LoadTarget.config()).
    private static final Set<String> FIGURES = Set.of("target", "mode", "rate", "size", "window", "count", "p50", "p90",
        "p99", "p99.9", "max", "throughput", "sent", "received", "malformed", "alloc_bytes", "cpu_us_per_msg",
        "cpu_cores", "load_cpu_cores", "unit", "file");

    private final List<Map<String, String>> rows = new ArrayList<>();

    /**
     * @param summaryLines lines written by {@link RunResult#summaryLine()}; a later line for the same target, mode
     *                     and rate replaces an earlier one.
     */
    public ComparisonTable(final List<String> summaryLines)
    {
        final Map<String, Map<String, String>> byKey = new LinkedHashMap<>();
        for (final String line : summaryLines)
        {
            if (line.isBlank())
            {
                continue;
            }
            final Map<String, String> fields = parse(line);
            byKey.put(fields.get("target") + "/" + fields.get("mode") + "/" + fields.get("rate"), fields);
        }
        rows.addAll(byKey.values());
    }

    /**
     * @param args the results directory.
     * @throws IOException if its summary cannot be read.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 1)
        {
            System.err.println("usage: ComparisonTable RESULTS_DIR");
            System.exit(2);
        }
        final Path summary = Paths.get(args[0]).resolve(RunResult.SUMMARY_FILE);
        new ComparisonTable(Files.readAllLines(summary, StandardCharsets.UTF_8)).print(System.out);
    }

    /**
     * Print the latency tables (one per rate) and the throughput table.
     *
     * @param out where to print.
     */
    public void print(final PrintStream out)
    {
        final TreeSet<Long> rates = new TreeSet<>();
        for (final Map<String, String> row : rows)
        {
            if ("latency".equals(row.get("mode")))
            {
                rates.add(Long.parseLong(row.get("rate")));
            }
        }
        for (final long rate : rates)
        {
            out.printf(Locale.ROOT, "%nLatency at %d msg/s offered, round trip in us from the intended send time%n", rate);
            out.printf(Locale.ROOT, "%-16s %10s %10s %10s %10s %10s %10s %8s %8s %8s %9s %7s%n",
                "target", "p50", "p90", "p99", "p99.9", "max", "msg/s", "p50/AC", "p99/AC", "p999/AC", "p50/ping",
                "lost");
            final Map<String, String> peer = find(PEER, "latency", rate);
            final Map<String, String> floor = find(FLOOR, "latency", rate);
            for (final Map<String, String> row : rows)
            {
                if ("latency".equals(row.get("mode")) && rate == Long.parseLong(row.get("rate")))
                {
                    out.printf(Locale.ROOT, "%-16s %10s %10s %10s %10s %10s %10s %8s %8s %8s %9s %7d%n",
                        row.get("target"), row.get("p50"), row.get("p90"), row.get("p99"), row.get("p99.9"),
                        row.get("max"), row.get("throughput"),
                        ratio(row, peer, "p50"), ratio(row, peer, "p99"), ratio(row, peer, "p99.9"),
                        ratio(row, floor, "p50"), lost(row));
                }
            }
        }

        out.printf(Locale.ROOT, "%nThroughput: max sustained echoes/s with a bounded window, round trip in us%n");
        out.printf(Locale.ROOT, "%-16s %8s %12s %10s %10s %10s %10s %8s %7s %8s %6s%n",
            "target", "window", "msg/s", "p50", "p99", "p99.9", "max", "tput/AC", "lost", "cpu/msg", "cores");
        final Map<String, String> peer = find(PEER, "throughput", 0);
        for (final Map<String, String> row : rows)
        {
            if ("throughput".equals(row.get("mode")))
            {
                out.printf(Locale.ROOT, "%-16s %8s %12s %10s %10s %10s %10s %8s %7d %8s %6s%n",
                    row.get("target"), row.get("window"), row.get("throughput"), row.get("p50"), row.get("p99"),
                    row.get("p99.9"), row.get("max"), ratio(row, peer, "throughput"), lost(row), cpu(row, "cpu_us_per_msg"),
                    cpu(row, "cpu_cores"));
            }
        }
        out.printf(Locale.ROOT, "%nAC = Aeron Cluster (%s nodes, one JVM); X/AC < 1 is better for latency, > 1 for " +
            "throughput; cpu/msg = the target's CPU time per echo in us, all its threads but the load thread's (cores = that " +
            "CPU time / the period).%n",
            peerMembers());
        out.printf(Locale.ROOT, "Configurations:%n");
        final Map<String, String> configs = new LinkedHashMap<>();
        for (final Map<String, String> row : rows)
        {
            final StringBuilder config = new StringBuilder();
            row.forEach((key, value) -> config.append(FIGURES.contains(key) ? "" : " " + key + "=" + value));
            configs.putIfAbsent(row.get("target"), config.toString());
        }
        configs.forEach((target, config) -> out.printf(Locale.ROOT, "  %-16s%s%n", target, config));
    }

    // Summary lines from before --nodes have no member count: their clusters had three.
    private String peerMembers()
    {
        for (final Map<String, String> row : rows)
        {
            if (PEER.equals(row.get("target")))
            {
                return row.getOrDefault("members", "3");
            }
        }
        return "3";
    }

    // "-" where the line has no such figure or the JVM could not measure it (-1).
    private static String cpu(final Map<String, String> row, final String key)
    {
        final String cpu = row.get(key);
        return null == cpu || cpu.startsWith("-") ? "-" : cpu;
    }

    private Map<String, String> find(final String target, final String mode, final long rate)
    {
        for (final Map<String, String> row : rows)
        {
            if (target.equals(row.get("target")) && mode.equals(row.get("mode")) &&
                rate == Long.parseLong(row.get("rate")))
            {
                return row;
            }
        }
        return null;
    }

    private static String ratio(final Map<String, String> row, final Map<String, String> base, final String key)
    {
        if (null == base)
        {
            return "-";
        }
        final double denominator = Double.parseDouble(base.get(key));
        return denominator == 0 ? "-" :
            String.format(Locale.ROOT, "%.2f", Double.parseDouble(row.get(key)) / denominator);
    }

    private static long lost(final Map<String, String> row)
    {
        return Long.parseLong(row.get("sent")) - Long.parseLong(row.get("received"));
    }

    private static Map<String, String> parse(final String line)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        for (final String pair : line.trim().split("\\s+"))
        {
            final int eq = pair.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("not a summary line (expected key=value pairs): " + line);
            }
            fields.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        for (final String key : List.of("target", "mode", "rate", "p50", "p99", "p99.9", "throughput", "sent"))
        {
            if (!fields.containsKey(key))
            {
                throw new IllegalArgumentException("summary line lacks " + key + ": " + line);
            }
        }
        return fields;
    }
}
