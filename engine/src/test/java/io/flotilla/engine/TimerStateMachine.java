package io.flotilla.engine;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A test state machine that schedules and cancels timers from its commands and records, as replicated state (so in
 * its snapshots too), every timer that fired and every session event: a replica that restarted or installed a
 * snapshot must hold the same record as one that applied the whole log. Commands are 17 bytes: an op ('S' schedule,
 * 'C' cancel), a correlation id and a delay in nanoseconds after the command's timestamp. Read by the test thread
 * while the node thread writes: every method is synchronized.
 */
public final class TimerStateMachine implements StateMachine
{
    /** Bytes of a command. */
    public static final int COMMAND_LENGTH = 17;

    private StateMachineContext context;
    private final Map<Long, Long> deadlines = new HashMap<>();
    private final List<String> fires = new ArrayList<>();
    private final List<String> sessionEvents = new ArrayList<>();
    private final Map<Long, Integer> fireCounts = new HashMap<>();
    private long loadedSnapshots;
    private String failure;

    /**
     * @return a command scheduling timer {@code correlationId} {@code delayNs} after the command's timestamp.
     */
    public static UnsafeBuffer schedule(final long correlationId, final long delayNs)
    {
        return command((byte)'S', correlationId, delayNs);
    }

    /**
     * @return a command cancelling timer {@code correlationId}.
     */
    public static UnsafeBuffer cancel(final long correlationId)
    {
        return command((byte)'C', correlationId, 0);
    }

    private static UnsafeBuffer command(final byte op, final long correlationId, final long delayNs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[COMMAND_LENGTH]);
        buffer.putByte(0, op);
        buffer.putLong(1, correlationId);
        buffer.putLong(9, delayNs);
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
            response.ok(0);
            return;
        }
        final long correlationId = command.getLong(offset + 1);
        if ('S' == command.getByte(offset))
        {
            final long deadline = timestampNs + command.getLong(offset + 9);
            context.scheduleTimer(correlationId, deadline);
            deadlines.put(correlationId, deadline);
            response.ok(0);
        }
        else
        {
            final boolean scheduled = context.cancelTimer(correlationId);
            if (scheduled != (null != deadlines.remove(correlationId)))
            {
                failure = "cancel of " + correlationId + " at " + index + " answered " + scheduled;
            }
            response.buffer().putByte(0, (byte)(scheduled ? 1 : 0));
            response.ok(1);
        }
    }

    public synchronized void onTimer(final long index, final long timestampNs, final long correlationId)
    {
        final Long deadline = deadlines.remove(correlationId);
        if (null == deadline || timestampNs < deadline)
        {
            failure = "timer " + correlationId + " fired at index " + index + " time " + timestampNs +
                ", scheduled for " + deadline;
        }
        fires.add(index + ":" + correlationId);
        fireCounts.merge(correlationId, 1, Integer::sum);
    }

    public synchronized void onSessionOpen(
        final long index, final long timestampNs, final long sessionId, final String principal)
    {
        sessionEvents.add(index + ":open:" + sessionId + ":" + principal);
    }

    public synchronized void onSessionClose(
        final long index, final long timestampNs, final long sessionId, final SessionCloseReason reason)
    {
        sessionEvents.add(index + ":close:" + sessionId + ":" + reason);
    }

    /**
     * Answers whether a timer may be scheduled from a query: it must not ('N' when refused).
     */
    public synchronized void query(final DirectBuffer query, final int offset, final int length, final Response response)
    {
        byte answer;
        try
        {
            context.scheduleTimer(-1, 0);
            answer = 'Y';
        }
        catch (final IllegalStateException ex)
        {
            answer = 'N';
        }
        response.buffer().putByte(0, answer);
        response.ok(1);
    }

    public synchronized SnapshotView snapshotView()
    {
        final byte[] state = state();
        return (out) -> out.write(state);
    }

    public synchronized void writeSnapshot(final OutputStream out) throws IOException
    {
        out.write(state());
    }

    public synchronized void loadSnapshot(final InputStream in) throws IOException
    {
        final DataInputStream data = new DataInputStream(in);
        deadlines.clear();
        fires.clear();
        sessionEvents.clear();
        fireCounts.clear();
        for (int i = 0, n = data.readInt(); i < n; i++)
        {
            deadlines.put(data.readLong(), data.readLong());
        }
        for (int i = 0, n = data.readInt(); i < n; i++)
        {
            fires.add(data.readUTF());
        }
        for (int i = 0, n = data.readInt(); i < n; i++)
        {
            sessionEvents.add(data.readUTF());
        }
        for (int i = 0, n = data.readInt(); i < n; i++)
        {
            fireCounts.put(data.readLong(), data.readInt());
        }
        loadedSnapshots++;
    }

    private byte[] state()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try
        {
            final DataOutputStream data = new DataOutputStream(bytes);
            data.writeInt(deadlines.size());
            for (final Map.Entry<Long, Long> entry : deadlines.entrySet())
            {
                data.writeLong(entry.getKey());
                data.writeLong(entry.getValue());
            }
            data.writeInt(fires.size());
            for (final String fire : fires)
            {
                data.writeUTF(fire);
            }
            data.writeInt(sessionEvents.size());
            for (final String event : sessionEvents)
            {
                data.writeUTF(event);
            }
            data.writeInt(fireCounts.size());
            for (final Map.Entry<Long, Integer> entry : fireCounts.entrySet())
            {
                data.writeLong(entry.getKey());
                data.writeInt(entry.getValue());
            }
            data.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    /**
     * @return every fire so far, "index:correlationId", in order.
     */
    public synchronized List<String> fires()
    {
        return new ArrayList<>(fires);
    }

    /**
     * @return how often a timer fired (0 for never).
     */
    public synchronized int fireCount(final long correlationId)
    {
        return fireCounts.getOrDefault(correlationId, 0);
    }

    /**
     * @return every session event so far, "index:open:sessionId:principal" or "index:close:sessionId:REASON".
     */
    public synchronized List<String> sessionEvents()
    {
        return new ArrayList<>(sessionEvents);
    }

    public synchronized long loadedSnapshots()
    {
        return loadedSnapshots;
    }

    /**
     * @return the first rule broken (a timer fired unscheduled or early, a cancel that answered wrong), or null.
     */
    public synchronized String failure()
    {
        return failure;
    }
}
