package io.flotilla.engine.node;

import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.MessageHeaderDecoder;
import io.flotilla.codecs.PeerAuthTrailerDecoder;
import io.flotilla.engine.ClusterKeys;
import io.flotilla.engine.ClusterNode;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.EpochNanoClock;

import java.util.Arrays;

/**
 * Checks the {@code PeerAuthTrailer} of each consensus message before anything past the message header is read:
 * the sender must be another member, the key one this node holds, the tag right for this receiver (compared in
 * constant time), and the timestamp newer than the last accepted from that sender and not ahead of this node's
 * clock by more than the allowed skew. What fails is counted and dropped; the first failure of each kind per peer
 * (and per key) is logged once, naming the key fingerprints on both sides, never the keys.
 * <p>
 * A message too short to hold a trailer and a message header fails authentication like an unsigned one. In
 * unauthenticated mode everything passes, and a signed message, which the frame validator then rejects for its
 * trailing bytes, is reported as coming from a member that signs ({@link #onInvalid}).
 */
public final class MessageVerifier
{
    /** What {@link #verify} returns for a message that is dropped. */
    public static final int NOT_AUTHENTIC = -1;

    private static final System.Logger LOGGER = System.getLogger(MessageVerifier.class.getName());
    private static final int TRAILER_LENGTH = MessageSigner.TRAILER_LENGTH;
    private static final int MIN_SIGNED_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH + TRAILER_LENGTH;
    private static final int TAG_LENGTH = PeerAuthTrailerDecoder.tagLength();
    private static final int MAX_KEY_REPORTS = 64;

    private final PeerAuthTrailerDecoder trailerDecoder = new PeerAuthTrailerDecoder();
    private final byte[] mac = new byte[HmacSha256.MAC_LENGTH];
    private final ClusterKeys keys;
    private final HmacSha256[] macs;
    private final int memberId;
    private final EpochNanoClock clock;
    private final long maxClockSkewNs;
    private final NodeCounters counters;
    private final long[] lastTimestampNs = new long[ClusterMembers.MAX_MEMBER_ID + 1];
    private final boolean[] reportedUnsigned = new boolean[ClusterMembers.MAX_MEMBER_ID + 1];
    private final boolean[] reportedClock = new boolean[ClusterMembers.MAX_MEMBER_ID + 1];
    private final boolean[] reportedImpersonation = new boolean[ClusterMembers.MAX_MEMBER_ID + 1];
    private final LongHashSet reportedKeys = new LongHashSet();
    private int verifiedSenderId = ClusterMembers.MAX_MEMBER_ID + 1;

    /**
     * @param keys           of the cluster, or null in unauthenticated mode.
     * @param memberId       of this node, the receiver.
     * @param clock          epoch clock, read at construction (the node's start) and per message.
     * @param maxClockSkewNs how far a sender's clock may run ahead of this node's, and how old a message from before
     *                       this node started may be.
     * @param counters       of this node: authentication failures and replayed messages.
     */
    public MessageVerifier(
        final ClusterKeys keys,
        final int memberId,
        final EpochNanoClock clock,
        final long maxClockSkewNs,
        final NodeCounters counters)
    {
        this.keys = keys;
        this.memberId = memberId;
        this.clock = clock;
        this.maxClockSkewNs = maxClockSkewNs;
        this.counters = counters;
        macs = new HmacSha256[null == keys ? 0 : keys.count()];
        for (int i = 0; i < macs.length; i++)
        {
            macs[i] = new HmacSha256(keys.key(i));
        }
        // A restarted node has no memory of what it accepted: a replay must at least be older than its start.
        Arrays.fill(lastTimestampNs, clock.nanoTime() - maxClockSkewNs);
    }

    /**
     * Authenticate one message.
     *
     * @param buffer holding the message and its trailer.
     * @param offset of the message header.
     * @param length of the message and its trailer.
     * @return the length of the message without its trailer, or {@link #NOT_AUTHENTIC}.
     */
    public int verify(final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == keys)
        {
            return length;
        }
        if (length < MIN_SIGNED_LENGTH)
        {
            return reject(buffer, offset, length, ClusterMembers.MAX_MEMBER_ID + 1, 0);
        }

        final int trailerOffset = offset + length - TRAILER_LENGTH;
        trailerDecoder.wrap(buffer, trailerOffset, PeerAuthTrailerDecoder.BLOCK_LENGTH,
            PeerAuthTrailerDecoder.SCHEMA_VERSION);
        final int senderId = trailerDecoder.senderId();
        final int keyId = trailerDecoder.keyId();
        final int keyIndex = keyIndex(keyId);
        if (keyIndex < 0 || !isPeer(senderId))
        {
            return reject(buffer, offset, length, senderId, keyId);
        }

        macs[keyIndex].begin()
            .updateInt(memberId)
            .update(buffer, offset, length - TRAILER_LENGTH + MessageSigner.SIGNED_TRAILER_LENGTH)
            .finish(mac);
        if (!tagMatches(buffer, trailerOffset + PeerAuthTrailerDecoder.tagEncodingOffset()))
        {
            counters.authenticationFailures().incrementRelease();
            if (firstReport(senderId, keyId))
            {
                LOGGER.log(System.Logger.Level.ERROR, "member " + memberId + ": a message from member " + senderId +
                    " under key " + ClusterKeys.toHex(keyId) + " failed authentication (altered on the way, or " +
                    "forged): dropped");
            }
            return NOT_AUTHENTIC;
        }

