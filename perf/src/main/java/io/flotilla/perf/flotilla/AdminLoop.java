package io.flotilla.perf.flotilla;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The monitoring side of {@link AdminLoad}, in a JVM of its own as a scraper would be: GETs the URIs given in turn, at
 * {@code -Dperf.admin.rate} requests per second or, at 0, one after another as fast as they answer, until its stdin
 * closes; then prints {@code requests=N failures=N seconds=S} on stdout.
 */
public final class AdminLoop
{
    static final String RATE_PROP = "perf.admin.rate";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

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
        final List<URI> uris = Arrays.stream(args).map(URI::create).toList();
        final long startNs = System.nanoTime();
        final Thread thread = new Thread(() -> loop.run(uris, Long.getLong(RATE_PROP, 0)), "admin-loop");
        thread.start();
        while (System.in.read() >= 0)
        {
            // the target closes this JVM's stdin when it stops
        }
        loop.running = false;
        thread.join(TIMEOUT.toMillis() * 2);
        System.out.printf("requests=%d failures=%d seconds=%.1f%n",
            loop.requests, loop.failures, (System.nanoTime() - startNs) / 1e9);
    }

    private void run(final List<URI> uris, final long rate)
    {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
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
            final HttpRequest request = HttpRequest.newBuilder(uris.get(next)).timeout(TIMEOUT).GET().build();
            next = (next + 1) % uris.size();
            try
            {
                if (200 != http.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode())
                {
                    failures++;
                }
            }
            catch (final IOException ex)
            {
                failures++;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            requests++;
        }
    }
}
