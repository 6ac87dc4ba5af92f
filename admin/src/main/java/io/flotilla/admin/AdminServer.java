package io.flotilla.admin;

import com.sun.net.httpserver.HttpServer;
import io.flotilla.archive.Settings;
import io.flotilla.engine.ClusterNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node's admin HTTP endpoint (the JDK's own HTTP server): status, Prometheus metrics, health probes, and the
 * operations a person needs (propose, transfer leadership, snapshot), each answered in JSON, described in
 * docs/operations.md. It runs on its own few daemon threads and calls only the node's thread-safe methods, so
 * nothing it does can stall the node's duty cycle. Bound to loopback unless told otherwise; changes need the admin
 * token, and so do reads when not bound to loopback.
 * <pre>{@code
 * try (AdminServer admin = AdminServer.launch(node, new AdminServer.Context().port(8080)))
 * {
 *     ...
 * }
 * }</pre>
 */
public final class AdminServer implements AutoCloseable
{
    private static final int BACKLOG = 64;
    private static final String NO_DELAY_PROP = "sun.net.httpserver.nodelay";

    private final HttpServer server;
    private final ExecutorService executor;

    private AdminServer(final HttpServer server, final ExecutorService executor)
    {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Start serving a node's admin endpoint.
     *
     * @param node the node; the endpoint may outlive it (then it reports the node as not running).
     * @param ctx  configuration; concluded here.
     * @return the running endpoint.
     * @throws IllegalArgumentException when the configuration is invalid or the port is taken, saying what to change.
     */
    public static AdminServer launch(final ClusterNode node, final Context ctx)
    {
        ctx.conclude();
        if (ctx.port() < 0)
        {
            throw new IllegalArgumentException("the admin endpoint is off (" + Context.PORT_PROP + "=" + ctx.port() +
                "): set a port, or 0 for any free one");
        }

        final Map<String, AdminRoute> routes = new LinkedHashMap<>();
        routes.put("/status", new StatusRoute(node));
        routes.put("/metrics", new MetricsRoute(new PrometheusMetrics(node), ctx.metricsMinIntervalNs()));
        routes.put("/health/live", HealthRoutes.live(node));
        routes.put("/health/ready", HealthRoutes.ready(node, ctx.readyMaxLag()));
        routes.put("/propose", new ProposeRoute(node, ctx.requestTimeoutNs()));
        routes.put("/transfer-leadership", new TransferRoute(node, ctx.requestTimeoutNs()));
        routes.put("/snapshot", new SnapshotRoute(node, ctx.requestTimeoutNs()));
        routes.put("/membership", new MembershipRoute(node, ctx.requestTimeoutNs()));
        final AdminDispatcher dispatcher = new AdminDispatcher(
            routes, new AdminAuth(ctx.token(), ctx.isLoopback()), ctx.maxBodyBytes());

        noDelayUnlessConfigured();
        final HttpServer server;
        try
        {
            server = HttpServer.create(new InetSocketAddress(ctx.bindAddress(), ctx.port()), BACKLOG);
        }
        catch (final BindException ex)
        {
            throw new IllegalArgumentException("cannot bind the admin endpoint to " + ctx.bind() + ":" + ctx.port() +
                " (" + ex.getMessage() + "): set " + Context.PORT_PROP + " to a free port or " + Context.BIND_PROP +
                " to an address of this host", ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start the admin endpoint", ex);
        }
        final AtomicInteger threadCount = new AtomicInteger();
        final ExecutorService executor = Executors.newFixedThreadPool(ctx.threads(), (runnable) ->
        {
            final Thread thread = new Thread(
                runnable, "flotilla-admin-" + node.memberId() + "-" + threadCount.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", dispatcher);
        server.start();
        return new AdminServer(server, executor);
    }

    // The JDK server writes a response's headers and its body in two sends; with Nagle's algorithm on, the body waits
    // for the client's delayed acknowledgement of the headers, and every request takes ~40 ms. The server reads this
    // property once, when the first one in the JVM starts; a value set by the user is left as it is.
    private static void noDelayUnlessConfigured()
    {
        if (null == System.getProperty(NO_DELAY_PROP))
        {
            System.setProperty(NO_DELAY_PROP, "true");
        }
    }

    /**
     * @return the port the endpoint listens on (the one chosen when configured with 0).
     */
    public int port()
    {
        return server.getAddress().getPort();
    }

    /**
     * @return the address the endpoint listens on.
     */
    public InetSocketAddress address()
    {
        return server.getAddress();
    }

    /**
     * Stop at once: requests in progress are cut off.
     */
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * Configuration of an {@link AdminServer}. Every setting has a {@code flotilla.admin.*} system-property default;
     * {@link #conclude()} checks them and fails with a message that says what to change.
     */
    public static final class Context
    {
        /** Port: -1 (default) is off, 0 any free port. */
        public static final String PORT_PROP = "flotilla.admin.port";
        /** Address to bind; anything but loopback needs a token. Default 127.0.0.1. */
        public static final String BIND_PROP = "flotilla.admin.bind";
        /** A file holding the admin token (at least 16 characters, surrounding whitespace trimmed). */
        public static final String TOKEN_FILE_PROP = "flotilla.admin.token.file";
        /** HTTP worker threads. Default 2. */
        public static final String THREADS_PROP = "flotilla.admin.threads";
        /** Longest request body, with a size suffix allowed. Default 1m. */
        public static final String MAX_BODY_PROP = "flotilla.admin.max.body";
        /** How long propose, transfer and snapshot wait for their outcome, with a unit. Default 5s. */
        public static final String REQUEST_TIMEOUT_PROP = "flotilla.admin.request.timeout";
        /** Ready only while the commit index is at most this many entries ahead of the applied index. Default 1000. */
        public static final String READY_MAX_LAG_PROP = "flotilla.admin.ready.max.lag";
        /**
         * A scrape within this long of the last one gets the same rendering, so that scrapers, however many and however
         * often, cost the node at most one rendering per interval. With a unit; 0 renders every scrape. Default 1s.
         */
        public static final String METRICS_MIN_INTERVAL_PROP = "flotilla.admin.metrics.min.interval";

        /**
         * Every property this context reads: all of {@code flotilla.admin.*}, which {@link #conclude()} checks (the
         * engine leaves that prefix to it).
         */
        public static final List<String> PROPERTIES = Settings.names(PORT_PROP, BIND_PROP, TOKEN_FILE_PROP,
            THREADS_PROP, MAX_BODY_PROP, REQUEST_TIMEOUT_PROP, READY_MAX_LAG_PROP, METRICS_MIN_INTERVAL_PROP);
        /** The prefix of its properties. */
        public static final String PREFIX = "flotilla.admin.";

        public static final int PORT_OFF = -1;
        public static final String BIND_DEFAULT = "127.0.0.1";
        public static final int THREADS_DEFAULT = 2;
        public static final int MAX_BODY_DEFAULT = 1024 * 1024;
        public static final long REQUEST_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);
        public static final long READY_MAX_LAG_DEFAULT = 1000;
        public static final long METRICS_MIN_INTERVAL_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);
        public static final int MIN_TOKEN_LENGTH = 16;

        private String portValue = System.getProperty(PORT_PROP, String.valueOf(PORT_OFF));
        private int port;
        private String bind = System.getProperty(BIND_PROP, BIND_DEFAULT);
        private String tokenFile = System.getProperty(TOKEN_FILE_PROP);
        private String token;
        private String threads = System.getProperty(THREADS_PROP, String.valueOf(THREADS_DEFAULT));
        private String maxBody = System.getProperty(MAX_BODY_PROP, String.valueOf(MAX_BODY_DEFAULT));
        private String requestTimeout = System.getProperty(REQUEST_TIMEOUT_PROP, REQUEST_TIMEOUT_DEFAULT_NS + "ns");
        private String readyMaxLag = System.getProperty(READY_MAX_LAG_PROP, String.valueOf(READY_MAX_LAG_DEFAULT));
        private String metricsMinInterval =
            System.getProperty(METRICS_MIN_INTERVAL_PROP, METRICS_MIN_INTERVAL_DEFAULT_NS + "ns");
        private InetAddress bindAddress;
        private int threadCount;
        private int maxBodyBytes;
        private long requestTimeoutNs;
        private long readyMaxLagEntries;
        private long metricsMinIntervalNs;
        private boolean concluded;

        /**
         * Check every setting and read the token file.
         *
         * @return this.
         * @throws IllegalArgumentException naming the property to change.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            Settings.rejectUnknown("AdminServer.Context", PREFIX, List.of(), PROPERTIES);
            port = (int)Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Settings.parseLong(PORT_PROP, portValue)));
            if (port < PORT_OFF || port > 65535)
            {
                throw new IllegalArgumentException(
                    PORT_PROP + "=" + portValue + ": a port 1..65535, 0 for any, -1 off");
            }
            try
            {
                bindAddress = InetAddress.getByName(bind);
            }
            catch (final UnknownHostException ex)
            {
                throw new IllegalArgumentException(BIND_PROP + "=" + bind + ": not an address of this host", ex);
            }
            if (null == token && null != tokenFile)
            {
                token = readToken(tokenFile);
            }
            if (null != token && token.length() < MIN_TOKEN_LENGTH)
            {
                throw new IllegalArgumentException("the admin token is " + token.length() + " characters, at least " +
                    MIN_TOKEN_LENGTH + " are needed (" + TOKEN_FILE_PROP + ")");
            }
            if (null == token && !bindAddress.isLoopbackAddress() && port != PORT_OFF)
            {
                throw new IllegalArgumentException(BIND_PROP + "=" + bind + " is not loopback: anyone who reaches it " +
                    "could read and change the cluster; set " + TOKEN_FILE_PROP + " (or bind to 127.0.0.1)");
            }
            threadCount = (int)positive(THREADS_PROP, Settings.parseLong(THREADS_PROP, threads), 64);
            maxBodyBytes = (int)positive(MAX_BODY_PROP, Settings.parseSize(MAX_BODY_PROP, maxBody), Integer.MAX_VALUE - 1);
            requestTimeoutNs = positive(REQUEST_TIMEOUT_PROP, Settings.parseDurationNs(REQUEST_TIMEOUT_PROP, requestTimeout),
                TimeUnit.HOURS.toNanos(1));
            readyMaxLagEntries = Settings.parseLong(READY_MAX_LAG_PROP, readyMaxLag);
            if (readyMaxLagEntries < 0)
            {
                throw new IllegalArgumentException(READY_MAX_LAG_PROP + "=" + readyMaxLag + ": entries, 0 or more");
            }
            metricsMinIntervalNs = Settings.parseDurationNs(METRICS_MIN_INTERVAL_PROP, metricsMinInterval);
            if (metricsMinIntervalNs < 0 || metricsMinIntervalNs > TimeUnit.MINUTES.toNanos(1))
            {
                throw new IllegalArgumentException(METRICS_MIN_INTERVAL_PROP + "=" + metricsMinInterval +
                    ": a duration from 0 to 60s, e.g. 1s");
            }
            concluded = true;
            return this;
        }

        private static String readToken(final String file)
        {
            try
            {
                return Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
            }
            catch (final IOException ex)
            {
                throw new IllegalArgumentException(
                    TOKEN_FILE_PROP + "=" + file + ": cannot read the admin token (" + ex + ")", ex);
            }
        }

        private static long positive(final String property, final long value, final long max)
        {
            if (value <= 0 || value > max)
            {
                throw new IllegalArgumentException(property + "=" + value + ": from 1 to " + max);
            }
            return value;
        }

        /**
         * @param port to listen on: -1 off, 0 any free port.
         * @return this.
         */
        public Context port(final int port)
        {
            this.portValue = String.valueOf(port);
            return this;
        }

        /**
         * @return the configured port once concluded.
         */
        public int port()
        {
            return port;
        }

        /**
         * @param bind address (name or literal) to listen on; not loopback needs a token.
         * @return this.
         */
        public Context bind(final String bind)
        {
            this.bind = bind;
            return this;
        }

        public String bind()
        {
            return bind;
        }

        /**
         * @param tokenFile a file holding the admin token.
         * @return this.
         */
        public Context tokenFile(final String tokenFile)
        {
            this.tokenFile = tokenFile;
            return this;
        }

        /**
         * @param token the admin token itself (instead of a file), at least {@value #MIN_TOKEN_LENGTH} characters.
         * @return this.
         */
        public Context token(final String token)
        {
            this.token = token;
            return this;
        }

        /**
         * @return the admin token, or null when none is configured (then nothing may be changed).
         */
        public String token()
        {
            return token;
        }

        public Context threads(final int threads)
        {
            this.threads = String.valueOf(threads);
            return this;
        }

        public int threads()
        {
            return threadCount;
        }

        /**
         * @param maxBody longest request body, e.g. {@code 64k}.
         * @return this.
         */
        public Context maxBody(final String maxBody)
        {
            this.maxBody = maxBody;
            return this;
        }

        public int maxBodyBytes()
        {
            return maxBodyBytes;
        }

        /**
         * @param requestTimeout how long changes wait for their outcome, e.g. {@code 5s}.
         * @return this.
         */
        public Context requestTimeout(final String requestTimeout)
        {
            this.requestTimeout = requestTimeout;
            return this;
        }

        public long requestTimeoutNs()
        {
            return requestTimeoutNs;
        }

        public Context readyMaxLag(final long readyMaxLag)
        {
            this.readyMaxLag = String.valueOf(readyMaxLag);
            return this;
        }

        public long readyMaxLag()
        {
            return readyMaxLagEntries;
        }

        /**
         * @param metricsMinInterval how long a scrape's rendering is reused, e.g. {@code 1s}; {@code 0} never.
         * @return this.
         */
        public Context metricsMinInterval(final String metricsMinInterval)
        {
            this.metricsMinInterval = metricsMinInterval;
            return this;
        }

        public long metricsMinIntervalNs()
        {
            return metricsMinIntervalNs;
        }

        InetAddress bindAddress()
        {
            return bindAddress;
        }

        boolean isLoopback()
        {
            return bindAddress.isLoopbackAddress();
        }
    }
}
