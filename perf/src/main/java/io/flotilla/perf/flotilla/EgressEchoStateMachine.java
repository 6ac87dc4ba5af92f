package io.flotilla.perf.flotilla;

import io.flotilla.engine.Response;
import io.flotilla.engine.SnapshotView;
import io.flotilla.engine.StateMachine;
import io.flotilla.engine.StateMachineContext;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.InputStream;

/**
 * The state machine of the {@code flotilla-egress} target: a command is answered with an empty response, and its
 * bytes go back to the session that sent it as a session message ({@link StateMachineContext#sendToSession}), so the
 * harness measures a message the state machine sends of its own accord (a fill) from the command's send time to the
 * message's arrival. It keeps no state.
 */
public final class EgressEchoStateMachine implements StateMachine
{
    private StateMachineContext context;

    public void onStart(final StateMachineContext context)
    {
        this.context = context;
    }

    public void apply(
        final long index,
        final long timestampNs,
        final DirectBuffer command,
        final int offset,
        final int length,
        final Response response)
    {
        context.sendToSession(context.commandSessionId(), command, offset, length);
        response.ok(0);
    }

    public SnapshotView snapshotView()
    {
        // Nothing to write: the runtime's part of the snapshot (the sessions and their messages) is all there is.
        return (out) ->
        {
        };
    }

    public void loadSnapshot(final InputStream in) throws IOException
    {
        // Nothing to read.
    }
}
