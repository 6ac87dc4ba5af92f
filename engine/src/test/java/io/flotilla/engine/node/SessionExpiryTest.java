package io.flotilla.engine.node;

import io.flotilla.codecs.Protocol;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.TestCluster;
import java.io.File;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SessionExpiryTest
{
    @TempDir
    File tempDir;

    @Test
    @Timeout(60)
    void silentIpcSessionIsClosedByTheLeaderAndAnsweredExpired()
    {
        try (TestCluster cluster = new TestCluster(tempDir, 1))
        {
            cluster.start(0, cluster.context(0).sessionTimeoutNs(TimeUnit.SECONDS.toNanos(1)));
            final ClusterNode leader = cluster.awaitLeader();
            // A co-located client, over aeron:ipc on the node's own driver.
            try (RawIngressClient client =
                new RawIngressClient(ClusterMembers.parse(cluster.membersSpec()), leader.aeronDirectoryName()))
            {
                client.connect(0, 1, Protocol.VERSION);
                final long sessionId = client.await(RawIngressClient.Ack.class).sessionId();
                client.request(0, sessionId, 1, "one");
                assertEquals(ResponseStatus.OK, client.await(RawIngressClient.Reply.class).status());

                final long applied = leader.appliedIndex();
                cluster.await("the leader to expire the silent session", () -> leader.appliedIndex() > applied);
                client.request(0, sessionId, 2, "two");
                assertEquals(ResponseStatus.SESSION_EXPIRED, client.await(RawIngressClient.Reply.class).status());
                assertEquals(1, cluster.machine(0).count());
            }
        }
    }
}
