package io.flotilla.codecs;

import org.agrona.DirectBuffer;
import org.agrona.checksum.Crc32c;

import java.util.zip.CRC32C;

/**
 * CRC32C over a region of any {@link DirectBuffer}, heap or off-heap, without allocation.
 * <p>
 * Off-heap memory goes through Agrona's intrinsic-backed {@link Crc32c}; heap arrays through a per-thread
 * {@link CRC32C}. Both compute the same standard CRC32C (Castagnoli) value.
 */
public final class Checksums
{
    private static final ThreadLocal<CRC32C> HEAP_CRC = ThreadLocal.withInitial(CRC32C::new);

    private Checksums()
    {
    }

    /**
     * Compute the CRC32C of {@code length} bytes of {@code buffer} starting at {@code offset}.
     *
     * @param buffer holding the bytes.
     * @param offset of the first byte.
     * @param length of the region.
     * @return the CRC32C as an int (the unsigned value's low 32 bits).
     */
    public static int crc32c(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            final CRC32C crc = HEAP_CRC.get();
            crc.reset();
            crc.update(array, buffer.wrapAdjustment() + offset, length);
            return (int)crc.getValue();
        }

        return Crc32c.INSTANCE.compute(buffer.addressOffset(), offset, length);
    }
}