        final long timestampNs = trailerDecoder.timestampNs();
        final long nowNs = clock.nanoTime();
        if (timestampNs <= lastTimestampNs[senderId] || timestampNs - nowNs > maxClockSkewNs)
        {
            counters.replayedMessages().incrementRelease();
            if (timestampNs - nowNs > maxClockSkewNs && !reportedClock[senderId])
            {
                reportedClock[senderId] = true;
                LOGGER.log(System.Logger.Level.ERROR, "member " + memberId + ": member " + senderId + "'s clock " +
                    "is " + (timestampNs - nowNs) / 1_000_000 + " ms ahead of this node's, more than " +
                    ClusterNode.Context.MAX_CLOCK_SKEW_PROP + " allows: its messages are dropped; synchronise " +
                    "the clocks");
            }
            return NOT_AUTHENTIC;
        }
        lastTimestampNs[senderId] = timestampNs;
        verifiedSenderId = senderId;
        return length - TRAILER_LENGTH;
    }

    /**
     * Whether the message just verified claims the member that signed it: a member signing for another is dropped.
     *
     * @param claimedId the sender the message names.
     * @return true in unauthenticated mode or when the ids agree.
     */
    public boolean isSignedBy(final int claimedId)
    {
        if (null == keys || claimedId == verifiedSenderId)
        {
            return true;
        }
        counters.authenticationFailures().incrementRelease();
        if (!reportedImpersonation[verifiedSenderId])
        {
            reportedImpersonation[verifiedSenderId] = true;
            LOGGER.log(System.Logger.Level.ERROR, "member " + memberId + ": member " + verifiedSenderId +
                " signed a message claiming to come from member " + claimedId + ": dropped");
        }
        return false;
    }

    /**
     * Report, once per member, a signed message reaching this unauthenticated node: the frame validator rejects
     * it for its trailing bytes.
     *
     * @param buffer holding the message the frame validator rejected.
     * @param offset of its header.
     * @param length of the whole message.
     */
    public void onInvalid(final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == keys && length >= MIN_SIGNED_LENGTH &&
            FrameValidator.validate(buffer, offset, length - TRAILER_LENGTH).isValid())
        {
            final int senderId = ConsensusSender.claimedId(buffer, offset);
            if (isPeer(senderId) && !reportedUnsigned[senderId])
            {
                reportedUnsigned[senderId] = true;
                LOGGER.log(System.Logger.Level.ERROR, "member " + memberId + ": this node is unauthenticated but " +
                    "member " + senderId + " signs its messages: they are dropped; set " +
                    ClusterNode.Context.CLUSTER_KEY_FILE_PROP + " on this node to the cluster's key file");
            }
        }
    }

    private int reject(
        final DirectBuffer buffer, final int offset, final int length, final int senderId, final int keyId)
    {
        counters.authenticationFailures().incrementRelease();
        if (FrameValidator.validate(buffer, offset, length).isValid())
        {
            final int claimedId = ConsensusSender.claimedId(buffer, offset);
            if (isPeer(claimedId) && !reportedUnsigned[claimedId])
            {
                reportedUnsigned[claimedId] = true;
                LOGGER.log(System.Logger.Level.ERROR, "member " + memberId + ": member " + claimedId + " sends " +
                    "unauthenticated messages: they are dropped; set " + ClusterNode.Context.CLUSTER_KEY_FILE_PROP +
                    " on member " + claimedId + " (this node holds keys " + keys + ")");
            }
        }
        else if (isPeer(senderId) && firstReport(senderId, keyId))
        {
            LOGGER.log(System.Logger.Level.ERROR, "member " + memberId + ": member " + senderId + " signs with key " +
                ClusterKeys.toHex(keyId) + ", this node holds keys " + keys + ": its messages are dropped; give " +
                "every member the same key file (" + ClusterNode.Context.CLUSTER_KEY_FILE_PROP + ")");
        }
        return NOT_AUTHENTIC;
    }

    private boolean firstReport(final int senderId, final int keyId)
    {
        return reportedKeys.size() < MAX_KEY_REPORTS && reportedKeys.add((long)senderId << 32 | (keyId & 0xFFFF_FFFFL));
    }

    private int keyIndex(final int keyId)
    {
        for (int i = 0; i < macs.length; i++)
        {
            if (keys.fingerprint(i) == keyId)
            {
                return i;
            }
        }
        return -1;
    }

    private boolean isPeer(final int id)
    {
        // Not only the members known: a leader added while this node was behind signs with the cluster's keys too.
        return id >= 0 && id <= ClusterMembers.MAX_MEMBER_ID && id != memberId;
    }

    /**
     * Compare the received tag with the first bytes of the MAC without an early exit, so the time taken says
     * nothing about how many bytes were right.
     */
    private boolean tagMatches(final DirectBuffer buffer, final int tagOffset)
    {
        int difference = 0;
        for (int i = 0; i < TAG_LENGTH; i++)
        {
            difference |= mac[i] ^ buffer.getByte(tagOffset + i);
        }
        return 0 == difference;
    }
}
