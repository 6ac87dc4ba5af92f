package io.flotilla.perf.flotilla;

import io.flotilla.engine.Response;
import io.flotilla.engine.StateMachine;
import org.agrona.DirectBuffer;

/**
 * The benchmark's state machine: the response to a command is the command's bytes, so the client gets back the send
 * time the harness wrote into them. Counts what it applied (read by the recovery test after a restart).
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

    /**
     * @return commands applied since this instance was created (any thread).
     */
    public long appliedCommands()
    {
        return appliedCommands;
    }
}
