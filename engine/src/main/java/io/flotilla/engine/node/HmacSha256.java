package io.flotilla.engine.node;

import org.agrona.DirectBuffer;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA256 (RFC 2104) over one reused {@link MessageDigest}, for the node thread: it allocates nothing per MAC,
 * where {@code javax.crypto.Mac.doFinal} allocates its result on every call (48 bytes a MAC on JDK 17), whichever
 * {@code doFinal} is used. Not thread safe.
 */
public final class HmacSha256
{
    /** Length of a MAC in bytes. */
    public static final int MAC_LENGTH = 32;

    private static final int BLOCK_LENGTH = 64;
    private static final int COPY_CHUNK_LENGTH = 4096;

    private final MessageDigest digest = sha256();
    private final byte[] innerPad = new byte[BLOCK_LENGTH];
    private final byte[] outerPad = new byte[BLOCK_LENGTH];
    private final byte[] innerHash = new byte[MAC_LENGTH];
    private final byte[] copyChunk = new byte[COPY_CHUNK_LENGTH];

    /**
     * @param key of any length; one longer than SHA-256's block is hashed first, as the RFC says.
     */
    public HmacSha256(final byte[] key)
    {
        final byte[] blockKey = key.length > BLOCK_LENGTH ? digest.digest(key) : key;
        for (int i = 0; i < BLOCK_LENGTH; i++)
        {
            final byte k = i < blockKey.length ? blockKey[i] : 0;
            innerPad[i] = (byte)(k ^ 0x36);
            outerPad[i] = (byte)(k ^ 0x5C);
        }
    }

    /**
     * @return a new SHA-256 digest.
     */
    public static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
        }
    }

    /**
     * Start a MAC, discarding any in progress.
     *
     * @return this.
     */
    public HmacSha256 begin()
    {
        digest.reset();
        digest.update(innerPad);
        return this;
    }

    /**
     * @param value to add, as 4 little-endian bytes.
     * @return this.
     */
    public HmacSha256 updateInt(final int value)
    {
        copyChunk[0] = (byte)value;
        copyChunk[1] = (byte)(value >>> 8);
        copyChunk[2] = (byte)(value >>> 16);
        copyChunk[3] = (byte)(value >>> 24);
        digest.update(copyChunk, 0, 4);
        return this;
    }

    /**
     * Add bytes of a buffer: straight from its array when it has one, else copied through a reused array (which is
     * what {@code MessageDigest.update(ByteBuffer)} would do with a direct buffer, without a ByteBuffer view).
     *
     * @return this.
     */
    public HmacSha256 update(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            digest.update(array, buffer.wrapAdjustment() + offset, length);
            return this;
        }
        for (int done = 0; done < length; )
        {
            final int chunk = Math.min(COPY_CHUNK_LENGTH, length - done);
            buffer.getBytes(offset + done, copyChunk, 0, chunk);
            digest.update(copyChunk, 0, chunk);
            done += chunk;
        }
        return this;
    }

    /**
     * Finish the MAC begun by {@link #begin()}.
     *
     * @param mac receives the {@link #MAC_LENGTH} bytes.
     */
    public void finish(final byte[] mac)
    {
        try
        {
            digest.digest(innerHash, 0, MAC_LENGTH);
            digest.update(outerPad);
            digest.update(innerHash);
            digest.digest(mac, 0, MAC_LENGTH);
        }
        catch (final DigestException ex)
        {
            throw new IllegalArgumentException("MAC output of " + mac.length + " bytes is shorter than " + MAC_LENGTH, ex);
        }
    }
}
