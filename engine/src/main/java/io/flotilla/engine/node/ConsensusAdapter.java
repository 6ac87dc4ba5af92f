package io.flotilla.engine.node;

import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.flotilla.codecs.AppendEntriesDecoder;
import io.flotilla.codecs.AppendResponseDecoder;
import io.flotilla.codecs.BooleanType;
import io.flotilla.codecs.ForwardedRequestDecoder;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.LeaderIntroductionDecoder;
import io.flotilla.codecs.MessageHeaderDecoder;
import io.flotilla.codecs.ReadIndexRequestDecoder;
import io.flotilla.codecs.ReadIndexResponseDecoder;
import io.flotilla.codecs.RequestVoteDecoder;
import io.flotilla.codecs.SnapshotAckDecoder;
import io.flotilla.codecs.SnapshotChunkDecoder;
import io.flotilla.codecs.TermProbeDecoder;
import io.flotilla.codecs.TermProbeResponseDecoder;
import io.flotilla.codecs.TimeoutNowDecoder;
import io.flotilla.codecs.VoteResponseDecoder;
import io.flotilla.engine.raft.RaftNode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Consensus messages in: polls this member's consensus subscription and hands each message to the Raft node, or, for
 * the chunks and acks of a snapshot install, to a {@link SnapshotTransferHandler}, or, for a client request another
 * member forwarded, to a {@link ForwardedRequestHandler}. Every message is authenticated
 * first ({@link MessageVerifier}: nothing past the message header is read before), then checked by
 * {@link FrameValidator} before a decoder reads it; messages that fail either, client messages on this stream, and
 * messages claiming to come from a non-member, from this node itself or from another member than the one that signed
 * them are counted and dropped. What goes out is the {@link ConsensusPublisher}'s job.
 */
