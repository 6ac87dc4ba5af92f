package io.flotilla.perf.snapshot;

import io.flotilla.engine.Response;
import io.flotilla.engine.SnapshotView;
import io.flotilla.engine.StateMachine;
import io.flotilla.samples.KvStateMachine;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The latency-under-snapshot benchmark's state machine: a large KV state (the sample's {@link KvStateMachine}, with
 * its non-blocking snapshot) that the harness's load leaves alone. A command exactly as long as the harness's
 * messages is echoed, as {@code EchoStateMachine} does, so the client gets back its send time; every other command
 * is a KV command (the fill's puts are longer) and goes to the KV state. Snapshots are the KV state's.
 */
final class KvEchoStateMachine implements StateMachine
{
    private final KvStateMachine kv = new KvStateMachine();
    private final int echoLength;

    /**
     * @param echoLength the harness's message length; no KV command of the run may be this long.
     */
    KvEchoStateMachine(final int echoLength)
    {
        this.echoLength = echoLength;
    }

    public void apply(
        final long index,
        final long timestampNs,
        final DirectBuffer command,
        final int offset,
        final int length,
        final Response response)
    {
        if (echoLength == length)
        {
            kv.onTimeAdvanced(index, timestampNs);
            response.buffer().putBytes(0, command, offset, length);
            response.ok(length);
        }
        else
        {
            kv.apply(index, timestampNs, command, offset, length, response);
        }
    }

    public void onTimeAdvanced(final long index, final long timestampNs)
    {
        kv.onTimeAdvanced(index, timestampNs);
    }

    public SnapshotView snapshotView()
    {
        return kv.snapshotView();
    }

    public void writeSnapshot(final OutputStream out) throws IOException
    {
        kv.writeSnapshot(out);
    }

    public void loadSnapshot(final InputStream in) throws IOException
    {
        kv.loadSnapshot(in);
    }

    /**
     * @return the KV state's summary (any thread).
     */
    KvStateMachine.Summary summary()
    {
        return kv.summary();
    }
}
