package com.example.counter;

import io.flotilla.engine.Response;
import io.flotilla.engine.StateMachine;
import org.agrona.DirectBuffer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A replicated counter: a command is a long to add, and its answer is the new total. Every node applies the same
 * commands in the same order, so every node holds the same total.
 */
public final class Counter implements StateMachine
{
    private long total;

    public void apply(
        final long index,
        final long timestampNs,
        final DirectBuffer command,
        final int offset,
        final int length,
        final Response response)
    {
        total += command.getLong(offset);
        response.buffer().putLong(0, total);
        response.ok(Long.BYTES);
    }

    public void writeSnapshot(final OutputStream out) throws IOException
    {
        new DataOutputStream(out).writeLong(total);
    }

    public void loadSnapshot(final InputStream in) throws IOException
    {
        total = new DataInputStream(in).readLong();
    }
}
