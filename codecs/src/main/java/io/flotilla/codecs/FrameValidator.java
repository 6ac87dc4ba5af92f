package io.flotilla.codecs;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Checks untrusted bytes before any decoder reads them: a slice must hold exactly one complete, well-formed
 * message of this schema (known template and version, exact block length, enum values defined, every
 * variable-length field within its bound and the slice, no trailing bytes), log entries must carry a
 * correct CRC32C and consecutive indices, and a snapshot chunk's data must lie within the file it names. The terms,
 * indices and lengths of consensus messages must be in range: none negative, no term above {@link #MAX_TERM}, no index
 * above {@link #MAX_INDEX}; whether they make sense to the node that receives them is the consensus core's question.
 * Never throws and never allocates: a decoder run on a {@link FrameVerdict#VALID} slice cannot read out of bounds or
 * meet an undefined enum value.
 */
public final class FrameValidator
{
    /** Bound on a text field (a channel, an endpoint, a reason). */
    public static final int MAX_TEXT_LENGTH = 4096;

    /** Bound on client credentials. */
    public static final int MAX_CREDENTIALS_LENGTH = 4096;

    /** Bound on the entries block of one AppendEntries: Aeron's largest possible message. */
    public static final int MAX_ENTRIES_BLOCK_LENGTH = 16 * 1024 * 1024;

    /** Bound on the data of one SnapshotChunk: senders cut a snapshot file in chunks no longer than this. */
    public static final int MAX_SNAPSHOT_CHUNK_LENGTH = 1024 * 1024;

    /**
     * The highest term a message or a log entry may carry, and so the highest a node ever adopts or persists. A
     * term rises by one per election: at one election a millisecond, 2^48 terms last about 8,900 years, while a
     * bound this far below {@link Long#MAX_VALUE} keeps {@code term + 1} and any sum of terms from overflowing.
     */
    public static final long MAX_TERM = 1L << 48;

    /**
     * The highest log index a consensus message may carry: 2^62 entries outlast any log, and an index this far
     * below {@link Long#MAX_VALUE} keeps {@code index + 1} and the differences of indices from overflowing.
     */
    public static final long MAX_INDEX = 1L << 62;

    private static final int HEADER = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int VAR_LENGTH_PREFIX = 4;
    private static final int NO_FIELD = -1;

    private FrameValidator()
    {
    }

    /**
     * Validate one message of any template of the schema.
     *
     * @param buffer holding the bytes.
     * @param offset of the message header.
     * @param length of the slice; must be exactly the message's length.
     * @return the verdict.
     */
    public static FrameVerdict validate(final DirectBuffer buffer, final int offset, final int length)
    {
        final FrameVerdict headerVerdict = checkHeader(buffer, offset, length);
        if (FrameVerdict.VALID != headerVerdict)
        {
            return headerVerdict;
        }

        final int templateId = templateId(buffer, offset);
        final int expectedBlockLength = expectedBlockLength(templateId);
        if (expectedBlockLength < 0)
        {
            return FrameVerdict.UNKNOWN_TEMPLATE;
        }
        if (expectedBlockLength != blockLength(buffer, offset))
        {
            return FrameVerdict.BAD_BLOCK_LENGTH;
        }

        // The block is known to be complete from here, so its fields may be read.
        final int block = offset + HEADER;
        final int varStart = block + expectedBlockLength;
        final int end = offset + length;
        switch (templateId)
        {
            case LogEntryDecoder.TEMPLATE_ID:
                return validateEntry(buffer, offset, length, -1, length);

            case AppendEntriesDecoder.TEMPLATE_ID:
                return validateAppendEntries(buffer, block, end);

            case AppendResponseDecoder.TEMPLATE_ID:
                return validateAppendResponse(buffer, block, end);

            case RequestVoteDecoder.TEMPLATE_ID:
                return validateRequestVote(buffer, block, end);

            case VoteResponseDecoder.TEMPLATE_ID:
            {
                final FrameVerdict termVerdict = checkTerm(buffer, block + VoteResponseDecoder.termEncodingOffset());
                if (FrameVerdict.VALID != termVerdict)
                {
                    return termVerdict;
                }
                return isBoolean(buffer, block + VoteResponseDecoder.preVoteEncodingOffset()) &&
                    isBoolean(buffer, block + VoteResponseDecoder.grantedEncodingOffset()) ?
                    varFields(buffer, varStart, end, NO_FIELD, NO_FIELD) : FrameVerdict.BAD_ENUM_VALUE;
            }

            case TimeoutNowDecoder.TEMPLATE_ID:
            {
                final FrameVerdict termVerdict = checkTerm(buffer, block + TimeoutNowDecoder.termEncodingOffset());
                return FrameVerdict.VALID != termVerdict ?
                    termVerdict : varFields(buffer, varStart, end, NO_FIELD, NO_FIELD);
            }

            case LeaderIntroductionDecoder.TEMPLATE_ID:
            {
                final FrameVerdict termVerdict =
                    checkTerm(buffer, block + LeaderIntroductionDecoder.termEncodingOffset());
                return FrameVerdict.VALID != termVerdict ?
                    termVerdict : varFields(buffer, varStart, end, MAX_TEXT_LENGTH, NO_FIELD);
            }

            case TermProbeDecoder.TEMPLATE_ID:
                return varFields(buffer, varStart, end, NO_FIELD, NO_FIELD);

            case TermProbeResponseDecoder.TEMPLATE_ID:
            {
                final FrameVerdict termVerdict =
                    checkTerm(buffer, block + TermProbeResponseDecoder.termEncodingOffset());
                return FrameVerdict.VALID != termVerdict ?
                    termVerdict : varFields(buffer, varStart, end, NO_FIELD, NO_FIELD);
            }

            case SnapshotChunkDecoder.TEMPLATE_ID:
                return validateSnapshotChunk(buffer, block, end);

            case SnapshotAckDecoder.TEMPLATE_ID:
                return validateSnapshotAck(buffer, block, end);

            case ReadIndexRequestDecoder.TEMPLATE_ID:
            {
                final FrameVerdict termVerdict = checkTerm(buffer, block + ReadIndexRequestDecoder.termEncodingOffset());
                if (FrameVerdict.VALID != termVerdict)
                {
                    return termVerdict;
                }
                return isReadMode(buffer, block + ReadIndexRequestDecoder.modeEncodingOffset()) ?
                    varFields(buffer, varStart, end, NO_FIELD, NO_FIELD) : FrameVerdict.BAD_ENUM_VALUE;
            }

            case ReadIndexResponseDecoder.TEMPLATE_ID:
                return validateReadIndexResponse(buffer, block, end);

            case ForwardedRequestDecoder.TEMPLATE_ID:
                return varFields(buffer, varStart, end, EntryFrame.MAX_PAYLOAD_LENGTH, NO_FIELD);

            case QueryDecoder.TEMPLATE_ID:
                return isReadMode(buffer, block + QueryDecoder.modeEncodingOffset()) ?
                    varFields(buffer, varStart, end, EntryFrame.MAX_PAYLOAD_LENGTH, NO_FIELD) :
                    FrameVerdict.BAD_ENUM_VALUE;

            case QueryResponseDecoder.TEMPLATE_ID:
                return isResponseStatus(buffer, block + QueryResponseDecoder.statusEncodingOffset()) ?
                    varFields(buffer, varStart, end, MAX_TEXT_LENGTH, EntryFrame.MAX_PAYLOAD_LENGTH) :
                    FrameVerdict.BAD_ENUM_VALUE;

            case SessionConnectDecoder.TEMPLATE_ID:
                return varFields(buffer, varStart, end, MAX_TEXT_LENGTH, MAX_CREDENTIALS_LENGTH);

            case SessionRejectDecoder.TEMPLATE_ID:
                return isRejectReason(buffer, block + SessionRejectDecoder.reasonEncodingOffset()) ?
                    varFields(buffer, varStart, end, MAX_TEXT_LENGTH, MAX_TEXT_LENGTH) : FrameVerdict.BAD_ENUM_VALUE;

            case RequestDecoder.TEMPLATE_ID:
                return varFields(buffer, varStart, end, EntryFrame.MAX_PAYLOAD_LENGTH, NO_FIELD);

            case ResponseDecoder.TEMPLATE_ID:
                return isResponseStatus(buffer, block + ResponseDecoder.statusEncodingOffset()) ?
                    varFields(buffer, varStart, end, MAX_TEXT_LENGTH, EntryFrame.MAX_PAYLOAD_LENGTH) :
                    FrameVerdict.BAD_ENUM_VALUE;

            case SessionMessageDecoder.TEMPLATE_ID:
                return isResponseStatus(buffer, block + SessionMessageDecoder.statusEncodingOffset()) ?
                    varFields(buffer, varStart, end, EntryFrame.MAX_PAYLOAD_LENGTH, NO_FIELD) :
                    FrameVerdict.BAD_ENUM_VALUE;

            case SessionMessageAckDecoder.TEMPLATE_ID:
                return isBoolean(buffer, block + SessionMessageAckDecoder.resendEncodingOffset()) ?
                    varFields(buffer, varStart, end, NO_FIELD, NO_FIELD) : FrameVerdict.BAD_ENUM_VALUE;

            case NodeStateRecordDecoder.TEMPLATE_ID:
            {
                final FrameVerdict verdict = validateNodeStateChecksum(buffer, offset, length, expectedBlockLength);
                return FrameVerdict.VALID != verdict ||
                    isBoolean(buffer, block + NodeStateRecordDecoder.votingFenceEncodingOffset()) ?
                    verdict : FrameVerdict.BAD_ENUM_VALUE;
            }

            case EarlierNodeStateRecordDecoder.TEMPLATE_ID:
                return validateNodeStateChecksum(buffer, offset, length, expectedBlockLength);

            default: // SessionAck, SessionKeepAlive, SessionClose, SessionAttach: fixed fields only.
                return varFields(buffer, varStart, end, NO_FIELD, NO_FIELD);
        }
    }

    /**
     * Validate a block of contiguous log entry frames, as carried by AppendEntries or stored in the log: every
     * frame complete and well-formed with a correct checksum, indices consecutive, terms positive and
     * non-decreasing, a {@link EntryType#CONFIG} entry's payload a valid {@link ConfigPayload}, and no bytes left over.
     *
     * @param buffer             holding the block.
     * @param offset             of the first frame.
     * @param length             of the block.
     * @param expectedFirstIndex the index the first frame must have, or a negative value for any positive index.
     * @return the verdict; an empty block is valid.
     */
    public static FrameVerdict validateEntries(
        final DirectBuffer buffer, final int offset, final int length, final long expectedFirstIndex)
    {
        if (length < 0 || offset < 0 || (long)offset + length > buffer.capacity())
        {
            return FrameVerdict.TRUNCATED;
        }

        int position = offset;
        final int end = offset + length;
        long expectedIndex = expectedFirstIndex;
        long previousTerm = 0;
        while (position < end)
        {
            final int available = end - position;
            final FrameVerdict verdict = validateEntry(buffer, position, available, expectedIndex, -1);
            if (FrameVerdict.VALID != verdict)
            {
                return verdict;
            }

            final long term = EntryFrame.term(buffer, position);
            if (term < previousTerm)
            {
                return FrameVerdict.BAD_TERM;
            }
            previousTerm = term;
            expectedIndex = EntryFrame.index(buffer, position) + 1;
            position += EntryFrame.frameLength(buffer, position);
        }

        return FrameVerdict.VALID;
    }

    /**
     * Validate the one log entry frame that starts at {@code offset}, within {@code available} bytes. Used to
     * walk a log frame by frame (recovery), where the frame's end is not known in advance.
     *
     * @param buffer        holding the frame.
     * @param offset        of the frame.
     * @param available     bytes from offset that may belong to the frame (and to frames after it).
     * @param expectedIndex the index the frame must have, or a negative value for any positive index.
     * @return the verdict; when valid, the frame's length is {@link EntryFrame#frameLength(DirectBuffer, int)}.
     */
    public static FrameVerdict validateEntryAt(
        final DirectBuffer buffer, final int offset, final int available, final long expectedIndex)
    {
        if (available < 0 || offset < 0 || (long)offset + available > buffer.capacity())
        {
            return FrameVerdict.TRUNCATED;
        }

        return validateEntry(buffer, offset, available, expectedIndex, -1);
    }

    private static FrameVerdict validateEntry(
        final DirectBuffer buffer, final int offset, final int available, final long expectedIndex, final int exactLength)
    {
        if (available < EntryFrame.HEADER_LENGTH)
        {
            return FrameVerdict.TRUNCATED;
        }

        final FrameVerdict headerVerdict = checkHeader(buffer, offset, available);
        if (FrameVerdict.VALID != headerVerdict)
        {
            return headerVerdict;
        }
        if (LogEntryDecoder.TEMPLATE_ID != templateId(buffer, offset))
        {
            return FrameVerdict.UNKNOWN_TEMPLATE;
        }
        if (LogEntryDecoder.BLOCK_LENGTH != blockLength(buffer, offset))
        {
            return FrameVerdict.BAD_BLOCK_LENGTH;
        }

        final int payloadLength = EntryFrame.payloadLength(buffer, offset);
        if (payloadLength < 0 || payloadLength > EntryFrame.MAX_PAYLOAD_LENGTH)
        {
            return FrameVerdict.BAD_VAR_LENGTH;
        }

        final int frameLength = EntryFrame.HEADER_LENGTH + payloadLength;
        if (frameLength > available)
        {
            return FrameVerdict.TRUNCATED;
        }
        if (exactLength >= 0 && frameLength != exactLength)
        {
            return FrameVerdict.TRAILING_BYTES;
        }
        if (!EntryFrame.isChecksumValid(buffer, offset, frameLength))
        {
            return FrameVerdict.BAD_CHECKSUM;
        }
        if (!isEntryType(buffer, offset + HEADER + LogEntryDecoder.entryTypeEncodingOffset()))
        {
            return FrameVerdict.BAD_ENUM_VALUE;
        }

        if (EntryType.CONFIG == EntryFrame.type(buffer, offset) &&
            !ConfigPayload.isValid(buffer, EntryFrame.payloadOffset(offset), payloadLength))
        {
            return FrameVerdict.BAD_FIELD_VALUE;
        }

        final long index = EntryFrame.index(buffer, offset);
        if (index < 1 || (expectedIndex >= 0 && index != expectedIndex))
        {
            return FrameVerdict.BAD_INDEX_SEQUENCE;
        }

        final long term = EntryFrame.term(buffer, offset);
        if (term > MAX_TERM)
        {
            return FrameVerdict.TERM_OUT_OF_BOUNDS;
        }

        return term < 1 ? FrameVerdict.BAD_TERM : FrameVerdict.VALID;
    }

    private static FrameVerdict validateAppendEntries(final DirectBuffer buffer, final int block, final int end)
    {
        final int varStart = block + AppendEntriesDecoder.BLOCK_LENGTH;
        if (end - varStart < VAR_LENGTH_PREFIX)
        {
            return FrameVerdict.TRUNCATED;
        }

        final long entriesLength = buffer.getInt(varStart, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (entriesLength > MAX_ENTRIES_BLOCK_LENGTH)
        {
            return FrameVerdict.BAD_VAR_LENGTH;
        }

        final int entriesOffset = varStart + VAR_LENGTH_PREFIX;
        if (entriesOffset + entriesLength > end)
        {
            return FrameVerdict.TRUNCATED;
        }
        if (entriesOffset + entriesLength < end)
        {
            return FrameVerdict.TRAILING_BYTES;
        }

        final FrameVerdict termsVerdict = checkTerms(
            buffer, block, AppendEntriesDecoder.termEncodingOffset(), AppendEntriesDecoder.prevLogTermEncodingOffset());
        if (FrameVerdict.VALID != termsVerdict)
        {
            return termsVerdict;
        }
        if (!isIndex(buffer, block + AppendEntriesDecoder.prevLogIndexEncodingOffset()) ||
            !isIndex(buffer, block + AppendEntriesDecoder.leaderCommitEncodingOffset()) ||
            buffer.getLong(block + AppendEntriesDecoder.leaderStampEncodingOffset(), LITTLE_ENDIAN) < 0)
        {
            return FrameVerdict.BAD_FIELD_VALUE;
        }

        final long prevLogIndex = buffer.getLong(block + AppendEntriesDecoder.prevLogIndexEncodingOffset(), LITTLE_ENDIAN);
        final int entryCount = buffer.getInt(block + AppendEntriesDecoder.entryCountEncodingOffset(), LITTLE_ENDIAN);

        final FrameVerdict entriesVerdict =
            validateEntries(buffer, entriesOffset, (int)entriesLength, prevLogIndex + 1);
        if (FrameVerdict.VALID != entriesVerdict)
        {
            return entriesVerdict;
        }

        return countEntries(buffer, entriesOffset, (int)entriesLength) == entryCount ?
            FrameVerdict.VALID : FrameVerdict.BAD_ENTRY_COUNT;
    }

    private static FrameVerdict validateAppendResponse(final DirectBuffer buffer, final int block, final int end)
    {
        final FrameVerdict termsVerdict = checkTerms(
            buffer,
            block,
            AppendResponseDecoder.termEncodingOffset(),
            AppendResponseDecoder.conflictTermEncodingOffset());
        if (FrameVerdict.VALID != termsVerdict)
        {
            return termsVerdict;
        }
        if (!isIndex(buffer, block + AppendResponseDecoder.lastAppendedIndexEncodingOffset()) ||
            !isIndex(buffer, block + AppendResponseDecoder.durableIndexEncodingOffset()) ||
            !isIndex(buffer, block + AppendResponseDecoder.conflictIndexEncodingOffset()) ||
            buffer.getLong(block + AppendResponseDecoder.echoStampEncodingOffset(), LITTLE_ENDIAN) < 0)
        {
            return FrameVerdict.BAD_FIELD_VALUE;
        }
        if (!isBoolean(buffer, block + AppendResponseDecoder.successEncodingOffset()))
        {
            return FrameVerdict.BAD_ENUM_VALUE;
        }

        return varFields(buffer, block + AppendResponseDecoder.BLOCK_LENGTH, end, NO_FIELD, NO_FIELD);
    }

    private static FrameVerdict validateRequestVote(final DirectBuffer buffer, final int block, final int end)
    {
        final FrameVerdict termsVerdict = checkTerms(
            buffer, block, RequestVoteDecoder.termEncodingOffset(), RequestVoteDecoder.lastLogTermEncodingOffset());
        if (FrameVerdict.VALID != termsVerdict)
        {
            return termsVerdict;
        }
        if (!isIndex(buffer, block + RequestVoteDecoder.lastLogIndexEncodingOffset()))
        {
            return FrameVerdict.BAD_FIELD_VALUE;
        }
        if (!isBoolean(buffer, block + RequestVoteDecoder.preVoteEncodingOffset()) ||
            !isBoolean(buffer, block + RequestVoteDecoder.transferEncodingOffset()))
        {
            return FrameVerdict.BAD_ENUM_VALUE;
        }

        return varFields(buffer, block + RequestVoteDecoder.BLOCK_LENGTH, end, NO_FIELD, NO_FIELD);
    }

    private static FrameVerdict validateSnapshotChunk(final DirectBuffer buffer, final int block, final int end)
    {
        final int varStart = block + SnapshotChunkDecoder.BLOCK_LENGTH;
        final FrameVerdict dataVerdict = varFields(buffer, varStart, end, MAX_SNAPSHOT_CHUNK_LENGTH, NO_FIELD);
        if (FrameVerdict.VALID != dataVerdict)
        {
            return dataVerdict;
        }

        // The data must lie inside the file the chunk names, so a receiver can write it without further checks.
        final long dataLength = buffer.getInt(varStart, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        final long snapshotIndex = buffer.getLong(block + SnapshotChunkDecoder.snapshotIndexEncodingOffset(), LITTLE_ENDIAN);
        final long snapshotTerm = buffer.getLong(block + SnapshotChunkDecoder.snapshotTermEncodingOffset(), LITTLE_ENDIAN);
        final long snapshotLength =
            buffer.getLong(block + SnapshotChunkDecoder.snapshotLengthEncodingOffset(), LITTLE_ENDIAN);
        final long fileOffset = buffer.getLong(block + SnapshotChunkDecoder.fileOffsetEncodingOffset(), LITTLE_ENDIAN);
        final FrameVerdict termsVerdict = checkTerms(
            buffer, block, SnapshotChunkDecoder.termEncodingOffset(), SnapshotChunkDecoder.snapshotTermEncodingOffset());
        if (FrameVerdict.VALID != termsVerdict)
        {
            return termsVerdict;
        }

        // A leader's snapshot ends in an entry of its term or an older one.
        final long term = buffer.getLong(block + SnapshotChunkDecoder.termEncodingOffset(), LITTLE_ENDIAN);
        if (snapshotIndex < 1 || snapshotIndex > MAX_INDEX || snapshotTerm < 1 || snapshotTerm > term ||
            snapshotLength < 0 || fileOffset < 0 || fileOffset > snapshotLength - dataLength)
        {
            return FrameVerdict.BAD_FIELD_VALUE;
        }

        return FrameVerdict.VALID;
    }

    private static FrameVerdict validateSnapshotAck(final DirectBuffer buffer, final int block, final int end)
    {
        if (!isSnapshotAckStatus(buffer, block + SnapshotAckDecoder.statusEncodingOffset()))
        {
            return FrameVerdict.BAD_ENUM_VALUE;
        }
        final FrameVerdict termsVerdict = checkTerms(
            buffer, block, SnapshotAckDecoder.termEncodingOffset(), SnapshotAckDecoder.snapshotTermEncodingOffset());
        if (FrameVerdict.VALID != termsVerdict)
        {
            return termsVerdict;
        }
        if (!isIndex(buffer, block + SnapshotAckDecoder.snapshotIndexEncodingOffset()) ||
            buffer.getLong(block + SnapshotAckDecoder.nextOffsetEncodingOffset(), LITTLE_ENDIAN) < 0)
        {
            return FrameVerdict.BAD_FIELD_VALUE;
        }

        return varFields(buffer, block + SnapshotAckDecoder.BLOCK_LENGTH, end, NO_FIELD, NO_FIELD);
    }

    private static FrameVerdict validateReadIndexResponse(final DirectBuffer buffer, final int block, final int end)
    {
        final FrameVerdict termVerdict = checkTerm(buffer, block + ReadIndexResponseDecoder.termEncodingOffset());
        if (FrameVerdict.VALID != termVerdict)
        {
            return termVerdict;
        }
        if (!isIndex(buffer, block + ReadIndexResponseDecoder.readIndexEncodingOffset()))
        {
            return FrameVerdict.BAD_FIELD_VALUE;
        }
        if (!isBoolean(buffer, block + ReadIndexResponseDecoder.grantedEncodingOffset()))
        {
            return FrameVerdict.BAD_ENUM_VALUE;
        }

        return varFields(buffer, block + ReadIndexResponseDecoder.BLOCK_LENGTH, end, NO_FIELD, NO_FIELD);
    }

    // Both node state records start with their checksum, over every byte after it.
    private static FrameVerdict validateNodeStateChecksum(
        final DirectBuffer buffer, final int offset, final int length, final int blockLength)
    {
        if (length != HEADER + blockLength)
        {
            return FrameVerdict.TRAILING_BYTES;
        }

        final int checksumOffset = offset + HEADER + NodeStateRecordDecoder.checksumEncodingOffset();
        final int covered = checksumOffset + NodeStateRecordDecoder.checksumEncodingLength();
        final int expected = Checksums.crc32c(buffer, covered, offset + length - covered);

        return buffer.getInt(checksumOffset, LITTLE_ENDIAN) == expected ? FrameVerdict.VALID : FrameVerdict.BAD_CHECKSUM;
    }

    /**
     * Walk up to two variable-length fields (a bound of {@link #NO_FIELD} means the field is absent) and insist
     * the message ends exactly after them.
     */
    private static FrameVerdict varFields(
        final DirectBuffer buffer, final int varStart, final int end, final int firstBound, final int secondBound)
    {
        int position = varStart;
        for (int i = 0; i < 2; i++)
        {
            final int bound = 0 == i ? firstBound : secondBound;
            if (NO_FIELD == bound)
            {
                break;
            }
            if (end - position < VAR_LENGTH_PREFIX)
            {
                return FrameVerdict.TRUNCATED;
            }

            final long fieldLength = buffer.getInt(position, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            if (fieldLength > bound)
            {
                return FrameVerdict.BAD_VAR_LENGTH;
            }
            position += VAR_LENGTH_PREFIX;
            if (fieldLength > end - position)
            {
                return FrameVerdict.TRUNCATED;
            }
            position += (int)fieldLength;
        }

        return position == end ? FrameVerdict.VALID : FrameVerdict.TRAILING_BYTES;
    }

    private static int expectedBlockLength(final int templateId)
    {
        switch (templateId)
        {
            case LogEntryDecoder.TEMPLATE_ID: return LogEntryDecoder.BLOCK_LENGTH;
            case AppendEntriesDecoder.TEMPLATE_ID: return AppendEntriesDecoder.BLOCK_LENGTH;
            case AppendResponseDecoder.TEMPLATE_ID: return AppendResponseDecoder.BLOCK_LENGTH;
            case RequestVoteDecoder.TEMPLATE_ID: return RequestVoteDecoder.BLOCK_LENGTH;
            case VoteResponseDecoder.TEMPLATE_ID: return VoteResponseDecoder.BLOCK_LENGTH;
            case TimeoutNowDecoder.TEMPLATE_ID: return TimeoutNowDecoder.BLOCK_LENGTH;
            case LeaderIntroductionDecoder.TEMPLATE_ID: return LeaderIntroductionDecoder.BLOCK_LENGTH;
            case TermProbeDecoder.TEMPLATE_ID: return TermProbeDecoder.BLOCK_LENGTH;
            case TermProbeResponseDecoder.TEMPLATE_ID: return TermProbeResponseDecoder.BLOCK_LENGTH;
            case SnapshotChunkDecoder.TEMPLATE_ID: return SnapshotChunkDecoder.BLOCK_LENGTH;
            case SnapshotAckDecoder.TEMPLATE_ID: return SnapshotAckDecoder.BLOCK_LENGTH;
            case ReadIndexRequestDecoder.TEMPLATE_ID: return ReadIndexRequestDecoder.BLOCK_LENGTH;
            case ReadIndexResponseDecoder.TEMPLATE_ID: return ReadIndexResponseDecoder.BLOCK_LENGTH;
            case ForwardedRequestDecoder.TEMPLATE_ID: return ForwardedRequestDecoder.BLOCK_LENGTH;
            case QueryDecoder.TEMPLATE_ID: return QueryDecoder.BLOCK_LENGTH;
            case QueryResponseDecoder.TEMPLATE_ID: return QueryResponseDecoder.BLOCK_LENGTH;
            case SessionConnectDecoder.TEMPLATE_ID: return SessionConnectDecoder.BLOCK_LENGTH;
            case SessionAckDecoder.TEMPLATE_ID: return SessionAckDecoder.BLOCK_LENGTH;
            case SessionRejectDecoder.TEMPLATE_ID: return SessionRejectDecoder.BLOCK_LENGTH;
            case RequestDecoder.TEMPLATE_ID: return RequestDecoder.BLOCK_LENGTH;
            case ResponseDecoder.TEMPLATE_ID: return ResponseDecoder.BLOCK_LENGTH;
            case SessionKeepAliveDecoder.TEMPLATE_ID: return SessionKeepAliveDecoder.BLOCK_LENGTH;
            case SessionCloseDecoder.TEMPLATE_ID: return SessionCloseDecoder.BLOCK_LENGTH;
            case SessionAttachDecoder.TEMPLATE_ID: return SessionAttachDecoder.BLOCK_LENGTH;
            case SessionMessageDecoder.TEMPLATE_ID: return SessionMessageDecoder.BLOCK_LENGTH;
            case SessionMessageAckDecoder.TEMPLATE_ID: return SessionMessageAckDecoder.BLOCK_LENGTH;
            case NodeStateRecordDecoder.TEMPLATE_ID: return NodeStateRecordDecoder.BLOCK_LENGTH;
            case EarlierNodeStateRecordDecoder.TEMPLATE_ID: return EarlierNodeStateRecordDecoder.BLOCK_LENGTH;
            default: return -1;
        }
    }

    private static FrameVerdict checkHeader(final DirectBuffer buffer, final int offset, final int length)
    {
        if (offset < 0 || length < HEADER || (long)offset + length > buffer.capacity())
        {
            return FrameVerdict.TRUNCATED;
        }
        if (MessageHeaderDecoder.SCHEMA_ID != (buffer.getShort(offset + 4, LITTLE_ENDIAN) & 0xFFFF))
        {
            return FrameVerdict.UNKNOWN_SCHEMA;
        }
        if (MessageHeaderDecoder.SCHEMA_VERSION != (buffer.getShort(offset + 6, LITTLE_ENDIAN) & 0xFFFF))
        {
            return FrameVerdict.UNSUPPORTED_VERSION;
        }
        if (length < HEADER + blockLength(buffer, offset))
        {
            return FrameVerdict.TRUNCATED;
        }

        return FrameVerdict.VALID;
    }

    private static int templateId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + 2, LITTLE_ENDIAN) & 0xFFFF;
    }

    private static int blockLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset, LITTLE_ENDIAN) & 0xFFFF;
    }

    private static int countEntries(final DirectBuffer buffer, final int offset, final int length)
    {
        int count = 0;
        for (int position = offset, end = offset + length; position < end; count++)
        {
            position += EntryFrame.frameLength(buffer, position);
        }

        return count;
    }

    /**
     * A term field of a consensus message: negative is no term at all, above {@link #MAX_TERM} out of bounds.
     */
    private static FrameVerdict checkTerm(final DirectBuffer buffer, final int offset)
    {
        final long term = buffer.getLong(offset, LITTLE_ENDIAN);
        if (term > MAX_TERM)
        {
            return FrameVerdict.TERM_OUT_OF_BOUNDS;
        }

        return term < 0 ? FrameVerdict.BAD_FIELD_VALUE : FrameVerdict.VALID;
    }

    private static FrameVerdict checkTerms(
        final DirectBuffer buffer, final int block, final int firstFieldOffset, final int secondFieldOffset)
    {
        final FrameVerdict verdict = checkTerm(buffer, block + firstFieldOffset);

        return FrameVerdict.VALID != verdict ? verdict : checkTerm(buffer, block + secondFieldOffset);
    }

    private static boolean isIndex(final DirectBuffer buffer, final int offset)
    {
        final long index = buffer.getLong(offset, LITTLE_ENDIAN);

        return index >= 0 && index <= MAX_INDEX;
    }

    private static boolean isBoolean(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getByte(offset) & 0xFF) <= 1;
    }

    private static boolean isEntryType(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getByte(offset) & 0xFF) <= EntryType.CONFIG.value();
    }

    private static boolean isResponseStatus(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getByte(offset) & 0xFF) <= ResponseStatus.RESPONSE_TOO_LARGE.value();
    }

    private static boolean isSnapshotAckStatus(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getByte(offset) & 0xFF) <= SnapshotAckStatus.NOT_NEEDED.value();
    }

    private static boolean isReadMode(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getByte(offset) & 0xFF) <= ReadMode.LEASE.value();
    }

    private static boolean isRejectReason(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getByte(offset) & 0xFF) <= RejectReason.TOO_MANY_SESSIONS.value();
    }
}
