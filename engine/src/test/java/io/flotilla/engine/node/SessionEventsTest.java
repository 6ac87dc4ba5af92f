package io.flotilla.engine.node;

import io.flotilla.engine.SessionCloseReason;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.TimerStateMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Session events on a real three-node cluster: every replica's state machine sees a session open with the principal
 * the authenticator accepted, and its close with the reason (closed by the client; expired), at the same log index.
 */
class SessionEventsTest
{
    private static final String PRINCIPAL = "trader-7";

    @TempDir
    File tempDir;

    @Test
    @Timeout(120)
    void everyReplicaSeesOpenWithThePrincipalAndCloseWithTheReasonAtTheSameIndex()
    {
        final TimerStateMachine[] machines = new TimerStateMachine[3];
        try (TestCluster cluster = new TestCluster(tempDir, 3);
            RawIngressClient client = new RawIngressClient(ClusterMembers.parse(cluster.membersSpec())))
        {
            for (int i = 0; i < 3; i++)
            {
                machines[i] = new TimerStateMachine();
                cluster.startWith(i, cluster.context(i)
                    .authenticator((connect) -> PRINCIPAL)
                    .sessionTimeoutNs(TimeUnit.SECONDS.toNanos(2))
                    .stateMachine(machines[i]));
            }

            final long closed = client.openSession(cluster).sessionId();
            client.closeSession(cluster.awaitLeader().memberId(), closed);
            final long expired = client.openSession(cluster).sessionId();
            // Silent from now on: the leader closes it after the session timeout.

            cluster.await("both sessions' events, the same on every replica", () ->
            {
                for (final TimerStateMachine machine : machines)
                {
                    if (!machine.sessionEvents().equals(machines[0].sessionEvents()))
                    {
                        return false;
                    }
                    final List<String> events = machine.sessionEvents();
                    if (!contains(events, ":open:" + closed + ":" + PRINCIPAL) ||
                        !contains(events, ":close:" + closed + ":" + SessionCloseReason.CLIENT_CLOSE) ||
                        !contains(events, ":open:" + expired + ":" + PRINCIPAL) ||
                        !contains(events, ":close:" + expired + ":" + SessionCloseReason.TIMEOUT))
                    {
                        return false;
                    }
                }
                return true;
            });
            assertTrue(machines[0].sessionEvents().size() >= 4, machines[0].sessionEvents().toString());
        }
    }

    private static boolean contains(final List<String> events, final String suffix)
    {
        for (final String event : events)
        {
            if (event.endsWith(suffix))
            {
                return true;
            }
        }
        return false;
    }
}
