package io.flotilla.engine.node;

import io.flotilla.codecs.PeerAuthTrailerEncoder;
import io.flotilla.engine.ClusterKeys;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochNanoClock;

/**
 * Appends a {@code PeerAuthTrailer} to each consensus message this node sends, under the first of the cluster keys:
 * one MAC per message, whatever it carries. The receiver's id is part of the MAC, so a message signed for one peer
 * is no good at another; the timestamp, strictly increasing, lets receivers refuse replays
 * ({@link MessageVerifier}). In unauthenticated mode ({@code flotilla.cluster.insecure}) messages go unsigned.
 */
public final class MessageSigner
{
    /** Bytes a signature adds to a message. */
    public static final int TRAILER_LENGTH = PeerAuthTrailerEncoder.BLOCK_LENGTH;

    /** Bytes of the trailer the MAC covers: all but the tag. */
    static final int SIGNED_TRAILER_LENGTH = PeerAuthTrailerEncoder.tagEncodingOffset();

    private final PeerAuthTrailerEncoder trailerEncoder = new PeerAuthTrailerEncoder();
    private final byte[] mac = new byte[HmacSha256.MAC_LENGTH];
    private final HmacSha256 hmac;
    private final int keyId;
    private final int memberId;
    private final EpochNanoClock clock;
    private long lastTimestampNs;

    /**
     * @param keys     of the cluster, or null to send unsigned messages.
     * @param memberId of this node, the sender.
     * @param clock    epoch clock for the timestamps.
     */
    public MessageSigner(final ClusterKeys keys, final int memberId, final EpochNanoClock clock)
    {
        this.hmac = null == keys ? null : new HmacSha256(keys.key(0));
        this.keyId = null == keys ? 0 : keys.fingerprint(0);
        this.memberId = memberId;
        this.clock = clock;
    }

    /**
     * Sign the message at {@code offset} for one receiver, writing the trailer right after it.
     *
     * @param receiverId member the message goes to.
     * @param buffer     holding the message, with {@link #TRAILER_LENGTH} bytes free after it.
     * @param offset     of the message header.
     * @param length     of the message.
     * @return the length to send: the message and its trailer (the message alone when unauthenticated).
     */
    public int sign(final int receiverId, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (null == hmac)
        {
            return length;
        }

        lastTimestampNs = Math.max(lastTimestampNs + 1, clock.nanoTime());
        final int trailerOffset = offset + length;
        trailerEncoder.wrap(buffer, trailerOffset).senderId(memberId).keyId(keyId).timestampNs(lastTimestampNs);
        hmac.begin().updateInt(receiverId).update(buffer, offset, length + SIGNED_TRAILER_LENGTH).finish(mac);
        trailerEncoder.putTag(mac, 0, PeerAuthTrailerEncoder.tagLength());
        return length + TRAILER_LENGTH;
    }
}
