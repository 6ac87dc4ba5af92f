package io.flotilla.archive;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotStoreTest
{
    private static final int[] MEMBERS = { 0, 1, 2 };

    @TempDir
    Path tempDir;

    @Test
    void roundTripsIndexTermMembersAndPayload() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(tempDir.resolve("snapshots"), 2);
        final byte[] payload = payload(200_000, 1);
        final SnapshotInfo committed = write(store, 1234, 7, MEMBERS, payload);

        assertEquals(1234, committed.index());
        assertEquals(7, committed.term());
        assertArrayEquals(MEMBERS, committed.memberIds());
        assertEquals(SnapshotFormat.headerLength(MEMBERS.length) + payload.length, committed.length());
        assertEquals(committed.length(), Files.size(committed.path()));
        assertEquals("snapshot-00000000000000001234-7.snap", committed.path().getFileName().toString());

        final List<SnapshotInfo> listed = store.list();
        assertEquals(1, listed.size());
        final SnapshotInfo info = listed.get(0);
        assertEquals(1234, info.index());
        assertEquals(7, info.term());
        assertNull(info.memberIds(), "a listing reads no file");
        assertEquals(committed.checksum(), info.checksum());

        try (SnapshotReader reader = store.openVerified(info))
        {
            assertEquals(1234, reader.index());
            assertEquals(7, reader.term());
            assertArrayEquals(MEMBERS, reader.memberIds());
            assertEquals(payload.length, reader.payloadLength());
            assertArrayEquals(payload, reader.payload().readAllBytes());
            assertEquals(-1, reader.payload().read());
        }
    }

    @Test
    void emptyPayloadAndNoMembers() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(tempDir, 1);
        write(store, 0, 0, new int[0], new byte[0]);
        try (SnapshotReader reader = store.openVerified(store.list().get(0)))
        {
            assertEquals(0, reader.memberIds().length);
            assertEquals(0, reader.payload().readAllBytes().length);
        }
    }

    @Test
    void keepsTheNewestRetainedAndListsNewestFirst() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(tempDir, 2);
        write(store, 100, 1, MEMBERS, payload(10, 1));
        write(store, 200, 2, MEMBERS, payload(10, 2));
        assertEquals(List.of(200L, 100L), indices(store.list()));

        write(store, 300, 2, MEMBERS, payload(10, 3));
        assertEquals(List.of(300L, 200L), indices(store.list()));
        write(store, 300, 3, MEMBERS, payload(10, 4)); // same index, higher term: newer
        assertEquals(List.of(300L, 300L), indices(store.list()));
        assertEquals(3, store.list().get(0).term());

        final SnapshotStore single = SnapshotStore.open(tempDir.resolve("one"), 1);
        write(single, 5, 1, MEMBERS, payload(10, 5));
        write(single, 6, 1, MEMBERS, payload(10, 6));
        assertEquals(List.of(6L), indices(single.list()));
        assertThrows(IllegalArgumentException.class, () -> SnapshotStore.open(tempDir, 0));
    }

    @Test
    void anUncommittedSnapshotIsNeverListedAndTheOldOneStays() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(tempDir, 1);
        write(store, 100, 1, MEMBERS, payload(1000, 1));

        final SnapshotWriter torn = store.begin(200, 2, MEMBERS);
        torn.payload().write(payload(100_000, 2));
        torn.payload().flush();
        assertEquals(List.of(100L), indices(store.list()), "a snapshot being written is not listed");
        // A crash here leaves the temp file: a store opened after it deletes it and still has the old snapshot.
        final Path temp = tempDir.resolve("snapshot-00000000000000000200-2.snap.tmp");
        assertTrue(Files.exists(temp));
        final SnapshotStore reopened = SnapshotStore.open(tempDir, 1);
        assertFalse(Files.exists(temp));
        assertEquals(List.of(100L), indices(reopened.list()));
        assertEquals(100, reopened.newestValid(message -> { throw new AssertionError(message); }).index());

        torn.abort();
        final SnapshotWriter aborted = store.begin(300, 3, MEMBERS);
        aborted.payload().write(1);
        aborted.close();
        assertEquals(List.of(100L), indices(store.list()));
        assertEquals(1, fileCount(), "nothing left behind by abort or close");
        assertThrows(IllegalStateException.class, aborted::commit);
        assertThrows(IOException.class, () -> aborted.payload().write(1));
    }

    @Test
    void aFlippedByteAnywhereIsDetectedNamingTheFileAndTheDamage() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(tempDir, 1);
        final byte[] payload = payload(3000, 1);
        final SnapshotInfo committed = write(store, 42, 3, MEMBERS, payload);
        final byte[] original = Files.readAllBytes(committed.path());
        final int headerLength = SnapshotFormat.headerLength(MEMBERS.length);

        final int[][] cases = {
            { SnapshotFormat.MAGIC_OFFSET }, { SnapshotFormat.VERSION_OFFSET + 1 }, { SnapshotFormat.HEADER_CHECKSUM_OFFSET },
            { SnapshotFormat.MEMBER_COUNT_OFFSET }, { SnapshotFormat.INDEX_OFFSET }, { SnapshotFormat.TERM_OFFSET + 7 },
            { SnapshotFormat.PAYLOAD_LENGTH_OFFSET }, { SnapshotFormat.PAYLOAD_CHECKSUM_OFFSET + 2 },
            { SnapshotFormat.MEMBERS_OFFSET + 4 }, { headerLength }, { headerLength + 1500 }, { original.length - 1 } };
        final String[] expected = {
            "bad magic", "format version", "header checksum", "", "header checksum", "header checksum",
            "header checksum", "header checksum", "header checksum", "payload checksum", "payload checksum",
            "payload checksum" };
        for (int i = 0; i < cases.length; i++)
        {
            final byte[] damaged = original.clone();
            damaged[cases[i][0]] ^= 0x10;
            Files.write(committed.path(), damaged);
            final SnapshotInfo info = store.list().get(0);
            final SnapshotCorruptException ex =
                assertThrows(SnapshotCorruptException.class, () -> store.openVerified(info), "byte " + cases[i][0]);
            assertTrue(ex.getMessage().contains(committed.path().toString()), ex.getMessage());
            assertTrue(ex.getMessage().contains(expected[i]), "byte " + cases[i][0] + ": " + ex.getMessage());
            assertEquals(committed.path(), ex.path());
        }

        Files.write(committed.path(), Arrays.copyOf(original, original.length - 1));
        final SnapshotCorruptException shortFile =
            assertThrows(SnapshotCorruptException.class, () -> store.openVerified(store.list().get(0)));
        assertTrue(shortFile.getMessage().contains("payload bytes"), shortFile.getMessage());

        Files.write(committed.path(), original);
        Files.move(committed.path(), tempDir.resolve("snapshot-00000000000000000043-3.snap"));
        final SnapshotCorruptException renamed =
            assertThrows(SnapshotCorruptException.class, () -> store.openVerified(store.list().get(0)));
        assertTrue(renamed.getMessage().contains("file name index 43"), renamed.getMessage());
    }

    @Test
    void newestValidFallsBackToThePreviousSnapshotReportingTheCorruptOne() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(tempDir, 3);
        write(store, 100, 1, MEMBERS, payload(5000, 1));
        final SnapshotInfo middle = write(store, 200, 1, new int[]{ 4, 5, 6 }, payload(5000, 2));
        final SnapshotInfo newest = write(store, 300, 2, MEMBERS, payload(5000, 3));
        flipByte(newest.path(), newest.length() / 2);

        final List<String> reports = new ArrayList<>();
        final SnapshotInfo valid = store.newestValid(reports::add);
        assertEquals(200, valid.index());
        assertArrayEquals(new int[]{ 4, 5, 6 }, valid.memberIds());
        assertEquals(middle.checksum(), valid.checksum());
        assertEquals(1, reports.size());
        assertTrue(reports.get(0).contains(newest.path().toString()), reports.get(0));

        flipByte(middle.path(), 10);
        flipByte(store.list().get(2).path(), 100);
        reports.clear();
        assertNull(store.newestValid(reports::add));
        assertEquals(3, reports.size());
        assertNull(SnapshotStore.open(tempDir.resolve("none"), 1).newestValid(reports::add));
    }

    @Test
    void chunkedReadReproducesTheFileByteForByte() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(tempDir, 1);
        final SnapshotInfo committed = write(store, 77, 4, MEMBERS, payload(100_003, 9));
        final ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (SnapshotChunks chunks = store.openChunks(store.list().get(0)))
        {
            assertEquals(committed.length(), chunks.length());
            assertEquals(committed.checksum(), chunks.checksum());
            final ByteBuffer chunk = ByteBuffer.allocate(4096);
            long offset = 0;
            int read;
            while ((read = chunks.read(offset, chunk.clear())) > 0)
            {
                copy.write(chunk.array(), 0, read);
                offset += read;
            }
            assertEquals(committed.length(), offset);
            assertEquals(0, chunks.read(chunks.length(), chunk.clear()));
            assertThrows(IllegalArgumentException.class, () -> chunks.read(chunks.length() + 1, chunk.clear()));
        }
        assertArrayEquals(Files.readAllBytes(committed.path()), copy.toByteArray());
    }

    @Test
    void receivesInChunksAndResumesAfterCloseAndReopen() throws IOException
    {
        final SnapshotStore sender = SnapshotStore.open(tempDir.resolve("sender"), 1);
        final SnapshotInfo sent = write(sender, 500, 6, MEMBERS, payload(300_000, 11));
        final byte[] file = Files.readAllBytes(sent.path());
        final SnapshotStore receiver = SnapshotStore.open(tempDir.resolve("receiver"), 2);
        write(receiver, 100, 1, MEMBERS, payload(10, 1)); // the receiver's own older snapshot stays meanwhile

        final int chunk = 10_000;
        try (SnapshotReceive receive = receiver.receive(500, 6, file.length, sent.checksum()))
        {
            assertEquals(0, receive.receivedLength());
            assertTrue(receive.write(0, new UnsafeBuffer(file), 0, chunk));
            assertTrue(receive.write(chunk, new UnsafeBuffer(file), chunk, chunk));
            assertFalse(receive.write(chunk, new UnsafeBuffer(file), chunk, chunk), "a repeated chunk is refused");
            assertFalse(receive.write(3L * chunk, new UnsafeBuffer(file), 3 * chunk, chunk), "a gap is refused");
            assertFalse(receive.write(2L * chunk, new UnsafeBuffer(file), 0, file.length), "past the end is refused");
            assertEquals(2L * chunk, receive.receivedLength());
            assertThrows(IllegalStateException.class, receive::complete, "bytes missing");
        }
        assertEquals(List.of(100L), indices(receiver.list()), "a partial snapshot is not listed");

        // The connection dropped, the node restarted: the same snapshot announced again resumes.
        final SnapshotStore restarted = SnapshotStore.open(tempDir.resolve("receiver"), 2);
        final SnapshotInfo received;
        try (SnapshotReceive resumed = restarted.receive(500, 6, file.length, sent.checksum()))
        {
            assertEquals(2L * chunk, resumed.receivedLength());
            final UnsafeBuffer offHeap = new UnsafeBuffer(ByteBuffer.allocateDirect(chunk));
            for (long offset = resumed.receivedLength(); offset < file.length; )
            {
                final int length = (int)Math.min(chunk, file.length - offset);
                offHeap.putBytes(0, file, (int)offset, length);
                assertTrue(resumed.write(offset, offHeap, 0, length));
                offset += length;
            }
            received = resumed.complete();
        }

        assertEquals(500, received.index());
        assertArrayEquals(MEMBERS, received.memberIds());
        assertEquals(sent.checksum(), received.checksum());
        assertArrayEquals(file, Files.readAllBytes(received.path()));
        assertEquals(List.of(500L, 100L), indices(restarted.list()));
        try (SnapshotReader reader = restarted.openVerified(restarted.list().get(0)))
        {
            assertArrayEquals(payload(300_000, 11), reader.payload().readAllBytes());
        }
        assertEquals(2, fileCount(tempDir.resolve("receiver")), "no partial file left");
    }

    @Test
    void aReceiveOfAnotherSnapshotDeletesOtherPartialFiles() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(tempDir, 1);
        final byte[] bytes = payload(1000, 1);
        try (SnapshotReceive first = store.receive(10, 1, 1000, 0x1234))
        {
            assertTrue(first.write(0, new UnsafeBuffer(bytes), 0, 500));
        }
        try (SnapshotReceive other = store.receive(20, 2, 1000, 0x1234))
        {
            assertEquals(0, other.receivedLength());
            assertEquals(1, fileCount());
        }
        try (SnapshotReceive sameIndexOtherChecksum = store.receive(20, 2, 1000, 0x4321))
        {
            assertEquals(0, sameIndexOtherChecksum.receivedLength());
            sameIndexOtherChecksum.abort();
        }
        assertEquals(0, fileCount(), "abort deletes the partial file");
    }

    @Test
    void aCorruptTransferIsDetectedAndItsPartialFileDeleted() throws IOException
    {
        final SnapshotStore sender = SnapshotStore.open(tempDir.resolve("sender"), 1);
        final SnapshotInfo sent = write(sender, 500, 6, MEMBERS, payload(50_000, 3));
        final byte[] file = Files.readAllBytes(sent.path());
        final SnapshotStore receiver = SnapshotStore.open(tempDir.resolve("receiver"), 1);

        final byte[] damaged = file.clone();
        damaged[30_000] ^= 1;
        try (SnapshotReceive receive = receiver.receive(500, 6, file.length, sent.checksum()))
        {
            assertTrue(receive.write(0, new UnsafeBuffer(damaged), 0, damaged.length));
            final SnapshotCorruptException ex = assertThrows(SnapshotCorruptException.class, receive::complete);
            assertTrue(ex.getMessage().contains("payload checksum"), ex.getMessage());
            assertFalse(Files.exists(receive.path()));
        }
        assertEquals(0, fileCount(tempDir.resolve("receiver")));

        // Intact bytes, but not the snapshot announced: refused too.
        try (SnapshotReceive receive = receiver.receive(500, 6, file.length, sent.checksum() + 1))
        {
            assertTrue(receive.write(0, new UnsafeBuffer(file), 0, file.length));
            final SnapshotCorruptException ex = assertThrows(SnapshotCorruptException.class, receive::complete);
            assertTrue(ex.getMessage().contains("announced"), ex.getMessage());
        }
        assertEquals(0, fileCount(tempDir.resolve("receiver")));
    }

    @Test
    void aTransferFromItsFirstByteIsChecksummedAsItArrives() throws IOException
    {
        final SnapshotStore sender = SnapshotStore.open(tempDir.resolve("sender"), 1);
        final SnapshotInfo sent = write(sender, 500, 6, MEMBERS, payload(250_000, 5));
        final byte[] file = Files.readAllBytes(sent.path());
        final SnapshotStore receiver = SnapshotStore.open(tempDir.resolve("receiver"), 1);

        // A byte flipped in a late chunk, after forces of what came before.
        final byte[] damaged = file.clone();
        damaged[file.length - 3] ^= 0x40;
        try (SnapshotReceive receive = receiver.receive(500, 6, file.length, sent.checksum()))
        {
            writeInChunks(receive, damaged, 0, 7_001);
            final SnapshotCorruptException ex = assertThrows(SnapshotCorruptException.class, receive::complete);
            assertTrue(ex.getMessage().contains("payload checksum"), ex.getMessage());
        }
        assertEquals(0, fileCount(tempDir.resolve("receiver")));

        final SnapshotInfo received;
        try (SnapshotReceive receive = receiver.receive(500, 6, file.length, sent.checksum()))
        {
            writeInChunks(receive, file, 0, 7_001);
            received = receive.complete();
        }
        try (SnapshotReader reader = receiver.openReceived(received))
        {
            assertEquals(500, reader.index());
            assertArrayEquals(MEMBERS, reader.memberIds());
            assertArrayEquals(payload(250_000, 5), reader.payload().readAllBytes());
        }
    }

    @Test
    void aFirstChunkShorterThanTheHeaderLeavesTheCheckToAReadOfTheFile() throws IOException
    {
        final SnapshotStore sender = SnapshotStore.open(tempDir.resolve("sender"), 1);
        final SnapshotInfo sent = write(sender, 500, 6, MEMBERS, payload(20_000, 8));
        final byte[] damaged = Files.readAllBytes(sent.path());
        damaged[10_000] ^= 1;
        final SnapshotStore receiver = SnapshotStore.open(tempDir.resolve("receiver"), 1);
        try (SnapshotReceive receive = receiver.receive(500, 6, damaged.length, sent.checksum()))
        {
            assertTrue(receive.write(0, new UnsafeBuffer(damaged), 0, 10));
            writeInChunks(receive, damaged, 10, 4096);
            final SnapshotCorruptException ex = assertThrows(SnapshotCorruptException.class, receive::complete);
            assertTrue(ex.getMessage().contains("payload checksum"), ex.getMessage());
        }
    }

    @Test
    void openReceivedChecksTheHeaderAgain() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(tempDir, 1);
        final SnapshotInfo sent = write(SnapshotStore.open(tempDir.resolve("sender"), 1), 9, 2, MEMBERS, payload(5_000, 4));
        final byte[] file = Files.readAllBytes(sent.path());
        final SnapshotInfo received;
        try (SnapshotReceive receive = store.receive(9, 2, file.length, sent.checksum()))
        {
            writeInChunks(receive, file, 0, 1_000);
            received = receive.complete();
        }

        final byte[] onDisk = Files.readAllBytes(received.path());
        onDisk[SnapshotFormat.INDEX_OFFSET] ^= 1;
        Files.write(received.path(), onDisk);
        final SnapshotCorruptException ex = assertThrows(SnapshotCorruptException.class, () -> store.openReceived(received));
        assertTrue(ex.getMessage().contains("header checksum"), ex.getMessage());
    }

    /**
     * Write {@code file} from {@code from} on in chunks of {@code chunk} bytes through an off-heap buffer, forcing what
     * was written after every other chunk, as the node's receiver and its snapshot thread do.
     */
    private static void writeInChunks(final SnapshotReceive receive, final byte[] file, final int from, final int chunk)
    {
        final UnsafeBuffer offHeap = new UnsafeBuffer(ByteBuffer.allocateDirect(chunk));
        int written = 0;
        for (int offset = from; offset < file.length; written++)
        {
            final int length = Math.min(chunk, file.length - offset);
            offHeap.putBytes(0, file, offset, length);
            assertTrue(receive.write(offset, offHeap, 0, length));
            offset += length;
            if (1 == (written & 1))
            {
                receive.forceWritten();
            }
        }
    }

    private static SnapshotInfo write(
        final SnapshotStore store, final long index, final long term, final int[] members, final byte[] payload)
        throws IOException
    {
        try (SnapshotWriter writer = store.begin(index, term, members))
        {
            final OutputStream out = writer.payload();
            // Mixed write sizes: single bytes, small arrays and arrays larger than the writer's buffer.
            int offset = 0;
            final Random random = new Random(index);
            while (offset < payload.length)
            {
                final int kind = random.nextInt(3);
                final int length = Math.min(payload.length - offset, 0 == kind ? 1 : 1 == kind ? 777 : 100_000);
                if (1 == length)
                {
                    out.write(payload[offset]);
                }
                else
                {
                    out.write(payload, offset, length);
                }
                offset += length;
            }
            assertEquals(payload.length, writer.payloadLength());
            return writer.commit();
        }
    }

    private static byte[] payload(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static List<Long> indices(final List<SnapshotInfo> snapshots)
    {
        final List<Long> indices = new ArrayList<>();
        snapshots.forEach(snapshot -> indices.add(snapshot.index()));
        return indices;
    }

    private static void flipByte(final Path file, final long position) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(position);
            final int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x40);
        }
    }

    private long fileCount() throws IOException
    {
        return fileCount(tempDir);
    }

    private static long fileCount(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
