package io.flotilla.engine;

import org.agrona.MutableDirectBuffer;

/**
 * Where a {@link StateMachine} writes the response to the command it applies. Reused for every command.
 */
public interface Response
{
    /**
     * @return the buffer to write the response payload into, from offset 0.
     */
    MutableDirectBuffer buffer();

    /**
     * The command succeeded; the response is the first {@code length} bytes of {@link #buffer()}.
     *
     * @param length of the response payload.
     */
    void ok(int length);

    /**
     * The command was refused by the state machine's own rules (the client sees REJECTED); the payload, for
     * example a reason, is the first {@code length} bytes of {@link #buffer()}.
     *
     * @param length of the response payload.
     */
    void reject(int length);
}
