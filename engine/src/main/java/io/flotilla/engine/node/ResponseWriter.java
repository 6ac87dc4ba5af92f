package io.flotilla.engine.node;

import io.flotilla.codecs.ResponseStatus;
import io.flotilla.engine.Response;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The {@link Response} handed to the state machine, reused for every command. A command that neither calls
 * {@link #ok} nor {@link #reject} answers OK with an empty payload.
 */
final class ResponseWriter implements Response
{
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private ResponseStatus status;
    private int length;

    void reset()
    {
        status = ResponseStatus.OK;
        length = 0;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public void ok(final int length)
    {
        set(ResponseStatus.OK, length);
    }

    public void reject(final int length)
    {
        set(ResponseStatus.REJECTED, length);
    }

    ResponseStatus status()
    {
        return status;
    }

    int length()
    {
        return length;
    }

    private void set(final ResponseStatus status, final int length)
    {
        if (length < 0 || length > buffer.capacity())
        {
            throw new IllegalArgumentException(
                "response length " + length + " outside 0.." + buffer.capacity() + " of the response buffer");
        }
        this.status = status;
        this.length = length;
    }
}
