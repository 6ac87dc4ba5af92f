package io.flotilla.engine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import org.agrona.DirectBuffer;

/**
 * A test state machine: counts commands and folds their bytes and indices into a running checksum, so two replicas
 * agree only if they applied the same commands in the same order. Responds with the count after the command.
 * Commands starting with the byte 'R' are rejected. Its whole state is four numbers, so its non-blocking snapshot
 * view is a copy of them; the blocking form can be chosen instead, to exercise a leader that must hand over first.
 */
public final class ChecksumStateMachine implements StateMachine
{
    private final boolean blockingSnapshots;
    private volatile long loadedSnapshots;
    private volatile long count;
    private volatile long checksum;
    private volatile long lastIndex;
    private volatile long lastTimestampNs;

    /**
     * A state machine with the non-blocking snapshot form.
     */
    public ChecksumStateMachine()
    {
        this(false);
    }

    /**
     * @param blockingSnapshots offer only the blocking snapshot form.
     */
    public ChecksumStateMachine(final boolean blockingSnapshots)
    {
        this.blockingSnapshots = blockingSnapshots;
    }

    public SnapshotView snapshotView()
    {
        if (blockingSnapshots)
        {
            return null;
        }
        final long[] state = { count, checksum, lastIndex, lastTimestampNs };
        return (out) -> write(out, state);
    }

    public void writeSnapshot(final OutputStream out) throws IOException
    {
        write(out, new long[]{ count, checksum, lastIndex, lastTimestampNs });
    }

    public void loadSnapshot(final InputStream in) throws IOException
    {
        final DataInputStream data = new DataInputStream(in);
        count = data.readLong();
        checksum = data.readLong();
        lastIndex = data.readLong();
        lastTimestampNs = data.readLong();
        loadedSnapshots++;
    }

    private static void write(final OutputStream out, final long[] state) throws IOException
    {
        final DataOutputStream data = new DataOutputStream(out);
        for (final long value : state)
        {
            data.writeLong(value);
        }
        data.flush();
    }

    /**
     * @return snapshots loaded into this instance (at restart or by an install).
     */
    public long loadedSnapshots()
    {
        return loadedSnapshots;
    }

    public void apply(
        final long index,
        final long timestampNs,
        final DirectBuffer command,
        final int offset,
        final int length,
        final Response response)
    {
        if (timestampNs < lastTimestampNs)
        {
            throw new IllegalStateException("leader timestamps went backwards at index " + index);
        }
        lastTimestampNs = timestampNs;
        long sum = checksum * 31 + index;
        for (int i = 0; i < length; i++)
        {
            sum = sum * 31 + command.getByte(offset + i);
        }
        checksum = sum;
        count = count + 1;
        lastIndex = index;

        response.buffer().putLong(0, count);
        if (length > 0 && command.getByte(offset) == 'R')
        {
            response.reject(8);
        }
        else
        {
            response.ok(8);
        }
    }

    public void onTimeAdvanced(final long index, final long timestampNs)
    {
        if (timestampNs < lastTimestampNs)
        {
            throw new IllegalStateException("leader timestamps went backwards at index " + index);
        }
        lastTimestampNs = timestampNs;
    }

    public long count()
    {
        return count;
    }

    public long checksum()
    {
        return checksum;
    }

    public long lastIndex()
    {
        return lastIndex;
    }
}
