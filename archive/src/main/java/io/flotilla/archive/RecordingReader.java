package io.flotilla.archive;

import io.aeron.archive.client.AeronArchive;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.protocol.DataHeaderFlyweight;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.FrameValidator;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Reads the messages of an inactive recording straight from its segment files (memory-mapped, read-only),
 * reassembling fragmented messages and checking every Aeron frame header on the way. Used by recovery, which
 * must name the file and position of any damage, and by the blocking startup replay. Never used on a recording
 * that is being extended.
 */
final class RecordingReader implements AutoCloseable
{
    /**
     * Receives one complete message (one log entry frame).
     */
    @FunctionalInterface
    interface MessageHandler
    {
        /**
         * @param buffer      holding the message.
         * @param offset      of the message.
         * @param length      of the message.
         * @param position    recording position of the message's first frame.
         * @param endPosition recording position just after the message's last frame.
         * @return null to accept the message and go on, or the reason it is rejected (stops the read).
         */
        String onMessage(DirectBuffer buffer, int offset, int length, long position, long endPosition);
    }

    private final File archiveDir;
    private final long recordingId;
    private final long startPosition;
    private final int termLength;
    private final int segmentLength;
    private final UnsafeBuffer segment = new UnsafeBuffer(0, 0);
    private final ExpandableDirectByteBuffer assembly = new ExpandableDirectByteBuffer(64 * 1024);
    private MappedByteBuffer mapped;
    private long mappedBasePosition = -1;
    private int mappedLength;

    private long failurePosition = -1;
    private String failureReason;

    RecordingReader(
        final File archiveDir, final long recordingId, final long startPosition, final int termLength, final int segmentLength)
    {
        this.archiveDir = archiveDir;
        this.recordingId = recordingId;
        this.startPosition = startPosition;
        this.termLength = termLength;
        this.segmentLength = segmentLength;
    }

    /**
     * Read the messages in {@code [fromPosition, toPosition)}, which must start on a message boundary.
     *
     * @param fromPosition first message's position.
     * @param toPosition   end of the range.
     * @param handler      of each message.
     * @return the end position of the last message accepted; less than {@code toPosition} when the read stopped,
     * and then {@link #failurePosition()} and {@link #failureReason()} say where and why.
     */
    long read(final long fromPosition, final long toPosition, final MessageHandler handler)
    {
        failurePosition = -1;
        failureReason = null;
        long position = fromPosition;
        long acceptedEnd = fromPosition;
        long messageStart = -1;
        int assembled = 0;

        while (position < toPosition)
        {
            final int offset = mapSegmentFor(position);
            if (offset < 0)
            {
                return fail(position, "segment file missing");
            }
            if (offset + DataHeaderFlyweight.HEADER_LENGTH > mappedLength)
            {
                return fail(position, "segment file ends inside a frame header (file length " + mappedLength + ")");
            }

            final int frameLength = segment.getInt(offset, LITTLE_ENDIAN);
            final int alignedLength = BitUtil.align(frameLength, FrameDescriptor.FRAME_ALIGNMENT);
            if (frameLength < DataHeaderFlyweight.HEADER_LENGTH || alignedLength > termLength)
            {
                return fail(acceptedEnd, 0 == frameLength ? "no frame at position " + position :
                    "bad frame length " + frameLength + " at position " + position);
            }
            if (offset + alignedLength > mappedLength || position + alignedLength > toPosition)
            {
                return fail(acceptedEnd, "frame at position " + position + " of length " + frameLength +
                    " runs past the end of the " + (position + alignedLength > toPosition ? "recording" : "file"));
            }
            if (segment.getInt(offset + DataHeaderFlyweight.TERM_OFFSET_FIELD_OFFSET, LITTLE_ENDIAN) !=
                (int)(position & (termLength - 1)))
            {
                return fail(acceptedEnd, "frame header at position " + position + " carries the wrong term offset");
            }

            final int type = segment.getShort(offset + 6, LITTLE_ENDIAN) & 0xFFFF;
            if (DataHeaderFlyweight.HDR_TYPE_DATA == type)
            {
                final int flags = segment.getByte(offset + 5) & 0xFF;
                final int dataOffset = offset + DataHeaderFlyweight.HEADER_LENGTH;
                final int dataLength = frameLength - DataHeaderFlyweight.HEADER_LENGTH;
                final boolean begin = 0 != (flags & DataHeaderFlyweight.BEGIN_FLAG);
                final boolean end = 0 != (flags & DataHeaderFlyweight.END_FLAG);
                if (begin && end)
                {
                    if (messageStart >= 0)
                    {
                        return fail(acceptedEnd, "unfinished fragmented message before position " + position);
                    }
                    final String reason = handler.onMessage(segment, dataOffset, dataLength, position, position + alignedLength);
                    if (null != reason)
                    {
                        return fail(acceptedEnd, reason + " (message at position " + position + ")");
                    }
                    acceptedEnd = position + alignedLength;
                }
                else if (begin || messageStart >= 0)
                {
                    if (begin)
                    {
                        if (messageStart >= 0)
                        {
                            return fail(acceptedEnd, "unfinished fragmented message before position " + position);
                        }
                        messageStart = position;
                        assembled = 0;
                    }
                    assembly.putBytes(assembled, segment, dataOffset, dataLength);
                    assembled += dataLength;
                    if (end)
                    {
                        final String reason = handler.onMessage(assembly, 0, assembled, messageStart, position + alignedLength);
                        if (null != reason)
                        {
                            return fail(acceptedEnd, reason + " (message at position " + messageStart + ")");
                        }
                        messageStart = -1;
                        acceptedEnd = position + alignedLength;
                    }
                }
                else
                {
                    return fail(acceptedEnd, "middle fragment without a first fragment at position " + position);
                }
            }
            else if (DataHeaderFlyweight.HDR_TYPE_PAD != type)
            {
                return fail(acceptedEnd, "unknown frame type " + type + " at position " + position);
            }
            else if (messageStart < 0)
            {
                acceptedEnd = position + alignedLength; // padding to the end of a term belongs to what precedes it
            }

            position += alignedLength;
        }

        return messageStart >= 0 ? fail(acceptedEnd, "recording ends inside a fragmented message") : acceptedEnd;
    }

