package io.flotilla.engine.node;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class HmacSha256Test
{
    private final SplittableRandom random = new SplittableRandom(7);

    @Test
    void agreesWithTheJdksHmacForShortAndLongKeysAndMessagesInAnyBuffer() throws GeneralSecurityException
    {
        for (final int keyLength : new int[]{ 32, 64, 65, 200 })
        {
            final byte[] key = bytes(keyLength);
            final Mac reference = Mac.getInstance("HmacSHA256");
            reference.init(new SecretKeySpec(key, "HmacSHA256"));
            final HmacSha256 hmac = new HmacSha256(key);
            for (final int length : new int[]{ 0, 1, 100, 4095, 4097, 64 * 1024 + 3 })
            {
                final byte[] message = bytes(length);
                reference.update(new byte[]{ 7, 0, 0, 0 });
                final byte[] expected = reference.doFinal(message);

                final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(length + 10));
                direct.putBytes(10, message);
                final UnsafeBuffer heap = new UnsafeBuffer(new byte[length + 20], 5, length + 15);
                heap.putBytes(10, message);
                for (final UnsafeBuffer buffer : new UnsafeBuffer[]{ direct, heap })
                {
                    final byte[] mac = new byte[HmacSha256.MAC_LENGTH];
                    hmac.begin().updateInt(7).update(buffer, 10, length).finish(mac);
                    assertArrayEquals(expected, mac, "key " + keyLength + " message " + length);
                }
            }
        }
    }

    private byte[] bytes(final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
