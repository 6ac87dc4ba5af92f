package io.flotilla.admin.tool;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.RegistrationException;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.TestCluster;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code flotilla errors} on a running node's Aeron directory after its driver recorded an error, on a stopped
 * driver's directory, and on directories that hold no CnC file.
 */
class ErrorsCommandTest
{
    private static final String BAD_CHANNEL = "aeron:udp?endpoint=localhost:99999";

    @TempDir
    File tempDir;

    @Test
    @Timeout(120)
    void aRunningNodesDriverErrorIsPrintedAndItsRemovedDirectoryIsAUsageError()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 3).startAll())
        {
            final ClusterNode node = cluster.awaitLeader();
            final String aeronDirectory = node.aeronDirectoryName();
            final ToolRun clean = ToolRun.run("errors", "--aeron-dir", aeronDirectory);
            assertEquals(FlotillaTool.EXIT_OK, clean.exitCode, clean.toString());
            assertTrue(clean.out.contains("(media driver running)") && clean.out.contains("0 distinct errors"),
                clean.toString());

            provokeError(aeronDirectory);
            final ToolRun errors = ToolRun.run("errors", "--aeron-dir", aeronDirectory);
            assertEquals(FlotillaTool.EXIT_FAILED, errors.exitCode, errors.toString());
            assertTrue(errors.out.contains("1 observations from "), errors.toString());
            assertTrue(errors.out.contains("99999"), errors.toString());
            assertTrue(errors.out.contains("1 distinct errors"), errors.toString());

            cluster.stop(node.memberId());
            final ToolRun removed = ToolRun.run("errors", "--aeron-dir", aeronDirectory);
            assertEquals(FlotillaTool.EXIT_USAGE, removed.exitCode, removed.toString());
            assertTrue(removed.err.contains("no Aeron directory " + aeronDirectory), removed.toString());
        }
    }

    @Test
    @Timeout(60)
    void aStoppedDriversErrorLogIsReadFromTheDirectoryItLeft()
    {
        final String aeronDirectory = IoUtil.tmpDirName() + "flotilla-errors-test-" + UUID.randomUUID();
        try
        {
            try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(aeronDirectory)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(false)))
            {
                provokeError(driver.aeronDirectoryName());
            }

            final ToolRun errors = ToolRun.run("errors", "--aeron-dir", aeronDirectory);
            assertEquals(FlotillaTool.EXIT_FAILED, errors.exitCode, errors.toString());
            assertTrue(errors.out.contains("99999") && errors.out.contains("1 distinct errors"), errors.toString());
        }
        finally
        {
            IoUtil.delete(new File(aeronDirectory), true);
        }
    }

    @Test
    void aDirectoryWithoutACncFileIsAUsageError()
    {
        final ToolRun notAeron = ToolRun.run("errors", "--aeron-dir", tempDir.getPath());
        assertEquals(FlotillaTool.EXIT_USAGE, notAeron.exitCode, notAeron.toString());
        assertTrue(notAeron.err.contains("holds no Aeron cnc.dat"), notAeron.toString());
        assertFalse(notAeron.out.contains("distinct errors"), notAeron.toString());

        final ToolRun mistyped = ToolRun.run("errors", "--aeron-directory", tempDir.getPath());
        assertEquals(FlotillaTool.EXIT_USAGE, mistyped.exitCode, mistyped.toString());
        assertTrue(mistyped.err.contains("--aeron-dir"), mistyped.toString());
    }

    /**
     * Ask the driver for a publication on a channel it refuses: the driver records the error in its error log.
     */
    private static void provokeError(final String aeronDirectory)
    {
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectory));
        try
        {
            assertThrows(RegistrationException.class, () -> aeron.addPublication(BAD_CHANNEL, 7));
        }
        finally
        {
            CloseHelper.close(aeron);
        }
    }
}
