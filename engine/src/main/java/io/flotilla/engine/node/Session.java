package io.flotilla.engine.node;

import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.engine.client.AttachProof;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import javax.crypto.spec.SecretKeySpec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A client session. Its replicated part (random id and key, principal, response channel, last applied sequence, the
 * ring of recent responses, open or closed) is derived only from applied log entries, so it is the same on every
 * replica; each member also tracks, locally, the connection the session is bound to there, and the leader when the
 * client was last heard from and the session's proposals in flight.
 */
public final class Session
{
    /** Responses kept per session for retried requests. */
    public static final int RESPONSE_CACHE_SIZE = 64;

    private static final int MASK = RESPONSE_CACHE_SIZE - 1;

    private final long id;
    private final byte[] key;
    private final SecretKeySpec macKey;
    private final String principal;
    private final String responseChannel;
    private final int responseStreamId;
    private final long[] cachedSequences = new long[RESPONSE_CACHE_SIZE];
    private final long[] cachedLogIndices = new long[RESPONSE_CACHE_SIZE];
    private final ResponseStatus[] cachedStatuses = new ResponseStatus[RESPONSE_CACHE_SIZE];
    private final int[] cachedLengths = new int[RESPONSE_CACHE_SIZE];
    private final ExpandableArrayBuffer[] cachedPayloads = new ExpandableArrayBuffer[RESPONSE_CACHE_SIZE];
    private final SessionEgress egress = new SessionEgress();
    private long lastAppliedSequence;
    private boolean closed;

    // Local to this node: not replicated.
    private ResponseChannels.Channel channel;
    private long lastActivityNs;
    private boolean closeProposed;
    private IngressBinding binding;
    private long lastAttachTimestampNs = Long.MIN_VALUE;
    private long nextUnboundAnswerNs;
    private int proposalsInFlight;

    Session(
        final long id, final byte[] key, final String principal, final String responseChannel, final int responseStreamId)
    {
        this.id = id;
        this.key = key;
        this.macKey = new SecretKeySpec(key, AttachProof.ALGORITHM);
        this.principal = principal;
        this.responseChannel = responseChannel;
        this.responseStreamId = responseStreamId;
    }

    public long id()
    {
        return id;
    }

    /**
     * @return the principal the authenticator accepted at connect (empty when it names none).
     */
    public String principal()
    {
        return principal;
    }

    byte[] key()
    {
        return key;
    }

    SecretKeySpec macKey()
    {
        return macKey;
    }

    public String responseChannel()
    {
        return responseChannel;
    }

    public int responseStreamId()
    {
        return responseStreamId;
    }

    public long lastAppliedSequence()
    {
        return lastAppliedSequence;
    }

    public boolean isClosed()
    {
        return closed;
    }

    void close()
    {
        closed = true;
        egress.clear();
    }

    /**
     * @return the state machine's messages to the session that its client has not acknowledged.
     */
    SessionEgress egress()
    {
        return egress;
    }

    /**
     * Record the response of the command with the next sequence.
     */
    void cacheResponse(
        final long sequence,
        final long logIndex,
        final ResponseStatus status,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        final int slot = (int)(sequence & MASK);
        cachedSequences[slot] = sequence;
        cachedLogIndices[slot] = logIndex;
        cachedStatuses[slot] = status;
        cachedLengths[slot] = length;
        if (null == cachedPayloads[slot])
        {
            cachedPayloads[slot] = new ExpandableArrayBuffer(Math.max(64, length));
        }
        cachedPayloads[slot].putBytes(0, payload, offset, length);
        lastAppliedSequence = sequence;
    }

    /**
     * @param sequence of an applied request.
     * @return whether its response is still in the ring.
     */
    boolean isCached(final long sequence)
    {
        return sequence > 0 && sequence <= lastAppliedSequence && cachedSequences[(int)(sequence & MASK)] == sequence;
    }

    long cachedLogIndex(final long sequence)
    {
        return cachedLogIndices[(int)(sequence & MASK)];
    }

    ResponseStatus cachedStatus(final long sequence)
    {
        return cachedStatuses[(int)(sequence & MASK)];
    }

    MutableDirectBuffer cachedPayload(final long sequence)
    {
        return cachedPayloads[(int)(sequence & MASK)];
    }

    int cachedLength(final long sequence)
    {
        return cachedLengths[(int)(sequence & MASK)];
    }

    ResponseChannels.Channel channel()
    {
        return channel;
    }

    void channel(final ResponseChannels.Channel channel)
    {
        this.channel = channel;
    }

    long lastActivityNs()
    {
        return lastActivityNs;
    }

    void lastActivityNs(final long nowNs)
    {
        lastActivityNs = nowNs;
    }

    boolean isCloseProposed()
    {
        return closeProposed;
    }

    void closeProposed(final boolean closeProposed)
    {
        this.closeProposed = closeProposed;
    }

    IngressBinding binding()
    {
        return binding;
    }