public final class ConsensusAdapter implements FragmentHandler, AutoCloseable
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int FRAGMENT_LIMIT = 64;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final AppendEntriesDecoder appendEntriesDecoder = new AppendEntriesDecoder();
    private final AppendResponseDecoder appendResponseDecoder = new AppendResponseDecoder();
    private final RequestVoteDecoder requestVoteDecoder = new RequestVoteDecoder();
    private final VoteResponseDecoder voteResponseDecoder = new VoteResponseDecoder();
    private final TimeoutNowDecoder timeoutNowDecoder = new TimeoutNowDecoder();
    private final SnapshotChunkDecoder snapshotChunkDecoder = new SnapshotChunkDecoder();
    private final SnapshotAckDecoder snapshotAckDecoder = new SnapshotAckDecoder();
    private final ReadIndexRequestDecoder readIndexRequestDecoder = new ReadIndexRequestDecoder();
    private final ReadIndexResponseDecoder readIndexResponseDecoder = new ReadIndexResponseDecoder();
    private final ForwardedRequestDecoder forwardedRequestDecoder = new ForwardedRequestDecoder();
    private final LeaderIntroductionDecoder leaderIntroductionDecoder = new LeaderIntroductionDecoder();
    private final TermProbeDecoder termProbeDecoder = new TermProbeDecoder();
    private final TermProbeResponseDecoder termProbeResponseDecoder = new TermProbeResponseDecoder();
    private final FragmentAssembler assembler = new FragmentAssembler(this);

    private final Subscription subscription;
    private final ClusterMembers members;
    private final int memberId;
    private final RaftNode raft;
    private final SnapshotTransferHandler snapshotTransfer;
    private final ForwardedRequestHandler forwardedRequests;
    private final LeaderIntroductionHandler leaderIntroductions;
    private final VotingFence votingFence;
    private final MessageVerifier verifier;
    private final NodeCounters counters;

    /**
     * @param subscription      on this member's consensus endpoint; the adapter owns it and closes it.
     * @param members           of the cluster, the only senders accepted.
     * @param memberId          of this node.
     * @param raft              to deliver the messages to.
     * @param snapshotTransfer  to deliver snapshot chunks and acks to, or null when this node takes no part in
     *                          snapshot installs: such messages are then counted as dropped.
     * @param forwardedRequests to deliver client requests forwarded by other members to.
     * @param leaderIntroductions to deliver the endpoints of leaders that introduce themselves to.
     * @param votingFence       drops vote requests and TimeoutNows a node that lost its data may not act on yet.
     * @param verifier          authenticates each message before it is validated.
     * @param counters          of this node, for invalid and dropped messages.
     */
    public ConsensusAdapter(
        final Subscription subscription,
        final ClusterMembers members,
        final int memberId,
        final RaftNode raft,
        final SnapshotTransferHandler snapshotTransfer,
        final ForwardedRequestHandler forwardedRequests,
        final LeaderIntroductionHandler leaderIntroductions,
        final VotingFence votingFence,
        final MessageVerifier verifier,
        final NodeCounters counters)
    {
        this.votingFence = votingFence;
        this.verifier = verifier;
        this.subscription = subscription;
        this.members = members;
        this.memberId = memberId;
        this.raft = raft;
        this.snapshotTransfer = snapshotTransfer;
        this.forwardedRequests = forwardedRequests;
        this.leaderIntroductions = leaderIntroductions;
        this.counters = counters;
    }

    /**
     * Deliver inbound messages to the Raft node.
     *
     * @return the number of fragments read.
     */
    public int poll()
    {
        return subscription.poll(assembler, FRAGMENT_LIMIT);
    }

    /**
     * Close the subscription.
     */
    public void close()
    {
        CloseHelper.quietClose(subscription);
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int messageLength = verifier.verify(buffer, offset, length);
        if (MessageVerifier.NOT_AUTHENTIC == messageLength)
        {
            return;
        }
        if (!FrameValidator.validate(buffer, offset, messageLength).isValid())
        {
            counters.invalidMessages().incrementRelease();
            verifier.onInvalid(buffer, offset, length);
            return;
        }
        final int from = ConsensusSender.claimedId(buffer, offset);
        if (ConsensusSender.NOT_CONSENSUS == from)
        {
            // A valid message of the schema that does not belong on the consensus stream (a client message).
            counters.invalidMessages().incrementRelease();
            return;
        }
        if (!isPeer(from) || !verifier.isSignedBy(from))
        {
            return;
        }

        headerDecoder.wrap(buffer, offset);
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        final int body = offset + HEADER_LENGTH;
        switch (headerDecoder.templateId())
        {
            case AppendEntriesDecoder.TEMPLATE_ID:
            {
                appendEntriesDecoder.wrap(buffer, body, blockLength, version);
                final int lengthOffset = appendEntriesDecoder.limit();
                raft.onAppendEntries(
                    from,
                    appendEntriesDecoder.term(),
                    appendEntriesDecoder.prevLogIndex(),
                    appendEntriesDecoder.prevLogTerm(),
                    appendEntriesDecoder.leaderCommit(),
                    buffer,
                    lengthOffset + 4,
                    buffer.getInt(lengthOffset, LITTLE_ENDIAN),
                    appendEntriesDecoder.leaderStamp());
                break;
            }

            case AppendResponseDecoder.TEMPLATE_ID:
                appendResponseDecoder.wrap(buffer, body, blockLength, version);
                raft.onAppendResponse(
                    from,
                    appendResponseDecoder.term(),
                    BooleanType.TRUE == appendResponseDecoder.success(),
                    appendResponseDecoder.lastAppendedIndex(),
                    appendResponseDecoder.durableIndex(),
                    appendResponseDecoder.conflictIndex(),
                    appendResponseDecoder.conflictTerm(),
                    appendResponseDecoder.echoStamp());
                break;

            case ReadIndexRequestDecoder.TEMPLATE_ID:
                readIndexRequestDecoder.wrap(buffer, body, blockLength, version);
                raft.onReadIndexRequest(
                    from, readIndexRequestDecoder.term(), readIndexRequestDecoder.readId(), readIndexRequestDecoder.mode());
                break;

            case ReadIndexResponseDecoder.TEMPLATE_ID:
                readIndexResponseDecoder.wrap(buffer, body, blockLength, version);
                raft.onReadIndexResponse(
                    from,
                    readIndexResponseDecoder.term(),
                    readIndexResponseDecoder.readId(),
                    readIndexResponseDecoder.readIndex(),
                    BooleanType.TRUE == readIndexResponseDecoder.granted());
                break;

            case RequestVoteDecoder.TEMPLATE_ID:
                requestVoteDecoder.wrap(buffer, body, blockLength, version);
                if (votingFence.admits(requestVoteDecoder.term()))
                {
                    raft.onRequestVote(
                        from,
                        requestVoteDecoder.term(),
                        requestVoteDecoder.lastLogIndex(),
                        requestVoteDecoder.lastLogTerm(),
                        BooleanType.TRUE == requestVoteDecoder.preVote(),
                        BooleanType.TRUE == requestVoteDecoder.transfer());
                }
                break;

            case VoteResponseDecoder.TEMPLATE_ID:
                voteResponseDecoder.wrap(buffer, body, blockLength, version);
                raft.onVoteResponse(
                    from,
                    voteResponseDecoder.term(),
                    BooleanType.TRUE == voteResponseDecoder.preVote(),
                    BooleanType.TRUE == voteResponseDecoder.granted());
                break;

            case TimeoutNowDecoder.TEMPLATE_ID:
                timeoutNowDecoder.wrap(buffer, body, blockLength, version);
                // A TimeoutNow of the leader's term starts a campaign in the next: that is the term the fence must
                // admit. With the leader's own term, a node whose fence lifted in it refused every transfer until
                // the term changed, though it was the most up-to-date follower: a rolling restart after a rejoin
                // then stopped its leader without a handover, an election timeout for the clients.
                if (votingFence.admits(timeoutNowDecoder.term() + 1))
                {
                    raft.onTimeoutNow(from, timeoutNowDecoder.term());
                }
                break;

            case LeaderIntroductionDecoder.TEMPLATE_ID:
                onLeaderIntroduction(from, buffer, body, blockLength, version);
                break;

            case TermProbeDecoder.TEMPLATE_ID:
                termProbeDecoder.wrap(buffer, body, blockLength, version);
                raft.onTermProbe(from, termProbeDecoder.probeId());
                break;

            case TermProbeResponseDecoder.TEMPLATE_ID:
                termProbeResponseDecoder.wrap(buffer, body, blockLength, version);
                raft.onTermProbeResponse(from, termProbeResponseDecoder.term(), termProbeResponseDecoder.probeId());
                break;

            case SnapshotChunkDecoder.TEMPLATE_ID:
                snapshotChunkDecoder.wrap(buffer, body, blockLength, version);
                if (isTakingPartInSnapshots())
                {
                    final int lengthOffset = snapshotChunkDecoder.limit();
                    snapshotTransfer.onSnapshotChunk(
                        from,
                        snapshotChunkDecoder.term(),
                        snapshotChunkDecoder.snapshotIndex(),
                        snapshotChunkDecoder.snapshotTerm(),
                        snapshotChunkDecoder.snapshotLength(),
                        snapshotChunkDecoder.snapshotChecksum(),
                        snapshotChunkDecoder.fileOffset(),
                        buffer,
                        lengthOffset + 4,
                        buffer.getInt(lengthOffset, LITTLE_ENDIAN));
                }
                break;

            case SnapshotAckDecoder.TEMPLATE_ID:
                snapshotAckDecoder.wrap(buffer, body, blockLength, version);
                if (isTakingPartInSnapshots())
                {
                    snapshotTransfer.onSnapshotAck(
                        from,
                        snapshotAckDecoder.term(),
                        snapshotAckDecoder.snapshotIndex(),
                        snapshotAckDecoder.snapshotTerm(),
                        snapshotAckDecoder.nextOffset(),
                        snapshotAckDecoder.status());
                }
                break;

            case ForwardedRequestDecoder.TEMPLATE_ID:
                onForwardedRequest(buffer, body, blockLength, version);
                break;

            default:
                break; // ConsensusSender.claimedId admits the consensus templates only, all handled above
        }
    }

    private void onForwardedRequest(
        final DirectBuffer buffer, final int body, final int blockLength, final int version)
    {
        forwardedRequestDecoder.wrap(buffer, body, blockLength, version);
        final int lengthOffset = forwardedRequestDecoder.limit();
        forwardedRequests.onForwardedRequest(
            forwardedRequestDecoder.sessionId(),
            forwardedRequestDecoder.sequence(),
            buffer,
            lengthOffset + 4,
            buffer.getInt(lengthOffset, LITTLE_ENDIAN));
    }

    /**
     * Of any term: a leader this node's term has deposed must be answered too, to hear that term. An endpoint no
     * configuration could hold is counted as invalid.
     */
    private void onLeaderIntroduction(
        final int from, final DirectBuffer buffer, final int body, final int blockLength, final int version)
    {
        leaderIntroductionDecoder.wrap(buffer, body, blockLength, version);
        final String endpoint = leaderIntroductionDecoder.endpoint();
        final ClusterMembers.Member known = members.member(from);
        if (null == known || !known.endpoint().equals(endpoint))
        {
            try
            {
                ClusterMembers.parseEndpoint(from, endpoint);
            }
            catch (final IllegalArgumentException ex)
            {
                counters.invalidMessages().incrementRelease();
                return;
            }
        }
        leaderIntroductions.onLeaderIntroduction(from, endpoint);
    }

    /**
     * A message claiming to come from an id out of range or from this node itself is dropped and counted. A sender
     * the members directory does not know is accepted: a leader added while this node was behind (it introduces
     * itself), or a candidate; the core decides what it may do.
     */
    private boolean isPeer(final int id)
    {
        if (id >= 0 && id <= ClusterMembers.MAX_MEMBER_ID && id != memberId)
        {
            return true;
        }
        counters.droppedMessages().incrementRelease();
        return false;
    }

    private boolean isTakingPartInSnapshots()
    {
        if (null != snapshotTransfer)
        {
            return true;
        }
        counters.droppedMessages().incrementRelease();
        return false;
    }
}
