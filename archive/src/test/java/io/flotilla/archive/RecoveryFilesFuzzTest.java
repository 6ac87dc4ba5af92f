package io.flotilla.archive;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.protocol.DataHeaderFlyweight;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.NodeStateRecordEncoder;
import io.flotilla.codecs.SeedCorpus;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Coverage-guided fuzzing of what recovery reads from disk (docs/fault-testing.md, "Fuzzing"): a segment file scanned
 * frame by frame as {@link LogRecovery} does, the log-start record, the node state file and a snapshot file, each
 * written with the fuzzer's bytes. Damage must give the reader's own exception ({@link LogCorruptionException},
 * the node state file's {@link IllegalStateException}, {@link SnapshotCorruptException}), never another one, and
 * whatever is accepted must pass an independent CRC32C: no bytes that fail their checksum get through.
 */
class RecoveryFilesFuzzTest
{
    private static final int TERM_LENGTH = 64 * 1024;
    private static final int SEGMENT_LENGTH = 2 * TERM_LENGTH;
    private static final long RECORDING_ID = 7;
    private static final int SESSION_ID = 11;
    private static final int STREAM_ID = 1001;
    private static final long SNAPSHOT_INDEX = 5;
    private static final long SNAPSHOT_TERM = 2;
    private static final String SNAPSHOT_NAME = "snapshot-00000000000000000005-2.snap";

    @TempDir
    static Path tempDir;

    @Test
    void seedsAreCheckedIn() throws IOException
    {
        final byte[] threeEntries = segment(new int[] { 20, 0, 300 }, Integer.MAX_VALUE);
        final byte[] fragmentedEntry = segment(new int[] { 200, 3 }, 128);
        final byte[] tornTail = Arrays.copyOf(segment(new int[] { 20, 40 }, Integer.MAX_VALUE), 200);
        assertEquals(3, scanSegment(threeEntries));
        assertEquals(2, scanSegment(fragmentedEntry));
        assertEquals(1, scanSegment(tornTail));
        new SeedCorpus(RecoveryFilesFuzzTest.class, "segmentScan")
            .add("three-entries", threeEntries)
            .add("fragmented-entry", fragmentedEntry)
            .add("torn-tail", tornTail)
            .verify();

        final Path dataDirectory = Files.createDirectories(tempDir.resolve("seeds"));
        final LogStartFile logStart = new LogStartFile(dataDirectory.toFile());
        logStart.write(4096, 41, 3, 0);
        final SeedCorpus logStartSeeds = new SeedCorpus(RecoveryFilesFuzzTest.class, "logStartFile")
            .add("compacted", Files.readAllBytes(logStart.file().toPath()));
        logStart.write(0, 0, 0, LogStartFile.RESET_PENDING);
        logStartSeeds.add("reset-pending", Files.readAllBytes(logStart.file().toPath())).verify();

        try (NodeStateFile nodeState = NodeStateFile.open(dataDirectory.toFile()))
        {
            nodeState.write(9, 2, 100);
            final byte[] oneSlot = Files.readAllBytes(nodeState.file().toPath());
            nodeState.write(10, NodeStateFile.NO_VOTE, 110);
            final byte[] bothSlots = Files.readAllBytes(nodeState.file().toPath());
            nodeState.writeVotingFence(true, NodeStateFile.NO_REFUSED_TERM);
            new SeedCorpus(RecoveryFilesFuzzTest.class, "nodeStateFile")
                .add("voted", oneSlot)
                .add("both-slots", bothSlots)
                .add("fenced", Files.readAllBytes(nodeState.file().toPath()))
                .add("earlier-layout", EarlierNodeStateFiles.oneRecord(9, 2, 100))
                .add("earlier-records", EarlierNodeStateFiles.twoSlots(5, 9, 2, 100))
                .verify();
        }

        new SeedCorpus(RecoveryFilesFuzzTest.class, "snapshotFile")
            .add("three-members", snapshot(new int[] { 0, 1, 2 }, "kv-state".getBytes()))
            .add("empty-payload", snapshot(new int[] { 4 }, new byte[0]))
            .verify();
    }

    @FuzzTest
    void segmentScan(final byte[] input) throws IOException
    {
        scanSegment(input);
    }

    /**
     * Scan a segment holding the bytes as recovery does: entries from index 1 on, then a look for a valid entry after
     * the first damage.
     *
     * @return the number of entries accepted.
     */
    private static long scanSegment(final byte[] input) throws IOException
    {
        final Path archive = Files.createDirectories(tempDir.resolve("archive"));
        Files.write(archive.resolve(RECORDING_ID + "-0.rec"), input);

        // The recording may claim a little more than the file holds, as after a lost tail.
        final long stopPosition = BitUtil.align(input.length, FrameDescriptor.FRAME_ALIGNMENT);
        final long[] lastIndex = { 0 };
        try (RecordingReader reader = new RecordingReader(archive.toFile(), RECORDING_ID, 0, TERM_LENGTH, SEGMENT_LENGTH))
        {
            final long validEnd = reader.read(0, stopPosition,
                (buffer, offset, length, position, endPosition) ->
                {
                    final long index = lastIndex[0] + 1;
                    if (!FrameValidator.validateEntries(buffer, offset, length, index).isValid() ||
                        EntryFrame.frameLength(buffer, offset) != length)
                    {
                        return "not entry " + index;
                    }
                    assertChecksumHolds(buffer, offset, length);
                    assertTrue(endPosition > position && endPosition <= stopPosition);
                    lastIndex[0] = index;
                    return null;
                });
            assertTrue(validEnd >= 0 && validEnd <= stopPosition);
            if (validEnd < stopPosition)
            {
                assertTrue(null != reader.failureReason());
                final long later = reader.findValidEntryAfter(validEnd, stopPosition, lastIndex[0]);
                assertTrue(-1 == later || (later >= validEnd && later < stopPosition));
            }
        }
        return lastIndex[0];
    }

    @FuzzTest
    void logStartFile(final byte[] input) throws IOException
    {
        final Path dataDirectory = Files.createDirectories(tempDir.resolve("log-start"));
        Files.write(dataDirectory.resolve(LogStartFile.FILE_NAME), input);
        try
        {
            final LogStartFile file = new LogStartFile(dataDirectory.toFile());
            assertTrue(file.exists());
            assertEquals(36, input.length);
            assertEquals(crc32c(input, 4, input.length - 4), littleEndianInt(input, 0), "accepted a failing checksum");
        }
        catch (final LogCorruptionException expected)
        {
            assertTrue(expected.getMessage().contains(LogStartFile.FILE_NAME));
        }
    }

    @FuzzTest
    void nodeStateFile(final byte[] input) throws IOException
    {
        final Path dataDirectory = Files.createDirectories(tempDir.resolve("node-state"));
        Files.write(dataDirectory.resolve(NodeStateFile.FILE_NAME), input);
        try
        {
            final NodeStateFile file = NodeStateFile.open(dataDirectory.toFile());
            assertTrue(file.existed());
            assertTrue(NodeStateFile.EARLIER_RECORD_LENGTH == input.length || NodeStateFile.FILE_LENGTH == input.length,
                "accepted a file of " + input.length + " bytes");
            // The state read is that of a slot whose checksum holds (both records have the same first fields).
            final int covered = MessageHeaderEncoder.ENCODED_LENGTH + NodeStateRecordEncoder.checksumEncodingOffset() +
                Integer.BYTES;
            final int termOffset = MessageHeaderEncoder.ENCODED_LENGTH + NodeStateRecordEncoder.currentTermEncodingOffset();
            boolean fromAValidSlot = false;
            for (int slot = 0; slot < input.length; slot += NodeStateFile.SLOT_LENGTH)
            {
                final int length = NodeStateRecordEncoder.TEMPLATE_ID == littleEndianShort(input, slot + 2) ?
                    NodeStateFile.RECORD_LENGTH : NodeStateFile.EARLIER_RECORD_LENGTH;
                fromAValidSlot |= crc32c(input, slot + covered, length - covered) ==
                    littleEndianInt(input, slot + covered - Integer.BYTES) &&
                    file.currentTerm() == ByteBuffer.wrap(input, slot + termOffset, Long.BYTES)
                        .order(ByteOrder.LITTLE_ENDIAN).getLong();
            }
            assertTrue(fromAValidSlot, "accepted a failing checksum");
        }
        catch (final IllegalStateException expected)
        {
            assertTrue(expected.getMessage().contains(NodeStateFile.FILE_NAME));
        }
    }

    @FuzzTest
    void snapshotFile(final byte[] input) throws IOException
    {
        final Path directory = Files.createDirectories(tempDir.resolve("snapshots"));
        Files.write(directory.resolve(SNAPSHOT_NAME), input);
        final SnapshotStore store = SnapshotStore.open(directory, 1);
        final SnapshotInfo listed = store.list().get(0);
        try (SnapshotReader reader = store.openVerified(listed))
        {
            assertEquals(SNAPSHOT_INDEX, reader.index());
            assertEquals(SNAPSHOT_TERM, reader.term());
            final int payloadStart = SnapshotFormat.headerLength(reader.memberIds().length);
            assertEquals(input.length - payloadStart, reader.payloadLength());
            assertEquals(crc32c(input, payloadStart, input.length - payloadStart),
                littleEndianInt(input, SnapshotFormat.PAYLOAD_CHECKSUM_OFFSET), "accepted a failing payload checksum");
            final CRC32C header = new CRC32C();
            header.update(input, 0, SnapshotFormat.HEADER_CHECKSUM_OFFSET);
            header.update(input, SnapshotFormat.MEMBER_COUNT_OFFSET, payloadStart - SnapshotFormat.MEMBER_COUNT_OFFSET);
            assertEquals((int)header.getValue(), littleEndianInt(input, SnapshotFormat.HEADER_CHECKSUM_OFFSET),
                "accepted a failing header checksum");

            final InputStream payload = reader.payload();
            assertTrue(Arrays.equals(Arrays.copyOfRange(input, payloadStart, input.length), payload.readAllBytes()));
            assertEquals(-1, payload.read());
        }
        catch (final SnapshotCorruptException expected)
        {
            assertTrue(expected.getMessage().contains(SNAPSHOT_NAME));
        }
    }

    /**
     * A segment as Aeron records it: each entry in one data frame, or, beyond {@code maxFragment} bytes, in several.
     */
    private static byte[] segment(final int[] payloadLengths, final int maxFragment)
    {
        final UnsafeBuffer entry = new UnsafeBuffer(new byte[EntryFrame.frameLength(EntryFrame.MAX_PAYLOAD_LENGTH)]);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[1024]);
        final UnsafeBuffer segment = new UnsafeBuffer(new byte[TERM_LENGTH]);
        final DataHeaderFlyweight frame = new DataHeaderFlyweight();
        int position = 0;
        for (int i = 0; i < payloadLengths.length; i++)
        {
            payload.setMemory(0, payload.capacity(), (byte)(i + 1));
            final int entryLength = EntryFrame.encode(entry, 0, i + 1, 3, 1_700_000_000_000_000_000L + i,
                EntryType.COMMAND, 12, i + 1, payload, 0, payloadLengths[i]);
            for (int sent = 0; sent < entryLength; )
            {
                final int fragment = Math.min(maxFragment, entryLength - sent);
                byte flags = 0;
                flags |= 0 == sent ? DataHeaderFlyweight.BEGIN_FLAG : 0;
                flags |= sent + fragment == entryLength ? DataHeaderFlyweight.END_FLAG : 0;
                frame.wrap(segment, position, DataHeaderFlyweight.HEADER_LENGTH);
                frame.frameLength(DataHeaderFlyweight.HEADER_LENGTH + fragment)
                    .version(DataHeaderFlyweight.CURRENT_VERSION)
                    .flags(flags)
                    .headerType(DataHeaderFlyweight.HDR_TYPE_DATA);
                frame.termOffset(position).sessionId(SESSION_ID).streamId(STREAM_ID).termId(0);
                segment.putBytes(position + DataHeaderFlyweight.HEADER_LENGTH, entry, sent, fragment);
                position += BitUtil.align(DataHeaderFlyweight.HEADER_LENGTH + fragment, FrameDescriptor.FRAME_ALIGNMENT);
                sent += fragment;
            }
        }
        return Arrays.copyOf(segment.byteArray(), position);
    }

    private static byte[] snapshot(final int[] memberIds, final byte[] payload)
    {
        final CRC32C crc = new CRC32C();
        crc.update(payload);
        final ByteBuffer header =
            SnapshotFormat.encodeHeader(SNAPSHOT_INDEX, SNAPSHOT_TERM, memberIds, payload.length, (int)crc.getValue());
        final byte[] file = Arrays.copyOf(header.array(), header.capacity() + payload.length);
        System.arraycopy(payload, 0, file, header.capacity(), payload.length);
        return file;
    }

    private static void assertChecksumHolds(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] frame = new byte[length];
        buffer.getBytes(offset, frame);
        assertEquals(crc32c(frame, EntryFrame.CHECKSUM_COVERAGE_OFFSET, length - EntryFrame.CHECKSUM_COVERAGE_OFFSET),
            EntryFrame.checksum(buffer, offset), "accepted an entry failing its checksum");
        assertFalse(length < EntryFrame.HEADER_LENGTH);
    }

    private static int crc32c(final byte[] bytes, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset + length > bytes.length)
        {
            fail("a reader accepted a file too short for its own checksum");
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int)crc.getValue();
    }

    private static int littleEndianInt(final byte[] bytes, final int offset)
    {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
    }

    private static int littleEndianShort(final byte[] bytes, final int offset)
    {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getShort(offset) & 0xFFFF;
    }
}
