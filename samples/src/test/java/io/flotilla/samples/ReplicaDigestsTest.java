package io.flotilla.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicaDigestsTest
{
    @TempDir
    Path dir;

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

    private Path replica(final String name, final ReplicaStatus status) throws Exception
    {
        final Path replica = Files.createDirectories(dir.resolve(name));
        if (null != status)
        {
            status.write(replica);
        }
        return replica;
    }

    @Test
    void statusFileRoundTrips() throws Exception
    {
        final ReplicaStatus status = new ReplicaStatus(42, "00ff", 7, "LEADER", 3, 1, 1234);
        assertEquals(status, ReplicaStatus.read(replica("a", status)));
        assertNull(ReplicaStatus.read(replica("b", null)));
    }

    @Test
    void sameIndexAndDigestAreIdentical() throws Exception
    {
        final List<String> dirs = List.of(
            replica("a", new ReplicaStatus(42, "00ff", 7, "LEADER", 3, 1, 1)).toString(),
            replica("b", new ReplicaStatus(42, "00ff", 7, "FOLLOWER", 3, 1, 2)).toString());
        assertTrue(ReplicaDigests.compare(dirs, Duration.ofSeconds(1), out), output.toString());
    }

    @Test
    void differentDigestsOrIndicesDiffer() throws Exception
    {
        assertFalse(ReplicaDigests.compare(List.of(
            replica("a", new ReplicaStatus(42, "00ff", 7, "LEADER", 3, 1, 1)).toString(),
            replica("b", new ReplicaStatus(42, "00fe", 7, "FOLLOWER", 3, 1, 2)).toString()), Duration.ZERO, out));
        assertFalse(ReplicaDigests.compare(List.of(
            replica("c", new ReplicaStatus(42, "00ff", 7, "LEADER", 3, 1, 1)).toString(),
            replica("d", new ReplicaStatus(41, "00ff", 7, "FOLLOWER", 3, 1, 2)).toString()), Duration.ZERO, out));
        assertFalse(ReplicaDigests.compare(List.of(replica("e", null).toString()), Duration.ZERO, out));
        assertTrue(output.toString().contains("DIFFER"));
    }
}
