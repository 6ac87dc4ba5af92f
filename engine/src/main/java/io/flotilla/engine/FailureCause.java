package io.flotilla.engine;

import io.aeron.archive.client.ArchiveException;
import io.aeron.exceptions.AeronException;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import io.aeron.exceptions.ClientTimeoutException;
import io.aeron.exceptions.StorageSpaceException;
import io.flotilla.archive.LogCorruptionException;
import io.flotilla.archive.SnapshotCorruptException;
import io.flotilla.engine.node.StateMachineException;

import java.io.File;

/**
 * Why a node stopped itself ({@link NodeFailedException}), and the classification of errors into the ones a node
 * cannot go on after and the ones it counts and survives. {@link #of(Throwable)} looks along the cause chain, in
 * order, for the first of: a state machine that threw, a full disk, no file handles left, a fault in a mapped file,
 * damaged data, a media driver or archive that stopped; failing those, any {@link Error}. Everything else (a failed
 * send, a back-pressured offer, an archive control request that timed out, a peer's image that went away) is
 * recoverable: reported to the error handler, and the node goes on.
 */
public enum FailureCause
{
    /** The state machine threw from apply, a time advance or a snapshot load: every replica would do the same. */
    STATE_MACHINE("the state machine threw",
        "fix the state machine: every replica fails at the same entry; restart the nodes with the fixed build"),
    /** ENOSPC from the archive, the log or the node's own files. */
    DISK_FULL("the disk holding the data directory is full (or Aeron's directory has no space left)",
        "free space on that disk (or move the data directory), then restart the node: its log is kept"),
    /** EMFILE/ENFILE: a file, socket or mapping could not be opened. */
    OUT_OF_FILE_HANDLES("the process ran out of file handles",
        "raise the open-files limit of the process (ulimit -n, LimitNOFILE), then restart the node"),
    /** SIGBUS, which Java reports as an {@link InternalError} from an unsafe memory access. */
    MAPPED_FILE_FAULT("a memory-mapped file faulted (SIGBUS: its disk is full or the file was truncated)",
        "check the disk of the data directory and of the Aeron directory, then restart the node"),
    /** A log entry or a snapshot on this node's disk failed its checks at run time. */
    CORRUPT_DATA("the node's log or snapshot holds data that fails its checks",
        "restart the node; if it fails again, move its data directory aside and restart it empty with " +
        ClusterNode.Context.REJOIN_AFTER_DATA_LOSS_PROP + "=true so that it rejoins through a snapshot install"),
    /** The media driver, the archive or the Aeron client stopped (a timeout, or one of them closed itself). */
    MEDIA_STOPPED("the node's media driver or archive stopped",
        "see Aeron's error above (AeronStat/ErrorStat on the Aeron directory), then restart the node"),
    /** Any other {@link Error}: out of memory, a stack overflow, a linkage error. */
    JVM_ERROR("the JVM raised an error",
        "see the cause (heap size -Xmx, stack size, classpath), then restart the node");

    private static final int MAX_CAUSE_DEPTH = 16;
    /** Free space under which a disk counts as full: the kernel could not back a page of a mapped file on it. */
    private static final long FULL_DISK_BYTES = 1024 * 1024;

    private final String description;
    private final String remedy;

    FailureCause(final String description, final String remedy)
    {
        this.description = description;
        this.remedy = remedy;
    }

    /**
     * @return what happened, for the operator.
     */
    public String description()
    {
        return description;
    }

    /**
     * @return what the operator should do.
     */
    public String remedy()
    {
        return remedy;
    }

    /**
     * @param error thrown on the node's thread or reported by its media driver, archive or Aeron client.
     * @return why the node cannot go on after it, or null when it is recoverable.
     */
    public static FailureCause of(final Throwable error)
    {
        Throwable cause = error;
        for (int depth = 0; null != cause && depth < MAX_CAUSE_DEPTH; depth++, cause = cause.getCause())
        {
            final FailureCause found = ofOne(cause);
            if (null != found)
            {
                return found;
            }
        }
        for (cause = error; null != cause; cause = cause.getCause())
        {
            if (cause instanceof Error)
            {
                return JVM_ERROR;
            }
        }
        return null;
    }

    /**
     * A fault in a mapped file on a full disk is the disk being full (Aeron's error logs and the archive's catalog
     * are mapped files in the data and Aeron directories: a full tmpfs shows up as a SIGBUS there first).
     *
     * @param cause       as {@link #of(Throwable)} found it.
     * @param directories the node's data and Aeron directories.
     * @return {@link #DISK_FULL} for a {@link #MAPPED_FILE_FAULT} when one of the directories' disks is full, else
     * {@code cause}.
     */
    public static FailureCause onDisksOf(final FailureCause cause, final File... directories)
    {
        if (MAPPED_FILE_FAULT == cause)
        {
            for (final File directory : directories)
            {
                if (null != directory && directory.exists() && directory.getUsableSpace() < FULL_DISK_BYTES)
                {
                    return DISK_FULL;
                }
            }
        }
        return cause;
    }

    private static FailureCause ofOne(final Throwable error)
    {
        final String message = String.valueOf(error.getMessage());
        if (error instanceof StateMachineException)
        {
            return STATE_MACHINE;
        }
        if (message.contains("No space left on device") || StorageSpaceException.isStorageSpaceError(error) ||
            (error instanceof ArchiveException && ArchiveException.STORAGE_SPACE == ((ArchiveException)error).errorCode()))
        {
            return DISK_FULL;
        }
        if (message.contains("Too many open files"))
        {
            return OUT_OF_FILE_HANDLES;
        }
        if (error instanceof InternalError && message.contains("unsafe memory access"))
        {
            return MAPPED_FILE_FAULT;
        }
        if (error instanceof LogCorruptionException || error instanceof SnapshotCorruptException)
        {
            return CORRUPT_DATA;
        }
        if (error instanceof DriverTimeoutException || error instanceof ConductorServiceTimeoutException ||
            error instanceof ClientTimeoutException || AeronException.isFatal(error))
        {
            return MEDIA_STOPPED;
        }
        return null;
    }
}
