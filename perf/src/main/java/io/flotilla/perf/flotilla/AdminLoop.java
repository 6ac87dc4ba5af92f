package io.flotilla.perf.flotilla;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The monitoring side of {@link AdminLoad}, in a JVM of its own as a scraper would be: GETs the URIs given in turn, at
 * {@code -Dperf.admin.rate} requests per second or, at 0, one after another as fast as they answer, until its stdin
 * closes; then prints {@code requests=N failures=N seconds=S scraper_cpu_ms=C (U us/request)} on stdout (C: this
 * JVM's CPU time from its first paced request on, all its threads). Before that it warms the endpoints up, as a node
 * scraped for a while has been: {@code -Dperf.admin.warmup} requests to each URI, one after another (30 s at most),
 * then a line {@code warm requests=N failures=N} on stdout. Plain {@link HttpURLConnection}s on kept-alive
 * connections: the lightest client the JDK has, as a scraper written in Go or C would be.
 */
public final class AdminLoop
{
    static final String RATE_PROP = "perf.admin.rate";
    static final String WARMUP_PROP = "perf.admin.warmup";
    static final String WARM_LINE = "warm";
    // The warm-up ends after this long whatever it has done, so that the target waiting for it is never held longer.
    private static final long WARMUP_LIMIT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final byte[] sink = new byte[64 * 1024];
    private volatile boolean running = true;
    private long requests;
    private long failures;

    private AdminLoop()
    {
    }

    /**
     * @param args the URIs to ask.
     */
    public static void main(final String[] args) throws IOException, InterruptedException
    {
        final AdminLoop loop = new AdminLoop();
        final List<URL> urls = new ArrayList<>();
        for (final String arg : args)
        {
            urls.add(URI.create(arg).toURL());
        }
        final int warmed = loop.warmUp(urls, Integer.getInteger(WARMUP_PROP, 0));
        System.out.println(WARM_LINE + " requests=" + warmed + " failures=" + loop.failures);
        System.out.flush();
        loop.failures = 0;

        final long startNs = System.nanoTime();
        final long startCpuNs = processCpuNs();
        final Thread thread = new Thread(() -> loop.run(urls, Long.getLong(RATE_PROP, 0)), "admin-loop");
        thread.start();
        while (System.in.read() >= 0)
        {
            // the target closes this JVM's stdin when it stops
        }
        loop.running = false;
        thread.join(TIMEOUT.toMillis() * 2);
        final long loopCpuNs = processCpuNs() - startCpuNs;
        System.out.printf("requests=%d failures=%d seconds=%.1f scraper_cpu_ms=%.1f (%.0f us/request)%n",
            loop.requests, loop.failures, (System.nanoTime() - startNs) / 1e9, loopCpuNs / 1e6,
            loopCpuNs / 1e3 / Math.max(1, loop.requests));
    }

    private static long processCpuNs()
    {
        return ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    // Each URI asked perUri times, one request after another, as a node scraped for a while has been: its endpoint's
    // code compiled, as the target's warm-up compiles the command path.
    private int warmUp(final List<URL> urls, final int perUri)
    {
        final long deadlineNs = System.nanoTime() + WARMUP_LIMIT_NS;
        int done = 0;
        while (done < perUri * urls.size() && System.nanoTime() - deadlineNs < 0)
        {
            ask(urls.get(done % urls.size()));
            done++;
        }
        return done;
    }

    private void run(final List<URL> urls, final long rate)
    {
        final long intervalNs = rate > 0 ? TimeUnit.SECONDS.toNanos(1) / rate : 0;
        long dueNs = System.nanoTime();
        int next = 0;
        while (running)
        {
            if (intervalNs > 0)
            {
                dueNs += intervalNs;
                LockSupport.parkNanos(dueNs - System.nanoTime());
            }
            ask(urls.get(next));
            next = (next + 1) % urls.size();
            requests++;
        }
    }

    private void ask(final URL url)
    {
        try
        {
            if (200 != get(url, sink))
            {
                failures++;
            }
        }
        catch (final IOException ex)
        {
            failures++;
        }
    }

    // One GET over the JDK's kept-alive connection to that endpoint, the body read whole and dropped.
    private static int get(final URL url, final byte[] sink) throws IOException
    {
        final HttpURLConnection connection = (HttpURLConnection)url.openConnection();
        connection.setConnectTimeout((int)TIMEOUT.toMillis());
        connection.setReadTimeout((int)TIMEOUT.toMillis());
        final int status = connection.getResponseCode();
        try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream())
        {
            while (null != body && body.read(sink) >= 0)
            {
                // drained, so that the connection is kept for the next request
            }
        }
        return status;
    }
}
