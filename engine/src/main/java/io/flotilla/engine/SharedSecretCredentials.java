package io.flotilla.engine;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The credentials of a SessionConnect under a shared secret, written by the client and checked by
 * {@link SharedSecretAuthenticator}:
 * <pre>
 *   0       principal length  int32
 *   4       principal         ASCII
 *   4+p     timestamp         int64, the client's clock in epoch nanoseconds
 *   12+p    nonce             int64, random
 *   20+p    mac               32 bytes, HMAC-SHA256(secret, the bytes before it | correlationId int64 |
 *                             responseStreamId int32 | aeronSessionId int32 | responseChannel ASCII)
 * </pre>
 * The MAC binds the credentials to one connect (its correlation id, reply channel and stream) sent on one
 * publication (its Aeron session id), so captured credentials cannot open a session for another channel or from
 * another connection, and the nonce and timestamp let the authenticator refuse a replay. Not thread safe.
 */
public final class SharedSecretCredentials
{
    /** The MAC's algorithm. */
    public static final String ALGORITHM = "HmacSHA256";

    /** Bytes of the MAC. */
    public static final int MAC_LENGTH = 32;

    /** Bytes of credentials with an empty principal. */
    public static final int FIXED_LENGTH = 4 + 8 + 8 + MAC_LENGTH;

    private final Mac mac;
    private final byte[] digest = new byte[MAC_LENGTH];
    private final ExpandableArrayBuffer input = new ExpandableArrayBuffer(256);

    /**
     * A writer and checker of credentials with its own {@link Mac}.
     */
    public SharedSecretCredentials()
    {
        try
        {
            mac = Mac.getInstance(ALGORITHM);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", ex);
        }
    }

    /**
     * Write credentials.
     *
     * @return their length.
     */
    public int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final String principal,
        final SecretKeySpec secret,
        final long timestampNs,
        final long nonce,
        final long correlationId,
        final int responseStreamId,
        final int aeronSessionId,
        final String responseChannel)
    {
        final int principalLength = buffer.putStringWithoutLengthAscii(offset + 4, principal);
        buffer.putInt(offset, principalLength, LITTLE_ENDIAN);
        buffer.putLong(offset + 4 + principalLength, timestampNs, LITTLE_ENDIAN);
        buffer.putLong(offset + 12 + principalLength, nonce, LITTLE_ENDIAN);
        final int macOffset = offset + 20 + principalLength;
        final byte[] computed = mac(secret, buffer, offset, principalLength, correlationId, responseStreamId,
            aeronSessionId, responseChannel);
        buffer.putBytes(macOffset, computed, 0, MAC_LENGTH);
        return FIXED_LENGTH + principalLength;
    }

    /**
     * @param hex a secret as hexadecimal digits.
     * @return its bytes, or null when it is not an even number of hexadecimal digits.
     */
    public static byte[] parseHex(final String hex)
    {
        if (0 != (hex.length() & 1))
        {
            return null;
        }
        final byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            final int high = Character.digit(hex.charAt(2 * i), 16);
            final int low = Character.digit(hex.charAt(2 * i + 1), 16);
            if (high < 0 || low < 0)
            {
                return null;
            }
            bytes[i] = (byte)((high << 4) | low);
        }
        return bytes;
    }

    /**
     * @return whether credentials of that length are well formed (their principal length agrees with it).
     */
    public static boolean isWellFormed(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < FIXED_LENGTH)
        {
            return false;
        }
        final int principalLength = buffer.getInt(offset, LITTLE_ENDIAN);
        return principalLength >= 0 && principalLength <= Authenticator.MAX_PRINCIPAL_LENGTH &&
            FIXED_LENGTH + principalLength == length;
    }

    /**
     * @return the principal of well-formed credentials.
     */
    public static String principal(final DirectBuffer buffer, final int offset)
    {
        return buffer.getStringWithoutLengthAscii(offset + 4, buffer.getInt(offset, LITTLE_ENDIAN));
    }

    /**
     * @return the timestamp of well-formed credentials.
     */
    public static long timestampNs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + 4 + buffer.getInt(offset, LITTLE_ENDIAN), LITTLE_ENDIAN);
    }

    /**
     * @return the nonce of well-formed credentials.
     */
    public static long nonce(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + 12 + buffer.getInt(offset, LITTLE_ENDIAN), LITTLE_ENDIAN);
    }

    /**
     * @return whether the MAC of well-formed credentials is the one the secret gives for this connect (compared
     * in constant time).
     */
    public boolean verify(
        final DirectBuffer buffer,
        final int offset,
        final SecretKeySpec secret,
        final long correlationId,
        final int responseStreamId,
        final int aeronSessionId,
        final String responseChannel)
    {
        final int principalLength = buffer.getInt(offset, LITTLE_ENDIAN);
        final byte[] expected = mac(secret, buffer, offset, principalLength, correlationId, responseStreamId,
            aeronSessionId, responseChannel);
        final int macOffset = offset + 20 + principalLength;
        int difference = 0;
        for (int i = 0; i < MAC_LENGTH; i++)
        {
            difference |= expected[i] ^ buffer.getByte(macOffset + i);
        }
        return 0 == difference;
    }

    private byte[] mac(
        final SecretKeySpec secret,
        final DirectBuffer credentials,
        final int offset,
        final int principalLength,
        final long correlationId,
        final int responseStreamId,
        final int aeronSessionId,
        final String responseChannel)
    {
        final int signed = 20 + principalLength;
        input.putBytes(0, credentials, offset, signed);
        input.putLong(signed, correlationId, LITTLE_ENDIAN);
        input.putInt(signed + 8, responseStreamId, LITTLE_ENDIAN);
        input.putInt(signed + 12, aeronSessionId, LITTLE_ENDIAN);
        final int channelLength = input.putStringWithoutLengthAscii(signed + 16, responseChannel);
        try
        {
            mac.init(secret);
            mac.update(input.byteArray(), 0, signed + 16 + channelLength);
            mac.doFinal(digest, 0);
        }
        catch (final InvalidKeyException | ShortBufferException ex)
        {
            throw new IllegalStateException("secret refused by " + ALGORITHM, ex);
        }
        return digest;
    }
}
