package io.flotilla.archive;

import io.aeron.Aeron;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveMarkFile;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.checksum.Checksums;
import io.aeron.archive.client.AeronArchive;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.driver.exceptions.ActiveDriverException;
import io.aeron.exceptions.ConfigurationException;
import io.aeron.exceptions.DriverTimeoutException;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The media stack of one node: an embedded media driver (or an external one), an embedded Aeron Archive whose
 * directory holds the node's log, an Aeron client and an {@link AeronArchive} client connected to that archive.
 * <p>
 * Threading, see {@link Threading}:
 * <ul>
 *     <li>{@link Threading#COMPACT}: the driver runs as {@code ThreadingMode.INVOKER}, the archive as
 *     {@code ArchiveThreadingMode.INVOKER} and the Aeron client with its conductor agent invoker, so nothing starts
 *     a thread: the caller's thread drives everything by calling {@link #doWork()} on every duty cycle.
 *     Synchronous {@link #aeronArchive()} calls made from that same thread keep driving the archive and the driver
 *     while they wait for the answer (through the archive client's agent invoker and idle strategy), so they return.
 *     Never call them from inside a callback that {@link #doWork()} is running (invokers are not re-entrant).</li>
 *     <li>{@link Threading#DEDICATED}: the driver ({@code ThreadingMode.SHARED}) and the archive
 *     ({@code ArchiveThreadingMode.SHARED}) each run on their own thread, the Aeron client has its conductor
 *     thread; {@link #doWork()} does nothing and returns 0.</li>
 * </ul>
 * With {@link Context#externalDriver(boolean)} no driver is launched: the archive and clients connect to the
 * driver already running at {@link Context#aeronDirectoryName(String)}.
 * <p>
 * Several nodes can run in one JVM or on one host: each node gets its own Aeron directory by default (a unique
 * directory under {@code /dev/shm}, deleted on close), and the archive id and every archive stream id are
 * derived from the node id so that nodes sharing an external driver do not clash either. An embedded driver never
 * takes over the Aeron directory of a driver that is still running ({@link LiveDriverGuard}): the launch fails naming
 * {@link Context#AERON_DIR_PROP}, and the running driver keeps its directory.
 * <p>
 * The data directory is locked ({@link #LOCK_FILE_NAME}, an OS file lock released even on kill -9) for the
 * node's lifetime, so a second process cannot open the same node's data; under that lock a mark file left by a
 * crashed archive is set aside, so a node restarts at once after a crash.
 * <p>
 * Close any {@link ArchiveLogStore} using this media before closing it.
 * <p>
 * Not thread safe: one thread owns a NodeMedia (in COMPACT mode that thread runs the whole node).
 */
public final class NodeMedia implements AutoCloseable
{
    /** Name of the lock file in the data directory that keeps two processes off one node's data. */
    public static final String LOCK_FILE_NAME = "node.lock";

    /**
     * How the driver and the archive get their threads.
     */
    public enum Threading
    {
        /** Everything on the caller's thread through agent invokers; the caller calls {@link #doWork()}. */
        COMPACT,
        /** Driver and archive on their own threads. */
        DEDICATED
    }

    private final Context ctx;
    private final FileChannel lockChannel;
    private final MediaDriver driver;
    private final Archive archive;
    private final Aeron aeron;
    private final AeronArchive aeronArchive;
    private final AgentInvoker archiveInvoker;
    private final AgentInvoker clientInvoker;

    private NodeMedia(final Context ctx)
    {
        this.ctx = ctx;
        this.lockChannel = lockDataDirectory(ctx);
        final boolean compact = Threading.COMPACT == ctx.threading();
        MediaDriver driver = null;
        Archive archive = null;
        Aeron aeron = null;
        try
        {
            if (!ctx.externalDriver())
            {
                driver = launchDriver(ctx, compact);
            }
            final AgentInvoker driverInvoker = null == driver ? null : driver.sharedAgentInvoker();

            // In COMPACT mode the archive's conductor also invokes the driver (mediaDriverAgentInvoker), which is
            // what lets the archive's own client connect during launch with no driver thread.
            archive = launchArchive(ctx, compact, driverInvoker);
            archiveInvoker = archive.invoker();

            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(ctx.aeronDirectoryName())
                .clientName("flotilla-node-" + ctx.nodeId())
                .useConductorAgentInvoker(compact)
                .driverAgentInvoker(driverInvoker)
                .errorHandler(null != ctx.errorHandler() ? ctx.errorHandler() : Aeron.Configuration.DEFAULT_ERROR_HANDLER));
            clientInvoker = aeron.conductorAgentInvoker();

            this.driver = driver;
            this.archive = archive;
            this.aeron = aeron;
            this.aeronArchive = connectArchiveClient(compact);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(aeron, archive, driver, lockChannel);
            if (null != driver)
            {
                IoUtil.delete(new File(ctx.aeronDirectoryName()), true);
            }
            throw ex;
        }
    }

    /**
     * Launch the archive; a UDP control channel whose port is taken fails naming {@link Context#CONTROL_CHANNEL_PROP}.
     */
    private static Archive launchArchive(final Context ctx, final boolean compact, final AgentInvoker driverInvoker)
    {
        final Archive.Context archiveCtx = new Archive.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName())
            .archiveDir(ctx.archiveDirectory())
            .archiveId(ctx.archiveId())
            .threadingMode(compact ? ArchiveThreadingMode.INVOKER : ArchiveThreadingMode.SHARED)
            .mediaDriverAgentInvoker(driverInvoker)
            .idleStrategySupplier(ctx.idleStrategySupplier())
            .controlChannelEnabled(null != ctx.archiveControlChannel())
            .controlChannel(ctx.archiveControlChannel())
            .controlStreamId(ctx.archiveControlStreamId())
            .localControlChannel(ctx.archiveLocalControlChannel())
            .localControlStreamId(ctx.archiveLocalControlStreamId())
            .replicationChannel(ctx.replicationChannel())
            .archiveClientContext(new AeronArchive.Context().controlResponseChannel(ctx.replicationChannel()))
            .recordingEventsEnabled(false)
            .segmentFileLength(ctx.segmentFileLength())
            .fileSyncLevel(ctx.durability().fileSyncLevel())
            .catalogFileSyncLevel(ctx.durability().fileSyncLevel())
            .recordChecksum(Checksums.crc32c()) // lets the catalog tell a torn last fragment from a valid one
            .deleteArchiveOnStart(false)
            .errorHandler(ctx.errorHandler());
        try
        {
            return Archive.launch(archiveCtx);
        }
        catch (final RuntimeException ex)
        {
            throw PortInUse.explain(ex, "the archive control channel " + ctx.archiveControlChannel(),
                Context.CONTROL_CHANNEL_PROP);
        }
    }

    /**
     * Launch the embedded driver in a directory no running driver owns ({@link LiveDriverGuard}). Not with
     * {@code dirDeleteOnShutdown}: Aeron closes the context of a launch that fails, and would then delete the
     * directory of the very driver that made it fail; {@link #close()} deletes the directory of a driver that ran.
     */
    private static MediaDriver launchDriver(final Context ctx, final boolean compact)
    {
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName())
            .threadingMode(compact ? io.aeron.driver.ThreadingMode.INVOKER : io.aeron.driver.ThreadingMode.SHARED)
            .sharedIdleStrategy(ctx.idleStrategySupplier().get())
            .dirDeleteOnStart(false)
            .dirDeleteOnShutdown(false)
            .errorHandler(ctx.errorHandler());
        final String setting = Context.AERON_DIR_PROP + ", or aeronDirectoryName in code";
        LiveDriverGuard.prepare(driverCtx, setting);
        try
        {
            return MediaDriver.launch(driverCtx);
        }
        catch (final ActiveDriverException | DriverTimeoutException ex)
        {
            // Aeron's own check found a driver that started there after the guard looked (running, or still starting).
            throw LiveDriverGuard.refusal(new File(ctx.aeronDirectoryName()), "it started at the same time", setting, ex);
        }
        catch (final RuntimeException ex)
        {
            IoUtil.delete(new File(ctx.aeronDirectoryName()), true); // no live driver owns it: the guard checked
            throw ex;
        }
    }

    /**
     * Hold an OS lock on the data directory for the node's lifetime (released by the OS even on kill -9), then set
     * aside the archive mark file a crashed predecessor left: the lock proves no live archive uses it, and Aeron
     * would otherwise refuse to start for its liveness timeout after a crash.
     */
    private static FileChannel lockDataDirectory(final Context ctx)
    {
        final FileChannel channel = lockDataDirectory(ctx.dataDirectory());
        try
        {
            final File markFile = new File(ctx.archiveDirectory(), ArchiveMarkFile.FILENAME);
            if (markFile.exists())
            {
                Files.move(markFile.toPath(), new File(ctx.archiveDirectory(), ArchiveMarkFile.FILENAME + ".prev").toPath(),
                    StandardCopyOption.REPLACE_EXISTING);
            }

            return channel;
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(channel);
            throw new UncheckedIOException("cannot lock node data directory " + ctx.dataDirectory(), ex);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(channel);
            throw ex;
        }
    }

    /**
     * Take the OS lock on a node's data directory ({@link #LOCK_FILE_NAME}), which a running node holds.
     *
     * @param dataDirectory the node's data directory.
     * @return the locked channel: closing it releases the lock.
     * @throws IllegalStateException when a node (of this or another process) holds it.
     */
    static FileChannel lockDataDirectory(final File dataDirectory)
    {
        final File lockFile = new File(dataDirectory, LOCK_FILE_NAME);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(lockFile.toPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock lock = channel.tryLock();
            if (null == lock)
            {
                throw new IllegalStateException("node data directory " + dataDirectory +
                    " is in use by another process (" + lockFile + " is locked)");
            }

            return channel;
        }
        catch (final OverlappingFileLockException ex)
        {
            CloseHelper.quietClose(channel);
            throw new IllegalStateException("node data directory " + dataDirectory + " is already in use in this JVM", ex);
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(channel);
            throw new UncheckedIOException("cannot lock node data directory " + dataDirectory, ex);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(channel);
            throw ex;
        }
    }

    /**
     * Launch the node's media stack.
     *
     * @param ctx configuration; concluded here.
     * @return the running media stack.
     */
    public static NodeMedia launch(final Context ctx)
    {
        ctx.conclude();
        return new NodeMedia(ctx);
    }

    /**
     * Drive the driver, the archive and the Aeron client in {@link Threading#COMPACT} mode.
     *
     * @return work count; always 0 in {@link Threading#DEDICATED} mode.
     */
    public int doWork()
    {
        int workCount = 0;
        if (null != archiveInvoker)
        {
            workCount += archiveInvoker.invoke(); // also invokes the embedded driver, see the constructor
        }
        if (null != clientInvoker)
        {
            workCount += clientInvoker.invoke();
        }

        return workCount;
    }

    /**
     * @return the node's Aeron client.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @return the longest message a publication of this node's driver takes: an eighth of its publication term
     * length (an external driver's is taken to be this host's {@code aeron.term.buffer.length}, its default).
     */
    public int maxMessageLength()
    {
        return FrameDescriptor.computeMaxMessageLength(null != driver ?
            driver.context().publicationTermBufferLength() : io.aeron.driver.Configuration.termBufferLength());
    }

    /**
     * @return the client of the node's archive, connected over IPC.
     */
    public AeronArchive aeronArchive()
    {
        return aeronArchive;
    }

    /**
     * @return the counters of the driver (archive recording positions, errors, stream positions).
     */
    public CountersReader countersReader()
    {
        return aeron.countersReader();
    }

    /**
     * @return the concluded configuration.
     */
    public Context context()
    {
        return ctx;
    }

    /**
     * @return true when the archive, the Aeron client or (COMPACT) the embedded driver has closed itself, for
     * instance after an error it cannot go on after: the media stack is dead.
     */
    public boolean isStopped()
    {
        return aeron.isClosed() || (null != archiveInvoker && archiveInvoker.isClosed()) ||
            (null != clientInvoker && clientInvoker.isClosed()) ||
            (null != driver && null != driver.sharedAgentInvoker() && driver.sharedAgentInvoker().isClosed());
    }

    /**
     * Close the clients, the archive, the driver and the data directory lock, each even when an earlier one fails;
     * the embedded driver's Aeron directory is deleted once the driver is closed.
     */
    public void close()
    {
        try
        {
            Resources.closeAll(aeronArchive, aeron, archive, driver, lockChannel);
        }
        finally
        {
            if (null != driver)
            {
                IoUtil.delete(new File(ctx.aeronDirectoryName()), true);
            }
        }
    }

    private AeronArchive connectArchiveClient(final boolean compact)
    {
        final AeronArchive.Context archiveCtx = new AeronArchive.Context()
            .aeron(aeron)
            .ownsAeronClient(false)
            .controlRequestChannel(ctx.archiveLocalControlChannel())
            .controlRequestStreamId(ctx.archiveLocalControlStreamId())
            .controlResponseChannel("aeron:ipc")
            .controlResponseStreamId(ctx.archiveResponseStreamId())
            .idleStrategy(compact ? new InvokingIdleStrategy(this) : new BackoffIdleStrategy())
            .agentInvoker(compact ? archiveInvoker : null);

        return AeronArchive.connect(archiveCtx);
    }

    /**
     * Waiting in a synchronous archive call on the node's own thread: drive the archive and the client (and
     * through the archive, the driver) and back off only when they had nothing to do.
     */
    private static final class InvokingIdleStrategy implements IdleStrategy
    {
        private final NodeMedia media;
        private final BackoffIdleStrategy backoff = new BackoffIdleStrategy();

        InvokingIdleStrategy(final NodeMedia media)
        {
            this.media = media;
        }

        public void idle(final int workCount)
        {
            if (0 == workCount && 0 == media.doWork())
            {
                backoff.idle();
            }
            else
            {
                backoff.reset();
            }
        }

        public void idle()
        {
            idle(0);
        }

        public void reset()
        {
            backoff.reset();
        }
    }

    /**
     * Configuration of a node's media stack. Defaults come from {@code flotilla.*} system properties.
     */
    public static final class Context
    {
        /** Node id, used to derive the archive id and stream ids: {@code flotilla.node.id}, default 0. */
        public static final String NODE_ID_PROP = "flotilla.node.id";
        /** Node data directory (the archive lives in its {@code archive} sub-directory): {@code flotilla.data.dir}. */
        public static final String DATA_DIR_PROP = "flotilla.data.dir";
        /** Aeron directory; default a unique directory under /dev/shm: {@code flotilla.aeron.dir}. */
        public static final String AERON_DIR_PROP = "flotilla.aeron.dir";
        /** Use the driver already running at the Aeron directory: {@code flotilla.media.external.driver}. */
        public static final String EXTERNAL_DRIVER_PROP = "flotilla.media.external.driver";
        /** {@link Threading} name: {@code flotilla.media.threading}, default COMPACT. */
        public static final String THREADING_PROP = "flotilla.media.threading";
        /** {@link Durability} name: {@code flotilla.log.durability}, default FSYNC. */
        public static final String DURABILITY_PROP = "flotilla.log.durability";
        /** Archive segment file length: {@code flotilla.archive.segment.length}, default 128 MiB. */
        public static final String SEGMENT_LENGTH_PROP = "flotilla.archive.segment.length";
        /** Optional UDP control channel of the archive (remote archive clients): {@code flotilla.archive.control.channel}. */
        public static final String CONTROL_CHANNEL_PROP = "flotilla.archive.control.channel";

        /** Base of the node's stream ids; node {@code n} uses {@code base + 8n .. base + 8n + 7}. */
        public static final int STREAM_ID_BASE = 1000;

        /** Every property this context reads. */
        public static final List<String> PROPERTIES = Settings.names(NODE_ID_PROP, DATA_DIR_PROP, AERON_DIR_PROP,
            EXTERNAL_DRIVER_PROP, THREADING_PROP, DURABILITY_PROP, SEGMENT_LENGTH_PROP, CONTROL_CHANNEL_PROP);

        private int nodeId = Settings.integer(NODE_ID_PROP, 0);
        private File dataDirectory = null == System.getProperty(DATA_DIR_PROP) ? null : new File(System.getProperty(DATA_DIR_PROP));
        private String aeronDirectoryName = System.getProperty(AERON_DIR_PROP);
        private boolean externalDriver = Settings.bool(EXTERNAL_DRIVER_PROP, false);
        private Threading threading = Settings.enumValue(THREADING_PROP, Threading.class, Threading.COMPACT);
        private Durability durability = Settings.enumValue(DURABILITY_PROP, Durability.class, Durability.FSYNC);
        private int segmentFileLength = Settings.sizeAsInt(SEGMENT_LENGTH_PROP, 128 * 1024 * 1024);
        private String archiveControlChannel = System.getProperty(CONTROL_CHANNEL_PROP);
        private String replicationChannel = "aeron:udp?endpoint=localhost:0";
        private long archiveId = -1;
        private Supplier<IdleStrategy> idleStrategySupplier = BackoffIdleStrategy::new;
        private ErrorHandler errorHandler;
        private boolean isConcluded;

        /**
         * Check the settings and fill in derived defaults.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (isConcluded)
            {
                throw new IllegalStateException("NodeMedia.Context already concluded: use a new Context per NodeMedia");
            }
            isConcluded = true;

            if (nodeId < 0 || nodeId > 10_000)
            {
                throw new ConfigurationException("NodeMedia.Context.nodeId must be in 0..10000 (" + NODE_ID_PROP +
                    "), was " + nodeId);
            }
            if (null == dataDirectory)
            {
                throw new ConfigurationException("NodeMedia.Context.dataDirectory must be set (or -D" + DATA_DIR_PROP + ")");
            }
            if (null == aeronDirectoryName)
            {
                if (externalDriver)
                {
                    throw new ConfigurationException("NodeMedia.Context.externalDriver(true) needs the running " +
                        "driver's aeronDirectoryName (or -D" + AERON_DIR_PROP + ")");
                }
                final String base = new File("/dev/shm").isDirectory() ? "/dev/shm" : System.getProperty("java.io.tmpdir");
                aeronDirectoryName = new File(base, "flotilla-" + nodeId + "-" + UUID.randomUUID()).getPath();
            }
            if (archiveId < 0)
            {
                archiveId = nodeId;
            }
            IoUtil.ensureDirectoryExists(archiveDirectory(), "archive");

            return this;
        }

        public Context nodeId(final int nodeId)
        {
            this.nodeId = nodeId;
            return this;
        }

        public int nodeId()
        {
            return nodeId;
        }

        /**
         * @param dataDirectory the node's data directory; the archive goes in its {@code archive} sub-directory.
         * @return this.
         */
        public Context dataDirectory(final File dataDirectory)
        {
            this.dataDirectory = dataDirectory;
            return this;
        }

        public File dataDirectory()
        {
            return dataDirectory;
        }

        /**
         * @return the archive's directory, holding the catalog and the log's segment files.
         */
        public File archiveDirectory()
        {
            return new File(dataDirectory, "archive");
        }

        /**
         * @param aeronDirectoryName of the driver: the embedded driver's own (one a stopped driver left is reused,
         *                           one whose driver still runs refuses the launch; deleted on close), or the
         *                           running external driver's.
         * @return this.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * @param externalDriver true to use the driver already running at {@link #aeronDirectoryName()}.
         * @return this.
         */
        public Context externalDriver(final boolean externalDriver)
        {
            this.externalDriver = externalDriver;
            return this;
        }

        public boolean externalDriver()
        {
            return externalDriver;
        }

        public Context threading(final Threading threading)
        {
            this.threading = threading;
            return this;
        }

        public Threading threading()
        {
            return threading;
        }

        /**
         * @param durability of the log: sets the archive's file and catalog sync levels.
         * @return this.
         */
        public Context durability(final Durability durability)
        {
            this.durability = durability;
            return this;
        }

        public Durability durability()
        {
            return durability;
        }

        /**
         * @param segmentFileLength of the archive's segment files: a power of two, a multiple of the log's term
         *                          length.
         * @return this.
         */
        public Context segmentFileLength(final int segmentFileLength)
        {
            this.segmentFileLength = segmentFileLength;
            return this;
        }

        public int segmentFileLength()
        {
            return segmentFileLength;
        }

        /**
         * @param archiveControlChannel UDP control channel for remote archive clients (e.g. replication from a
         *                              peer), or null to accept local IPC clients only (the default).
         * @return this.
         */
        public Context archiveControlChannel(final String archiveControlChannel)
        {
            this.archiveControlChannel = archiveControlChannel;
            return this;
        }

        public String archiveControlChannel()
        {
            return archiveControlChannel;
        }

        public Context replicationChannel(final String replicationChannel)
        {
            this.replicationChannel = replicationChannel;
            return this;
        }

        public String replicationChannel()
        {
            return replicationChannel;
        }

        /**
         * @param archiveId unique among archives sharing a driver; default the node id.
         * @return this.
         */
        public Context archiveId(final long archiveId)
        {
            this.archiveId = archiveId;
            return this;
        }

        public long archiveId()
        {
            return archiveId;
        }

        /**
         * @param idleStrategySupplier for the driver and archive threads in DEDICATED mode.
         * @return this.
         */
        public Context idleStrategySupplier(final Supplier<IdleStrategy> idleStrategySupplier)
        {
            this.idleStrategySupplier = idleStrategySupplier;
            return this;
        }

        public Supplier<IdleStrategy> idleStrategySupplier()
        {
            return idleStrategySupplier;
        }

        /**
         * @param errorHandler told of every error the driver, the archive and the Aeron client report (besides their
         *                     own error logs); null for Aeron's defaults.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        public String archiveLocalControlChannel()
        {
            return "aeron:ipc?term-length=64k";
        }

        public int archiveControlStreamId()
        {
            return STREAM_ID_BASE + 8 * nodeId;
        }

        public int archiveLocalControlStreamId()
        {
            return STREAM_ID_BASE + 8 * nodeId + 1;
        }

        public int archiveResponseStreamId()
        {
            return STREAM_ID_BASE + 8 * nodeId + 2;
        }

        /**
         * @return the stream id of the node's log publication, recorded by the archive.
         */
        public int logStreamId()
        {
            return STREAM_ID_BASE + 8 * nodeId + 3;
        }

        /**
         * @return the stream id on which the archive replays older log entries back to the log store.
         */
        public int readBackStreamId()
        {
            return STREAM_ID_BASE + 8 * nodeId + 4;
        }

        public String toString()
        {
            return "NodeMedia.Context{nodeId=" + nodeId + ", dataDirectory=" + dataDirectory +
                ", aeronDirectoryName=" + aeronDirectoryName + ", externalDriver=" + externalDriver +
                ", threading=" + threading + ", durability=" + durability + ", segmentFileLength=" +
                segmentFileLength + ", archiveId=" + archiveId + '}';
        }
    }
}
