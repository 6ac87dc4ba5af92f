package io.flotilla.engine;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * A test state machine that sends session messages of its own accord, as a matching engine sends fills: a command
 * names a target session and a count, and each message carries the target's running number, so a client that gets
 * every message once, in order, sees 1, 2, 3... in the payloads as in the sequences. The numbers are replicated
 * state (in its snapshots too). Read by the test thread while the node thread writes: every method is synchronized.
 */
public final class FillStateMachine implements StateMachine
{
    /** Bytes of a command: the target session id and the number of messages. */
    public static final int COMMAND_LENGTH = Long.BYTES + Integer.BYTES;
    /** The target session of a command sent to the session that sent it. */
    public static final long CALLER = -1;

    private final Map<Long, Long> sentPerSession = new HashMap<>();
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[Long.BYTES]);
    private StateMachineContext context;
    private long refused;
    private long loadedSnapshots;

    /**
     * @return a command sending {@code count} messages to session {@code sessionId}.
     */
    public static UnsafeBuffer fill(final long sessionId, final int count)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[COMMAND_LENGTH]);
        buffer.putLong(0, sessionId);
        buffer.putInt(Long.BYTES, count);
        return buffer;
    }

    public synchronized void onStart(final StateMachineContext context)
    {
        this.context = context;
    }

    public synchronized void apply(
        final long index,
        final long timestampNs,
        final DirectBuffer command,
        final int offset,
        final int length,
        final Response response)
    {
        if (COMMAND_LENGTH != length)
        {
            response.reject(0);
            return;
        }
        final long named = command.getLong(offset);
        final long target = CALLER == named ? context.commandSessionId() : named;
        final int count = command.getInt(offset + Long.BYTES);
        int sent = 0;
        for (int i = 0; i < count; i++)
        {
            final long next = sentPerSession.getOrDefault(target, 0L) + 1;
            message.putLong(0, next);
            final long sequence = context.sendToSession(target, message, 0, Long.BYTES);
            if (sequence < 0)
            {
                refused++;
                break;
            }
            if (sequence != next)
            {
                throw new IllegalStateException("session " + target + " message " + next + " got sequence " + sequence);
            }
            sentPerSession.put(target, next);
            sent++;
        }
        response.buffer().putInt(0, sent);
        response.ok(Integer.BYTES);
    }

    /**
     * @return messages sent to the session so far, as this replica applied them.
     */
    public synchronized long sent(final long sessionId)
    {
        return sentPerSession.getOrDefault(sessionId, 0L);
    }

    /**
     * @return sends refused (session not open, window full).
     */
    public synchronized long refused()
    {
        return refused;
    }

    public synchronized void writeSnapshot(final OutputStream out) throws IOException
    {
        final DataOutputStream data = new DataOutputStream(out);
        data.writeInt(sentPerSession.size());
        for (final Map.Entry<Long, Long> entry : sentPerSession.entrySet())
        {
            data.writeLong(entry.getKey());
            data.writeLong(entry.getValue());
        }
        data.writeLong(refused);
        data.flush();
    }

    public synchronized void loadSnapshot(final InputStream in) throws IOException
    {
        final DataInputStream data = new DataInputStream(in);
        sentPerSession.clear();
        for (int i = data.readInt(); i > 0; i--)
        {
            sentPerSession.put(data.readLong(), data.readLong());
        }
        refused = data.readLong();
        loadedSnapshots++;
    }

    /**
     * @return snapshots this instance loaded.
     */
    public synchronized long loadedSnapshots()
    {
        return loadedSnapshots;
    }
}
