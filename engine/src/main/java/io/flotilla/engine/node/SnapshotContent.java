package io.flotilla.engine.node;

import io.flotilla.engine.StateMachine;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * What the runtime puts in a snapshot file's payload (the file's header already holds the last included index and
 * term, the configuration and the checksum, which covers all of this, see {@code io.flotilla.archive.SnapshotStore}):
 * <pre>
 *   int     format version (5)
 *   int     length of the session table, then the table: the replicated sessions (so a retried request is still
 *           answered from its cached response, exactly once, after a snapshot), each with the session messages
 *           its client has not acknowledged (so a new leader can send them again)
 *   long    cluster time: the leader timestamp of the last entry the snapshot covers
 *   int     number of timers, then each timer's correlation id and deadline (long, long)
 *   int     length of the configuration, then the configuration as of the snapshot's index: members, learners and
 *           their endpoints (a {@code ConfigPayload})
 *   ...     the state machine's own bytes, to the end of the payload
 * </pre>
 * Version 4 (written before membership changes) has no configuration: its members are the file header's, reached at
 * the members spec's endpoints. Version 3 (written before session messages) has none in its sessions, and version 2 (written before timers) no
 * cluster time and no timers either; both still load, with nothing retained and no timers scheduled.
 */
final class SnapshotContent
{
    /** 5: the configuration after the timers. */
    static final int VERSION = 5;
    /** 4: each session carries its unacknowledged session messages. */
    static final int VERSION_WITHOUT_CONFIGURATION = 4;
    /** 3: cluster time and the timer table after the session table. */
    static final int VERSION_WITHOUT_EGRESS = 3;
    /** 2: each session carries its random id, key and principal. */
    static final int VERSION_WITHOUT_TIMERS = 2;

    private SnapshotContent()
    {
    }

    /**
     * Serialise the runtime's replicated state now, on the node thread, at the index the snapshot is taken: it is
     * small (at most the open and remembered sessions with their response caches, and the timers) and changes with
     * every apply.
     *
     * @param sessions      the replicated session table.
     * @param clusterTimeNs timestamp of the last applied entry.
     * @param timers        the replicated timer table.
     * @param configuration the configuration as of the applied index.
     * @return everything that follows the version.
     */
    static byte[] head(
        final SessionTable sessions,
        final long clusterTimeNs,
        final TimerTable timers,
        final AppliedConfiguration configuration)
    {
        try
        {
            final ByteArrayOutputStream table = new ByteArrayOutputStream(4096);
            final DataOutputStream tableOut = new DataOutputStream(table);
            sessions.writeTo(tableOut);
            tableOut.flush();

            final ByteArrayOutputStream bytes = new ByteArrayOutputStream(table.size() + 64);
            final DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(table.size());
            table.writeTo(out);
            out.writeLong(clusterTimeNs);
            timers.writeTo(out);
            configuration.writeTo(out);
            out.flush();
            return bytes.toByteArray();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Write the version and the runtime's state; the state machine's bytes follow on the same stream.
     *
     * @param payload the snapshot file's payload stream.
     * @param head    from {@link #head}.
     * @throws IOException when writing fails.
     */
    static void writeHead(final OutputStream payload, final byte[] head) throws IOException
    {
        final DataOutputStream out = new DataOutputStream(payload);
        out.writeInt(VERSION);
        out.write(head);
        out.flush();
    }

    /**
     * Replace the session table, the timer table, the configuration and the state machine with a snapshot's.
     *
     * @param payload       the verified payload stream of a snapshot file.
     * @param index         the snapshot's last included index.
     * @param headerVoters  the members in the file's header (the configuration of a version 4 snapshot or older).
     * @param sessions      the table to replace.
     * @param timers        the timers to replace.
     * @param configuration the configuration to replace.
     * @param stateMachine  to load.
     * @param nowNs        local time, the loaded sessions' last activity.
     * @return the snapshot's cluster time, 0 for a snapshot written before it was recorded.
     * @throws IOException when the payload is not one this runtime wrote.
     */
    static long load(
        final InputStream payload,
        final long index,
        final int[] headerVoters,
        final SessionTable sessions,
        final TimerTable timers,
        final AppliedConfiguration configuration,
        final StateMachine stateMachine,
        final long nowNs)
        throws IOException
    {
        final DataInputStream in = new DataInputStream(new BufferedInputStream(payload, 64 * 1024));
        final int version = in.readInt();
        if (version < VERSION_WITHOUT_TIMERS || version > VERSION)
        {
            throw new IOException("snapshot content version " + version + " is not one this build reads (" +
                VERSION_WITHOUT_TIMERS + " to " + VERSION + ")");
        }
        final int sessionsLength = in.readInt();
        if (sessionsLength < 0)
        {
            throw new IOException("snapshot session table length " + sessionsLength);
        }
        final byte[] table = new byte[sessionsLength];
        in.readFully(table);
        sessions.loadFrom(
            new DataInputStream(new ByteArrayInputStream(table)), version >= VERSION_WITHOUT_CONFIGURATION, nowNs);
        long clusterTimeNs = 0;
        if (VERSION_WITHOUT_TIMERS != version)
        {
            clusterTimeNs = in.readLong();
            timers.loadFrom(in);
        }
        else
        {
            timers.clear();
        }
        if (VERSION == version)
        {
            configuration.loadFrom(in, index);
        }
        else
        {
            configuration.loadVoters(headerVoters, index);
        }
        stateMachine.loadSnapshot(in);
        return clusterTimeNs;
    }
}
