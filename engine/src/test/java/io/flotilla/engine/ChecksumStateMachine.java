package io.flotilla.engine;

import org.agrona.DirectBuffer;

/**
 * A test state machine: counts commands and folds their bytes and indices into a running checksum, so two replicas
 * agree only if they applied the same commands in the same order. Responds with the count after the command.
 * Commands starting with the byte 'R' are rejected.
 */
public final class ChecksumStateMachine implements StateMachine
{
    private volatile long count;
    private volatile long checksum;
    private volatile long lastIndex;
    private volatile long lastTimestampNs;

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
