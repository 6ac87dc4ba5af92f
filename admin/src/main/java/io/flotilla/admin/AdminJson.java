package io.flotilla.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/**
 * JSON in and out of the admin endpoint (jackson-jr): a request body must be exactly one JSON object, with no
 * duplicate, unknown or trailing content.
 */
final class AdminJson
{
    private static final JSON JSON_CODEC = JSON.builder()
        .enable(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS)
        .enable(JSON.Feature.WRITE_NULL_PROPERTIES)
        .build();

    private AdminJson()
    {
    }

    /**
     * @param body    the request's bytes, UTF-8.
     * @param allowed the names the object may hold.
     * @return the object.
     * @throws AdminException 400 naming what is wrong.
     */
    static Map<String, Object> parseObject(final byte[] body, final Set<String> allowed) throws AdminException
    {
        final Map<String, Object> object;
        try (JsonParser parser = JSON_CODEC.getStreamingFactory().createParser(body))
        {
            object = JSON_CODEC.mapFrom(parser);
            if (null == object)
            {
                throw new AdminException(400, "BAD_REQUEST", "the body must be a JSON object, not null");
            }
            if (null != parser.nextToken())
            {
                throw new AdminException(400, "BAD_REQUEST", "the body holds more than one JSON value");
            }
        }
        catch (final JsonProcessingException ex)
        {
            throw new AdminException(400, "BAD_REQUEST", "malformed JSON: " + ex.getOriginalMessage());
        }
        catch (final IOException ex)
        {
            throw new AdminException(400, "BAD_REQUEST", "unreadable body: " + ex.getMessage());
        }
        for (final String name : object.keySet())
        {
            if (!allowed.contains(name))
            {
                throw new AdminException(400, "BAD_REQUEST",
                    "unknown field '" + name + "'" + (allowed.isEmpty() ? ": send no body" : ", known: " + allowed));
            }
        }
        return object;
    }

    /**
     * @param object to write; values are strings, numbers, booleans, null, lists and maps.
     * @return it as UTF-8 JSON.
     */
    static byte[] write(final Map<String, Object> object)
    {
        try
        {
            return JSON_CODEC.asBytes(object);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param body  a request's object.
     * @param name  of an integer field.
     * @return its value, or null when absent.
     * @throws AdminException 400 when present but not an integer in int range.
     */
    static Integer optionalInt(final Map<String, Object> body, final String name) throws AdminException
    {
        final Object value = body.get(name);
        if (null == value && !body.containsKey(name))
        {
            return null;
        }
        if (value instanceof Integer)
        {
            return (Integer)value;
        }
        throw new AdminException(400, "BAD_REQUEST", "'" + name + "' must be an integer, got " + describe(value));
    }

    /**
     * @param body a request's object.
     * @param name of a string field that must be present.
     * @return its value.
     * @throws AdminException 400 when absent or not a string.
     */
    static String requiredString(final Map<String, Object> body, final String name) throws AdminException
    {
        final Object value = body.get(name);
        if (value instanceof String)
        {
            return (String)value;
        }
        throw new AdminException(400, "BAD_REQUEST", null == value && !body.containsKey(name) ?
            "'" + name + "' is missing" : "'" + name + "' must be a string, got " + describe(value));
    }

    private static String describe(final Object value)
    {
        return null == value ? "null" : value.getClass().getSimpleName() + " " + value;
    }
}
