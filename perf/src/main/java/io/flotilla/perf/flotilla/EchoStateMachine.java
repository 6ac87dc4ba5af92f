package io.flotilla.perf.flotilla;

import io.flotilla.engine.Response;
import io.flotilla.engine.SnapshotView;
import io.flotilla.engine.StateMachine;
import org.agrona.DirectBuffer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The benchmark's state machine: the response to a command, and the answer to a query, is its bytes, so the client gets
 * back the send time the harness wrote into them. Counts what it applied (read by the recovery test after a restart); the count is
 * its whole state, and its snapshot.
 */
public final class EchoStateMachine implements StateMachine
{
    private volatile long appliedCommands;


    public void apply(
        final long index,
        final long timestampNs,
        final DirectBuffer command,
        final int offset,
        final int length,
        final Response response)
    {
        response.buffer().putBytes(0, command, offset, length);
        response.ok(length);
        appliedCommands++;
    }

    public void query(final DirectBuffer query, final int offset, final int length, final Response response)
    {
        response.buffer().putBytes(0, query, offset, length);
        response.ok(length);
    }

    public SnapshotView snapshotView()
    {
        final long commands = appliedCommands;
        return (out) ->
        {
            final DataOutputStream data = new DataOutputStream(out);
            data.writeLong(commands);
            data.flush();
        };
    }

    public void loadSnapshot(final InputStream in) throws IOException
    {
        appliedCommands = new DataInputStream(in).readLong();
    }

    /**
     * @return commands applied since this instance was created, or since the snapshot loaded into it (any thread).
     */
    public long appliedCommands()
    {
        return appliedCommands;
    }
}
