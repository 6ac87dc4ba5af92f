package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.flotilla.archive.EntryBlockHandler;
import io.flotilla.archive.LogStore;
import io.flotilla.codecs.AppendEntriesDecoder;
import io.flotilla.codecs.AppendEntriesEncoder;
import io.flotilla.codecs.AppendResponseDecoder;
import io.flotilla.codecs.AppendResponseEncoder;
import io.flotilla.codecs.BooleanType;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.MessageHeaderDecoder;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.RequestVoteDecoder;
import io.flotilla.codecs.RequestVoteEncoder;
import io.flotilla.codecs.TimeoutNowDecoder;
import io.flotilla.codecs.TimeoutNowEncoder;
import io.flotilla.codecs.VoteResponseDecoder;
import io.flotilla.codecs.VoteResponseEncoder;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.raft.RaftTransport;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Consensus messages between members over Aeron UDP: one subscription on this member's consensus endpoint and one
 * exclusive publication per peer. Sends never block: a send that cannot go now (peer down, back-pressure, entries
 * being read back from the archive) returns false and Raft tries again on a later tick. Every inbound message is
 * checked by {@link FrameValidator} before a decoder reads it; invalid ones are counted and dropped.
 */
public final class ConsensusTransport implements RaftTransport, AutoCloseable
{
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int FRAGMENT_LIMIT = 64;

    private final int memberId;
    private final ClusterMembers members;
    private final LogStore log;
    private final NodeCounters counters;
    private final int maxBatchBytes;
    private final Subscription subscription;
    private final ExclusivePublication[] publications;
    private final FragmentAssembler assembler;
    private final UnsafeBuffer sendBuffer;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final AppendEntriesEncoder appendEntriesEncoder = new AppendEntriesEncoder();
    private final AppendEntriesDecoder appendEntriesDecoder = new AppendEntriesDecoder();
    private final AppendResponseEncoder appendResponseEncoder = new AppendResponseEncoder();
    private final AppendResponseDecoder appendResponseDecoder = new AppendResponseDecoder();
    private final RequestVoteEncoder requestVoteEncoder = new RequestVoteEncoder();
    private final RequestVoteDecoder requestVoteDecoder = new RequestVoteDecoder();
    private final VoteResponseEncoder voteResponseEncoder = new VoteResponseEncoder();
    private final VoteResponseDecoder voteResponseDecoder = new VoteResponseDecoder();
    private final TimeoutNowEncoder timeoutNowEncoder = new TimeoutNowEncoder();
    private final TimeoutNowDecoder timeoutNowDecoder = new TimeoutNowDecoder();
    private final EntryBlockHandler copyEntries = this::copyEntries;

    private RaftNode raft;
    private int entriesEnd;
    private long copyToIndex;
    private long copiedToIndex;

