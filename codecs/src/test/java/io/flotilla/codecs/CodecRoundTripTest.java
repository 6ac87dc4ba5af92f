package io.flotilla.codecs;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecRoundTripTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4 * 1024 * 1024));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 32, 4096, EntryFrame.MAX_PAYLOAD_LENGTH })
    void entryFrameRoundTripsAtBoundaryPayloadLengths(final int payloadLength)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[Math.max(1, payloadLength)]);
        for (int i = 0; i < payloadLength; i++)
        {
            payload.putByte(i, (byte)(i * 31));
        }

        final int offset = 3; // unaligned on purpose
        final int length = EntryFrame.encode(
            buffer, offset, Long.MAX_VALUE, FrameValidator.MAX_TERM, Long.MIN_VALUE, EntryType.COMMAND,
            Long.MAX_VALUE, Long.MIN_VALUE, payload, 0, payloadLength);

        assertEquals(EntryFrame.frameLength(payloadLength), length);
        assertEquals(length, EntryFrame.frameLength(buffer, offset));
        assertEquals(FrameVerdict.VALID, FrameValidator.validate(buffer, offset, length));

        final LogEntryDecoder decoder = new LogEntryDecoder().wrapAndApplyHeader(buffer, offset, headerDecoder);
        assertEquals(Long.MAX_VALUE, decoder.index());
        assertEquals(FrameValidator.MAX_TERM, decoder.term(), "the highest term a valid entry has");
        assertEquals(Long.MIN_VALUE, decoder.timestamp());
        assertEquals(EntryType.COMMAND, decoder.entryType());
        assertEquals(Long.MAX_VALUE, decoder.sessionId());
        assertEquals(Long.MIN_VALUE, decoder.sequence());
        assertEquals(payloadLength, decoder.payloadLength());
        assertEquals(EntryFrame.payloadOffset(offset), offset + EntryFrame.HEADER_LENGTH);
        for (int i = 0; i < payloadLength; i++)
        {
            assertEquals((byte)(i * 31), buffer.getByte(EntryFrame.payloadOffset(offset) + i));
        }
    }

    @Test
    void entryFrameRejectsOversizedPayload()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[EntryFrame.MAX_PAYLOAD_LENGTH + 1]);
        assertThrows(IllegalArgumentException.class, () -> EntryFrame.encode(
            buffer, 0, 1, 1, 0, EntryType.NOOP, 0, 0, payload, 0, EntryFrame.MAX_PAYLOAD_LENGTH + 1));
    }

    @Test
    void heapAndDirectBuffersComputeTheSameChecksum()
    {
        final UnsafeBuffer heap = new UnsafeBuffer(new byte[1024]);
        final int length = TestFrames.encodeEntries(heap, 0, 1, 200);
        buffer.putBytes(100, heap, 0, length);

        assertEquals(EntryFrame.checksum(heap, 0), EntryFrame.checksum(buffer, 100));
        assertTrue(EntryFrame.isChecksumValid(buffer, 100, length));

        final java.util.zip.CRC32C reference = new java.util.zip.CRC32C();
        reference.update(heap.byteArray(), 12, length - 12);
        assertEquals((int)reference.getValue(), EntryFrame.checksum(heap, 0));
    }

    @Test
    void appendEntriesCarriesEntryFramesUnchanged()
    {
        final UnsafeBuffer entries = new UnsafeBuffer(new byte[100 * EntryFrame.frameLength(32)]);
        final int entriesLength = TestFrames.encodeEntries(entries, 0, 100, 32);
        final int length = TestFrames.encodeAppendEntries(buffer, 0, 100, 32);
        assertEquals(FrameVerdict.VALID, FrameValidator.validate(buffer, 0, length));

        final AppendEntriesDecoder decoder = new AppendEntriesDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(7, decoder.term());
        assertEquals(TestFrames.FIRST_INDEX - 1, decoder.prevLogIndex());
        assertEquals(6, decoder.prevLogTerm());
        assertEquals(TestFrames.FIRST_INDEX - 1, decoder.leaderCommit());
        assertEquals(2, decoder.leaderId());
        assertEquals(100, decoder.entryCount());
        assertEquals(entriesLength, decoder.entriesLength());

        final int blockOffset = decoder.limit() + AppendEntriesDecoder.entriesHeaderLength();
        for (int i = 0; i < entriesLength; i++)
        {
            assertEquals(entries.getByte(i), buffer.getByte(blockOffset + i), "byte " + i);
        }
    }

    @Test
    void appendEntriesAtTheBlockSizeLimitIsValidAndOneByteMoreIsNot()
    {
        final int frame = EntryFrame.frameLength(EntryFrame.MAX_PAYLOAD_LENGTH);
        final int count = FrameValidator.MAX_ENTRIES_BLOCK_LENGTH / frame;
        final UnsafeBuffer big = new UnsafeBuffer(ByteBuffer.allocateDirect(FrameValidator.MAX_ENTRIES_BLOCK_LENGTH + 1024));

        // Fill the block exactly to the limit: full-size frames plus one frame that takes the remainder.
        final int remainder = FrameValidator.MAX_ENTRIES_BLOCK_LENGTH - count * frame;
        final boolean lastFits = remainder >= EntryFrame.HEADER_LENGTH;
        final int entries = count + (lastFits ? 1 : 0);
        final UnsafeBuffer block = new UnsafeBuffer(ByteBuffer.allocateDirect(FrameValidator.MAX_ENTRIES_BLOCK_LENGTH));
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[EntryFrame.MAX_PAYLOAD_LENGTH]);
        int position = 0;
        for (int i = 0; i < entries; i++)
        {
            final int payloadLength = i < count ? EntryFrame.MAX_PAYLOAD_LENGTH : remainder - EntryFrame.HEADER_LENGTH;
            position += EntryFrame.encode(block, position, 1 + i, 1, 0, EntryType.COMMAND, 0, 0, payload, 0, payloadLength);
        }
        assertEquals(lastFits ? FrameValidator.MAX_ENTRIES_BLOCK_LENGTH : count * frame, position);

        final AppendEntriesEncoder encoder = new AppendEntriesEncoder().wrapAndApplyHeader(big, 0, headerEncoder)
            .term(1).prevLogIndex(0).prevLogTerm(0).leaderCommit(0).leaderId(0).entryCount(entries)
            .putEntries(block, 0, position);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        assertEquals(FrameVerdict.VALID, FrameValidator.validate(big, 0, length));

        // Claim one byte more than the limit in the length prefix.
        final int lengthPrefixOffset = MessageHeaderEncoder.ENCODED_LENGTH + AppendEntriesEncoder.BLOCK_LENGTH;
        big.putInt(lengthPrefixOffset, FrameValidator.MAX_ENTRIES_BLOCK_LENGTH + 1);
        assertEquals(FrameVerdict.BAD_VAR_LENGTH, FrameValidator.validate(big, 0, length + 1));
    }

    @Test
    void everyTemplateRoundTripsThroughValidation()
    {
        for (final int templateId : TestFrames.TEMPLATE_IDS)
        {
            final int length = TestFrames.encodeSample(templateId, buffer, 0);
            assertEquals(FrameVerdict.VALID, FrameValidator.validate(buffer, 0, length), "template " + templateId);
            headerDecoder.wrap(buffer, 0);
            assertEquals(templateId, headerDecoder.templateId());
        }
    }

    @Test
    void clientMessagesRoundTrip()
    {
        int length = TestFrames.encodeSample(SessionConnectEncoder.TEMPLATE_ID, buffer, 0);
        final SessionConnectDecoder connect = new SessionConnectDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(77, connect.correlationId());
        assertEquals(20, connect.responseStreamId());
        assertEquals(Protocol.VERSION, connect.protocolVersion());
        assertEquals("aeron:udp?endpoint=localhost:20200", connect.responseChannel());
        assertEquals(5, connect.credentialsLength());

        length = TestFrames.encodeSample(ResponseEncoder.TEMPLATE_ID, buffer, 0);
        final ResponseDecoder response = new ResponseDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(12, response.sessionId());
        assertEquals(1, response.sequence());
        assertEquals(40, response.logIndex());
        assertEquals(ResponseStatus.OK, response.status());
        assertEquals("", response.leaderEndpoint());
        assertEquals(13, response.payloadLength());
        final byte[] payload = new byte[13];
        response.getPayload(payload, 0, payload.length);
        assertEquals("payload-bytes", new String(payload, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(length, MessageHeaderDecoder.ENCODED_LENGTH + response.encodedLength());

        TestFrames.encodeSample(SessionRejectEncoder.TEMPLATE_ID, buffer, 0);
        final SessionRejectDecoder reject = new SessionRejectDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(RejectReason.NOT_LEADER, reject.reason());
        assertEquals(2, reject.leaderMemberId());
        assertEquals("localhost:20121", reject.leaderEndpoint());
        assertEquals("not the leader", reject.detail());
    }

    @Test
    void consensusMessagesRoundTrip()
    {
        TestFrames.encodeSample(RequestVoteEncoder.TEMPLATE_ID, buffer, 0);
        final RequestVoteDecoder vote = new RequestVoteDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(5, vote.term());
        assertEquals(10, vote.lastLogIndex());
        assertEquals(4, vote.lastLogTerm());
        assertEquals(2, vote.candidateId());
        assertEquals(BooleanType.TRUE, vote.preVote());
        assertEquals(BooleanType.FALSE, vote.transfer());

        TestFrames.encodeSample(AppendResponseEncoder.TEMPLATE_ID, buffer, 0);
        final AppendResponseDecoder ack = new AppendResponseDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(4, ack.term());
        assertEquals(10, ack.lastAppendedIndex());
        assertEquals(9, ack.durableIndex());
        assertEquals(1, ack.followerId());
        assertEquals(BooleanType.TRUE, ack.success());

        TestFrames.encodeSample(NodeStateRecordEncoder.TEMPLATE_ID, buffer, 0);
        final NodeStateRecordDecoder state = new NodeStateRecordDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(9, state.currentTerm());
        assertEquals(100, state.commitIndexHint());
        assertEquals(2, state.votedFor());
        assertEquals(7, state.votesRefusedThroughTerm());
        assertEquals(BooleanType.TRUE, state.votingFence());
    }
}
