package io.flotilla.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A leader's KvNode process stopped with SIGTERM hands leadership over and logs it: the node's own lines written
 * while it stops (the handover, "closed") survive java.util.logging's shutdown hook ({@link ShutdownLogManager}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GracefulStopProcessTest
{
    @TempDir
    Path tempDir;

    @Test
    void aLeaderStoppedWithSigtermLogsItsHandoverAndItsClose() throws Exception
    {
        try (KvNodeProcesses nodes = new KvNodeProcesses(tempDir, tempDir.resolve("node-0"),
            tempDir.resolve("node-1"), tempDir.resolve("node-2")))
        {
            for (int i = 0; i < 3; i++)
            {
                nodes.start(i, List.of(), List.of());
            }
            final int leader = nodes.awaitLeader();
            nodes.process(leader).destroy(); // SIGTERM
            assertTrue(nodes.process(leader).waitFor(KvNodeProcesses.TIMEOUT_MS, TimeUnit.MILLISECONDS),
                "node " + leader + " did not exit:\n" + nodes.tail(leader));

            final String log = nodes.logText(leader);
            assertTrue(log.contains("member " + leader + ": stopping"), "no handover line:\n" + log);
            assertTrue(log.contains("member " + leader + ": closed"), "no closed line:\n" + log);
        }
    }
}
