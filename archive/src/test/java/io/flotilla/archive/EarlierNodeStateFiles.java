package io.flotilla.archive;

import io.flotilla.codecs.Checksums;
import io.flotilla.codecs.EarlierNodeStateRecordEncoder;
import io.flotilla.codecs.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Node state files as the versions before the voting fence wrote them ({@code EarlierNodeStateRecord}): to check
 * that they are still read.
 */
final class EarlierNodeStateFiles
{
    private EarlierNodeStateFiles()
    {
    }

    /**
     * @return the earliest layout: one record, alone in the file (its sequence field was padding, zero).
     */
    static byte[] oneRecord(final long term, final int votedFor, final long commitIndexHint)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[NodeStateFile.EARLIER_RECORD_LENGTH]);
        encode(buffer, 0, 0, term, votedFor, commitIndexHint);
        return buffer.byteArray();
    }

    /**
     * @return the two-slot layout with one record written at {@code sequence} (odd: the slot at 4096).
     */
    static byte[] twoSlots(final int sequence, final long term, final int votedFor, final long commitIndexHint)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[NodeStateFile.FILE_LENGTH]);
        encode(buffer, (sequence & 1) * NodeStateFile.SLOT_LENGTH, sequence, term, votedFor, commitIndexHint);
        return buffer.byteArray();
    }

    private static void encode(
        final UnsafeBuffer buffer,
        final int offset,
        final int sequence,
        final long term,
        final int votedFor,
        final long commitIndexHint)
    {
        final EarlierNodeStateRecordEncoder encoder = new EarlierNodeStateRecordEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .sequence(sequence)
            .currentTerm(term)
            .commitIndexHint(commitIndexHint)
            .votedFor(votedFor);
        final int covered = MessageHeaderEncoder.ENCODED_LENGTH + EarlierNodeStateRecordEncoder.checksumEncodingLength();
        encoder.checksum(Checksums.crc32c(buffer, offset + covered, NodeStateFile.EARLIER_RECORD_LENGTH - covered) &
            0xFFFF_FFFFL);
    }
}
