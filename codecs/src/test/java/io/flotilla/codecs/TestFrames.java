package io.flotilla.codecs;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Builds valid frames of every template for the codec tests.
 */
final class TestFrames
{
    static final long FIRST_INDEX = 41;

    private TestFrames()
    {
    }

    /**
     * Encode {@code count} consecutive entries with the given payload length, starting at {@link #FIRST_INDEX}.
     *
     * @return the block length in bytes.
     */
    static int encodeEntries(final MutableDirectBuffer buffer, final int offset, final int count, final int payloadLength)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[Math.max(1, payloadLength)]);
        int position = offset;
        for (int i = 0; i < count; i++)
        {
            payload.setMemory(0, payload.capacity(), (byte)i);
            position += EntryFrame.encode(
                buffer, position, FIRST_INDEX + i, 7, 1_700_000_000_000_000_000L + i, EntryType.COMMAND,
                99, i + 1, payload, 0, payloadLength);
        }

        return position - offset;
    }

    /**
     * Encode an AppendEntries whose entries are {@code count} frames of {@code payloadLength} bytes.
     *
     * @return the message length.
     */
    static int encodeAppendEntries(
        final MutableDirectBuffer buffer, final int offset, final int count, final int payloadLength)
    {
        final UnsafeBuffer entries = new UnsafeBuffer(new byte[count * EntryFrame.frameLength(payloadLength)]);
        final int entriesLength = encodeEntries(entries, 0, count, payloadLength);

        final AppendEntriesEncoder encoder = new AppendEntriesEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .term(7)
            .prevLogIndex(FIRST_INDEX - 1)
            .prevLogTerm(6)
            .leaderCommit(FIRST_INDEX - 1)
            .leaderId(2)
            .entryCount(count)
            .leaderStamp(123_456_789L)
            .putEntries(entries, 0, entriesLength);

        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * One valid message of every template the schema defines, each paired with its length.
     */
    static int encodeSample(final int templateId, final MutableDirectBuffer buffer, final int offset)
    {
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final DirectBuffer payload = new UnsafeBuffer("payload-bytes".getBytes());
        switch (templateId)
        {
            case LogEntryEncoder.TEMPLATE_ID:
                return EntryFrame.encode(buffer, offset, 3, 2, 1000, EntryType.SESSION_OPEN, 5, 6, payload, 0, 13);
            case AppendEntriesEncoder.TEMPLATE_ID:
                return encodeAppendEntries(buffer, offset, 3, 32);
            case AppendResponseEncoder.TEMPLATE_ID:
                return HEADER + new AppendResponseEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .term(4).lastAppendedIndex(10).durableIndex(9).conflictIndex(0).conflictTerm(0)
                    .followerId(1).success(BooleanType.TRUE).echoStamp(123_456_789L).encodedLength();
            case RequestVoteEncoder.TEMPLATE_ID:
                return HEADER + new RequestVoteEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .term(5).lastLogIndex(10).lastLogTerm(4).candidateId(2)
                    .preVote(BooleanType.TRUE).transfer(BooleanType.FALSE).encodedLength();
            case VoteResponseEncoder.TEMPLATE_ID:
                return HEADER + new VoteResponseEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .term(5).voterId(0).preVote(BooleanType.FALSE).granted(BooleanType.TRUE).encodedLength();
            case TimeoutNowEncoder.TEMPLATE_ID:
                return HEADER + new TimeoutNowEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .term(5).leaderId(1).encodedLength();
            case LeaderIntroductionEncoder.TEMPLATE_ID:
                return HEADER + new LeaderIntroductionEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .term(5).leaderId(3).endpoint("localhost:20130:20131").encodedLength();
            case TermProbeEncoder.TEMPLATE_ID:
                return HEADER + new TermProbeEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .probeId(0x5EED_0001L).memberId(2).encodedLength();
            case TermProbeResponseEncoder.TEMPLATE_ID:
                return HEADER + new TermProbeResponseEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .term(7).probeId(0x5EED_0001L).responderId(1).encodedLength();
            case SnapshotChunkEncoder.TEMPLATE_ID:
                return HEADER + new SnapshotChunkEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .term(5).snapshotIndex(1000).snapshotTerm(4).snapshotLength(4096).fileOffset(1024).leaderId(1)
                    .snapshotChecksum(0xCAFE_F00D).putData(payload, 0, 13).encodedLength();
            case SnapshotAckEncoder.TEMPLATE_ID:
                return HEADER + new SnapshotAckEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .term(5).snapshotIndex(1000).snapshotTerm(4).nextOffset(1037).followerId(2)
                    .status(SnapshotAckStatus.RECEIVING).encodedLength();
            case ReadIndexRequestEncoder.TEMPLATE_ID:
                return HEADER + new ReadIndexRequestEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .term(5).readId(31).followerId(2).mode(ReadMode.LEASE).encodedLength();
            case ReadIndexResponseEncoder.TEMPLATE_ID:
                return HEADER + new ReadIndexResponseEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .term(5).readId(31).readIndex(40).leaderId(1).granted(BooleanType.TRUE).encodedLength();
            case ForwardedRequestEncoder.TEMPLATE_ID:
                return HEADER + new ForwardedRequestEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .sessionId(12).sequence(3).senderId(2).putPayload(payload, 0, 13).encodedLength();
            case QueryEncoder.TEMPLATE_ID:
                return HEADER + new QueryEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .sessionId(12).queryId(9).mode(ReadMode.READ_INDEX).putPayload(payload, 0, 13).encodedLength();
            case QueryResponseEncoder.TEMPLATE_ID:
                return HEADER + new QueryResponseEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .sessionId(12).queryId(9).readIndex(40).leaderMemberId(1).status(ResponseStatus.OK)
                    .leaderEndpoint("").putPayload(payload, 0, 13).encodedLength();
            case SessionConnectEncoder.TEMPLATE_ID:
                return HEADER + new SessionConnectEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .correlationId(77).responseStreamId(20).protocolVersion(Protocol.VERSION)
                    .responseChannel("aeron:udp?endpoint=localhost:20200").putCredentials(payload, 0, 5)
                    .encodedLength();
            case SessionAckEncoder.TEMPLATE_ID:
                return HEADER + new SessionAckEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .correlationId(77).sessionId(12).leaderTerm(3).leaderMemberId(1).encodedLength();
            case SessionRejectEncoder.TEMPLATE_ID:
                return HEADER + new SessionRejectEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .correlationId(77).leaderMemberId(2).reason(RejectReason.NOT_LEADER)
                    .leaderEndpoint("localhost:20121").detail("not the leader").encodedLength();
            case RequestEncoder.TEMPLATE_ID:
                return HEADER + new RequestEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .sessionId(12).sequence(1).putPayload(payload, 0, 13).encodedLength();
            case ResponseEncoder.TEMPLATE_ID:
                return HEADER + new ResponseEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .sessionId(12).sequence(1).logIndex(40).leaderMemberId(1).status(ResponseStatus.OK)
                    .leaderEndpoint("").putPayload(payload, 0, 13).encodedLength();
            case SessionKeepAliveEncoder.TEMPLATE_ID:
                return HEADER + new SessionKeepAliveEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .sessionId(12).encodedLength();
            case SessionCloseEncoder.TEMPLATE_ID:
                return HEADER + new SessionCloseEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .sessionId(12).encodedLength();
            case SessionAttachEncoder.TEMPLATE_ID:
                return HEADER + new SessionAttachEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .correlationId(78).sessionId(12).timestamp(1_000_000L).putProof(payload, 0, 13).encodedLength();
            case SessionMessageEncoder.TEMPLATE_ID:
                return HEADER + new SessionMessageEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .sessionId(12).sequence(3).logIndex(40).leaderMemberId(1).status(ResponseStatus.OK)
                    .putPayload(payload, 0, 13).encodedLength();
            case SessionMessageAckEncoder.TEMPLATE_ID:
                return HEADER + new SessionMessageAckEncoder().wrapAndApplyHeader(buffer, offset, header)
                    .sessionId(12).received(3).resend(BooleanType.TRUE).encodedLength();
            case NodeStateRecordEncoder.TEMPLATE_ID:
            {
                final NodeStateRecordEncoder encoder = new NodeStateRecordEncoder()
                    .wrapAndApplyHeader(buffer, offset, header).currentTerm(9).commitIndexHint(100).votedFor(2)
                    .votesRefusedThroughTerm(7).votingFence(BooleanType.TRUE);
                return withNodeStateChecksum(buffer, offset, HEADER + encoder.encodedLength());
            }
            case EarlierNodeStateRecordEncoder.TEMPLATE_ID:
            {
                final EarlierNodeStateRecordEncoder encoder = new EarlierNodeStateRecordEncoder()
                    .wrapAndApplyHeader(buffer, offset, header).currentTerm(9).commitIndexHint(100).votedFor(2);
                return withNodeStateChecksum(buffer, offset, HEADER + encoder.encodedLength());
            }
            default:
                throw new IllegalArgumentException("unknown template " + templateId);
        }
    }

    static final int[] TEMPLATE_IDS = {
        LogEntryEncoder.TEMPLATE_ID, AppendEntriesEncoder.TEMPLATE_ID, AppendResponseEncoder.TEMPLATE_ID,
        RequestVoteEncoder.TEMPLATE_ID, VoteResponseEncoder.TEMPLATE_ID, TimeoutNowEncoder.TEMPLATE_ID,
        LeaderIntroductionEncoder.TEMPLATE_ID, TermProbeEncoder.TEMPLATE_ID, TermProbeResponseEncoder.TEMPLATE_ID,
        SnapshotChunkEncoder.TEMPLATE_ID, SnapshotAckEncoder.TEMPLATE_ID, ReadIndexRequestEncoder.TEMPLATE_ID,
        ReadIndexResponseEncoder.TEMPLATE_ID, ForwardedRequestEncoder.TEMPLATE_ID, QueryEncoder.TEMPLATE_ID,
        QueryResponseEncoder.TEMPLATE_ID,
        SessionConnectEncoder.TEMPLATE_ID, SessionAckEncoder.TEMPLATE_ID, SessionRejectEncoder.TEMPLATE_ID,
        RequestEncoder.TEMPLATE_ID, ResponseEncoder.TEMPLATE_ID, SessionKeepAliveEncoder.TEMPLATE_ID,
        SessionCloseEncoder.TEMPLATE_ID, SessionAttachEncoder.TEMPLATE_ID, SessionMessageEncoder.TEMPLATE_ID,
        SessionMessageAckEncoder.TEMPLATE_ID, NodeStateRecordEncoder.TEMPLATE_ID,
        EarlierNodeStateRecordEncoder.TEMPLATE_ID };

    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;

    // Both node state records start with a CRC32C of the bytes after it.
    private static int withNodeStateChecksum(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final int checksumOffset = offset + HEADER + NodeStateRecordEncoder.checksumEncodingOffset();
        final int covered = checksumOffset + NodeStateRecordEncoder.checksumEncodingLength();
        buffer.putInt(checksumOffset, Checksums.crc32c(buffer, covered, offset + length - covered), LITTLE_ENDIAN);
        return length;
    }
}
