package io.flotilla.admin.tool;

import java.util.List;
import java.util.Map;

/**
 * A node's answer to one admin request: the HTTP status and the JSON object of its body (the contract's status
 * object, or {@code {"error":..,"message":..}}), with accessors that fail clearly when a field is missing.
 */
final class AdminReply
{
    private final NodeAddress node;
    private final int statusCode;
    private final Map<String, Object> body;

    AdminReply(final NodeAddress node, final int statusCode, final Map<String, Object> body)
    {
        this.node = node;
        this.statusCode = statusCode;
        this.body = body;
    }

    NodeAddress node()
    {
        return node;
    }

    int statusCode()
    {
        return statusCode;
    }

    boolean isOk()
    {
        return 200 == statusCode;
    }

    boolean has(final String field)
    {
        return null != body.get(field);
    }

    long number(final String field)
    {
        final Object value = body.get(field);
        if (!(value instanceof Number))
        {
            throw malformed("a number '" + field + "'");
        }
        return ((Number)value).longValue();
    }

    /**
     * @return the field's text, or null when it is JSON null or absent.
     */
    String text(final String field)
    {
        final Object value = body.get(field);
        if (null != value && !(value instanceof String))
        {
            throw malformed("a string '" + field + "'");
        }
        return (String)value;
    }

    boolean bool(final String field)
    {
        final Object value = body.get(field);
        if (!(value instanceof Boolean))
        {
            throw malformed("a boolean '" + field + "'");
        }
        return (Boolean)value;
    }

    /**
     * @return the field's array of objects, each as a reply of its own (same node and status).
     */
    @SuppressWarnings("unchecked")
    List<AdminReply> objects(final String field)
    {
        final Object value = body.get(field);
        if (!(value instanceof List))
        {
            throw malformed("an array '" + field + "'");
        }
        final List<Object> items = (List<Object>)value;
        for (final Object item : items)
        {
            if (!(item instanceof Map))
            {
                throw malformed("objects in '" + field + "'");
            }
        }
        return items.stream().map((item) -> new AdminReply(node, statusCode, (Map<String, Object>)item)).toList();
    }

    /**
     * @return the field's object as a reply of its own, or null when it is JSON null or absent.
     */
    @SuppressWarnings("unchecked")
    AdminReply object(final String field)
    {
        final Object value = body.get(field);
        if (null == value)
        {
            return null;
        }
        if (!(value instanceof Map))
        {
            throw malformed("an object '" + field + "'");
        }
        return new AdminReply(node, statusCode, (Map<String, Object>)value);
    }

    /**
     * @return an error answer as one line: {@code HTTP 403 FORBIDDEN: admin changes are disabled ...}.
     */
    String errorSummary()
    {
        final Object error = body.get("error");
        final Object message = body.get("message");
        return "HTTP " + statusCode + (null == error ? "" : " " + error) + (null == message ? "" : ": " + message);
    }

    private ToolException malformed(final String what)
    {
        return new ToolException(FlotillaTool.EXIT_FAILED, "node " + node + " answered HTTP " + statusCode +
            " without " + what + ": is it a Flotilla admin endpoint of this version? " + body);
    }
}
