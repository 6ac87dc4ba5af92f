package io.flotilla.admin;

import java.math.BigInteger;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fields of a request's JSON body, checked strictly: only the fields a route knows, each of its JSON type.
 * Every problem is a 400 {@link AdminRefusal} that names the field.
 */
final class JsonRequest
{
    private static final byte[] EMPTY_OBJECT = { '{', '}' };

    private final Map<String, Object> fields;

    private JsonRequest(final Map<String, Object> fields)
    {
        this.fields = fields;
    }

    /**
     * @param body  the request body; an empty one is read as {@code {}}.
     * @param known the fields the route accepts.
     * @return the request.
     * @throws AdminRefusal when the body is not a JSON object or has a field not in {@code known}.
     */
    static JsonRequest parse(final byte[] body, final Set<String> known)
    {
        final Map<String, Object> fields = AdminJson.readObject(0 == body.length ? EMPTY_OBJECT : body);
        final Set<String> unknown = new TreeSet<>(fields.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty())
        {
            throw AdminRefusal.badRequest("unknown field(s) " + unknown + ": this request takes only " +
                new TreeSet<>(known));
        }
        return new JsonRequest(fields);
    }

    /**
     * @return the string field.
     * @throws AdminRefusal when it is missing or not a JSON string.
     */
    String requiredString(final String name)
    {
        final Object value = fields.get(name);
        if (!(value instanceof String))
        {
            throw AdminRefusal.badRequest(null == value ?
                "field '" + name + "' is missing (a JSON string)" : "field '" + name + "' must be a JSON string");
        }
        return (String)value;
    }

    /**
     * @return the integer field, or null when absent.
     * @throws AdminRefusal when present but not a JSON integer in int range.
     */
    Integer optionalInt(final String name)
    {
        if (!fields.containsKey(name))
        {
            return null;
        }
        final Object value = fields.get(name);
        if (value instanceof Integer)
        {
            return (Integer)value;
        }
        if (value instanceof Long || value instanceof BigInteger)
        {
            throw AdminRefusal.badRequest("field '" + name + "' is out of range: " + value);
        }
        throw AdminRefusal.badRequest("field '" + name + "' must be a JSON integer");
    }
}