    /**
     * Open the subscription and one publication per peer.
     *
     * @param aeron         client of the node's media driver.
     * @param members       of the cluster.
     * @param memberId      of this node.
     * @param log           this node's log, read for AppendEntries.
     * @param counters      of this node.
     * @param maxBatchBytes bound on the entries block of one AppendEntries (a larger single entry travels alone).
     */
    public ConsensusTransport(
        final Aeron aeron,
        final ClusterMembers members,
        final int memberId,
        final LogStore log,
        final NodeCounters counters,
        final int maxBatchBytes)
    {
        this.memberId = memberId;
        this.members = members;
        this.log = log;
        this.counters = counters;
        this.maxBatchBytes = maxBatchBytes;

        final int bufferLength = BitUtil.align(
            HEADER_LENGTH + AppendEntriesEncoder.BLOCK_LENGTH + 4 +
            Math.max(maxBatchBytes, EntryFrame.frameLength(EntryFrame.MAX_PAYLOAD_LENGTH)), 64);
        sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bufferLength));

        final ExclusivePublication[] publications = new ExclusivePublication[ClusterMembers.MAX_MEMBER_ID + 1];
        Subscription subscription = null;
        try
        {
            subscription = aeron.addSubscription(
                members.member(memberId).consensusChannel(), ClusterMembers.CONSENSUS_STREAM_ID);
            for (int i = 0; i < members.size(); i++)
            {
                final ClusterMembers.Member peer = members.at(i);
                if (peer.id() != memberId)
                {
                    publications[peer.id()] = aeron.addExclusivePublication(
                        peer.consensusChannel(), ClusterMembers.CONSENSUS_STREAM_ID);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(subscription);
            CloseHelper.quietCloseAll(publications);
            throw ex;
        }
        this.subscription = subscription;
        this.publications = publications;
        assembler = new FragmentAssembler(this::onFragment);
    }

    /**
     * @param raft to deliver inbound messages to; set once the node is recovered.
     */
    public void raftNode(final RaftNode raft)
    {
        this.raft = raft;
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

    public boolean sendRequestVote(
        final int to,
        final long term,
        final long lastLogIndex,
        final long lastLogTerm,
        final boolean preVote,
        final boolean transfer)
    {
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
        final long toIndex)
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
            .entryCount(entryCount);
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
        final long conflictTerm)
    {
        appendResponseEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .term(term)
            .lastAppendedIndex(lastAppendedIndex)
            .durableIndex(durableIndex)
            .conflictIndex(conflictIndex)
            .conflictTerm(conflictTerm)
            .followerId(memberId)
            .success(success ? BooleanType.TRUE : BooleanType.FALSE);
        return offer(to, HEADER_LENGTH + appendResponseEncoder.encodedLength());
    }

    public boolean sendTimeoutNow(final int to, final long term)
    {
        timeoutNowEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).term(term).leaderId(memberId);
        return offer(to, HEADER_LENGTH + timeoutNowEncoder.encodedLength());
    }

    public void close()
    {
        CloseHelper.quietCloseAll(publications);
        CloseHelper.quietClose(subscription);
    }

    private boolean offer(final int to, final int length)
    {
        final ExclusivePublication publication = to >= 0 && to < publications.length ? publications[to] : null;
        return null != publication && publication.offer(sendBuffer, 0, length) > 0;
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
            final long remaining = sendBuffer.capacity() - entriesEnd;
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
        if (entriesEnd + copyLength > sendBuffer.capacity())
        {
            throw new IllegalStateException("entries block of " + copyLength + " bytes does not fit the send buffer");
        }
        sendBuffer.putBytes(entriesEnd, buffer, offset, copyLength);
        entriesEnd += copyLength;
        copiedToIndex = Math.min(lastIndex, copyToIndex);
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (!FrameValidator.validate(buffer, offset, length).isValid() || null == raft)
        {
            counters.invalidMessages().incrementRelease();
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
                final int from = appendEntriesDecoder.leaderId();
                if (isPeer(from))
                {
                    final int lengthOffset = appendEntriesDecoder.limit();
                    raft.onAppendEntries(
                        from,
                        appendEntriesDecoder.term(),
                        appendEntriesDecoder.prevLogIndex(),
                        appendEntriesDecoder.prevLogTerm(),
                        appendEntriesDecoder.leaderCommit(),
                        buffer,
                        lengthOffset + 4,
                        buffer.getInt(lengthOffset, LITTLE_ENDIAN));
                }
                break;
            }

            case AppendResponseDecoder.TEMPLATE_ID:
                appendResponseDecoder.wrap(buffer, body, blockLength, version);
                if (isPeer(appendResponseDecoder.followerId()))
                {
                    raft.onAppendResponse(
                        appendResponseDecoder.followerId(),
                        appendResponseDecoder.term(),
                        BooleanType.TRUE == appendResponseDecoder.success(),
                        appendResponseDecoder.lastAppendedIndex(),
                        appendResponseDecoder.durableIndex(),
                        appendResponseDecoder.conflictIndex(),
                        appendResponseDecoder.conflictTerm());
                }
                break;

            case RequestVoteDecoder.TEMPLATE_ID:
                requestVoteDecoder.wrap(buffer, body, blockLength, version);
                if (isPeer(requestVoteDecoder.candidateId()))
                {
                    raft.onRequestVote(
                        requestVoteDecoder.candidateId(),
                        requestVoteDecoder.term(),
                        requestVoteDecoder.lastLogIndex(),
                        requestVoteDecoder.lastLogTerm(),
                        BooleanType.TRUE == requestVoteDecoder.preVote(),
                        BooleanType.TRUE == requestVoteDecoder.transfer());
                }
                break;

            case VoteResponseDecoder.TEMPLATE_ID:
                voteResponseDecoder.wrap(buffer, body, blockLength, version);
                if (isPeer(voteResponseDecoder.voterId()))
                {
                    raft.onVoteResponse(
                        voteResponseDecoder.voterId(),
                        voteResponseDecoder.term(),
                        BooleanType.TRUE == voteResponseDecoder.preVote(),
                        BooleanType.TRUE == voteResponseDecoder.granted());
                }
                break;

            case TimeoutNowDecoder.TEMPLATE_ID:
                timeoutNowDecoder.wrap(buffer, body, blockLength, version);
                if (isPeer(timeoutNowDecoder.leaderId()))
                {
                    raft.onTimeoutNow(timeoutNowDecoder.leaderId(), timeoutNowDecoder.term());
                }
                break;

            default:
                // A valid message of the schema that does not belong on the consensus stream (a client message).
                counters.invalidMessages().incrementRelease();
        }
    }

    /**
     * A message claiming to come from a non-member or from this node itself is dropped and counted.
     */
    private boolean isPeer(final int id)
    {
        if (id != memberId && null != members.member(id))
        {
            return true;
        }
        counters.droppedMessages().incrementRelease();
        return false;
    }
}
