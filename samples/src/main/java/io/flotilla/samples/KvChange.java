package io.flotilla.samples;

import io.flotilla.samples.codecs.ChangeKind;

import java.nio.charset.StandardCharsets;

/**
 * One message of the KV change feed, decoded ({@link KvCommands#change}).
 *
 * @param logIndex index of the entry that made the change (SUBSCRIBED: that subscribed; FEED_LOST: after which the
 *                 session's feed stopped).
 * @param kind     what happened.
 * @param key      the key; empty for CLEAR, SUBSCRIBED and FEED_LOST.
 * @param value    the new value (PUT); empty otherwise.
 */
public record KvChange(long logIndex, ChangeKind kind, String key, byte[] value)
{
    /**
     * @return the value as UTF-8 text.
     */
    public String valueText()
    {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString()
    {
        return switch (kind)
        {
            case PUT -> logIndex + " PUT " + key + " = " + valueText();
            case DELETE, EXPIRE, PUT_VALUE_OMITTED -> logIndex + " " + kind + " " + key;
            default -> logIndex + " " + kind;
        };
    }
}
