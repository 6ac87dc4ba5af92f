package io.flotilla.perf.flotilla;

import io.flotilla.admin.AdminServer;
import io.flotilla.engine.ClusterNode;
import org.agrona.CloseHelper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Monitoring traffic beside the benchmark's load: an admin endpoint on every node, and a scraper in a JVM of its own
 * ({@link AdminLoop}, as Prometheus or a dashboard would be: its garbage and threads are not the nodes') that asks
 * them for {@code /status} and {@code /metrics} in turn for as long as the target runs, at {@code -Dperf.admin.rate}
 * requests per second over all nodes ({@code ADMIN_RATE} in scripts/perf.sh) or, at 0 (the default), one request
 * after another as fast as they answer. First, before the target's own warm-up, the scraper warms the endpoints up
 * with {@code -Dperf.admin.warmup} requests to each (default 500, {@code ADMIN_WARMUP}): a node scraped for a while
 * runs its endpoint's code compiled, as the warm-up runs the command path compiled, while a cold endpoint interprets
 * the JDK HTTP server's code for its first few hundred requests. The {@code flotilla-admin-load} target measures what
 * the loop costs the cluster's latency, beside the {@code flotilla} target in the same run.
 */
final class AdminLoad implements AutoCloseable
{
    private static final String[] PATHS = {"/status", "/metrics"};

    private final long rate = Long.getLong(AdminLoop.RATE_PROP, 0);
    private final int warmup = Integer.getInteger(AdminLoop.WARMUP_PROP, 500);
    private final List<AdminServer> servers = new ArrayList<>();
    private Process scraper;
    private BufferedReader scraperOut;
    private long warmEndpointCpuNs;

    /**
     * @param nodes to serve the admin endpoint on, each on an ephemeral loopback port.
     */
    void start(final ClusterNode[] nodes)
    {
        final List<String> command = new ArrayList<>(List.of(
            // As light as a scraper in Go would be: no C2 compilations or parallel collector threads of its own
            // taking the cores the nodes share with it.
            ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1", "-XX:+UseSerialGC",
            "-D" + AdminLoop.RATE_PROP + "=" + rate, "-D" + AdminLoop.WARMUP_PROP + "=" + warmup,
            "-cp", System.getProperty("java.class.path"), AdminLoop.class.getName()));
        for (final ClusterNode node : nodes)
        {
            final AdminServer server = AdminServer.launch(node, new AdminServer.Context().port(0));
            servers.add(server);
            for (final String path : PATHS)
            {
                command.add("http://127.0.0.1:" + server.port() + path);
            }
        }
        try
        {
            scraper = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            scraperOut = new BufferedReader(new InputStreamReader(scraper.getInputStream(), StandardCharsets.US_ASCII));
            // The scraper ends its warm-up within its own limit, or exits: either way this line comes or the stream ends.
            final String warm = scraperOut.readLine();
            if (null == warm || !warm.startsWith(AdminLoop.WARM_LINE))
            {
                throw new IllegalStateException("the admin load's scraper did not warm up: " + warm);
            }
            System.out.println("admin load: " + warm);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start the admin load's scraper: " + command, ex);
        }
        warmEndpointCpuNs = endpointCpuNs();
    }

    /**
     * @return how the requests are paced, for summary lines: {@code 20/s} or {@code unpaced}.
     */
    String describeRate()
    {
        return rate > 0 ? rate + "/s" : "unpaced";
    }

    /**
     * @return the warm-up's requests per endpoint URI, for summary lines.
     */
    int warmup()
    {
        return warmup;
    }

    public void close()
    {
        if (null != scraper)
        {
            try (BufferedReader out = scraperOut)
            {
                scraper.getOutputStream().close();
                final String counts = out.readLine();
                if (!scraper.waitFor(10, TimeUnit.SECONDS))
                {
                    scraper.destroyForcibly();
                }
                System.out.println("admin load (" + describeRate() + ", a JVM of its own): " + counts +
                    " endpoint_cpu_ms=" + String.format("%.1f", (endpointCpuNs() - warmEndpointCpuNs) / 1e6));
            }
            catch (final IOException ex)
            {
                System.out.println("admin load: no counts from the scraper: " + ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        CloseHelper.closeAll(servers);
    }

    // The CPU time the endpoints took in this JVM so far: their HTTP workers and the JDK server's dispatcher threads.
    private static long endpointCpuNs()
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuNs = 0;
        for (final ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds()))
        {
            if (null != info &&
                (info.getThreadName().startsWith("flotilla-admin-") || info.getThreadName().startsWith("HTTP-")))
            {
                cpuNs += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return cpuNs;
    }
}
