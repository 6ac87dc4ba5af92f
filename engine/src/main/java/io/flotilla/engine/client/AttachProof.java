package io.flotilla.engine.client;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The proof in a SessionAttach, computed alike by the client and the leader that checks it: HMAC-SHA256 under the
 * session key over
 * <pre>
 *   sessionId int64 | aeronSessionId int32 | timestamp int64   (little-endian)
 * </pre>
 * truncated to {@link #LENGTH} bytes. The Aeron session id of the client's publication (random, one per client and
 * member, so it also names the member) binds the proof to one connection: a captured attach is worthless on
 * another. The member id is not in it: a client given {@code host:port} endpoints may not know it. Not thread safe; allocation-free
 * between two {@link #key} calls (the client sets its session's key once, the leader the key of each attach).
 */
public final class AttachProof
{
    /** Bytes of a proof on the wire. */
    public static final int LENGTH = 16;

    /** The algorithm of the proof, and of the session key's MAC. */
    public static final String ALGORITHM = "HmacSHA256";

    private static final int INPUT_LENGTH = 20;

    private final byte[] input = new byte[INPUT_LENGTH];
    private final UnsafeBuffer inputBuffer = new UnsafeBuffer(input);
    private final byte[] digest;
    private final Mac mac;

    /**
     * A proof calculator with its own {@link Mac}.
     */
    public AttachProof()
    {
        try
        {
            mac = Mac.getInstance(ALGORITHM);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", ex);
        }
        digest = new byte[mac.getMacLength()];
    }

    /**
     * @param key the session key the next proofs are computed under.
     * @return this.
     */
    public AttachProof key(final Key key)
    {
        try
        {
            mac.init(key);
        }
        catch (final InvalidKeyException ex)
        {
            throw new IllegalStateException("session key refused by " + ALGORITHM, ex);
        }
        return this;
    }

    /**
     * Compute a proof under the last {@link #key}.
     *
     * @param sessionId      of the session.
     * @param aeronSessionId of the client's publication to the member the attach is sent to.
     * @param timestampNs    of the attach, epoch nanoseconds.
     * @return the digest, of which the first {@link #LENGTH} bytes are the proof; valid until the next call.
     */
    public byte[] compute(
        final long sessionId,
        final int aeronSessionId,
        final long timestampNs)
    {
        inputBuffer.putLong(0, sessionId, LITTLE_ENDIAN);
        inputBuffer.putInt(8, aeronSessionId, LITTLE_ENDIAN);
        inputBuffer.putLong(12, timestampNs, LITTLE_ENDIAN);
        mac.update(input, 0, INPUT_LENGTH);
        try
        {
            mac.doFinal(digest, 0);
        }
        catch (final ShortBufferException ex)
        {
            throw new IllegalStateException(ex);
        }
        return digest;
    }

    /**
     * @param buffer holding a received proof.
     * @param offset of its {@link #LENGTH} bytes.
     * @return whether the received proof is the one computed under the last {@link #key} for these fields
     * (compared in constant time).
     */
    public boolean verify(
        final DirectBuffer buffer,
        final int offset,
        final long sessionId,
        final int aeronSessionId,
        final long timestampNs)
    {
        final byte[] expected = compute(sessionId, aeronSessionId, timestampNs);
        int difference = 0;
        for (int i = 0; i < LENGTH; i++)
        {
            difference |= expected[i] ^ buffer.getByte(offset + i);
        }
        return 0 == difference;
    }
}
