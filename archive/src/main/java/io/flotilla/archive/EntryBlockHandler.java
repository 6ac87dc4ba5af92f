package io.flotilla.archive;

import org.agrona.DirectBuffer;

/**
 * Receives a contiguous block of log entry frames, exactly as stored. The buffer is only valid during the call.
 */
@FunctionalInterface
public interface EntryBlockHandler
{
    /**
     * @param buffer     holding the frames.
     * @param offset     of the first frame.
     * @param length     of the block in bytes.
     * @param firstIndex log index of the first frame.
     * @param lastIndex  log index of the last frame.
     */
    void onEntries(DirectBuffer buffer, int offset, int length, long firstIndex, long lastIndex);
}
