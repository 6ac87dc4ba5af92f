package io.flotilla.admin;

import com.sun.net.httpserver.HttpServer;
import io.flotilla.engine.ClusterNode;
import org.agrona.SystemUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admin HTTP endpoint of one node: status, health probes and the operations a person needs (propose, transfer
 * leadership, snapshot), as JSON over the JDK's own HTTP server. Its worker threads only call the thread-safe
 * {@link ClusterNode} methods: reads are lock-free, and an operation waits for its outcome on the worker thread, never
 * on the node's. Launch with {@link #launch(ClusterNode, Context)}; {@link #close()} before closing the node (the
 * server may also outlive it: it then reports the node as not live).
 * <pre>{@code
 * try (AdminServer admin = AdminServer.launch(node, new AdminServer.Context().port(8080)))
 * {
 *     ...
 * }
 * }</pre>
 */
public final class AdminServer implements AutoCloseable
{
    private static final long EXECUTOR_CLOSE_TIMEOUT_MS = 1_000;

    private final HttpServer server;
    private final ExecutorService executor;

    private AdminServer(final HttpServer server, final ExecutorService executor)
    {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Bind the endpoint and start serving.
     *
     * @param node to serve.
     * @param ctx  configuration; concluded here.
     * @return the running server.
     * @throws IllegalArgumentException when the configuration is invalid, saying what to change.
     * @throws UncheckedIOException     when the address cannot be bound.
     */
    public static AdminServer launch(final ClusterNode node, final Context ctx)
    {
        ctx.conclude();
        final AdminRouter router = new AdminRouter(
            AdminRoutes.of(node, ctx),
            new AdminAuth(ctx.token(), !ctx.bindAddress().isLoopbackAddress()),
            ctx.maxBodyBytes());

        final HttpServer server;
        try
        {
            server = HttpServer.create(new InetSocketAddress(ctx.bindAddress(), ctx.port()), 0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot bind the admin endpoint to " + ctx.bind() + ":" + ctx.port() +
                ": choose a free port (" + Context.PORT_PROP + ") or address (" + Context.BIND_PROP + ")", ex);
        }
        final ExecutorService executor = Executors.newFixedThreadPool(
            ctx.threads(), new WorkerThreadFactory("flotilla-admin-" + node.memberId() + "-"));
        server.setExecutor(executor);
        server.createContext("/", router);
        server.start();
        return new AdminServer(server, executor);
    }

    /**
     * @return the port the endpoint listens on (the one chosen when configured with 0).
     */
    public int port()
    {
        return server.getAddress().getPort();
    }

    /**
     * @return the address and port the endpoint listens on.
     */
    public InetSocketAddress address()
    {
        return server.getAddress();
    }

    /**
     * Stop listening, drop open exchanges at once and stop the worker threads (an operation still waiting for its
     * outcome is interrupted; the node may still complete it). Bounded; idempotent.
     */
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(EXECUTOR_CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Daemon worker threads named {@code flotilla-admin-<memberId>-N}: they never keep the JVM alive.
     */
    private static final class WorkerThreadFactory implements ThreadFactory
    {
        private final String prefix;
        private final AtomicInteger count = new AtomicInteger();

        WorkerThreadFactory(final String prefix)
        {
            this.prefix = prefix;
        }

        public Thread newThread(final Runnable task)
        {
            final Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }

    /**
     * Configuration of an {@link AdminServer}. Every setting has a {@code flotilla.admin.*} system-property default,
     * read when the context is made (a malformed value fails there, naming its property); {@link #conclude()} checks
     * them all and fails with a message that says what to change.
     */
    public static final class Context
    {
        /** Port to listen on: -1 off (launchers start no server), 0 any free port: {@code flotilla.admin.port}. */
        public static final String PORT_PROP = "flotilla.admin.port";
        public static final int PORT_DEFAULT = -1;
        /** Address to bind; one that is not loopback needs a token: {@code flotilla.admin.bind}. */
        public static final String BIND_PROP = "flotilla.admin.bind";
        public static final String BIND_DEFAULT = "127.0.0.1";
        /** File holding the admin token (trimmed), needed for every change: {@code flotilla.admin.token.file}. */
        public static final String TOKEN_FILE_PROP = "flotilla.admin.token.file";
        /** Shortest admin token accepted. */
        public static final int TOKEN_MIN_LENGTH = 16;
        /** HTTP worker threads: {@code flotilla.admin.threads}. */
        public static final String THREADS_PROP = "flotilla.admin.threads";
        public static final int THREADS_DEFAULT = 2;
        public static final int THREADS_MAX = 64;
        /** Largest request body (e.g. 1m); a larger one is refused unread: {@code flotilla.admin.max.body}. */
        public static final String MAX_BODY_PROP = "flotilla.admin.max.body";
        public static final int MAX_BODY_DEFAULT = 1024 * 1024;
        /** Smallest bound accepted: room for a small JSON object. */
        public static final int MAX_BODY_MIN = 64;
        public static final int MAX_BODY_LIMIT = 64 * 1024 * 1024;
        /** How long propose, transfer and snapshot wait for their outcome (e.g. 5s): {@code flotilla.admin.request.timeout}. */
        public static final String REQUEST_TIMEOUT_PROP = "flotilla.admin.request.timeout";
        public static final long REQUEST_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);
        /** Ready only while commit index - applied index is at most this: {@code flotilla.admin.ready.max.lag}. */
        public static final String READY_MAX_LAG_PROP = "flotilla.admin.ready.max.lag";
        public static final long READY_MAX_LAG_DEFAULT = 1000;

        private boolean isConcluded;
        private int port = intProperty(PORT_PROP, PORT_DEFAULT);
        private String bind = System.getProperty(BIND_PROP, BIND_DEFAULT);
        private Path tokenFile = pathProperty(TOKEN_FILE_PROP);
        private String token;
        private int threads = intProperty(THREADS_PROP, THREADS_DEFAULT);
        private long maxBodyBytes = sizeProperty(MAX_BODY_PROP, MAX_BODY_DEFAULT);
        private long requestTimeoutNs = durationProperty(REQUEST_TIMEOUT_PROP, REQUEST_TIMEOUT_DEFAULT_NS);
        private long readyMaxLag = longProperty(READY_MAX_LAG_PROP, READY_MAX_LAG_DEFAULT);
        private InetAddress bindAddress;

        /**
         * Check every setting, read the token file and resolve the bind address.
         *
         * @return this.
         * @throws IllegalArgumentException naming the setting (and its property) and what to change.
         */
        public Context conclude()
        {
            if (isConcluded)
            {
                throw new IllegalStateException("AdminServer.Context already concluded: use a new Context per server");
            }
            if (port < 0 || port > 65_535)
            {
                throw new IllegalArgumentException("admin port " + port + (port < 0 ? " means off" : " is invalid") +
                    ": set " + PORT_PROP + " to 0 (any free port) or a port from 1 to 65535 to serve the endpoint");
            }
            try
            {
                bindAddress = InetAddress.getByName(bind);
            }
            catch (final UnknownHostException ex)
            {
                throw new IllegalArgumentException("admin bind address '" + bind + "' is not known: set " + BIND_PROP +
                    " to an address of this host (default " + BIND_DEFAULT + ")", ex);
            }
            if (null == token && null != tokenFile)
            {
                token = readToken(tokenFile);
            }
            if (null != token && token.length() < TOKEN_MIN_LENGTH)
            {
                throw new IllegalArgumentException("the admin token has " + token.length() + " characters: use at " +
                    "least " + TOKEN_MIN_LENGTH + " (" + TOKEN_FILE_PROP + (null == tokenFile ? "" : "=" + tokenFile) +
                    ")");
            }
            if (null == token && !bindAddress.isLoopbackAddress())
            {
                throw new IllegalArgumentException("admin bind address " + bind + " is not loopback, so every request " +
                    "needs a token: set " + TOKEN_FILE_PROP + " to a file holding one, or bind to 127.0.0.1 (" +
                    BIND_PROP + ")");
            }
            if (threads < 1 || threads > THREADS_MAX)
            {
                throw new IllegalArgumentException("admin threads " + threads + " must be from 1 to " + THREADS_MAX +
                    " (" + THREADS_PROP + ")");
            }
            if (maxBodyBytes < MAX_BODY_MIN || maxBodyBytes > MAX_BODY_LIMIT)
            {
                throw new IllegalArgumentException("admin max body " + maxBodyBytes + " bytes must be from " +
                    MAX_BODY_MIN + " to " + MAX_BODY_LIMIT + " (" + MAX_BODY_PROP + ", e.g. 1m)");
            }
            if (requestTimeoutNs <= 0)
            {
                throw new IllegalArgumentException("admin request timeout " + requestTimeoutNs + " ns must be " +
                    "positive (" + REQUEST_TIMEOUT_PROP + ", e.g. 5s)");
            }
            if (readyMaxLag < 0)
            {
                throw new IllegalArgumentException("admin ready max lag " + readyMaxLag + " must not be negative (" +
                    READY_MAX_LAG_PROP + ")");
            }
            isConcluded = true;
            return this;
        }

        /**
         * @param port to listen on: 0 for any free port; -1 (off) is refused by {@link #conclude()}.
         * @return this.
         */
        public Context port(final int port)
        {
            this.port = port;
            return this;
        }

        public int port()
        {
            return port;
        }

        /**
         * @param bind address (name or literal) to listen on; one that is not loopback needs a token.
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
         * @return the resolved bind address, once concluded.
         */
        public InetAddress bindAddress()
        {
            return bindAddress;
        }

        /**
         * @param tokenFile holding the admin token (read and trimmed at {@link #conclude()}), or null.
         * @return this.
         */
        public Context tokenFile(final Path tokenFile)
        {
            this.tokenFile = tokenFile;
            return this;
        }

        public Path tokenFile()
        {
            return tokenFile;
        }

        /**
         * @param token the admin token itself (at least {@value #TOKEN_MIN_LENGTH} characters), in place of a file.
         * @return this.
         */
        public Context token(final String token)
        {
            this.token = null == token ? null : token.trim();
            return this;
        }

        /**
         * @return the admin token, or null when none is configured (changes are then refused).
         */
        public String token()
        {
            return token;
        }

        public Context threads(final int threads)
        {
            this.threads = threads;
            return this;
        }

        public int threads()
        {
            return threads;
        }

        public Context maxBodyBytes(final long maxBodyBytes)
        {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /**
         * @return the largest request body read; within int range once concluded.
         */
        public int maxBodyBytes()
        {
            return (int)Math.min(Integer.MAX_VALUE, maxBodyBytes);
        }

        public Context requestTimeoutNs(final long requestTimeoutNs)
        {
            this.requestTimeoutNs = requestTimeoutNs;
            return this;
        }

        public long requestTimeoutNs()
        {
            return requestTimeoutNs;
        }

        public Context readyMaxLag(final long readyMaxLag)
        {
            this.readyMaxLag = readyMaxLag;
            return this;
        }

        public long readyMaxLag()
        {
            return readyMaxLag;
        }

        private static String readToken(final Path tokenFile)
        {
            try
            {
                return Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
            }
            catch (final IOException ex)
            {
                throw new IllegalArgumentException("cannot read the admin token file " + tokenFile + " (" + ex +
                    "): fix " + TOKEN_FILE_PROP, ex);
            }
        }

        private static int intProperty(final String name, final int defaultValue)
        {
            final long value = longProperty(name, defaultValue);
            if (value != (int)value)
            {
                throw malformed(name, String.valueOf(value), "an integer", null);
            }
            return (int)value;
        }

        private static long longProperty(final String name, final long defaultValue)
        {
            final String text = System.getProperty(name);
            try
            {
                return null == text ? defaultValue : Long.parseLong(text.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw malformed(name, text, "an integer", ex);
            }
        }

        private static long sizeProperty(final String name, final long defaultValue)
        {
            final String text = System.getProperty(name);
            try
            {
                return null == text ? defaultValue : SystemUtil.parseSize(name, text.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw malformed(name, text, "a size such as 64k or 1m", ex);
            }
        }

        private static long durationProperty(final String name, final long defaultValueNs)
        {
            final String text = System.getProperty(name);
            try
            {
                return null == text ? defaultValueNs : SystemUtil.parseDuration(name, text.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw malformed(name, text, "a duration such as 500ms or 5s", ex);
            }
        }

        private static Path pathProperty(final String name)
        {
            final String text = System.getProperty(name);
            return null == text || text.isBlank() ? null : Path.of(text.trim());
        }

        private static IllegalArgumentException malformed(
            final String name, final String text, final String expected, final Exception cause)
        {
            return new IllegalArgumentException(name + "='" + text + "' is not " + expected + ": fix -D" + name, cause);
        }
    }
}
