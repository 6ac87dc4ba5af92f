package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.exceptions.RegistrationException;
import io.flotilla.archive.EntryBlockHandler;
import io.flotilla.archive.LogStore;
import io.flotilla.codecs.AppendEntriesEncoder;
import io.flotilla.codecs.AppendResponseEncoder;
import io.flotilla.codecs.BooleanType;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.ForwardedRequestEncoder;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.LeaderIntroductionEncoder;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.ReadIndexRequestEncoder;
import io.flotilla.codecs.ReadIndexResponseEncoder;
import io.flotilla.codecs.ReadMode;
import io.flotilla.codecs.RequestVoteEncoder;
import io.flotilla.codecs.SnapshotAckEncoder;
import io.flotilla.codecs.SnapshotAckStatus;
import io.flotilla.codecs.SnapshotChunkEncoder;
import io.flotilla.codecs.TermProbeEncoder;
import io.flotilla.codecs.TermProbeResponseEncoder;
import io.flotilla.codecs.TimeoutNowEncoder;
import io.flotilla.codecs.VoteResponseEncoder;
import io.flotilla.engine.raft.Configuration;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.raft.RaftTransport;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Consensus messages out, over Aeron UDP: one exclusive publication per peer, owned (opened and closed) here.
 * Sends never block: a send that cannot go now (peer down, back-pressure, entries being read back from the
 * archive) returns false and Raft tries again on a later tick. The same publications carry the chunks and acks of
 * snapshot installs ({@link SnapshotTransport}). Each message is signed for its destination ({@link MessageSigner})
 * as it is offered. What comes in is the {@link ConsensusAdapter}'s job.
 */
public final class ConsensusPublisher implements RaftTransport, SnapshotTransport, AutoCloseable
{
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int CHUNK_HEADER_LENGTH = HEADER_LENGTH + SnapshotChunkEncoder.BLOCK_LENGTH + 4;
    private static final int TRAILER_LENGTH = MessageSigner.TRAILER_LENGTH;
    private static final long PUBLICATION_RETRY_NS = TimeUnit.SECONDS.toNanos(1);
    private static final System.Logger LOGGER = System.getLogger(ConsensusPublisher.class.getName());

    private final Aeron aeron;
    private final String channel;
    private final int memberId;
    private final byte[] ownEndpoint;
    private final LogStore log;
    private final NodeCounters counters;
    private final int maxBatchBytes;
    private final InstallOffers installOffers;
    private final VotingFence votingFence;
    private final MessageSigner signer;
    private final ExclusivePublication[] publications;
    // A publication asked for and not taken yet: its channel, and its registration (or a retry after a refusal).
    private final String[] channels = new String[ClusterMembers.MAX_MEMBER_ID + 1];
    private final long[] registrations = new long[ClusterMembers.MAX_MEMBER_ID + 1];
    private final String[] retryChannels = new String[ClusterMembers.MAX_MEMBER_ID + 1];
    private final long[] retryAtNs = new long[ClusterMembers.MAX_MEMBER_ID + 1];
    private int awaitedPublications;
    private final UnsafeBuffer sendBuffer;
    private final int maxSnapshotChunkLength;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final AppendEntriesEncoder appendEntriesEncoder = new AppendEntriesEncoder();
    private final AppendResponseEncoder appendResponseEncoder = new AppendResponseEncoder();
    private final RequestVoteEncoder requestVoteEncoder = new RequestVoteEncoder();
    private final VoteResponseEncoder voteResponseEncoder = new VoteResponseEncoder();
    private final TimeoutNowEncoder timeoutNowEncoder = new TimeoutNowEncoder();
    private final TermProbeEncoder termProbeEncoder = new TermProbeEncoder();
    private final TermProbeResponseEncoder termProbeResponseEncoder = new TermProbeResponseEncoder();
    private final LeaderIntroductionEncoder leaderIntroductionEncoder = new LeaderIntroductionEncoder();
    private final SnapshotChunkEncoder snapshotChunkEncoder = new SnapshotChunkEncoder();
    private final SnapshotAckEncoder snapshotAckEncoder = new SnapshotAckEncoder();
    private final ReadIndexRequestEncoder readIndexRequestEncoder = new ReadIndexRequestEncoder();
    private final ReadIndexResponseEncoder readIndexResponseEncoder = new ReadIndexResponseEncoder();
    private final ForwardedRequestEncoder forwardedRequestEncoder = new ForwardedRequestEncoder();
    private final EntryBlockHandler copyEntries = this::copyEntries;

