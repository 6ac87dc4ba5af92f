package io.flotilla.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code GET /metrics}: one Prometheus scrape of the node ({@link PrometheusMetrics}). A scrape within the minimum
 * interval of the last rendering gets that rendering again: a rendering allocates a few hundred kilobytes, and
 * scrapers, however many and however often, then cost the node at most one per interval.
 */
final class MetricsRoute implements AdminRoute
{
    private final PrometheusMetrics metrics;
    private final long minIntervalNs;
    private AdminResponse rendered;
    private long renderedAtNs;

    /**
     * @param metrics       the node's metrics.
     * @param minIntervalNs how long a rendering is served again; 0 renders every scrape.
     */
    MetricsRoute(final PrometheusMetrics metrics, final long minIntervalNs)
    {
        this.metrics = metrics;
        this.minIntervalNs = minIntervalNs;
    }

    public String method()
    {
        return "GET";
    }

    public synchronized AdminResponse handle(final Map<String, Object> body)
    {
        final long nowNs = System.nanoTime();
        if (null == rendered || nowNs - renderedAtNs >= minIntervalNs)
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
            rendered = new AdminResponse(200, null, metrics.contentType(), out.toByteArray());
            renderedAtNs = nowNs;
        }
        return rendered;
    }
}
