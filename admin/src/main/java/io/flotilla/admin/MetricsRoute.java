package io.flotilla.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code GET /metrics}: one Prometheus scrape of the node ({@link PrometheusMetrics}).
 */
final class MetricsRoute implements AdminRoute
{
    private final PrometheusMetrics metrics;

    MetricsRoute(final PrometheusMetrics metrics)
    {
        this.metrics = metrics;
    }

    public String method()
    {
        return "GET";
    }

    public AdminResponse handle(final Map<String, Object> body)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try
        {
            metrics.write(out);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return new AdminResponse(200, null, metrics.contentType(), out.toByteArray());
    }
}
