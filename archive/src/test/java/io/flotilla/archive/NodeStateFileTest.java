package io.flotilla.archive;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeStateFileTest
{
    @TempDir
    Path tempDir;

    @Test
    void missingFileIsAFreshNode()
    {
        final NodeStateFile state = NodeStateFile.open(tempDir.resolve("fresh").toFile());
        assertFalse(state.existed());
        assertEquals(0, state.currentTerm());
        assertEquals(NodeStateFile.NO_VOTE, state.votedFor());
        assertEquals(0, state.commitIndexHint());
        assertFalse(Files.exists(tempDir.resolve("fresh").resolve(NodeStateFile.FILE_NAME)), "opening wrote nothing");
    }

    @Test
    void writtenStateSurvivesReopen()
    {
        final File dir = tempDir.toFile();
        try (NodeStateFile state = NodeStateFile.open(dir))
        {
            state.write(7, 2, 1234);
            state.write(8, NodeStateFile.NO_VOTE, 1300);
            assertEquals(8, state.currentTerm());
        }

        final NodeStateFile reopened = NodeStateFile.open(dir);
        assertTrue(reopened.existed());
        assertEquals(8, reopened.currentTerm());
        assertEquals(NodeStateFile.NO_VOTE, reopened.votedFor());
        assertEquals(1300, reopened.commitIndexHint());
        assertFalse(Files.exists(tempDir.resolve(NodeStateFile.FILE_NAME + ".tmp")));
        assertEquals(NodeStateFile.FILE_LENGTH, reopened.file().length());
    }

    @Test
    void writesAlternateBetweenTheSlotsAndTheLaterOneIsRead() throws Exception
    {
        final File dir = tempDir.toFile();
        try (NodeStateFile state = NodeStateFile.open(dir))
        {
            for (int term = 1; term <= 5; term++)
            {
                state.write(term, term % 3, 100L * term);
                final NodeStateFile reopened = NodeStateFile.open(dir);
                assertEquals(term, reopened.currentTerm());
                assertEquals(term % 3, reopened.votedFor());
                assertEquals(100L * term, reopened.commitIndexHint());
            }
        }
        // The fifth write went to the slot the first did: the other slot holds the fourth.
        final byte[] bytes = Files.readAllBytes(dir.toPath().resolve(NodeStateFile.FILE_NAME));
        final byte[] slot0 = Arrays.copyOfRange(bytes, 0, NodeStateFile.RECORD_LENGTH);
        final byte[] slot1 = Arrays.copyOfRange(
            bytes, NodeStateFile.SLOT_LENGTH, NodeStateFile.SLOT_LENGTH + NodeStateFile.RECORD_LENGTH);
        assertFalse(Arrays.equals(slot0, slot1));

        // Reopened again and written once more, a node goes on from the current record, not from the start.
        try (NodeStateFile state = NodeStateFile.open(dir))
        {
            state.write(6, 1, 600);
        }
        final NodeStateFile reopened = NodeStateFile.open(dir);
        assertEquals(6, reopened.currentTerm());
        assertEquals(600, reopened.commitIndexHint());
    }

    @Test
    void aWriteTornByACrashLeavesTheLastCompletedOne() throws Exception
    {
        final File dir = tempDir.toFile();
        try (NodeStateFile state = NodeStateFile.open(dir))
        {
            state.write(3, 1, 30);
            state.write(4, 2, 40);
        }
        // The first write went to the slot at 4096, the second to the one at 0: damage the second, as a crash in the
        // middle of writing it would.
        flipByte(dir, 20);
        final NodeStateFile reopened = NodeStateFile.open(dir);
        assertEquals(3, reopened.currentTerm());
        assertEquals(1, reopened.votedFor());
        assertEquals(30, reopened.commitIndexHint());

        // The next write replaces the damaged slot and is read back.
        try (NodeStateFile state = reopened)
        {
            state.write(5, NodeStateFile.NO_VOTE, 50);
        }
        assertEquals(5, NodeStateFile.open(dir).currentTerm());
    }

    @Test
    void bothSlotsDamagedIsReportedNamingTheFile() throws Exception
    {
        final NodeStateFile state = NodeStateFile.open(tempDir.toFile());
        state.write(5, 1, 99);
        state.write(6, 1, 99);
        state.close();
        flipByte(tempDir.toFile(), 20);
        flipByte(tempDir.toFile(), NodeStateFile.SLOT_LENGTH + 20);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> NodeStateFile.open(tempDir.toFile()));
        assertTrue(ex.getMessage().contains(state.file().getPath()), ex.getMessage());
        assertTrue(ex.getMessage().contains("BAD_CHECKSUM"), ex.getMessage());
    }

    @Test
    void theVotingFenceSurvivesReopenAndTermWritesKeepIt()
    {
        final File dir = tempDir.toFile();
        try (NodeStateFile state = NodeStateFile.open(dir))
        {
            assertFalse(state.votingFence());
            assertEquals(NodeStateFile.NO_REFUSED_TERM, state.votesRefusedThroughTerm());
            state.writeVotingFence(true, NodeStateFile.NO_REFUSED_TERM);
        }
        try (NodeStateFile state = NodeStateFile.open(dir))
        {
            assertTrue(state.existed(), "the fence alone makes the file");
            assertTrue(state.votingFence());
            assertEquals(0, state.currentTerm());
            state.write(3, NodeStateFile.NO_VOTE, 10);
        }
        try (NodeStateFile state = NodeStateFile.open(dir))
        {
            assertTrue(state.votingFence(), "a term write keeps the fence");
            assertEquals(3, state.currentTerm());
            assertEquals(10, state.commitIndexHint());
            state.writeVotingFence(false, 3);
        }
        final NodeStateFile lifted = NodeStateFile.open(dir);
        assertFalse(lifted.votingFence());
        assertEquals(3, lifted.votesRefusedThroughTerm());
        assertEquals(3, lifted.currentTerm(), "a fence write keeps the term");
        assertEquals(NodeStateFile.NO_VOTE, lifted.votedFor());
        assertEquals(10, lifted.commitIndexHint());
    }

    @Test
    void aFileOfTheEarlierLayoutIsReadAndConvertedAtTheFirstWrite() throws Exception
    {
        final Path path = tempDir.resolve(NodeStateFile.FILE_NAME);
        final byte[] record = EarlierNodeStateFiles.oneRecord(9, 2, 100);
        Files.write(path, record);

        final NodeStateFile legacy = NodeStateFile.open(tempDir.toFile());
        assertEquals(9, legacy.currentTerm());
        assertEquals(2, legacy.votedFor());
        assertEquals(100, legacy.commitIndexHint());
        assertFalse(legacy.votingFence());
        assertEquals(NodeStateFile.NO_REFUSED_TERM, legacy.votesRefusedThroughTerm());
        assertArrayEquals(record, Files.readAllBytes(path), "opening changes nothing");

        try (NodeStateFile state = legacy)
        {
            state.write(10, NodeStateFile.NO_VOTE, 120);
            state.write(11, 0, 130);
        }
        final NodeStateFile converted = NodeStateFile.open(tempDir.toFile());
        assertEquals(NodeStateFile.FILE_LENGTH, converted.file().length());
        assertEquals(11, converted.currentTerm());
        assertEquals(0, converted.votedFor());
        assertEquals(130, converted.commitIndexHint());
    }

    @Test
    void twoSlotsOfRecordsFromBeforeTheFenceAreReadAsUnfencedAndReplacedSlotBySlot() throws Exception
    {
        final Path path = tempDir.resolve(NodeStateFile.FILE_NAME);
        Files.write(path, EarlierNodeStateFiles.twoSlots(5, 9, 2, 100));

        try (NodeStateFile state = NodeStateFile.open(tempDir.toFile()))
        {
            assertEquals(9, state.currentTerm());
            assertEquals(2, state.votedFor());
            assertFalse(state.votingFence());
            state.write(10, 1, 110); // sequence 6, the slot at 0: the earlier record at 4096 stays beside it
        }
        try (NodeStateFile state = NodeStateFile.open(tempDir.toFile()))
        {
            assertEquals(10, state.currentTerm(), "the later sequence wins across the two records");
            assertEquals(1, state.votedFor());
            state.writeVotingFence(true, NodeStateFile.NO_REFUSED_TERM); // sequence 7 replaces the earlier record
        }
        final NodeStateFile current = NodeStateFile.open(tempDir.toFile());
        assertEquals(10, current.currentTerm());
        assertTrue(current.votingFence());
    }

    @Test
    void halfWrittenFileIsReportedNotReadAsZeros() throws Exception
    {
        final NodeStateFile state = NodeStateFile.open(tempDir.toFile());
        state.write(5, 1, 99);
        state.close();
        try (RandomAccessFile file = new RandomAccessFile(state.file(), "rw"))
        {
            file.setLength(file.length() / 2);
        }
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> NodeStateFile.open(tempDir.toFile()));
        assertTrue(ex.getMessage().contains("half-written"), ex.getMessage());

        Files.write(state.file().toPath(), new byte[NodeStateFile.EARLIER_RECORD_LENGTH]); // the earlier layout, zeros
        assertThrows(IllegalStateException.class, () -> NodeStateFile.open(tempDir.toFile()));

        Files.write(state.file().toPath(), new byte[NodeStateFile.FILE_LENGTH]); // two empty slots: no record
        final IllegalStateException empty =
            assertThrows(IllegalStateException.class, () -> NodeStateFile.open(tempDir.toFile()));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());

        Files.write(state.file().toPath(), new byte[0]);
        assertThrows(IllegalStateException.class, () -> NodeStateFile.open(tempDir.toFile()));
    }

    private static void flipByte(final File dir, final int position) throws Exception
    {
        try (RandomAccessFile file = new RandomAccessFile(new File(dir, NodeStateFile.FILE_NAME), "rw"))
        {
            file.seek(position);
            final int b = file.read();
            file.seek(position);
            file.write(b ^ 1);
        }
    }
}
