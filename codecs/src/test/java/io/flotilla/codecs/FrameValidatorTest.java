package io.flotilla.codecs;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class FrameValidatorTest
{
    private static final long SEED = 0x5EED_F107_111AL;

    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int CHUNK_DATA_LENGTH_OFFSET = HEADER + SnapshotChunkEncoder.BLOCK_LENGTH;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();

    @Test
    void everyTruncationOfEveryTemplateIsRejected()
    {
        for (final int templateId : TestFrames.TEMPLATE_IDS)
        {
            final int length = TestFrames.encodeSample(templateId, buffer, 0);
            for (int shorter = 0; shorter < length; shorter++)
            {
                assertNotEquals(FrameVerdict.VALID, FrameValidator.validate(buffer, 0, shorter),
                    "template " + templateId + " truncated to " + shorter);
            }
        }
    }

    @Test
    void trailingBytesAreRejected()
    {
        for (final int templateId : TestFrames.TEMPLATE_IDS)
        {
            final int length = TestFrames.encodeSample(templateId, buffer, 0);
            assertNotEquals(FrameVerdict.VALID, FrameValidator.validate(buffer, 0, length + 1), "template " + templateId);
        }
    }

    @Test
    void everySingleBitFlipInAnEntryBlockIsDetected()
    {
        final int length = TestFrames.encodeAppendEntries(buffer, 0, 4, 32);
        for (int bit = 0; bit < length * 8; bit++)
        {
            flip(bit);
            final FrameVerdict verdict = FrameValidator.validate(buffer, 0, length);
            flip(bit);

            // A flip in the AppendEntries header's own fields (term, commit, leader id) is not corruption the
            // validator can see; any flip inside the header bytes, lengths or entries must be caught.
            final int byteOffset = bit / 8;
            final boolean inFreeField = byteOffset >= MessageHeaderEncoder.ENCODED_LENGTH &&
                isUncheckedAppendEntriesField(byteOffset - MessageHeaderEncoder.ENCODED_LENGTH);
            if (!inFreeField)
            {
                assertNotEquals(FrameVerdict.VALID, verdict, "bit " + bit + " flipped went undetected");
            }
        }
    }

    @Test
    void bitFlipsInEntryFramesAreReportedAsBadChecksumOrStructure()
    {
        final int length = TestFrames.encodeEntries(buffer, 0, 3, 64);
        int badChecksums = 0;
        for (int bit = 0; bit < length * 8; bit++)
        {
            flip(bit);
            final FrameVerdict verdict = FrameValidator.validateEntries(buffer, 0, length, TestFrames.FIRST_INDEX);
            flip(bit);
            assertNotEquals(FrameVerdict.VALID, verdict, "bit " + bit);
            badChecksums += FrameVerdict.BAD_CHECKSUM == verdict ? 1 : 0;
        }
        assertNotEquals(0, badChecksums);
    }

    @Test
    void entryBlocksMustBeConsecutiveAndStartWhereExpected()
    {
        final int length = TestFrames.encodeEntries(buffer, 0, 3, 8);
        assertEquals(FrameVerdict.VALID, FrameValidator.validateEntries(buffer, 0, length, TestFrames.FIRST_INDEX));
        assertEquals(FrameVerdict.VALID, FrameValidator.validateEntries(buffer, 0, length, -1));
        assertEquals(FrameVerdict.BAD_INDEX_SEQUENCE,
            FrameValidator.validateEntries(buffer, 0, length, TestFrames.FIRST_INDEX + 1));
        assertEquals(FrameVerdict.VALID, FrameValidator.validateEntries(buffer, 0, 0, 5));

        // Re-encode the second frame with a gap in its index.
        final int second = EntryFrame.frameLength(8);
        EntryFrame.encode(buffer, second, TestFrames.FIRST_INDEX + 5, 7, 0, EntryType.COMMAND, 0, 0, buffer, 0, 8);
        assertEquals(FrameVerdict.BAD_INDEX_SEQUENCE, FrameValidator.validateEntries(buffer, 0, length, -1));

        // A term that decreases inside a block is not a log.
        EntryFrame.encode(buffer, second, TestFrames.FIRST_INDEX + 1, 6, 0, EntryType.COMMAND, 0, 0, buffer, 0, 8);
        assertEquals(FrameVerdict.BAD_TERM, FrameValidator.validateEntries(buffer, 0, length, -1));
    }

    @Test
    void everyEntryTypeIsAcceptedAndNoOther()
    {
        int highest = -1;
        for (final EntryType type : EntryType.values())
        {
            if (EntryType.NULL_VAL != type)
            {
                // A configuration of one voter: 1 voter, none outgoing, no learners, voter 0.
                final int payloadLength = EntryType.CONFIG == type ? 4 : 0;
                buffer.putInt(512, 0x00_00_00_01, LITTLE_ENDIAN);
                final int length = EntryFrame.encode(buffer, 0, 1, 1, 0, type, 0, 0, buffer, 512, payloadLength);
                assertEquals(FrameVerdict.VALID, FrameValidator.validateEntries(buffer, 0, length, 1), type.name());
                highest = Math.max(highest, type.value());
            }
        }
        assertEquals(EntryType.CONFIG.value(), highest);

        // An unknown type, with a valid checksum, is refused.
        final int length = EntryFrame.encode(buffer, 0, 1, 1, 0, EntryType.NOOP, 0, 0, buffer, 512, 0);
        buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + LogEntryEncoder.entryTypeEncodingOffset(),
            (byte)(highest + 1));
        buffer.putInt(MessageHeaderEncoder.ENCODED_LENGTH + LogEntryEncoder.checksumEncodingOffset(),
            EntryFrame.computeChecksum(buffer, 0, length), LITTLE_ENDIAN);
        assertEquals(FrameVerdict.BAD_ENUM_VALUE, FrameValidator.validateEntries(buffer, 0, length, 1));
    }

    @Test
    void configEntryPayloadsAreValidated()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final int valid = ConfigPayload.encode(payload, 0, new int[]{ 1, 2, 3 }, new int[]{ 0, 1, 2 }, new int[]{ 5 });
        assertEquals(FrameVerdict.VALID, validateConfig(payload, valid));
        assertEquals(3, ConfigPayload.count(payload, 0, ConfigPayload.OUTGOING));
        assertEquals(5, ConfigPayload.id(payload, 0, ConfigPayload.LEARNERS, 0));

        assertEquals(FrameVerdict.BAD_FIELD_VALUE, validateConfig(payload, valid - 1), "truncated");
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, validateConfig(payload, valid + 1), "trailing byte");
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, validateConfig(payload, 2), "shorter than the counts");
        final int[][] bad = {
            {}, // no voter
            { 2, 1 }, // not ascending
            { 1, 1 }, // twice
            { 128 }, // beyond the highest id
        };
        for (final int[] voters : bad)
        {
            final int length = ConfigPayload.encode(payload, 0, voters, new int[0], new int[0]);
            assertEquals(
                FrameVerdict.BAD_FIELD_VALUE, validateConfig(payload, length), java.util.Arrays.toString(voters));
        }
        final int learnerVotes = ConfigPayload.encode(payload, 0, new int[]{ 1 }, new int[]{ 70 }, new int[]{ 70 });
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, validateConfig(payload, learnerVotes), "a learner is no voter");
    }

    @Test
    void aConfigEntrysEndpointDirectoryNamesOnlyMembersInPrintableAscii()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[256]);
        final int[] voters = { 0, 1, 2 };
        final int[] learners = { 5 };
        final int valid = ConfigPayload.encode(payload, 0, voters, new int[0], learners,
            new int[]{ 1, 5 }, new String[]{ "a:1:2", "host5:10:11" });
        assertEquals(ConfigPayload.length(3, 0, 1, new String[]{ "a:1:2", "host5:10:11" }), valid);
        assertEquals(FrameVerdict.VALID, validateConfig(payload, valid));
        assertEquals(2, ConfigPayload.endpointCount(payload, 0, valid));
        assertEquals(5, ConfigPayload.endpointId(payload, 0, 1));
        assertEquals("host5:10:11", ConfigPayload.endpoint(payload, 0, 1));
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, validateConfig(payload, valid - 1), "truncated endpoint");
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, validateConfig(payload, valid + 1), "trailing byte");

        final int stranger = ConfigPayload.encode(payload, 0, voters, new int[0], learners,
            new int[]{ 7 }, new String[]{ "a:1:2" });
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, validateConfig(payload, stranger), "not a member");
        final int unordered = ConfigPayload.encode(payload, 0, voters, new int[0], learners,
            new int[]{ 2, 1 }, new String[]{ "a:1:2", "b:1:2" });
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, validateConfig(payload, unordered), "not ascending");
        final int unprintable = ConfigPayload.encode(payload, 0, voters, new int[0], learners,
            new int[]{ 1 }, new String[]{ "a b" });
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, validateConfig(payload, unprintable), "a space");
    }

    private FrameVerdict validateConfig(final UnsafeBuffer payload, final int payloadLength)
    {
        final int length = EntryFrame.encode(buffer, 0, 1, 1, 0, EntryType.CONFIG, 0, 0, payload, 0, payloadLength);
        return FrameValidator.validateEntries(buffer, 0, length, 1);
    }

    @Test
    void entryCountMustMatchTheBlock()
    {
        final int length = TestFrames.encodeAppendEntries(buffer, 0, 3, 8);
        final int entryCountOffset = MessageHeaderEncoder.ENCODED_LENGTH + AppendEntriesEncoder.entryCountEncodingOffset();
        buffer.putInt(entryCountOffset, 4, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(FrameVerdict.BAD_ENTRY_COUNT, FrameValidator.validate(buffer, 0, length));
    }

    @Test
    void headerProblemsAreNamed()
    {
        final int length = TestFrames.encodeSample(RequestVoteEncoder.TEMPLATE_ID, buffer, 0);
        buffer.putShort(4, (short)1);
        assertEquals(FrameVerdict.UNKNOWN_SCHEMA, FrameValidator.validate(buffer, 0, length));

        TestFrames.encodeSample(RequestVoteEncoder.TEMPLATE_ID, buffer, 0);
        buffer.putShort(6, (short)2);
        assertEquals(FrameVerdict.UNSUPPORTED_VERSION, FrameValidator.validate(buffer, 0, length));

        TestFrames.encodeSample(RequestVoteEncoder.TEMPLATE_ID, buffer, 0);
        buffer.putShort(2, (short)999);
        assertEquals(FrameVerdict.UNKNOWN_TEMPLATE, FrameValidator.validate(buffer, 0, length));

        TestFrames.encodeSample(RequestVoteEncoder.TEMPLATE_ID, buffer, 0);
        buffer.putShort(0, (short)(RequestVoteEncoder.BLOCK_LENGTH - 1));
        assertEquals(FrameVerdict.BAD_BLOCK_LENGTH, FrameValidator.validate(buffer, 0, length));

        TestFrames.encodeSample(RequestVoteEncoder.TEMPLATE_ID, buffer, 0);
        buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + RequestVoteEncoder.preVoteEncodingOffset(), (byte)2);
        assertEquals(FrameVerdict.BAD_ENUM_VALUE, FrameValidator.validate(buffer, 0, length));
    }

    @Test
    void everyResponseStatusIsAcceptedAndNoOther()
    {
        final int length = TestFrames.encodeSample(ResponseEncoder.TEMPLATE_ID, buffer, 0);
        final int statusOffset = MessageHeaderEncoder.ENCODED_LENGTH + ResponseEncoder.statusEncodingOffset();
        int highest = -1;
        for (final ResponseStatus status : ResponseStatus.values())
        {
            if (ResponseStatus.NULL_VAL != status)
            {
                buffer.putByte(statusOffset, (byte)status.value());
                assertEquals(FrameVerdict.VALID, FrameValidator.validate(buffer, 0, length), status.name());
                highest = Math.max(highest, status.value());
            }
        }

        buffer.putByte(statusOffset, (byte)(highest + 1));
        assertEquals(FrameVerdict.BAD_ENUM_VALUE, FrameValidator.validate(buffer, 0, length));
    }

    @Test
    void oversizedVariableLengthFieldsAreRejected()
    {
        final int length = TestFrames.encodeSample(SessionConnectEncoder.TEMPLATE_ID, buffer, 0);
        final int channelLengthOffset = MessageHeaderEncoder.ENCODED_LENGTH + SessionConnectEncoder.BLOCK_LENGTH;
        buffer.putInt(channelLengthOffset, FrameValidator.MAX_TEXT_LENGTH + 1, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(FrameVerdict.BAD_VAR_LENGTH, FrameValidator.validate(buffer, 0, length));

        buffer.putInt(channelLengthOffset, -1, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(FrameVerdict.BAD_VAR_LENGTH, FrameValidator.validate(buffer, 0, length));
    }

    @Test
    void snapshotChunksAreValidWithDataOrWithout()
    {
        final int length = TestFrames.encodeSample(SnapshotChunkEncoder.TEMPLATE_ID, buffer, 0);
        assertEquals(FrameVerdict.VALID, FrameValidator.validate(buffer, 0, length));

        final int keepAliveLength = HEADER + new SnapshotChunkEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .term(5).snapshotIndex(1000).snapshotTerm(4).snapshotLength(4096).fileOffset(4096).leaderId(1)
            .snapshotChecksum(7).putData(buffer, 0, 0).encodedLength();
        assertEquals(FrameVerdict.VALID, FrameValidator.validate(buffer, 0, keepAliveLength));
        assertEquals(FrameVerdict.TRUNCATED, FrameValidator.validate(buffer, 0, keepAliveLength - 1));
    }

    @Test
    void aTruncatedSnapshotChunkIsRejected()
    {
        final int length = TestFrames.encodeSample(SnapshotChunkEncoder.TEMPLATE_ID, buffer, 0);
        assertEquals(FrameVerdict.TRUNCATED, FrameValidator.validate(buffer, 0, length - 1));
        assertEquals(FrameVerdict.TRUNCATED, FrameValidator.validate(buffer, 0, HEADER + SnapshotChunkEncoder.BLOCK_LENGTH));

        // The data's length prefix claims more than the slice holds.
        buffer.putInt(CHUNK_DATA_LENGTH_OFFSET, 14, LITTLE_ENDIAN);
        assertEquals(FrameVerdict.TRUNCATED, FrameValidator.validate(buffer, 0, length));
    }

    @Test
    void anOversizedSnapshotChunkIsRejected()
    {
        final UnsafeBuffer large = new UnsafeBuffer(new byte[FrameValidator.MAX_SNAPSHOT_CHUNK_LENGTH + 256]);
        final UnsafeBuffer data = new UnsafeBuffer(new byte[FrameValidator.MAX_SNAPSHOT_CHUNK_LENGTH + 1]);
        final SnapshotChunkEncoder encoder = new SnapshotChunkEncoder().wrapAndApplyHeader(large, 0, headerEncoder)
            .term(5).snapshotIndex(1000).snapshotTerm(4).snapshotLength(1L << 32).fileOffset(0).leaderId(1)
            .snapshotChecksum(7);
        final int atLimit = HEADER + encoder.putData(data, 0, FrameValidator.MAX_SNAPSHOT_CHUNK_LENGTH).encodedLength();
        assertEquals(FrameVerdict.VALID, FrameValidator.validate(large, 0, atLimit));

        encoder.wrapAndApplyHeader(large, 0, headerEncoder)
            .term(5).snapshotIndex(1000).snapshotTerm(4).snapshotLength(1L << 32).fileOffset(0).leaderId(1)
            .snapshotChecksum(7);
        final int overLimit = HEADER + encoder.putData(data, 0, data.capacity()).encodedLength();
        assertEquals(FrameVerdict.BAD_VAR_LENGTH, FrameValidator.validate(large, 0, overLimit));
    }

    @Test
    void snapshotChunkDataMustLieInsideTheFileItNames()
    {
        final int length = TestFrames.encodeSample(SnapshotChunkEncoder.TEMPLATE_ID, buffer, 0);
        final int block = HEADER;

        buffer.putLong(block + SnapshotChunkEncoder.fileOffsetEncodingOffset(), 4096 - 13, LITTLE_ENDIAN);
        assertEquals(FrameVerdict.VALID, FrameValidator.validate(buffer, 0, length));

        buffer.putLong(block + SnapshotChunkEncoder.fileOffsetEncodingOffset(), 4096 - 12, LITTLE_ENDIAN);
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, FrameValidator.validate(buffer, 0, length));

        buffer.putLong(block + SnapshotChunkEncoder.fileOffsetEncodingOffset(), -1, LITTLE_ENDIAN);
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, FrameValidator.validate(buffer, 0, length));

        buffer.putLong(block + SnapshotChunkEncoder.fileOffsetEncodingOffset(), Long.MAX_VALUE, LITTLE_ENDIAN);
        buffer.putLong(block + SnapshotChunkEncoder.snapshotLengthEncodingOffset(), Long.MAX_VALUE, LITTLE_ENDIAN);
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, FrameValidator.validate(buffer, 0, length));

        TestFrames.encodeSample(SnapshotChunkEncoder.TEMPLATE_ID, buffer, 0);
        buffer.putLong(block + SnapshotChunkEncoder.snapshotIndexEncodingOffset(), 0, LITTLE_ENDIAN);
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, FrameValidator.validate(buffer, 0, length));

        TestFrames.encodeSample(SnapshotChunkEncoder.TEMPLATE_ID, buffer, 0);
        buffer.putLong(block + SnapshotChunkEncoder.snapshotTermEncodingOffset(), 0, LITTLE_ENDIAN);
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, FrameValidator.validate(buffer, 0, length));

        TestFrames.encodeSample(SnapshotChunkEncoder.TEMPLATE_ID, buffer, 0);
        buffer.putLong(block + SnapshotChunkEncoder.snapshotTermEncodingOffset(), 5, LITTLE_ENDIAN);
        assertEquals(FrameVerdict.VALID, FrameValidator.validate(buffer, 0, length), "a snapshot of the leader's term");
        buffer.putLong(block + SnapshotChunkEncoder.snapshotTermEncodingOffset(), 6, LITTLE_ENDIAN);
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, FrameValidator.validate(buffer, 0, length), "newer than the leader");
    }

    @Test
    void everySnapshotAckStatusIsAcceptedAndNoOther()
    {
        final int length = TestFrames.encodeSample(SnapshotAckEncoder.TEMPLATE_ID, buffer, 0);
        assertEquals(HEADER + SnapshotAckEncoder.BLOCK_LENGTH, length);
        final int statusOffset = HEADER + SnapshotAckEncoder.statusEncodingOffset();
        int highest = -1;
        for (final SnapshotAckStatus status : SnapshotAckStatus.values())
        {
            if (SnapshotAckStatus.NULL_VAL != status)
            {
                buffer.putByte(statusOffset, (byte)status.value());
                assertEquals(FrameVerdict.VALID, FrameValidator.validate(buffer, 0, length), status.name());
                highest = Math.max(highest, status.value());
            }
        }

        buffer.putByte(statusOffset, (byte)(highest + 1));
        assertEquals(FrameVerdict.BAD_ENUM_VALUE, FrameValidator.validate(buffer, 0, length));
        buffer.putByte(statusOffset, (byte)SnapshotAckStatus.NULL_VAL.value());
        assertEquals(FrameVerdict.BAD_ENUM_VALUE, FrameValidator.validate(buffer, 0, length));
    }

    @Test
    void aSnapshotAckWithANegativeOffsetOrTheWrongLengthIsRejected()
    {
        final int length = TestFrames.encodeSample(SnapshotAckEncoder.TEMPLATE_ID, buffer, 0);
        assertEquals(FrameVerdict.TRUNCATED, FrameValidator.validate(buffer, 0, length - 1));
        assertEquals(FrameVerdict.TRAILING_BYTES, FrameValidator.validate(buffer, 0, length + 1));

        buffer.putLong(HEADER + SnapshotAckEncoder.nextOffsetEncodingOffset(), -1, LITTLE_ENDIAN);
        assertEquals(FrameVerdict.BAD_FIELD_VALUE, FrameValidator.validate(buffer, 0, length));

        TestFrames.encodeSample(SnapshotAckEncoder.TEMPLATE_ID, buffer, 0);
        buffer.putShort(0, (short)(SnapshotAckEncoder.BLOCK_LENGTH + 1), LITTLE_ENDIAN);
        assertEquals(FrameVerdict.BAD_BLOCK_LENGTH, FrameValidator.validate(buffer, 0, length + 1));
    }

    @Test
    void aDamagedNodeStateRecordIsDetected()
    {
        for (final int templateId : new int[]{ NodeStateRecordEncoder.TEMPLATE_ID,
            EarlierNodeStateRecordEncoder.TEMPLATE_ID })
        {
            final int length = TestFrames.encodeSample(templateId, buffer, 0);
            buffer.putByte(length - 1, (byte)(buffer.getByte(length - 1) ^ 1));
            assertEquals(FrameVerdict.BAD_CHECKSUM, FrameValidator.validate(buffer, 0, length), "template " + templateId);
        }
    }

    @Test
    void aNodeStateRecordWithAnUndefinedFenceValueIsRejectedEvenWithItsChecksumRight()
    {
        final int length = TestFrames.encodeSample(NodeStateRecordEncoder.TEMPLATE_ID, buffer, 0);
        final NodeStateRecordEncoder encoder = new NodeStateRecordEncoder().wrap(buffer, HEADER);
        buffer.putByte(HEADER + NodeStateRecordEncoder.votingFenceEncodingOffset(), (byte)2);
        final int covered = HEADER + NodeStateRecordEncoder.checksumEncodingLength();
        encoder.checksum(Checksums.crc32c(buffer, covered, length - covered) & 0xFFFF_FFFFL);
        assertEquals(FrameVerdict.BAD_ENUM_VALUE, FrameValidator.validate(buffer, 0, length));
    }

    @Test
    void consensusTermsOutOfBoundsAndNegativeFieldsAreRejected()
    {
        final int[][] termFields = {
            {AppendEntriesEncoder.TEMPLATE_ID, AppendEntriesEncoder.termEncodingOffset()},
            {AppendEntriesEncoder.TEMPLATE_ID, AppendEntriesEncoder.prevLogTermEncodingOffset()},
            {AppendResponseEncoder.TEMPLATE_ID, AppendResponseEncoder.termEncodingOffset()},
            {AppendResponseEncoder.TEMPLATE_ID, AppendResponseEncoder.conflictTermEncodingOffset()},
            {RequestVoteEncoder.TEMPLATE_ID, RequestVoteEncoder.termEncodingOffset()},
            {RequestVoteEncoder.TEMPLATE_ID, RequestVoteEncoder.lastLogTermEncodingOffset()},
            {VoteResponseEncoder.TEMPLATE_ID, VoteResponseEncoder.termEncodingOffset()},
            {TimeoutNowEncoder.TEMPLATE_ID, TimeoutNowEncoder.termEncodingOffset()},
            {LeaderIntroductionEncoder.TEMPLATE_ID, LeaderIntroductionEncoder.termEncodingOffset()},
            {TermProbeResponseEncoder.TEMPLATE_ID, TermProbeResponseEncoder.termEncodingOffset()},
            {SnapshotChunkEncoder.TEMPLATE_ID, SnapshotChunkEncoder.termEncodingOffset()},
            {SnapshotChunkEncoder.TEMPLATE_ID, SnapshotChunkEncoder.snapshotTermEncodingOffset()},
            {SnapshotAckEncoder.TEMPLATE_ID, SnapshotAckEncoder.termEncodingOffset()},
            {SnapshotAckEncoder.TEMPLATE_ID, SnapshotAckEncoder.snapshotTermEncodingOffset()},
            {ReadIndexRequestEncoder.TEMPLATE_ID, ReadIndexRequestEncoder.termEncodingOffset()},
            {ReadIndexResponseEncoder.TEMPLATE_ID, ReadIndexResponseEncoder.termEncodingOffset()},
        };
        for (final int[] field : termFields)
        {
            final String name = "template " + field[0] + " term at " + field[1];
            final boolean chunkSnapshotTerm = SnapshotChunkEncoder.TEMPLATE_ID == field[0] &&
                SnapshotChunkEncoder.snapshotTermEncodingOffset() == field[1];
            assertFieldVerdict(field, FrameValidator.MAX_TERM,
                chunkSnapshotTerm ? FrameVerdict.BAD_FIELD_VALUE : FrameVerdict.VALID, name);
            assertFieldVerdict(field, FrameValidator.MAX_TERM + 1, FrameVerdict.TERM_OUT_OF_BOUNDS, name);
            assertFieldVerdict(field, Long.MAX_VALUE, FrameVerdict.TERM_OUT_OF_BOUNDS, name);
            assertFieldVerdict(field, -1, FrameVerdict.BAD_FIELD_VALUE, name);
            assertFieldVerdict(field, Long.MIN_VALUE, FrameVerdict.BAD_FIELD_VALUE, name);
        }

        final int[][] indexFields = {
            {AppendEntriesEncoder.TEMPLATE_ID, AppendEntriesEncoder.prevLogIndexEncodingOffset()},
            {AppendEntriesEncoder.TEMPLATE_ID, AppendEntriesEncoder.leaderCommitEncodingOffset()},
            {AppendResponseEncoder.TEMPLATE_ID, AppendResponseEncoder.lastAppendedIndexEncodingOffset()},
            {AppendResponseEncoder.TEMPLATE_ID, AppendResponseEncoder.durableIndexEncodingOffset()},
            {AppendResponseEncoder.TEMPLATE_ID, AppendResponseEncoder.conflictIndexEncodingOffset()},
            {RequestVoteEncoder.TEMPLATE_ID, RequestVoteEncoder.lastLogIndexEncodingOffset()},
            {SnapshotChunkEncoder.TEMPLATE_ID, SnapshotChunkEncoder.snapshotIndexEncodingOffset()},
            {SnapshotAckEncoder.TEMPLATE_ID, SnapshotAckEncoder.snapshotIndexEncodingOffset()},
            {ReadIndexResponseEncoder.TEMPLATE_ID, ReadIndexResponseEncoder.readIndexEncodingOffset()},
        };
        for (final int[] field : indexFields)
        {
            final String name = "template " + field[0] + " index at " + field[1];
            assertFieldVerdict(field, -1, FrameVerdict.BAD_FIELD_VALUE, name);
            assertFieldVerdict(field, FrameValidator.MAX_INDEX + 1, FrameVerdict.BAD_FIELD_VALUE, name);
            assertFieldVerdict(field, Long.MAX_VALUE, FrameVerdict.BAD_FIELD_VALUE, name);
        }
        assertFieldVerdict(
            new int[]{AppendResponseEncoder.TEMPLATE_ID, AppendResponseEncoder.lastAppendedIndexEncodingOffset()},
            FrameValidator.MAX_INDEX, FrameVerdict.VALID, "an index at the bound");
    }

    @Test
    void aNegativeLeaderStampOrEchoIsRejected()
    {
        final int[][] stampFields = {
            {AppendEntriesEncoder.TEMPLATE_ID, AppendEntriesEncoder.leaderStampEncodingOffset()},
            {AppendResponseEncoder.TEMPLATE_ID, AppendResponseEncoder.echoStampEncodingOffset()},
        };
        for (final int[] field : stampFields)
        {
            final String name = "template " + field[0] + " stamp at " + field[1];
            assertFieldVerdict(field, -1, FrameVerdict.BAD_FIELD_VALUE, name);
            assertFieldVerdict(field, Long.MIN_VALUE, FrameVerdict.BAD_FIELD_VALUE, name);
            assertFieldVerdict(field, Long.MAX_VALUE, FrameVerdict.VALID, name);
        }
    }

    @Test
    void anEntryWithATermAboveTheBoundIsRejected()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        int length = EntryFrame.encode(
            buffer, 0, 1, FrameValidator.MAX_TERM, 0, EntryType.COMMAND, 0, 0, payload, 0, payload.capacity());
        assertEquals(FrameVerdict.VALID, FrameValidator.validateEntries(buffer, 0, length, 1));

        length = EntryFrame.encode(
            buffer, 0, 1, FrameValidator.MAX_TERM + 1, 0, EntryType.COMMAND, 0, 0, payload, 0, payload.capacity());
        assertEquals(FrameVerdict.TERM_OUT_OF_BOUNDS, FrameValidator.validateEntries(buffer, 0, length, 1));
        assertEquals(FrameVerdict.TERM_OUT_OF_BOUNDS, FrameValidator.validate(buffer, 0, length));
    }

    @Test
    void randomBuffersNeverThrowAndAreAlmostNeverValid()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final UnsafeBuffer small = new UnsafeBuffer(new byte[512]);
        int valid = 0;
        for (int i = 0; i < 200_000; i++)
        {
            final int length = random.nextInt(small.capacity() + 1);
            final int offset = random.nextInt(small.capacity() - length + 1);
            for (int b = 0; b < length; b++)
            {
                small.putByte(offset + b, (byte)random.nextInt(256));
            }

            // Make a good share of inputs look like Flotilla headers so that deeper checks are exercised.
            if (length >= 8 && random.nextBoolean())
            {
                small.putShort(offset + 2, (short)TestFrames.TEMPLATE_IDS[random.nextInt(TestFrames.TEMPLATE_IDS.length)]);
                small.putShort(offset + 4, (short)MessageHeaderEncoder.SCHEMA_ID);
                small.putShort(offset + 6, (short)MessageHeaderEncoder.SCHEMA_VERSION);
            }

            final FrameVerdict verdict = validateNoThrow(small, offset, length, "seed " + SEED + " iteration " + i);
            valid += verdict.isValid() ? 1 : 0;
            assertNotNull(FrameValidator.validateEntries(small, offset, length, random.nextInt(3) - 1));
            assertNotNull(FrameValidator.validateEntryAt(small, offset, length, -1));
        }

        // Fixed-size messages of random content can be valid by chance; entries and var fields almost never.
        assertNotEquals(200_000, valid);
    }

    @Test
    void mutatedValidMessagesNeverThrow()
    {
        final SplittableRandom random = new SplittableRandom(SEED + 1);
        for (int i = 0; i < 50_000; i++)
        {
            final int templateId = TestFrames.TEMPLATE_IDS[random.nextInt(TestFrames.TEMPLATE_IDS.length)];
            final int length = TestFrames.encodeSample(templateId, buffer, 0);
            final int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++)
            {
                final int at = random.nextInt(length);
                buffer.putByte(at, (byte)random.nextInt(256));
            }

            final int claimedLength = Math.max(0, Math.min(buffer.capacity(), length + random.nextInt(17) - 8));
            validateNoThrow(buffer, 0, claimedLength, "seed " + (SEED + 1) + " iteration " + i);
        }
    }

    @Test
    void slicesOutsideTheBufferAreTruncatedNotExceptions()
    {
        assertEquals(FrameVerdict.TRUNCATED, FrameValidator.validate(buffer, buffer.capacity() - 4, 100));
        assertEquals(FrameVerdict.TRUNCATED, FrameValidator.validate(buffer, -1, 10));
        assertEquals(FrameVerdict.TRUNCATED, FrameValidator.validateEntries(buffer, buffer.capacity(), 1, -1));
        assertEquals(FrameVerdict.TRUNCATED, FrameValidator.validateEntryAt(buffer, 10, -5, -1));
    }

    private static FrameVerdict validateNoThrow(
        final UnsafeBuffer buffer, final int offset, final int length, final String context)
    {
        try
        {
            return FrameValidator.validate(buffer, offset, length);
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError("validator threw on " + context, ex);
        }
    }

    private static boolean isUncheckedAppendEntriesField(final int blockOffset)
    {
        return within(blockOffset, AppendEntriesEncoder.termEncodingOffset(), 8) ||
            within(blockOffset, AppendEntriesEncoder.leaderCommitEncodingOffset(), 8) ||
            within(blockOffset, AppendEntriesEncoder.prevLogTermEncodingOffset(), 8) ||
            within(blockOffset, AppendEntriesEncoder.leaderIdEncodingOffset(), 4) ||
            within(blockOffset, AppendEntriesEncoder.leaderStampEncodingOffset(), 8);
    }

    private static boolean within(final int value, final int start, final int length)
    {
        return value >= start && value < start + length;
    }

    private void assertFieldVerdict(final int[] field, final long value, final FrameVerdict expected, final String name)
    {
        final int length = TestFrames.encodeSample(field[0], buffer, 0);
        buffer.putLong(HEADER + field[1], value, LITTLE_ENDIAN);
        assertEquals(expected, FrameValidator.validate(buffer, 0, length), name + " = " + value);
    }

    private void flip(final int bit)
    {
        final int index = bit / 8;
        buffer.putByte(index, (byte)(buffer.getByte(index) ^ (1 << (bit % 8))));
    }
}
