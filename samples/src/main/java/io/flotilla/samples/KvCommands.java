package io.flotilla.samples;

import io.flotilla.samples.codecs.CasEncoder;
import io.flotilla.samples.codecs.CasMode;
import io.flotilla.samples.codecs.ChangeDecoder;
import io.flotilla.samples.codecs.ChangeKind;
import io.flotilla.samples.codecs.ClearEncoder;
import io.flotilla.samples.codecs.DeleteEncoder;
import io.flotilla.samples.codecs.GetEncoder;
import io.flotilla.samples.codecs.KvResultDecoder;
import io.flotilla.samples.codecs.KvStatus;
import io.flotilla.samples.codecs.MessageHeaderDecoder;
import io.flotilla.samples.codecs.MessageHeaderEncoder;
import io.flotilla.samples.codecs.PutEncoder;
import io.flotilla.samples.codecs.SubscribeEncoder;
import io.flotilla.samples.codecs.UnsubscribeEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Encodes KV cache commands (the payload of a Flotilla request) and reads their results. One instance per
 * thread; methods write at the given offset and return the encoded length.
 */
public final class KvCommands
{
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final PutEncoder putEncoder = new PutEncoder();
    private final GetEncoder getEncoder = new GetEncoder();
    private final DeleteEncoder deleteEncoder = new DeleteEncoder();
    private final ClearEncoder clearEncoder = new ClearEncoder();
    private final CasEncoder casEncoder = new CasEncoder();
    private final SubscribeEncoder subscribeEncoder = new SubscribeEncoder();
    private final UnsubscribeEncoder unsubscribeEncoder = new UnsubscribeEncoder();
    private final ChangeDecoder changeDecoder = new ChangeDecoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final KvResultDecoder resultDecoder = new KvResultDecoder();

    /**
     * @param ttlMs time to live after the entry's leader timestamp; 0 for none.
     * @return the encoded length.
     */
    public int put(final MutableDirectBuffer buffer, final int offset, final String key, final byte[] value, final long ttlMs)
    {
        final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        putEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .ttlMs(ttlMs)
            .putKey(keyBytes, 0, keyBytes.length)
            .putValue(value, 0, value.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + putEncoder.encodedLength();
    }

    public int get(final MutableDirectBuffer buffer, final int offset, final String key)
    {
        final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        getEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).putKey(keyBytes, 0, keyBytes.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + getEncoder.encodedLength();
    }

    public int delete(final MutableDirectBuffer buffer, final int offset, final String key)
    {
        final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        deleteEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).putKey(keyBytes, 0, keyBytes.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + deleteEncoder.encodedLength();
    }

    public int clear(final MutableDirectBuffer buffer, final int offset)
    {
        clearEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).reserved(0);
        return MessageHeaderEncoder.ENCODED_LENGTH + clearEncoder.encodedLength();
    }

    /**
     * Compare-and-set.
     *
     * @param expected the value the key must hold, or null when it must be absent.
     * @param value    the new value.
     * @param ttlMs    time to live of the new value; 0 for none.
     * @return the encoded length.
     */
    public int cas(
        final MutableDirectBuffer buffer,
        final int offset,
        final String key,
        final byte[] expected,
        final byte[] value,
        final long ttlMs)
    {
        final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        final byte[] expectedBytes = null == expected ? new byte[0] : expected;
        casEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .ttlMs(ttlMs)
            .mode(null == expected ? CasMode.EXPECT_ABSENT : CasMode.EXPECT_VALUE)
            .putKey(keyBytes, 0, keyBytes.length)
            .putExpected(expectedBytes, 0, expectedBytes.length)
            .putValue(value, 0, value.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + casEncoder.encodedLength();
    }

    /**
     * Subscribe the sending session to the change feed: the state machine learns which session that is from the
     * cluster ({@code StateMachineContext.commandSessionId()}), so no client can subscribe another's.
     *
     * @return the encoded length.
     */
    public int subscribe(final MutableDirectBuffer buffer, final int offset)
    {
        subscribeEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder);
        return MessageHeaderEncoder.ENCODED_LENGTH + subscribeEncoder.encodedLength();
    }

    /**
     * Unsubscribe the sending session from the change feed.
     *
     * @return the encoded length.
     */
    public int unsubscribe(final MutableDirectBuffer buffer, final int offset)
    {
        unsubscribeEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder);
        return MessageHeaderEncoder.ENCODED_LENGTH + unsubscribeEncoder.encodedLength();
    }

    /**
     * @return the change feed message in the bytes (a session message), or null when they are not one.
     */
    public KvChange change(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!KvCodec.isWellFormed(buffer, offset, length) ||
            ChangeDecoder.TEMPLATE_ID != headerDecoder.wrap(buffer, offset).templateId())
        {
            return null;
        }
        changeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long logIndex = changeDecoder.logIndex();
        final ChangeKind kind = changeDecoder.kind();
        final byte[] key = new byte[changeDecoder.keyLength()];
        changeDecoder.getKey(key, 0, key.length);
        final byte[] value = new byte[changeDecoder.valueLength()];
        changeDecoder.getValue(value, 0, value.length);
        return new KvChange(logIndex, kind, new String(key, StandardCharsets.UTF_8), value);
    }

    /**
     * @return the status of a KvResult, or null when the bytes are not one.
     */
    public KvStatus status(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!wrapResult(buffer, offset, length))
        {
            return null;
        }
        return resultDecoder.status();
    }

    /**
     * @return the value carried by a KvResult (empty when none), or null when the bytes are not one.
     */
    public byte[] value(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!wrapResult(buffer, offset, length))
        {
            return null;
        }
        resultDecoder.status();
        final byte[] value = new byte[resultDecoder.valueLength()];
        resultDecoder.getValue(value, 0, value.length);
        return value;
    }

    private boolean wrapResult(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!KvCodec.isWellFormed(buffer, offset, length) ||
            KvResultDecoder.TEMPLATE_ID != headerDecoder.wrap(buffer, offset).templateId())
        {
            return false;
        }
        resultDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        return true;
    }
}
