package io.flotilla.engine.node;

import io.flotilla.codecs.SnapshotAckStatus;
import org.agrona.DirectBuffer;

/**
 * The two messages of a snapshot install, out: chunks from the leader's {@link SnapshotSender}, acks from the
 * follower's {@link SnapshotReceiver}. The runtime sends them with the {@link ConsensusPublisher}; tests with an
 * in-memory network. Calls are made on the node thread and never block: a message that cannot go now is refused
 * with {@code false} and its sender tries again later.
 */
public interface SnapshotTransport
{
    /**
     * Send bytes of a snapshot file; no bytes is an offer or a keep-alive.
     *
     * @param to               member id of the follower.
     * @param term             of the leader.
     * @param snapshotIndex    last log index the snapshot includes.
     * @param snapshotTerm     term of that entry.
     * @param snapshotLength   of the whole snapshot file.
     * @param snapshotChecksum of the file, which with index, term and length names it.
     * @param fileOffset       of the data in the file.
     * @param buffer           holding the data.
     * @param offset           of the data in the buffer.
     * @param length           of the data, at most {@link #maxSnapshotChunkLength()}.
     * @return false on back-pressure or when the follower is not connected.
     */
    boolean sendSnapshotChunk(
        int to,
        long term,
        long snapshotIndex,
        long snapshotTerm,
        long snapshotLength,
        int snapshotChecksum,
        long fileOffset,
        DirectBuffer buffer,
        int offset,
        int length);

    /**
     * Tell the leader where an install stands.
     *
     * @param to            member id of the leader.
     * @param term          of the chunk acknowledged.
     * @param snapshotIndex of the snapshot.
     * @param snapshotTerm  of the snapshot.
     * @param nextOffset    bytes the follower holds: where the leader continues.
     * @param status        of the install.
     * @return false on back-pressure or when the leader is not connected.
     */
    boolean sendSnapshotAck(
        int to, long term, long snapshotIndex, long snapshotTerm, long nextOffset, SnapshotAckStatus status);

    /**
     * @return the most data one chunk may carry: what fits one message of the transport and the validator's bound.
     */
    int maxSnapshotChunkLength();
}