    private int entriesEnd;
    private long copyToIndex;
    private long copiedToIndex;
    private int introducedLeaderId = RaftNode.NO_MEMBER;

    /**
     * Open one publication per peer; on failure the ones already opened are closed.
     *
     * @param aeron         client of the node's media driver.
     * @param driverMaxMessageLength the longest message the driver's publications take (NodeMedia#maxMessageLength).
     * @param members       of the cluster.
     * @param channel       the consensus channel template, to which each peer's endpoint is added.
     * @param memberId      of this node.
     * @param log           this node's log, read for AppendEntries.
     * @param counters      of this node.
     * @param maxBatchBytes bound on the entries block of one AppendEntries (a larger single entry travels alone).
     * @param installOffers where the core's requests to send a peer the snapshot go.
     * @param votingFence   keeps a node that lost its data from campaigning: its vote requests are not sent.
     * @param signer        signs each message for its destination.
     */
    public ConsensusPublisher(
        final Aeron aeron,
        final int driverMaxMessageLength,
        final ClusterMembers members,
        final String channel,
        final int memberId,
        final LogStore log,
        final NodeCounters counters,
        final int maxBatchBytes,
        final InstallOffers installOffers,
        final VotingFence votingFence,
        final MessageSigner signer)
    {
        this.aeron = aeron;
        this.channel = channel;
        this.votingFence = votingFence;
        this.signer = signer;
        this.memberId = memberId;
        this.installOffers = installOffers;
        this.log = log;
        this.counters = counters;
        this.maxBatchBytes = maxBatchBytes;
        ownEndpoint = members.member(memberId).endpoint().getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(registrations, Aeron.NULL_VALUE);

        final int bufferLength = BitUtil.align(
            HEADER_LENGTH + AppendEntriesEncoder.BLOCK_LENGTH + 4 +
            Math.max(maxBatchBytes, EntryFrame.frameLength(EntryFrame.MAX_PAYLOAD_LENGTH)) + TRAILER_LENGTH, 64);
        sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bufferLength));

        final ExclusivePublication[] publications = new ExclusivePublication[ClusterMembers.MAX_MEMBER_ID + 1];
        // The driver's bound, not only the first peers': a member added later gets a publication of the same driver.
        int maxMessageLength = Math.min(sendBuffer.capacity(), driverMaxMessageLength);
        try
        {
            for (int i = 0; i < members.size(); i++)
            {
                final ClusterMembers.Member peer = members.at(i);
                if (peer.id() != memberId)
                {
                    publications[peer.id()] = aeron.addExclusivePublication(
                        peer.consensusChannel(channel), ClusterMembers.CONSENSUS_STREAM_ID);
                    maxMessageLength = Math.min(maxMessageLength, publications[peer.id()].maxMessageLength());
                }
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(publications);
            throw ex;
        }
        this.publications = publications;
        maxSnapshotChunkLength = Math.min(
            FrameValidator.MAX_SNAPSHOT_CHUNK_LENGTH, maxMessageLength - CHUNK_HEADER_LENGTH - TRAILER_LENGTH);
    }

    public boolean sendRequestVote(
        final int to,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final boolean transfer)
    {
        if (votingFence.isFenced())
        {
            return true; // dropped: this node may not campaign yet (VotingFence)
        }
        requestVoteEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .term(term)
            .lastLogIndex(lastLogIndex)
            .lastLogTerm(lastLogTerm)
            .candidateId(memberId)
            .preVote(preVote ? BooleanType.TRUE : BooleanType.FALSE)
            .transfer(transfer ? BooleanType.TRUE : BooleanType.FALSE);
        return offer(to, HEADER_LENGTH + requestVoteEncoder.encodedLength());
    }

    public boolean sendVoteResponse(final int to, final long term, final boolean preVote, final boolean granted)
    {
        voteResponseEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .term(term)
            .voterId(memberId)
            .preVote(preVote ? BooleanType.TRUE : BooleanType.FALSE)
            .granted(granted ? BooleanType.TRUE : BooleanType.FALSE);
        return offer(to, HEADER_LENGTH + voteResponseEncoder.encodedLength());
    }

    /**
     * Send the entries {@code fromIndex..toIndex}, copied unchanged from the log (an empty range is a heartbeat).
     *
     * @return false on back-pressure, when the peer is down, or when the entries are being read back.
     */
    public boolean sendAppendEntries(
        final int to,
        final long term,
        final long prevLogIndex,
        final long prevLogTerm,
        final long leaderCommit,
        final long fromIndex,
        final long toIndex,
        final long leaderStamp)
    {
        final ExclusivePublication publication = publications[to];
        if (null == publication || !publication.isConnected())
        {
            return false;
        }

        final int entryCount = (int)Math.max(0, toIndex - fromIndex + 1);
        appendEntriesEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .term(term)
            .prevLogIndex(prevLogIndex)
            .prevLogTerm(prevLogTerm)
            .leaderCommit(leaderCommit)
            .leaderId(memberId)
            .entryCount(entryCount)
            .leaderStamp(leaderStamp);
        final int lengthOffset = appendEntriesEncoder.limit();
        entriesEnd = lengthOffset + 4;
        if (entryCount > 0 && !readEntries(fromIndex, toIndex))
        {
            return false;
        }
        final int entriesLength = entriesEnd - lengthOffset - 4;
        sendBuffer.putInt(lengthOffset, entriesLength, LITTLE_ENDIAN);

        if (offer(to, entriesEnd))
        {
            counters.bytesReplicated().getAndAddRelease(entriesLength);
            return true;
        }
        return false;
    }

    public boolean sendAppendResponse(
        final int to,
        final long term,
        final boolean success,
        final long lastAppendedIndex,
        final long durableIndex,
        final long conflictIndex,
        final long conflictTerm,
        final long echoStamp)
    {
        appendResponseEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .term(term)
            .lastAppendedIndex(lastAppendedIndex)
            .durableIndex(durableIndex)
            .conflictIndex(conflictIndex)
            .conflictTerm(conflictTerm)
            .followerId(memberId)
            .success(success ? BooleanType.TRUE : BooleanType.FALSE)
            .echoStamp(echoStamp);
        return offer(to, HEADER_LENGTH + appendResponseEncoder.encodedLength());
    }

    public boolean sendReadIndexRequest(final int to, final long term, final long readId, final ReadMode mode)
    {
        readIndexRequestEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .term(term)
            .readId(readId)
            .followerId(memberId)
            .mode(mode);
        return offer(to, HEADER_LENGTH + readIndexRequestEncoder.encodedLength());
    }

    public boolean sendReadIndexResponse(
        final int to, final long term, final long readId, final long readIndex, final boolean granted)
    {
        readIndexResponseEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .term(term)
            .readId(readId)
            .readIndex(readIndex)
            .leaderId(memberId)
            .granted(granted ? BooleanType.TRUE : BooleanType.FALSE);
        return offer(to, HEADER_LENGTH + readIndexResponseEncoder.encodedLength());
    }

    public boolean sendTimeoutNow(final int to, final long term)
    {
        timeoutNowEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).term(term).leaderId(memberId);
        return offer(to, HEADER_LENGTH + timeoutNowEncoder.encodedLength());
    }

    public boolean sendLeaderIntroduction(final int to, final long term)
    {
        leaderIntroductionEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .term(term)
            .leaderId(memberId)
            .putEndpoint(ownEndpoint, 0, ownEndpoint.length);
        return offer(to, HEADER_LENGTH + leaderIntroductionEncoder.encodedLength());
    }

    public boolean sendTermProbe(final int to, final long probeId)
    {
        termProbeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).probeId(probeId).memberId(memberId);
        return offer(to, HEADER_LENGTH + termProbeEncoder.encodedLength());
    }

    public boolean sendTermProbeResponse(final int to, final long term, final long probeId)
    {
        termProbeResponseEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .term(term)
            .probeId(probeId)
            .responderId(memberId);
        return offer(to, HEADER_LENGTH + termProbeResponseEncoder.encodedLength());
    }

    public boolean sendSnapshotChunk(
        final int to,
        final long term,
        final long snapshotIndex,
        final long snapshotTerm,
        final long snapshotLength,
        final int snapshotChecksum,
        final long fileOffset,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (length > maxSnapshotChunkLength)
        {
            throw new IllegalArgumentException(
                "snapshot chunk of " + length + " bytes exceeds maxSnapshotChunkLength=" + maxSnapshotChunkLength);
        }

        snapshotChunkEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .term(term)
            .snapshotIndex(snapshotIndex)
            .snapshotTerm(snapshotTerm)
            .snapshotLength(snapshotLength)
            .fileOffset(fileOffset)
            .leaderId(memberId)
            .snapshotChecksum(snapshotChecksum)
            .putData(buffer, offset, length);
        return offer(to, HEADER_LENGTH + snapshotChunkEncoder.encodedLength());
    }

    public boolean sendSnapshotAck(
        final int to,
        final long term,
        final long snapshotIndex,
        final long snapshotTerm,
        final long nextOffset,
        final SnapshotAckStatus status)
    {
        snapshotAckEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .term(term)
            .snapshotIndex(snapshotIndex)
            .snapshotTerm(snapshotTerm)
            .nextOffset(nextOffset)
            .followerId(memberId)
            .status(status);
        return offer(to, HEADER_LENGTH + snapshotAckEncoder.encodedLength());
    }

    /**
     * Send a client's message on to the leader ({@link RequestForwarder}), the payload copied once from where the
     * ingress read it.
     *
     * @param to        the leader.
     * @param sessionId of the client's session.
     * @param sequence  of the client's Request, or {@link RequestForwarder#KEEP_ALIVE} or
     *                  {@link RequestForwarder#CLOSE}.
     * @param buffer    holding the command.
     * @param offset    of the command.
     * @param length    of the command (at most {@link EntryFrame#MAX_PAYLOAD_LENGTH}, as the ingress admits).
     * @return false on back-pressure or when the leader is not connected.
     */
    public boolean sendForwardedRequest(
        final int to,
        final long sessionId,
        final long sequence,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        forwardedRequestEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .sessionId(sessionId)
            .sequence(sequence)
            .senderId(memberId)
            .putPayload(buffer, offset, length);
        return offer(to, HEADER_LENGTH + forwardedRequestEncoder.encodedLength());
    }

    /**
     * The most data one snapshot chunk may carry: one message with its signature must fit both the send buffer and
     * every peer publication's max message length (an eighth of its term length), and the validator's bound.
     *
     * @return the length in bytes.
     */
    public int maxSnapshotChunkLength()
    {
        return maxSnapshotChunkLength;
    }

    /**
     * Hand the core's request to the node's snapshot sender, which streams the newest snapshot in chunks through
     * {@link #sendSnapshotChunk}.
     */
    public boolean sendInstallSnapshot(final int to, final long term)
    {
        return installOffers.offer(to, term);
    }

    /**
     * A configuration took effect, or one committed: open a publication to each member of either that has none (one
     * just added, at the endpoint its configuration entry carries) and close those of the members neither names (but
     * the last that introduced itself, {@link #introduce}). A
     * member the configuration in effect drops keeps its publication until that configuration commits, so that a
     * leader removing itself hears its followers acknowledge the entry that removes it. Rare, and on the node
     * thread; a publication added is only asked for here, and taken by {@link #connect} once the driver has made it.
     *
     * @param configuration now in effect.
     * @param committed     the newest committed configuration.
     * @param members       the endpoints, already updated from the configurations.
     * @param moved         ids whose endpoint changed, to reopen (null for none).
     */
    public void configure(
        final Configuration configuration,
        final Configuration committed,
        final ClusterMembers members,
        final boolean[] moved)
    {
        for (int id = 0; id <= ClusterMembers.MAX_MEMBER_ID; id++)
        {
            final boolean wanted = id != memberId && null != members.member(id) &&
                (configuration.isMember(id) || committed.isMember(id) || id == introducedLeaderId);
            reach(id, wanted, members, null != moved && moved[id]);
        }
    }

    /**
     * A leader that the configurations do not name introduced itself (this node fell behind the change that added
     * it): reach it at its endpoint, whatever the configurations say, until another leader introduces itself. On the
     * node thread, as {@link #configure}.
     *
     * @param leaderId of the leader.
     * @param members  the endpoints, already updated with the leader's.
     * @param moved    whether its endpoint changed, to reopen.
     */
    public void introduce(final int leaderId, final ClusterMembers members, final boolean moved)
    {
        introducedLeaderId = leaderId;
        reach(leaderId, true, members, moved);
    }

    /**
     * Take the publications asked for by {@link #configure} and {@link #introduce} as the media driver makes them:
     * asked for without waiting, so that the duty cycle never blocks on a round trip to the driver. One the driver
     * refuses (an endpoint it cannot resolve, say) is logged and asked for again after a retry interval; sends to
     * that member fail meanwhile, as to a member that is down.
     *
     * @param nowNs the duty cycle's time.
     * @return the publications taken or asked for again.
     */
    public int connect(final long nowNs)
    {
        if (0 == awaitedPublications)
        {
            return 0;
        }
        int work = 0;
        for (int id = 0; id <= ClusterMembers.MAX_MEMBER_ID; id++)
        {
            if (Aeron.NULL_VALUE != registrations[id])
            {
                work += takePublication(id, nowNs);
            }
            else if (null != retryChannels[id] && nowNs - retryAtNs[id] >= 0)
            {
                registrations[id] = aeron.asyncAddExclusivePublication(
                    retryChannels[id], ClusterMembers.CONSENSUS_STREAM_ID);
                retryChannels[id] = null;
                work++;
            }
        }
        return work;
    }

    private int takePublication(final int id, final long nowNs)
    {
        try
        {
            final ExclusivePublication publication = aeron.getExclusivePublication(registrations[id]);
            if (null == publication)
            {
                return 0;
            }
            publications[id] = publication;
        }
        catch (final RegistrationException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "member " + memberId + ": no publication to member " + id + " at " +
                channels[id] + " (" + ex.getMessage() + "): asked for again in " +
                PUBLICATION_RETRY_NS / 1_000_000 + " ms");
            retryChannels[id] = channels[id];
            retryAtNs[id] = nowNs + PUBLICATION_RETRY_NS;
            registrations[id] = Aeron.NULL_VALUE;
            return 1;
        }
        registrations[id] = Aeron.NULL_VALUE;
        awaitedPublications--;
        return 1;
    }

    private void reach(final int id, final boolean wanted, final ClusterMembers members, final boolean moved)
    {
        if (!wanted || moved)
        {
            disconnect(id);
        }
        if (wanted && null == publications[id] && null == channels[id])
        {
            channels[id] = members.member(id).consensusChannel(channel);
            registrations[id] = aeron.asyncAddExclusivePublication(channels[id], ClusterMembers.CONSENSUS_STREAM_ID);
            awaitedPublications++;
        }
    }

    private void disconnect(final int id)
    {
        if (null != publications[id])
        {
            CloseHelper.quietClose(publications[id]);
            publications[id] = null;
        }
        else if (null != channels[id])
        {
            if (Aeron.NULL_VALUE != registrations[id])
            {
                aeron.asyncRemovePublication(registrations[id]);
                registrations[id] = Aeron.NULL_VALUE;
            }
            retryChannels[id] = null;
            awaitedPublications--;
        }
        channels[id] = null;
    }

    /**
     * Close the peers' publications.
     */
    public void close()
    {
        CloseHelper.quietCloseAll(publications);
    }

    private boolean offer(final int to, final int length)
    {
        final ExclusivePublication publication = to >= 0 && to < publications.length ? publications[to] : null;
        return null != publication && publication.offer(sendBuffer, 0, signer.sign(to, sendBuffer, 0, length)) > 0;
    }

    /**
     * Copy frames {@code fromIndex..toIndex} after the entries length prefix; the store may deliver them in more
     * than one block, or none yet when it has to read them back from the archive.
     */
    private boolean readEntries(final long fromIndex, final long toIndex)
    {
        copyToIndex = toIndex;
        copiedToIndex = fromIndex - 1;
        while (copiedToIndex < toIndex)
        {
            final long remaining = sendBuffer.capacity() - TRAILER_LENGTH - entriesEnd;
            final int maxBytes = (int)Math.min(remaining, Math.max(maxBatchBytes, 1));
            if (0 == log.readEntries(copiedToIndex + 1, maxBytes, copyEntries))
            {
                return false;
            }
        }
        return true;
    }

    private void copyEntries(
        final DirectBuffer buffer, final int offset, final int length, final long firstIndex, final long lastIndex)
    {
        int end = offset + length;
        if (lastIndex > copyToIndex)
        {
            // The store delivered beyond the range Raft asked for: cut the block after copyToIndex.
            end = offset;
            for (long index = firstIndex; index <= copyToIndex; index++)
            {
                end += EntryFrame.frameLength(buffer, end);
            }
        }

        final int copyLength = end - offset;
        if (entriesEnd + copyLength > sendBuffer.capacity() - TRAILER_LENGTH)
        {
            throw new IllegalStateException("entries block of " + copyLength + " bytes does not fit the send buffer");
        }
        sendBuffer.putBytes(entriesEnd, buffer, offset, copyLength);
        entriesEnd += copyLength;
        copiedToIndex = Math.min(lastIndex, copyToIndex);
    }

    /**
     * Who streams snapshots to peers when the core asks ({@link #sendInstallSnapshot}).
     */
    @FunctionalInterface
    public interface InstallOffers
    {
        /**
         * @param to   the peer that needs entries the log no longer holds.
         * @param term of the leader.
         * @return false when there is no snapshot to send yet.
         */
        boolean offer(int to, long term);
    }
}
