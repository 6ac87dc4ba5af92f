package io.flotilla.samples.nemesis;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.flotilla.codecs.AppendEntriesEncoder;
import io.flotilla.codecs.AppendResponseEncoder;
import io.flotilla.codecs.BooleanType;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.RequestVoteEncoder;
import io.flotilla.codecs.TimeoutNowEncoder;
import io.flotilla.engine.node.ClusterMembers;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * A host that can reach the members' consensus endpoints and holds no cluster key: it sends consensus messages it
 * made itself with the generated encoders, claiming to be a member (the leader, a candidate, a follower), in the
 * wire format the members use. Entries it forges are complete frames with a correct checksum, so only
 * authentication can tell them from the leader's. What to claim (leader, term, indexes) it learns as anyone who can
 * read status would ({@link ConsensusCounters}, {@code kv-status}).
 * <p>
 * One publication per member on its consensus channel, from the caller's media driver. Not thread safe.
 */
public final class RoguePeer implements AutoCloseable
{
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    private final Aeron aeron;
    private final ClusterMembers members;
    private final ExclusivePublication[] publications;
    private final long sendTimeoutNs;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final AppendEntriesEncoder appendEntriesEncoder = new AppendEntriesEncoder();
    private final AppendResponseEncoder appendResponseEncoder = new AppendResponseEncoder();
    private final RequestVoteEncoder requestVoteEncoder = new RequestVoteEncoder();
    private final TimeoutNowEncoder timeoutNowEncoder = new TimeoutNowEncoder();

    /**
     * @param aeronDirectoryName of the media driver to send from.
     * @param membersSpec        the cluster's members, as the nodes are given them.
     * @param sendTimeoutNs      how long one send may wait for its member's endpoint (down, cut off).
     */
    public RoguePeer(final String aeronDirectoryName, final String membersSpec, final long sendTimeoutNs)
    {
        this.members = ClusterMembers.parse(membersSpec);
        this.sendTimeoutNs = sendTimeoutNs;
        this.aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectoryName));
        this.publications = new ExclusivePublication[ClusterMembers.MAX_MEMBER_ID + 1];
        try
        {
            for (final int id : members.ids())
            {
                publications[id] = aeron.addExclusivePublication(
                    members.member(id).consensusChannel(), ClusterMembers.CONSENSUS_STREAM_ID);
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * An AppendEntries to {@code to} as if from {@code leaderId} in {@code term}, carrying one COMMAND entry (no
     * session) per payload at {@code prevLogIndex + 1} onwards, in {@code term}, and claiming them committed.
     *
     * @return true if sent within the send timeout.
     */
    public boolean appendEntries(
        final int to, final int leaderId, final long term, final long prevLogIndex, final long prevLogTerm,
        final List<DirectBuffer> commands)
    {
        appendEntriesEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .term(term)
            .prevLogIndex(prevLogIndex)
            .prevLogTerm(prevLogTerm)
            .leaderCommit(prevLogIndex + commands.size())
            .leaderId(leaderId)
            .entryCount(commands.size());
        final int lengthOffset = appendEntriesEncoder.limit();
        int end = lengthOffset + 4;
        for (int i = 0; i < commands.size(); i++)
        {
            final DirectBuffer command = commands.get(i);
            buffer.checkLimit(end + EntryFrame.frameLength(command.capacity()));
            end += EntryFrame.encode(buffer, end, prevLogIndex + 1 + i, term, System.currentTimeMillis() * 1_000_000L,
                EntryType.COMMAND, 0, 0, command, 0, command.capacity());
        }
        buffer.putInt(lengthOffset, end - lengthOffset - 4, LITTLE_ENDIAN);
        return send(to, end);
    }

    /**
     * A TimeoutNow to {@code to} as if from its leader {@code leaderId} in {@code term}: "start an election now".
     */
    public boolean timeoutNow(final int to, final int leaderId, final long term)
    {
        timeoutNowEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).term(term).leaderId(leaderId);
        return send(to, HEADER_LENGTH + timeoutNowEncoder.encodedLength());
    }

    /**
     * A RequestVote to {@code to} as if from {@code candidateId}; a log claimed longer than the voter's wins its
     * vote.
     */
    public boolean requestVote(
        final int to, final int candidateId, final long term, final long lastLogIndex, final long lastLogTerm,
        final boolean preVote, final boolean transfer)
    {
        requestVoteEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .term(term)
            .lastLogIndex(lastLogIndex)
            .lastLogTerm(lastLogTerm)
            .candidateId(candidateId)
            .preVote(preVote ? BooleanType.TRUE : BooleanType.FALSE)
            .transfer(transfer ? BooleanType.TRUE : BooleanType.FALSE);
        return send(to, HEADER_LENGTH + requestVoteEncoder.encodedLength());
    }

    /**
     * An AppendResponse to {@code to} as if from {@code followerId}; a rejection claims the follower's log ends
     * before {@code conflictIndex}, so a leader that believes it backs up and resends from there.
     */
    public boolean appendResponse(
        final int to, final int followerId, final long term, final boolean success, final long lastAppendedIndex,
        final long conflictIndex)
    {
        appendResponseEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .term(term)
            .lastAppendedIndex(lastAppendedIndex)
            .durableIndex(lastAppendedIndex)
            .conflictIndex(conflictIndex)
            .conflictTerm(0)
            .followerId(followerId)
            .success(success ? BooleanType.TRUE : BooleanType.FALSE);
        return send(to, HEADER_LENGTH + appendResponseEncoder.encodedLength());
    }

    /**
     * AppendResponses at {@code perSecond} for {@code durationNs} to each member in turn, as if from another, each
     * in a term above the one before (from {@code term + 1}): a node that believes them steps down, or never gets to
     * lead, for as long as the flood lasts.
     *
     * @return how many were sent.
     */
    public long floodAppendResponses(final long term, final int perSecond, final long durationNs)
    {
        final int[] ids = members.ids();
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / perSecond;
        final long startNs = System.nanoTime();
        long sent = 0;
        for (long n = 0; System.nanoTime() - startNs < durationNs; n++)
        {
            final int to = ids[(int)(n % ids.length)];
            final int from = ids[(int)((n + 1) % ids.length)];
            if (appendResponse(to, from, term + 1 + n, false, 0, 0))
            {
                sent++;
            }
            final long untilNs = startNs + (n + 1) * intervalNs;
            for (long waitNs = untilNs - System.nanoTime(); waitNs > 0; waitNs = untilNs - System.nanoTime())
            {
                LockSupport.parkNanos(waitNs);
            }
        }
        return sent;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(publications);
        CloseHelper.quietClose(aeron);
    }

    private boolean send(final int to, final int length)
    {
        return RogueSends.offer(publications[to], buffer, length, sendTimeoutNs);
    }
}