    /**
     * Look for any well-formed log entry with an index above {@code minIndex} in {@code [fromPosition, toPosition)},
     * trying every frame-aligned position: used to tell a torn tail (nothing valid after the damage) from
     * corruption in the middle of the log. Entries fragmented by Aeron (larger than the MTU) are not contiguous
     * in the file and are not seen here; any unfragmented one after the damage is.
     *
     * @param fromPosition where the damage is.
     * @param toPosition   end of the recording.
     * @param minIndex     index of the last valid entry before the damage.
     * @return position of a valid entry frame's Aeron frame, or -1 when there is none.
     */
    long findValidEntryAfter(final long fromPosition, final long toPosition, final long minIndex)
    {
        final long first = BitUtil.align(fromPosition, FrameDescriptor.FRAME_ALIGNMENT);
        for (long position = first; position < toPosition; position += FrameDescriptor.FRAME_ALIGNMENT)
        {
            // Judge by the entry frame alone, so a damaged Aeron header before a valid entry does not hide it.
            final int offset = mapSegmentFor(position);
            final int dataOffset = offset + DataHeaderFlyweight.HEADER_LENGTH;
            if (offset < 0 || dataOffset + EntryFrame.HEADER_LENGTH > mappedLength)
            {
                continue;
            }
            final int payloadLength = EntryFrame.payloadLength(segment, dataOffset);
            if (payloadLength < 0 || payloadLength > mappedLength - dataOffset - EntryFrame.HEADER_LENGTH)
            {
                continue;
            }
            final int entryLength = EntryFrame.HEADER_LENGTH + payloadLength;
            if (FrameValidator.validateEntries(segment, dataOffset, entryLength, -1).isValid() &&
                EntryFrame.index(segment, dataOffset) > minIndex)
            {
                return position;
            }
        }

        return -1;
    }

    /**
     * @param position in the recording.
     * @return the segment file holding that position.
     */
    File segmentFile(final long position)
    {
        return new File(archiveDir, recordingId + "-" + segmentBasePosition(position) + ".rec");
    }

    long failurePosition()
    {
        return failurePosition;
    }

    String failureReason()
    {
        return failureReason;
    }

    public void close()
    {
        unmap();
    }

    private long fail(final long position, final String reason)
    {
        failurePosition = position;
        failureReason = reason;
        return position;
    }

    private long segmentBasePosition(final long position)
    {
        return AeronArchive.segmentFileBasePosition(startPosition, position, termLength, segmentLength);
    }

    private int mapSegmentFor(final long position)
    {
        final long basePosition = segmentBasePosition(position);
        if (basePosition != mappedBasePosition)
        {
            unmap();
            final File file = segmentFile(position);
            if (!file.exists())
            {
                return -1;
            }
            mapped = IoUtil.mapExistingFile(file, FileChannel.MapMode.READ_ONLY, "segment");
            mappedLength = mapped.capacity();
            segment.wrap(mapped);
            mappedBasePosition = basePosition;
        }

        return (int)(position - basePosition);
    }

    private void unmap()
    {
        if (null != mapped)
        {
            IoUtil.unmap(mapped);
            mapped = null;
            segment.wrap(0, 0);
            mappedBasePosition = -1;
        }
    }
}
