package io.flotilla.engine.node;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;

/**
 * A fuzz input read as a sequence of messages, so one input can walk a node through several steps: each message is a
 * little-endian uint16 length and that many bytes (a length past the end takes what is left). Each message is handed
 * over in a buffer of exactly its length, so a read past it fails the bounds check.
 */
final class FramedInput
{
    /**
     * Receives one message of a fuzz input.
     */
    @FunctionalInterface
    interface MessageHandler
    {
        void onMessage(DirectBuffer buffer, int length);
    }

    private FramedInput()
    {
    }

    static void forEachMessage(final byte[] input, final MessageHandler handler)
    {
        int position = 0;
        while (position + 2 <= input.length)
        {
            final int declared = (input[position] & 0xFF) | (input[position + 1] & 0xFF) << 8;
            position += 2;
            final int length = Math.min(declared, input.length - position);
            handler.onMessage(new UnsafeBuffer(input, position, length), length);
            position += length;
        }
    }

    /**
     * Writes seeds in the same framing.
     */
    static final class Builder
    {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Builder add(final DirectBuffer buffer, final int length)
        {
            bytes.write(length & 0xFF);
            bytes.write(length >>> 8);
            final byte[] message = new byte[length];
            buffer.getBytes(0, message);
            bytes.writeBytes(message);
            return this;
        }

        byte[] toByteArray()
        {
            return bytes.toByteArray();
        }
    }
}