    void bind(final IngressBinding binding)
    {
        this.binding = binding;
    }

    long lastAttachTimestampNs()
    {
        return lastAttachTimestampNs;
    }

    void lastAttachTimestampNs(final long timestampNs)
    {
        lastAttachTimestampNs = timestampNs;
    }

    /**
     * @return whether an answer to a message for the session while it is bound to no connection here
     * (SESSION_NOT_ATTACHED from a leader, NOT_LEADER from a follower that forwards) may go now: at most one per
     * interval, however many such messages the session receives (they may come from a host flooding its id).
     */
    boolean mayAnswerUnbound(final long nowNs, final long intervalNs)
    {
        if (nowNs - nextUnboundAnswerNs < 0)
        {
            return false;
        }
        nextUnboundAnswerNs = nowNs + intervalNs;
        return true;
    }

    int proposalsInFlight()
    {
        return proposalsInFlight;
    }

    void proposalProposed()
    {
        proposalsInFlight++;
    }

    /**
     * One of the session's commands was applied; after a leader change the count restarts from 0, so applying a
     * predecessor's entries does not take it below.
     */
    void proposalApplied()
    {
        if (proposalsInFlight > 0)
        {
            proposalsInFlight--;
        }
    }

    void clearProposalsInFlight()
    {
        proposalsInFlight = 0;
    }

    /**
     * Write the replicated part (id, key, principal, response channel, last applied sequence, closed, the cached
     * responses, the unacknowledged session messages) for a snapshot; the local part (channel, activity, binding,
     * proposals in flight) is not written.
     */
    void writeTo(final DataOutput out) throws IOException
    {
        out.writeLong(id);
        out.write(key);
        out.writeUTF(principal);
        out.writeUTF(responseChannel);
        out.writeInt(responseStreamId);
        out.writeLong(lastAppliedSequence);
        out.writeBoolean(closed);
        int cached = 0;
        for (int slot = 0; slot < RESPONSE_CACHE_SIZE; slot++)
        {
            cached += cachedSequences[slot] > 0 ? 1 : 0;
        }
        out.writeInt(cached);
        for (int slot = 0; slot < RESPONSE_CACHE_SIZE; slot++)
        {
            if (cachedSequences[slot] > 0)
            {
                out.writeLong(cachedSequences[slot]);
                out.writeLong(cachedLogIndices[slot]);
                out.writeByte(cachedStatuses[slot].value());
                out.writeInt(cachedLengths[slot]);
                final byte[] bytes = new byte[cachedLengths[slot]];
                cachedPayloads[slot].getBytes(0, bytes);
                out.write(bytes);
            }
        }
        egress.writeTo(out);
    }

    /**
     * Read a session written by {@link #writeTo}.
     *
     * @param in         the bytes.
     * @param withEgress whether they carry the session messages (snapshots before content version 4 do not).
     * @throws IOException when the bytes are not a session.
     */
    static Session readFrom(final DataInput in, final boolean withEgress) throws IOException
    {
        final long id = in.readLong();
        final byte[] key = new byte[SessionOpenPayload.KEY_LENGTH];
        in.readFully(key);
        final Session session = new Session(id, key, in.readUTF(), in.readUTF(), in.readInt());
        session.lastAppliedSequence = in.readLong();
        session.closed = in.readBoolean();
        final int cached = in.readInt();
        if (cached < 0 || cached > RESPONSE_CACHE_SIZE)
        {
            throw new IOException("session " + session.id + " claims " + cached + " cached responses");
        }
        for (int i = 0; i < cached; i++)
        {
            final long sequence = in.readLong();
            final long logIndex = in.readLong();
            final ResponseStatus status = ResponseStatus.get((short)in.readUnsignedByte());
            final int length = in.readInt();
            if (sequence <= 0 || sequence > session.lastAppliedSequence || ResponseStatus.NULL_VAL == status ||
                length < 0 || length > EntryFrame.MAX_PAYLOAD_LENGTH)
            {
                throw new IOException("session " + session.id + " has a malformed cached response");
            }
            final byte[] bytes = new byte[length];
            in.readFully(bytes);
            final int slot = (int)(sequence & MASK);
            session.cachedSequences[slot] = sequence;
            session.cachedLogIndices[slot] = logIndex;
            session.cachedStatuses[slot] = status;
            session.cachedLengths[slot] = length;
            session.cachedPayloads[slot] = new ExpandableArrayBuffer(Math.max(64, length));
            session.cachedPayloads[slot].putBytes(0, bytes);
        }
        if (withEgress)
        {
            session.egress.readFrom(in, id);
        }
        return session;
    }

    public String toString()
    {
        return "Session{id=" + id + ", principal=" + principal + ", channel=" + responseChannel + ", streamId=" + responseStreamId +
            ", lastAppliedSequence=" + lastAppliedSequence + ", closed=" + closed + '}';
    }
}
