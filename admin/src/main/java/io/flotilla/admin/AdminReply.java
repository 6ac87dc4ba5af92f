package io.flotilla.admin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP answer: status, content type, body and any extra headers.
 */
final class AdminReply
{
    static final String JSON_CONTENT_TYPE = "application/json; charset=utf-8";

    private final int status;
    private final String contentType;
    private final byte[] body;
    private final Map<String, String> headers = new LinkedHashMap<>();

    AdminReply(final int status, final String contentType, final byte[] body)
    {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
    }

    /**
     * @param status HTTP status.
     * @param object the JSON object to send.
     * @return the reply.
     */
    static AdminReply json(final int status, final Map<String, ?> object)
    {
        return new AdminReply(status, JSON_CONTENT_TYPE, AdminJson.write(object));
    }

    /**
     * @param status  HTTP status.
     * @param error   the error's name, e.g. {@code NOT_FOUND}.
     * @param message what went wrong and what to do, for a person.
     * @return {@code {"error":error,"message":message}}.
     */
    static AdminReply error(final int status, final String error, final String message)
    {
        return json(status, AdminJson.error(error, message));
    }

    /**
     * @return this, with the header added.
     */
    AdminReply header(final String name, final String value)
    {
        headers.put(name, value);
        return this;
    }

    int status()
    {
        return status;
    }

    String contentType()
    {
        return contentType;
    }

    byte[] body()
    {
        return body;
    }

    Map<String, String> headers()
    {
        return headers;
    }
}
