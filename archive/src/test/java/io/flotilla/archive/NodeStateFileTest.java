package io.flotilla.archive;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

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
    }

    @Test
    void writtenStateSurvivesReopen()
    {
        final File dir = tempDir.toFile();
        final NodeStateFile state = NodeStateFile.open(dir);
        state.write(7, 2, 1234);
        state.write(8, NodeStateFile.NO_VOTE, 1300);
        assertEquals(8, state.currentTerm());

        final NodeStateFile reopened = NodeStateFile.open(dir);
        assertTrue(reopened.existed());
        assertEquals(8, reopened.currentTerm());
        assertEquals(NodeStateFile.NO_VOTE, reopened.votedFor());
        assertEquals(1300, reopened.commitIndexHint());
        assertFalse(Files.exists(tempDir.resolve(NodeStateFile.FILE_NAME + ".tmp")));
    }

    @Test
    void flippedByteIsReportedNamingTheFile() throws Exception
    {
        final NodeStateFile state = NodeStateFile.open(tempDir.toFile());
        state.write(5, 1, 99);
        try (RandomAccessFile file = new RandomAccessFile(state.file(), "rw"))
        {
            file.seek(20); // inside currentTerm
            final int b = file.read();
            file.seek(20);
            file.write(b ^ 1);
        }

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> NodeStateFile.open(tempDir.toFile()));
        assertTrue(ex.getMessage().contains(state.file().getPath()), ex.getMessage());
        assertTrue(ex.getMessage().contains("BAD_CHECKSUM"), ex.getMessage());
    }

    @Test
    void halfWrittenFileIsReportedNotReadAsZeros() throws Exception
    {
        final NodeStateFile state = NodeStateFile.open(tempDir.toFile());
        state.write(5, 1, 99);
        try (RandomAccessFile file = new RandomAccessFile(state.file(), "rw"))
        {
            file.setLength(file.length() / 2);
        }
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> NodeStateFile.open(tempDir.toFile()));
        assertTrue(ex.getMessage().contains("half-written"), ex.getMessage());

        Files.write(state.file().toPath(), new byte[36]); // right length, all zeros
        assertThrows(IllegalStateException.class, () -> NodeStateFile.open(tempDir.toFile()));

        Files.write(state.file().toPath(), new byte[0]);
        assertThrows(IllegalStateException.class, () -> NodeStateFile.open(tempDir.toFile()));
    }
}
