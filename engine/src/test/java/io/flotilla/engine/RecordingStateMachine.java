package io.flotilla.engine;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test state machine that remembers every command it applied (as ASCII text), so a test can check that each
 * acknowledged command is on a replica. Answers a command and a query with the count of commands applied (8 bytes);
 * rejects a command or query starting with 'R'. {@link #failOnNextApply()} makes this replica (only this one) throw
 * on its next command, so its node stops itself.
 */
public final class RecordingStateMachine implements StateMachine
{
    private final Set<String> applied = ConcurrentHashMap.newKeySet();
    private volatile long count;
    private volatile boolean failOnNextApply;

    public void apply(
        final long index,
        final long timestampNs,
        final DirectBuffer command,
        final int offset,
        final int length,
        final Response response)
    {
        if (failOnNextApply)
        {
            throw new IllegalStateException("this replica fails on purpose at index " + index);
        }
        applied.add(command.getStringWithoutLengthAscii(offset, length));
        count = count + 1;
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

    public void query(final DirectBuffer query, final int offset, final int length, final Response response)
    {
        if (length > 0 && query.getByte(offset) == 'R')
        {
            response.reject(response.buffer().putStringWithoutLengthAscii(0, "refused"));
            return;
        }
        response.buffer().putLong(0, count);
        response.ok(8);
    }

    /**
     * @return whether this replica applied the command.
     */
    public boolean hasApplied(final String command)
    {
        return applied.contains(command);
    }

    public long count()
    {
        return count;
    }

    /**
     * Make this replica throw on its next command.
     */
    public void failOnNextApply()
    {
        failOnNextApply = true;
    }

    /**
     * @return the ASCII bytes of a command.
     */
    public static byte[] bytes(final String command)
    {
        return command.getBytes(StandardCharsets.US_ASCII);
    }
}
