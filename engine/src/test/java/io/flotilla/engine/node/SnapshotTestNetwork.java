package io.flotilla.engine.node;

import io.flotilla.codecs.SnapshotAckStatus;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An in-memory network between one leader's {@link SnapshotSender} and followers' {@link SnapshotReceiver}s, with
 * seeded faults: dropped chunks and acks, reordering, acks held back for some steps, and one chunk corrupted in
 * flight. It also checks what the sender sends: every chunk within the window of the last ack delivered, and the
 * bytes sent in one duty cycle.
 */
final class SnapshotTestNetwork
{
    static final int LEADER = 0;

    private final SplittableRandom random;
    private final List<Message> toFollowers = new ArrayList<>();
    private final List<Message> toLeader = new ArrayList<>();
    private final Map<SnapshotAckStatus, Integer> acksDelivered = new EnumMap<>(SnapshotAckStatus.class);
    private final long[] lastAckDelivered = new long[ClusterMembers.MAX_MEMBER_ID + 1];

    double dropChunkProbability;
    double dropAckProbability;
    double reorderProbability;
    int ackDelaySteps;
    int corruptDataChunk = -1;

    private long step;
    private int dataChunksSent;
    private long cycleBytes;
    private long maxCycleBytes;
    private long maxBeyondAck;

    SnapshotTestNetwork(final long seed)
    {
        random = new SplittableRandom(seed);
    }

    SnapshotTransport leaderTransport(final int maxChunkLength)
    {
        return new Transport(LEADER, maxChunkLength);
    }

    SnapshotTransport followerTransport(final int memberId)
    {
        return new Transport(memberId, Integer.MAX_VALUE);
    }

    /**
     * Start a duty cycle of the sender: the bytes it sends until the next call are one cycle's.
     */
    void startCycle()
    {
        cycleBytes = 0;
    }

    /**
     * Deliver what is due this step, in the order sent except where reordering swapped neighbours.
     *
     * @param sender    the leader's sender, given the acks.
     * @param receivers the followers' receivers by member id.
     * @param nowNs     the test's clock.
     */
    void deliver(final SnapshotSender sender, final SnapshotReceiver[] receivers, final long nowNs)
    {
        step++;
        final List<Message> chunks = due(toFollowers);
        for (final Message message : chunks)
        {
            final SnapshotReceiver receiver = receivers[message.to];
            if (null != receiver)
            {
                final UnsafeBuffer data = new UnsafeBuffer(message.data);
                receiver.onChunk(message.from, message.term, message.snapshotIndex, message.snapshotTerm,
                    message.snapshotLength, message.snapshotChecksum, message.fileOffset, data, 0, message.data.length);
            }
        }

        final List<Message> acks = due(toLeader);
        for (final Message message : acks)
        {
            acksDelivered.merge(message.status, 1, Integer::sum);
            if (SnapshotAckStatus.RECEIVING == message.status)
            {
                lastAckDelivered[message.from] = message.nextOffset;
            }
            sender.onAck(message.from, message.term, message.snapshotIndex, message.snapshotTerm, message.nextOffset,
                message.status, nowNs);
        }
    }

    /**
     * Lose everything in flight (a connection dropped, a node restarted).
     */
    void dropInFlight()
    {
        toFollowers.clear();
        toLeader.clear();
    }

    int acksDelivered(final SnapshotAckStatus status)
    {
        return acksDelivered.getOrDefault(status, 0);
    }

    long maxCycleBytes()
    {
        return maxCycleBytes;
    }

    long maxBeyondAck()
    {
        return maxBeyondAck;
    }

    private List<Message> due(final List<Message> queue)
    {
        final List<Message> due = new ArrayList<>();
        for (int i = 0; i < queue.size(); )
        {
            if (queue.get(i).dueStep <= step)
            {
                due.add(queue.remove(i));
            }
            else
            {
                i++;
            }
        }
        for (int i = 0; i + 1 < due.size(); i++)
        {
            if (random.nextDouble() < reorderProbability)
            {
                due.set(i + 1, due.set(i, due.get(i + 1)));
            }
        }
        return due;
    }

    private static final class Message
    {
        int from;
        int to;
        long term;
        long snapshotIndex;
        long snapshotTerm;
        long snapshotLength;
        int snapshotChecksum;
        long fileOffset;
        byte[] data;
        long nextOffset;
        SnapshotAckStatus status;
        long dueStep;
    }

    private final class Transport implements SnapshotTransport
    {
        private final int memberId;
        private final int maxChunkLength;

        Transport(final int memberId, final int maxChunkLength)
        {
            this.memberId = memberId;
            this.maxChunkLength = maxChunkLength;
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
            if (length > maxChunkLength || fileOffset + length > snapshotLength)
            {
                throw new AssertionError("chunk of " + length + " bytes at " + fileOffset + " is not valid");
            }

            cycleBytes += length;
            maxCycleBytes = Math.max(maxCycleBytes, cycleBytes);
            maxBeyondAck = Math.max(maxBeyondAck, fileOffset + length - lastAckDelivered[to]);

            final Message message = new Message();
            message.from = memberId;
            message.to = to;
            message.term = term;
            message.snapshotIndex = snapshotIndex;
            message.snapshotTerm = snapshotTerm;
            message.snapshotLength = snapshotLength;
            message.snapshotChecksum = snapshotChecksum;
            message.fileOffset = fileOffset;
            message.data = new byte[length];
            buffer.getBytes(offset, message.data);
            message.dueStep = step + 1;
            if (length > 0 && dataChunksSent++ == corruptDataChunk)
            {
                message.data[length / 2] ^= 0x5A;
            }
            if (random.nextDouble() >= dropChunkProbability)
            {
                toFollowers.add(message);
            }
            return true;
        }

        public boolean sendSnapshotAck(
            final int to,
            final long term,
            final long snapshotIndex,
            final long snapshotTerm,
            final long nextOffset,
            final SnapshotAckStatus status)
        {
            final Message message = new Message();
            message.from = memberId;
            message.to = to;
            message.term = term;
            message.snapshotIndex = snapshotIndex;
            message.snapshotTerm = snapshotTerm;
            message.nextOffset = nextOffset;
            message.status = status;
            message.dueStep = step + 1 + ackDelaySteps;
            if (random.nextDouble() >= dropAckProbability)
            {
                toLeader.add(message);
            }
            return true;
        }

        public int maxSnapshotChunkLength()
        {
            return maxChunkLength;
        }
    }
}
