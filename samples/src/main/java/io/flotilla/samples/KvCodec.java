package io.flotilla.samples;

import io.flotilla.samples.codecs.CasDecoder;
import io.flotilla.samples.codecs.CasMode;
import io.flotilla.samples.codecs.ChangeDecoder;
import io.flotilla.samples.codecs.ChangeKind;
import io.flotilla.samples.codecs.ClearDecoder;
import io.flotilla.samples.codecs.DeleteDecoder;
import io.flotilla.samples.codecs.GetDecoder;
import io.flotilla.samples.codecs.KvResultDecoder;
import io.flotilla.samples.codecs.KvStatus;
import io.flotilla.samples.codecs.MessageHeaderDecoder;
import io.flotilla.samples.codecs.PutDecoder;
import io.flotilla.samples.codecs.SubscribeDecoder;
import io.flotilla.samples.codecs.UnsubscribeDecoder;
import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Structural check of KV messages from untrusted bytes, so decoders never read out of bounds or meet an
 * undefined enum value: schema, version, template, exact block length, every variable-length field inside the
 * slice and nothing left over.
 */
final class KvCodec
{
    private static final int VAR_LENGTH_PREFIX = 4;

    private KvCodec()
    {
    }

    static boolean isWellFormed(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH || offset < 0 || offset + length > buffer.capacity())
        {
            return false;
        }
        final int blockLength = buffer.getShort(offset, LITTLE_ENDIAN) & 0xFFFF;
        final int templateId = buffer.getShort(offset + 2, LITTLE_ENDIAN) & 0xFFFF;
        final int schemaId = buffer.getShort(offset + 4, LITTLE_ENDIAN) & 0xFFFF;
        final int version = buffer.getShort(offset + 6, LITTLE_ENDIAN) & 0xFFFF;
        if (MessageHeaderDecoder.SCHEMA_ID != schemaId || MessageHeaderDecoder.SCHEMA_VERSION != version)
        {
            return false;
        }

        final int varFields;
        final int expectedBlockLength;
        switch (templateId)
        {
            case PutDecoder.TEMPLATE_ID:
                expectedBlockLength = PutDecoder.BLOCK_LENGTH;
                varFields = 2;
                break;
            case GetDecoder.TEMPLATE_ID:
                expectedBlockLength = GetDecoder.BLOCK_LENGTH;
                varFields = 1;
                break;
            case DeleteDecoder.TEMPLATE_ID:
                expectedBlockLength = DeleteDecoder.BLOCK_LENGTH;
                varFields = 1;
                break;
            case ClearDecoder.TEMPLATE_ID:
                expectedBlockLength = ClearDecoder.BLOCK_LENGTH;
                varFields = 0;
                break;
            case CasDecoder.TEMPLATE_ID:
                expectedBlockLength = CasDecoder.BLOCK_LENGTH;
                varFields = 3;
                break;
            case SubscribeDecoder.TEMPLATE_ID:
                expectedBlockLength = SubscribeDecoder.BLOCK_LENGTH;
                varFields = 0;
                break;
            case UnsubscribeDecoder.TEMPLATE_ID:
                expectedBlockLength = UnsubscribeDecoder.BLOCK_LENGTH;
                varFields = 0;
                break;
            case KvResultDecoder.TEMPLATE_ID:
                expectedBlockLength = KvResultDecoder.BLOCK_LENGTH;
                varFields = 1;
                break;
            case ChangeDecoder.TEMPLATE_ID:
                expectedBlockLength = ChangeDecoder.BLOCK_LENGTH;
                varFields = 2;
                break;
            default:
                return false;
        }

        final int block = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int end = offset + length;
        if (blockLength != expectedBlockLength || block + blockLength > end)
        {
            return false;
        }
        if (CasDecoder.TEMPLATE_ID == templateId &&
            (buffer.getByte(block + CasDecoder.modeEncodingOffset()) & 0xFF) > CasMode.EXPECT_ABSENT.value())
        {
            return false;
        }
        if (KvResultDecoder.TEMPLATE_ID == templateId &&
            (buffer.getByte(block + KvResultDecoder.statusEncodingOffset()) & 0xFF) > KvStatus.WINDOW_FULL.value())
        {
            return false;
        }
        if (ChangeDecoder.TEMPLATE_ID == templateId &&
            (buffer.getByte(block + ChangeDecoder.kindEncodingOffset()) & 0xFF) > ChangeKind.PUT_VALUE_OMITTED.value())
        {
            return false;
        }

        int position = block + blockLength;
        for (int i = 0; i < varFields; i++)
        {
            if (position + VAR_LENGTH_PREFIX > end)
            {
                return false;
            }
            final long fieldLength = buffer.getInt(position, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            if (fieldLength > end - position - VAR_LENGTH_PREFIX)
            {
                return false;
            }
            position += VAR_LENGTH_PREFIX + (int)fieldLength;
        }

        return position == end;
    }
}
