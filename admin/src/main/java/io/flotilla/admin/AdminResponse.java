package io.flotilla.admin;

import java.util.Map;

/**
 * What a route answers: an HTTP status and a JSON object, or bytes of another content type (the metrics).
 *
 * @param httpStatus  the HTTP status code.
 * @param json        the JSON object to send, or null when {@code body} is sent.
 * @param contentType of {@code body}.
 * @param body        bytes to send as they are, or null when {@code json} is sent.
 */
record AdminResponse(int httpStatus, Map<String, Object> json, String contentType, byte[] body)
{
    static AdminResponse json(final int httpStatus, final Map<String, Object> json)
    {
        return new AdminResponse(httpStatus, json, null, null);
    }

    static AdminResponse ok(final Map<String, Object> json)
    {
        return json(200, json);
    }
}
