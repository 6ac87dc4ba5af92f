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
 * term, the configuration and the checksum, see {@code io.flotilla.archive.SnapshotStore}): a format version, the
 * replicated session table (so a retried request is still answered from its cached response, exactly once, after a
 * snapshot), then the state machine's own bytes to the end of the payload.
 */
final class SnapshotContent
{
    /** 2: each session carries its random id, key and principal. */
    static final int VERSION = 2;

    private SnapshotContent()
    {
    }

    /**
     * Serialise the session table now, on the node thread, at the index the snapshot is taken: it is small (at most
     * the open and remembered sessions with their response caches) and changes with every apply.
     *
     * @param sessions the replicated table.
     * @return the table's bytes.
     */
    static byte[] sessions(final SessionTable sessions)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try
        {
            final DataOutputStream out = new DataOutputStream(bytes);
            sessions.writeTo(out);
            out.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    /**
     * Write the version and the session table; the state machine's bytes follow on the same stream.
     *
     * @param payload  the snapshot file's payload stream.
     * @param sessions from {@link #sessions(SessionTable)}.
     * @throws IOException when writing fails.
     */
    static void writeHead(final OutputStream payload, final byte[] sessions) throws IOException
    {
        final DataOutputStream out = new DataOutputStream(payload);
        out.writeInt(VERSION);
        out.writeInt(sessions.length);
        out.write(sessions);
        out.flush();
    }

    /**
     * Replace the session table and the state machine with a snapshot's.
     *
     * @param payload      the verified payload stream of a snapshot file.
     * @param sessions     the table to replace.
     * @param stateMachine to load.
     * @param nowNs        local time, the loaded sessions' last activity.
     * @throws IOException when the payload is not one this runtime wrote.
     */
    static void load(
        final InputStream payload, final SessionTable sessions, final StateMachine stateMachine, final long nowNs)
        throws IOException
    {
        final DataInputStream in = new DataInputStream(new BufferedInputStream(payload, 64 * 1024));
        final int version = in.readInt();
        if (VERSION != version)
        {
            throw new IOException("snapshot content version " + version + " is not " + VERSION);
        }
        final int sessionsLength = in.readInt();
        if (sessionsLength < 0)
        {
            throw new IOException("snapshot session table length " + sessionsLength);
        }
        final byte[] table = new byte[sessionsLength];
        in.readFully(table);
        sessions.loadFrom(new DataInputStream(new ByteArrayInputStream(table)), nowNs);
        stateMachine.loadSnapshot(in);
    }
}
