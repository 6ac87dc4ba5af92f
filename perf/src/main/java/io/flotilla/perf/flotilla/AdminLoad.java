package io.flotilla.perf.flotilla;

import io.flotilla.admin.AdminServer;
import io.flotilla.engine.ClusterNode;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Monitoring traffic beside the benchmark's load: an admin endpoint on every node and one thread that asks them for
 * {@code /status} and {@code /metrics} in turn, one request after another as fast as they answer, for as long as the
 * target runs. The {@code flotilla-admin-load} target measures what that costs the cluster's latency, beside the
 * {@code flotilla} target in the same run.
 */
final class AdminLoad implements AutoCloseable
{
    private static final String[] PATHS = {"/status", "/metrics"};
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final List<AdminServer> servers = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private Thread thread;
    private volatile boolean running;
    private long requests;
    private long failures;
    private long startNs;

    /**
     * @param nodes to serve the admin endpoint on, each on an ephemeral loopback port.
     */
    void start(final ClusterNode[] nodes)
    {
        final List<URI> uris = new ArrayList<>();
        for (final ClusterNode node : nodes)
        {
            final AdminServer server = AdminServer.launch(node, new AdminServer.Context().port(0));
            servers.add(server);
            for (final String path : PATHS)
            {
                uris.add(URI.create("http://127.0.0.1:" + server.port() + path));
            }
        }
        running = true;
        startNs = System.nanoTime();
        thread = new Thread(() -> loop(uris), "admin-load");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(final List<URI> uris)
    {
        int next = 0;
        while (running)
        {
            final HttpRequest request = HttpRequest.newBuilder(uris.get(next)).timeout(TIMEOUT).GET().build();
            next = (next + 1) % uris.size();
            try
            {
                final HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                if (200 != response.statusCode())
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

    public void close()
    {
        running = false;
        if (null != thread)
        {
            try
            {
                thread.join(TIMEOUT.toMillis() * 2);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            final double seconds = (System.nanoTime() - startNs) / 1e9;
            System.out.printf("admin load: %,d status and metrics requests in %.1f s (%,.0f/s), %d failed%n",
                requests, seconds, requests / seconds, failures);
        }
        CloseHelper.closeAll(servers);
    }
}
