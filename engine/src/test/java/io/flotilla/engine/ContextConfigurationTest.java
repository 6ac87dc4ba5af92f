package io.flotilla.engine;

import io.flotilla.archive.ArchiveLogStore;
import io.flotilla.archive.NodeMedia;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.raft.RaftConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad configuration fails in conclude() (before anything is launched) with a message saying what to change.
 */
class ContextConfigurationTest
{
    private static final String MEMBERS = "0=localhost:20110:20111,1=localhost:20120:20121,2=localhost:20130:20131";

    @TempDir
    File tempDir;

    private ClusterNode.Context valid()
    {
        return new ClusterNode.Context()
            .memberId(0)
            .members(MEMBERS)
            .clusterKeys(ClusterKeys.generate())
            .dataDirectory(new File(tempDir, "node-0"))
            .stateMachine(new ChecksumStateMachine());
    }

    private static UnaryOperator<ClusterNode.Context> snapshot(final Consumer<SnapshotConfig> change)
    {
        return (c) ->
        {
            change.accept(c.snapshotConfig());
            return c;
        };
    }

    private void assertRejected(final UnaryOperator<ClusterNode.Context> change, final String... fragments)
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> change.apply(valid()).conclude());
        for (final String fragment : fragments)
        {
            assertTrue(ex.getMessage().contains(fragment), "'" + ex.getMessage() + "' should mention '" + fragment + "'");
        }
    }

    @Test
    void validContextConcludes()
    {
        final ClusterNode.Context ctx = valid().conclude();
        assertEquals(3, ctx.internals().members().size());
        assertEquals("localhost:20121", ctx.internals().members().member(1).ingressEndpoint());
        assertEquals(TimeUnit.SECONDS.toNanos(10), ctx.sessionTimeoutNs());
        assertTrue(ctx.ipcIngress());
    }

    @Test
    void theTypedSettingsReachTheRaftCoreAndTheLogStore()
    {
        final ClusterNode.Context ctx = valid()
            .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(400), TimeUnit.MILLISECONDS.toNanos(900))
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(40))
            .resendTimeoutNs(TimeUnit.MILLISECONDS.toNanos(90))
            .maxBatchBytes(32 * 1024)
            .maxInflight(4)
            .preVote(false)
            .checkQuorum(false)
            .maxUncommittedEntries(1000)
            .maxReadIndexRequests(64)
            .leaseMarginNs(TimeUnit.MILLISECONDS.toNanos(50))
            .logTermLength(1024 * 1024)
            .logMtu(4096)
            .logWindowBytes(8 * 1024 * 1024)
            .conclude();

        final RaftConfig raft = ctx.internals().raftConfig();
        assertEquals(TimeUnit.MILLISECONDS.toNanos(400), raft.electionTimeoutMinNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(900), raft.electionTimeoutMaxNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(40), raft.heartbeatIntervalNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(90), raft.resendTimeoutNs());
        assertEquals(32 * 1024, raft.maxBatchBytes());
        assertEquals(4, raft.maxInflight());
        assertFalse(raft.preVote());
        assertFalse(raft.checkQuorum());
        assertEquals(1000, raft.maxUncommittedEntries());
        assertEquals(64, raft.maxPendingReads());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(50), raft.leaseMarginNs());

        final ArchiveLogStore.Context log = ctx.internals().logContext();
        assertEquals(1024 * 1024, log.termLength());
        assertEquals(4096, log.mtu());
        assertEquals(8 * 1024 * 1024, log.windowCapacity());
    }

    @Test
    void threadingAndDurabilityMapToTheMediaStacksOfTheSameName()
    {
        final NodeMedia.Context defaults = valid().conclude().internals().mediaContext();
        assertEquals(NodeMedia.Threading.COMPACT, defaults.threading());
        assertEquals(io.flotilla.archive.Durability.FSYNC, defaults.durability());
        for (final Threading threading : Threading.values())
        {
            assertEquals(threading.name(), valid().threading(threading).conclude().internals().mediaContext()
                .threading().name());
        }
        for (final Durability durability : Durability.values())
        {
            assertEquals(durability.name(), valid().durability(durability).conclude().internals().mediaContext()
                .durability().name());
        }
    }

    @Test
    void theConsensusChannelIsAUdpTemplateWithoutWhatTheNodeSets()
    {
        assertEquals("aeron:udp", valid().conclude().consensusChannel());
        assertEquals("aeron:udp?mtu=8k|so-rcvbuf=2m", valid().consensusChannel("aeron:udp?mtu=8k|so-rcvbuf=2m")
            .conclude().consensusChannel());
        assertRejected(c -> c.consensusChannel("aeron:ipc"), "not a UDP channel", "flotilla.consensus.channel");
        assertRejected(c -> c.consensusChannel("udp:mtu=8k"), "not an Aeron channel URI", "flotilla.consensus.channel");
        assertRejected(c -> c.consensusChannel("aeron:udp?endpoint=localhost:1"), "sets endpoint",
            "flotilla.consensus.channel");
        assertRejected(c -> c.consensusChannel("aeron:udp?control-mode=manual"), "sets control-mode");
        assertEquals("aeron:udp?mtu=8k|endpoint=localhost:20110",
            valid().conclude().internals().members().member(0).consensusChannel("aeron:udp?mtu=8k"));
    }

    @Test
    void peersMustBeAuthenticatedOrDeclaredInsecure()
    {
        assertRejected(c -> c.clusterKeys(null), "flotilla.cluster.key.file", "flotilla.cluster.insecure=true");
        assertRejected(c -> c.insecurePeers(true), "both cluster keys and flotilla.cluster.insecure");
        assertRejected(c -> c.maxClockSkewNs(-1), "flotilla.cluster.max.clock.skew");

        final ClusterNode.Context insecure = valid().clusterKeys(null).insecurePeers(true).conclude();
        assertNull(insecure.clusterKeys());
        assertEquals(TimeUnit.SECONDS.toNanos(5), insecure.maxClockSkewNs());
    }

    @Test
    void theKeyFilePropertyIsLoadedAndItsErrorsNameIt() throws IOException
    {
        final ClusterKeys keys = ClusterKeys.generate();
        final Path keyFile = tempDir.toPath().resolve("cluster.key");
        keys.write(keyFile);
        System.setProperty(ClusterNode.Context.CLUSTER_KEY_FILE_PROP, keyFile.toString());
        try
        {
            assertEquals(keys.fingerprint(0), valid().clusterKeys(null).conclude().clusterKeys().fingerprint(0));
            Files.writeString(keyFile, "abcd\n");
            assertRejected(c -> c.clusterKeys(null), "too short", "flotilla.cluster.key.file");
        }
        finally
        {
            System.clearProperty(ClusterNode.Context.CLUSTER_KEY_FILE_PROP);
        }
    }

    @Test
    void theShutdownHandoverWaitTakesADurationAndDefaultsToThreeElectionTimeouts()
    {
        assertEquals(3 * valid().electionTimeoutMaxNs(),
            valid().conclude().shutdownTransferTimeoutNs());
        assertEquals(0, valid().shutdownTransferTimeoutNs(0).conclude().shutdownTransferTimeoutNs(), "no handover");
        assertRejected(c -> c.shutdownTransferTimeoutNs(-1), "flotilla.node.shutdown.transfer.timeout");

        final String property = ClusterNode.Context.SHUTDOWN_TRANSFER_TIMEOUT_PROP;
        System.setProperty(property, "1500ms");
        try
        {
            assertEquals(TimeUnit.MILLISECONDS.toNanos(1500), valid().conclude().shutdownTransferTimeoutNs());
            System.setProperty(property, "soon");
            assertRejected(c -> c, property + "=soon", "is not a duration");
        }
        finally
        {
            System.clearProperty(property);
        }
    }

    @Test
    void readPathErrorsNameTheSetting()
    {
        assertRejected(c -> c.maxPendingReads(3), "maxPendingReads 3", "flotilla.read.max.pending");
        assertRejected(c -> c.maxPendingReads(0), "flotilla.read.max.pending");
        assertRejected(c -> c.maxPendingReadBytes(64 * 1024), "largest query fits", "flotilla.read.max.pending.bytes");
        assertRejected(c -> c.queryQueueBytes(5000), "flotilla.query.queue.bytes");
    }

    @Test
    void membersSpecErrorsNameTheProblem()
    {
        assertRejected(c -> c.members(null), "flotilla.members");
        assertRejected(c -> c.members("0=localhost:20110"), "id=host:consensusPort:ingressPort");
        assertRejected(c -> c.members("x=localhost:1:2"), "member id", "not a number");
        assertRejected(c -> c.members("0=localhost:1:2,0=localhost:3:4"), "appears twice");
        assertRejected(c -> c.members("0=localhost:1:2,1=localhost:1:4"), "share an endpoint");
        assertRejected(c -> c.members("0=localhost:70000:2"), "consensus port", "1..65535");
        assertRejected(c -> c.members("0=localhost:5:5"), "two different ports");
        assertRejected(c -> c.members("200=localhost:5:6"), "0..127");
    }

    @Test
    void memberAndDirectoryErrorsNameTheSetting()
    {
        assertRejected(c -> c.memberId(-1), "flotilla.member.id");
        assertRejected(c -> c.memberId(5), "memberId 5 is not in the members spec");
        assertRejected(c -> c.dataDirectory(null), "flotilla.data.dir");
        assertRejected(c -> c.stateMachine(null), "flotilla.state.machine");
    }

    @Test
    void rejoiningAfterDataLossNeedsPreVoteAndOtherVotersToAsk()
    {
        assertRejected(c -> c.rejoinAfterDataLoss(true).preVote(false),
            "needs pre-vote", "flotilla.rejoin.after.data.loss");
        assertRejected(c -> c.rejoinAfterDataLoss(true).members("0=localhost:20110:20111"),
            "names member 0 alone", "flotilla.rejoin.after.data.loss", "flotilla.members");
        assertTrue(valid().rejoinAfterDataLoss(true).conclude().rejoinAfterDataLoss());
    }

    @Test
    void snapshotErrorsNameTheSetting()
    {
        final StateMachine noSnapshots = (index, timestampNs, command, offset, length, response) -> response.ok(0);
        assertRejected(c -> c.stateMachine(noSnapshots), "cannot take snapshots", "flotilla.snapshot.log.entries=0");
        assertRejected(snapshot((s) -> s.logEntries(-1)), "flotilla.snapshot.log.entries");
        assertRejected(snapshot((s) -> s.retainCount(0)), "flotilla.snapshot.retain.count");
        assertRejected(snapshot((s) -> s.chunkBytes(16)), "flotilla.snapshot.chunk.bytes");
        assertRejected(snapshot((s) -> s.installWindowBytes(1024)), "flotilla.snapshot.install.window.bytes");
    }

    @Test
    void timingAndSizingErrorsSayWhatToChange()
    {
        assertRejected(c -> c.electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(600), TimeUnit.MILLISECONDS.toNanos(300)),
            "election");
        assertRejected(c -> c.heartbeatIntervalNs(TimeUnit.SECONDS.toNanos(1)), "heartbeat");
        assertRejected(c -> c.maxInflight(0), "nflight");
        assertRejected(c -> c.maxBatchBytes(64 * 1024 * 1024), "maxBatchBytes", "flotilla.raft.max.batch.bytes");
        assertRejected(c -> c.sessionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100)), "flotilla.session.timeout");
        assertRejected(c -> c.proposalQueueBytes(5000), "power of two", "flotilla.proposal.queue.bytes");
        assertRejected(c -> c.maxPendingProposals(3), "power of two", "flotilla.proposal.max.pending");
        assertRejected(c -> c.maxSessions(0), "flotilla.max.sessions");
        assertRejected(c -> c.externalDriver(true).aeronDirectoryName(null), "flotilla.aeron.dir");
    }

    @Test
    void responseResourceSettingsAreBoundedAndDerived()
    {
        final ClusterNode.Context ctx = valid().maxSessions(100).conclude();
        assertEquals(1024 * 1024, ctx.responseMaxTermLength());
        assertEquals(100 + ClusterNode.Context.RESPONSE_PUBLICATIONS_HEADROOM, ctx.responseMaxPublications());

        assertRejected(c -> c.responseMaxTermLength(3 * 1024 * 1024), "power of two",
            ClusterNode.Context.RESPONSE_MAX_TERM_LENGTH_PROP);
        assertRejected(
            c -> c.responseMaxTermLength(64 * 1024 * 1024), ClusterNode.Context.RESPONSE_MAX_TERM_LENGTH_PROP);
        assertRejected(c -> c.maxSessions(10).responseMaxPublications(10),
            ClusterNode.Context.RESPONSE_MAX_PUBLICATIONS_PROP, ClusterNode.Context.MAX_SESSIONS_PROP);
    }

    @Test
    void unknownAndMisspelledPropertiesFailTheStartWithTheClosestName()
    {
        assertUnknown("flotilla.raft.heartbeat.interval.ns", "50000000", "flotilla.raft.heartbeat.interval");
        assertUnknown("flotilla.sesion.timeout", "10s", ClusterNode.Context.SESSION_TIMEOUT_PROP);
        assertUnknown("flotilla.log.durabilty", "ASYNC", NodeMedia.Context.DURABILITY_PROP);
        assertUnknown("flotilla.client.conect.timeout", "5s", FlotillaClient.Context.CONNECT_TIMEOUT_PROP);

        // The prefixes of modules built on the engine are theirs to check.
        System.setProperty("flotilla.admin.porrt", "1");
        System.setProperty("flotilla.verify.anything", "1");
        try
        {
            valid().conclude();
        }
        finally
        {
            System.clearProperty("flotilla.admin.porrt");
            System.clearProperty("flotilla.verify.anything");
        }
    }

    @Test
    void raftDurationsTakeUnitsAndJunkNamesTheProperty()
    {
        System.setProperty(RaftConfig.ELECTION_TIMEOUT_MIN_PROP_NAME, "1s");
        System.setProperty(RaftConfig.ELECTION_TIMEOUT_MAX_PROP_NAME, "2s");
        System.setProperty(RaftConfig.HEARTBEAT_INTERVAL_PROP_NAME, "100ms");
        System.setProperty(RaftConfig.RESEND_TIMEOUT_PROP_NAME, "200000000");
        System.setProperty(RaftConfig.MAX_BATCH_BYTES_PROP_NAME, "128k");
        try
        {
            final ClusterNode.Context config = valid().conclude();
            assertEquals(TimeUnit.SECONDS.toNanos(1), config.electionTimeoutMinNs());
            assertEquals(TimeUnit.SECONDS.toNanos(2), config.electionTimeoutMaxNs());
            assertEquals(TimeUnit.MILLISECONDS.toNanos(100), config.heartbeatIntervalNs());
            assertEquals(TimeUnit.MILLISECONDS.toNanos(200), config.resendTimeoutNs());
            assertEquals(128 * 1024, config.maxBatchBytes());

            System.setProperty(RaftConfig.HEARTBEAT_INTERVAL_PROP_NAME, "100 ms");
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, RaftConfig::new);
            assertTrue(ex.getMessage().contains(RaftConfig.HEARTBEAT_INTERVAL_PROP_NAME + "=100 ms is not a duration") &&
                ex.getMessage().contains("300ms"), ex.getMessage());
        }
        finally
        {
            System.clearProperty(RaftConfig.ELECTION_TIMEOUT_MIN_PROP_NAME);
            System.clearProperty(RaftConfig.ELECTION_TIMEOUT_MAX_PROP_NAME);
            System.clearProperty(RaftConfig.HEARTBEAT_INTERVAL_PROP_NAME);
            System.clearProperty(RaftConfig.RESEND_TIMEOUT_PROP_NAME);
            System.clearProperty(RaftConfig.MAX_BATCH_BYTES_PROP_NAME);
        }
    }

    @Test
    void nodePropertiesThatDoNotParseNameThePropertyAtStart()
    {
        assertUnparsable(ClusterNode.Context.IPC_INGRESS_PROP, "yes", "true or false");
        assertUnparsable(ClusterNode.Context.MAX_SESSIONS_PROP, "1k", "whole number");
        assertUnparsable(ClusterNode.Context.SESSION_TIMEOUT_PROP, "10 seconds", "300ms");
        assertUnparsable(ClusterNode.Context.PROPOSAL_QUEUE_BYTES_PROP, "1mb", "64k");
        assertUnparsable(NodeMedia.Context.THREADING_PROP, "SHARED", "COMPACT");
        assertUnparsable(SnapshotConfig.RETAIN_COUNT_PROP, "two", "whole number");
    }

    private void assertUnknown(final String property, final String value, final String closest)
    {
        System.setProperty(property, value);
        try
        {
            assertRejected((c) -> c, "unknown property " + property, "did you mean " + closest + "?");
        }
        finally
        {
            System.clearProperty(property);
        }
    }

    private void assertUnparsable(final String property, final String value, final String example)
    {
        System.setProperty(property, value);
        try
        {
            final IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> valid().conclude(), property);
            assertTrue(ex.getMessage().contains(property + "=" + value) && ex.getMessage().contains(example),
                ex.getMessage());
        }
        finally
        {
            System.clearProperty(property);
        }
    }

    @Test
    void contextIsConcludedOnce()
    {
        final ClusterNode.Context ctx = valid().conclude();
        assertThrows(IllegalStateException.class, ctx::conclude);
    }
}
