package io.flotilla.codecs;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of {@link FrameValidator} on arbitrary bytes (docs/fault-testing.md, "Fuzzing"). The
 * validator must never throw, and its VALID must keep its promise: the generated decoder of the template the header
 * names reads every field, var data included, within the slice and ends exactly at its end; entry frames carry the
 * checksum an independent CRC32C computes and consecutive indices. A plain test run replays the seeds in
 * {@code FrameValidatorFuzzTestInputs/}; {@code scripts/fuzz.sh} fuzzes.
 */
class FrameValidatorFuzzTest
{
    private static final int HEADER = MessageHeaderDecoder.ENCODED_LENGTH;

    @Test
    void seedsAreCheckedIn() throws IOException
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final SeedCorpus messages = new SeedCorpus(FrameValidatorFuzzTest.class, "anyMessage");
        for (final int templateId : TestFrames.TEMPLATE_IDS)
        {
            messages.add("template-" + templateId, validSlice(buffer, TestFrames.encodeSample(templateId, buffer, 0)));
        }
        messages.add("append-entries-empty", validSlice(buffer, TestFrames.encodeAppendEntries(buffer, 0, 0, 0)));
        messages.verify();

        final SeedCorpus blocks = new SeedCorpus(FrameValidatorFuzzTest.class, "anyEntryBlock");
        blocks.add("one-entry", validBlock(buffer, TestFrames.encodeEntries(buffer, 0, 1, 13)));
        blocks.add("three-entries", validBlock(buffer, TestFrames.encodeEntries(buffer, 0, 3, 40)));
        blocks.add("empty-payload", validBlock(buffer, TestFrames.encodeEntries(buffer, 0, 1, 0)));
        blocks.verify();
    }

    @FuzzTest
    void anyMessage(final byte[] input)
    {
        // A buffer of exactly the input's length: any read past the slice is a bounds-check failure.
        final UnsafeBuffer buffer = new UnsafeBuffer(input);
        final FrameVerdict verdict = FrameValidator.validate(buffer, 0, input.length);
        assertNotNull(verdict);
        if (!verdict.isValid())
        {
            return;
        }

        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        final int templateId = header.templateId();
        assertEquals(input.length - HEADER, DecodeEveryField.decodedLength(templateId, buffer, header),
            "decoder of template " + templateId + " does not end at the end of a valid slice");

        switch (templateId)
        {
            case LogEntryDecoder.TEMPLATE_ID:
                assertEquals(input.length, EntryFrame.frameLength(buffer, 0));
                assertEntryKeepsPromises(input, buffer, 0, -1);
                break;

            case AppendEntriesDecoder.TEMPLATE_ID:
            {
                final AppendEntriesDecoder decoder = new AppendEntriesDecoder().wrapAndApplyHeader(buffer, 0, header);
                final int entriesOffset = decoder.limit() + AppendEntriesDecoder.entriesHeaderLength();
                final int count = assertBlockKeepsPromises(
                    input, buffer, entriesOffset, decoder.entriesLength(), decoder.prevLogIndex() + 1);
                assertEquals(decoder.entryCount(), count);
                break;
            }

            case SnapshotChunkDecoder.TEMPLATE_ID:
            {
                final SnapshotChunkDecoder decoder = new SnapshotChunkDecoder().wrapAndApplyHeader(buffer, 0, header);
                assertTrue(decoder.fileOffset() >= 0 &&
                    decoder.fileOffset() + decoder.dataLength() <= decoder.snapshotLength(), "chunk outside its file");
                break;
            }

            case NodeStateRecordDecoder.TEMPLATE_ID:
            case EarlierNodeStateRecordDecoder.TEMPLATE_ID:
            {
                final int covered = HEADER + NodeStateRecordDecoder.checksumEncodingOffset() + Integer.BYTES;
                assertEquals(crc32c(input, covered, input.length - covered),
                    buffer.getInt(HEADER + NodeStateRecordDecoder.checksumEncodingOffset(), LITTLE_ENDIAN));
                break;
            }

            default:
                break;
        }
    }

    @FuzzTest
    void anyEntryBlock(final byte[] input)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(input);
        if (FrameValidator.validateEntries(buffer, 0, input.length, -1).isValid())
        {
            assertBlockKeepsPromises(input, buffer, 0, input.length, -1);
        }

        // Recovery walks frame by frame without knowing where a frame ends.
        if (FrameValidator.validateEntryAt(buffer, 0, input.length, -1).isValid())
        {
            assertTrue(EntryFrame.frameLength(buffer, 0) <= input.length);
            assertEntryKeepsPromises(input, buffer, 0, -1);
        }
    }

    private static byte[] validSlice(final UnsafeBuffer buffer, final int length)
    {
        assertEquals(FrameVerdict.VALID, FrameValidator.validate(buffer, 0, length));
        return Arrays.copyOf(buffer.byteArray(), length);
    }

    private static byte[] validBlock(final UnsafeBuffer buffer, final int length)
    {
        assertEquals(FrameVerdict.VALID, FrameValidator.validateEntries(buffer, 0, length, -1));
        return Arrays.copyOf(buffer.byteArray(), length);
    }

    /**
     * @return the number of entries in the block.
     */
    private static int assertBlockKeepsPromises(
        final byte[] input, final UnsafeBuffer buffer, final int offset, final int length, final long firstIndex)
    {
        int count = 0;
        long expectedIndex = firstIndex;
        long previousTerm = 1;
        for (int position = offset, end = offset + length; position < end; count++)
        {
            assertTrue(FrameValidator.validateEntryAt(buffer, position, end - position, expectedIndex).isValid());
            assertEntryKeepsPromises(input, buffer, position, expectedIndex);
            assertTrue(EntryFrame.term(buffer, position) >= previousTerm, "terms decrease within a valid block");
            previousTerm = EntryFrame.term(buffer, position);
            expectedIndex = EntryFrame.index(buffer, position) + 1;
            position += EntryFrame.frameLength(buffer, position);
            assertTrue(position <= end, "a valid block's last frame runs past the block");
        }
        return count;
    }

    private static void assertEntryKeepsPromises(
        final byte[] input, final UnsafeBuffer buffer, final int offset, final long expectedIndex)
    {
        final int frameLength = EntryFrame.frameLength(buffer, offset);
        assertEquals(crc32c(input, offset + EntryFrame.CHECKSUM_COVERAGE_OFFSET,
            frameLength - EntryFrame.CHECKSUM_COVERAGE_OFFSET), EntryFrame.checksum(buffer, offset));
        assertNotNull(EntryFrame.type(buffer, offset));
        assertTrue(EntryFrame.index(buffer, offset) >= 1 && EntryFrame.term(buffer, offset) >= 1);
        if (expectedIndex >= 0)
        {
            assertEquals(expectedIndex, EntryFrame.index(buffer, offset));
        }

        final byte[] payload = new byte[EntryFrame.payloadLength(buffer, offset)];
        buffer.getBytes(EntryFrame.payloadOffset(offset), payload);
        new LogEntryDecoder().wrap(buffer, offset + HEADER, LogEntryDecoder.BLOCK_LENGTH, LogEntryDecoder.SCHEMA_VERSION)
            .appendTo(new StringBuilder());
    }

    private static int crc32c(final byte[] bytes, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int)crc.getValue();
    }
}
