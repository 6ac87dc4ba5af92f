package io.flotilla.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON in and out over jackson-jr: objects written from maps (nulls kept, so every field of a reply is present);
 * request bodies read strictly (one object, no duplicate keys, nothing after it).
 */
final class AdminJson
{
    private static final JSON JSON_CODEC = JSON.builder()
        .enable(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS, JSON.Feature.WRITE_NULL_PROPERTIES)
        .enable(JSON.Feature.FAIL_ON_UNKNOWN_TYPE_WRITE)
        .build();

    private AdminJson()
    {
    }

    static byte[] write(final Map<String, ?> object)
    {
        try
        {
            return JSON_CODEC.asBytes(object);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write a reply as JSON", ex);
        }
    }

    /**
     * @return {@code {"error":error,"message":message}}, in that order, for more fields to be added.
     */
    static Map<String, Object> error(final String error, final String message)
    {
        final Map<String, Object> object = new LinkedHashMap<>();
        object.put("error", error);
        object.put("message", message);
        return object;
    }

    /**
     * @param body a request body holding one JSON object.
     * @return its fields.
     * @throws AdminRefusal (400) when the body is not exactly one well-formed JSON object.
     */
    static Map<String, Object> readObject(final byte[] body)
    {
        try (JsonParser parser = JSON_CODEC.createParser(body))
        {
            final Map<String, Object> object = JSON_CODEC.mapFrom(parser);
            if (null == object)
            {
                throw AdminRefusal.badRequest("the body must be a JSON object, not null");
            }
            if (null != parser.nextToken())
            {
                throw AdminRefusal.badRequest("the body must be one JSON object, with nothing after it");
            }
            return object;
        }
        catch (final JsonProcessingException ex)
        {
            throw AdminRefusal.badRequest("the body is not a valid JSON object: " + ex.getOriginalMessage());
        }
        catch (final IOException ex)
        {
            throw AdminRefusal.badRequest("the body cannot be read as JSON: " + ex.getMessage());
        }
    }
}
