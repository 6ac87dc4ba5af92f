package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.flotilla.archive.NodeStateFile;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.raft.Configuration;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The publications to members a configuration adds, over real Aeron UDP on loopback: asked for without waiting on the
 * driver, taken by {@code connect} once made, dropped with the member, and asked for again after a refusal.
 */
class ConsensusPublisherTest
{
    @TempDir
    File tempDir;

    /** Parameters every peer's publication must carry. */
    private static final String CHANNEL = "aeron:udp?mtu=8k|term-length=1m";

    private MediaDriver driver;
    private Aeron aeron;
    private NodeCounters counters;
    private ConsensusPublisher publisher;
    private Subscription peer;
    private ClusterMembers members;
    private String addedEndpoint;

    @BeforeEach
    void setUp()
    {
        driver = ConsensusTestMessages.launchDriver(tempDir);
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        counters = new NodeCounters(aeron, 0);
        final int[] ports = TestCluster.freeUdpPorts(6);
        members = ClusterMembers.parse("0=localhost:" + ports[0] + ":" + ports[1] + ",1=localhost:" + ports[2] + ":" +
            ports[3]);
        addedEndpoint = "localhost:" + ports[4] + ":" + ports[5];
        publisher = new ConsensusPublisher(aeron, 1024 * 1024, members, CHANNEL, 0, null, counters, 64 * 1024,
            (to, term) -> false, new VotingFence(false, NodeStateFile.NO_REFUSED_TERM), new MessageSigner(null, 0, new SystemEpochNanoClock()));
        peer = aeron.addSubscription(
            ClusterMembers.parseEndpoint(2, addedEndpoint).consensusChannel(), ClusterMembers.CONSENSUS_STREAM_ID);
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(publisher, peer, counters, aeron, driver);
    }

    @Test
    @Timeout(30)
    void aMemberAddedIsReachedOnceTheDriverHasMadeItsPublicationAndNotOnceRemoved()
    {
        final Configuration three = configuration(new int[]{ 0, 1, 2 }, addedEndpoint);
        members.learn(2, addedEndpoint);
        publisher.configure(three, three, members, null);
        assertFalse(publisher.sendTimeoutNow(2, 1), "asked for, not taken: the configure call did not wait");

        ConsensusTestMessages.awaitCondition(() -> publisher.connect(System.nanoTime()) > 0, "the publication taken");
        ConsensusTestMessages.awaitCondition(() -> publisher.sendTimeoutNow(2, 1), "a message sent to the member added");
        assertEquals(0, publisher.connect(System.nanoTime()), "nothing more awaited");
        ConsensusTestMessages.awaitCondition(() -> peer.imageCount() > 0, "the member's image of the publication");
        assertEquals(8192, peer.imageAtIndex(0).mtuLength(), "the consensus channel's mtu");
        assertEquals(1024 * 1024, peer.imageAtIndex(0).termBufferLength(), "the consensus channel's term length");

        final Configuration two = configuration(new int[]{ 0, 1 }, null);
        publisher.configure(two, three, members, null);
        assertTrue(publisher.sendTimeoutNow(2, 1), "still reached: the configuration without it is not committed");
        publisher.configure(two, two, members, null);
        assertFalse(publisher.sendTimeoutNow(2, 1), "let go once it is");
    }

    @Test
    @Timeout(30)
    void aMemberRemovedBeforeItsPublicationIsMadeIsNeverReached()
    {
        final Configuration three = configuration(new int[]{ 0, 1, 2 }, addedEndpoint);
        members.learn(2, addedEndpoint);
        publisher.configure(three, three, members, null);
        final Configuration two = configuration(new int[]{ 0, 1 }, null);
        publisher.configure(two, two, members, null);

        assertEquals(0, publisher.connect(System.nanoTime()), "the registration was withdrawn: nothing awaited");
        assertFalse(publisher.sendTimeoutNow(2, 1));
    }

    @Test
    @Timeout(30)
    void aPublicationTheDriverRefusesIsAskedForAgainAfterTheRetryInterval()
    {
        final String unresolvable = "no-such-host.invalid:20150:20151";
        final Configuration three = configuration(new int[]{ 0, 1, 2 }, unresolvable);
        members.learn(2, unresolvable);
        publisher.configure(three, three, members, null);

        final long refusedNs = System.nanoTime();
        ConsensusTestMessages.awaitCondition(() -> publisher.connect(System.nanoTime()) > 0, "the driver's refusal");
        assertFalse(publisher.sendTimeoutNow(2, 1));
        assertEquals(0, publisher.connect(refusedNs + TimeUnit.MILLISECONDS.toNanos(500)), "not before the interval");
        assertEquals(1, publisher.connect(System.nanoTime() + TimeUnit.SECONDS.toNanos(1)), "asked for again");
    }

    private static Configuration configuration(final int[] voters, final String endpointOfTwo)
    {
        final String[] endpoints = new String[Configuration.MAX_MEMBER_ID + 1];
        endpoints[2] = endpointOfTwo;
        return new Configuration(voters, new int[0], new int[0], endpoints);
    }
}
