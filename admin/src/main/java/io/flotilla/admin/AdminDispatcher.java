package io.flotilla.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every admin request passes here once: the route by path (404), its method (405 with {@code Allow}), the token
 * ({@link AdminAuth}), the body's bound (413), type (415) and JSON (400), then the route; every refusal is a JSON
 * error with a name and a message, and changes nothing.
 */
final class AdminDispatcher implements HttpHandler
{
    private static final System.Logger LOGGER = System.getLogger(AdminDispatcher.class.getName());
    private static final String JSON_TYPE = "application/json; charset=utf-8";
    private static final byte[] NO_BODY = new byte[0];
    /** A body declared larger than the bound is still read and dropped up to this size, so its 413 arrives. */
    private static final long DRAIN_LIMIT_BYTES = 16L * 1024 * 1024;

    private final Map<String, AdminRoute> routes;
    private final AdminAuth auth;
    private final int maxBodyBytes;

    AdminDispatcher(final Map<String, AdminRoute> routes, final AdminAuth auth, final int maxBodyBytes)
    {
        this.routes = Map.copyOf(routes);
        this.auth = auth;
        this.maxBodyBytes = maxBodyBytes;
    }

    public void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            AdminResponse response;
            try
            {
                response = dispatch(exchange);
            }
            catch (final AdminException ex)
            {
                response = error(ex);
                if (405 == ex.httpStatus())
                {
                    exchange.getResponseHeaders().set("Allow", routes.get(exchange.getRequestURI().getPath()).method());
                }
                else if (401 == ex.httpStatus())
                {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                }
            }
            catch (final RuntimeException ex)
            {
                LOGGER.log(System.Logger.Level.WARNING, "admin request " + exchange.getRequestMethod() + " " +
                    exchange.getRequestURI() + " failed", ex);
                response = error(new AdminException(500, "INTERNAL_ERROR", String.valueOf(ex)));
            }
            send(exchange, response);
        }
    }

    private AdminResponse dispatch(final HttpExchange exchange) throws AdminException, IOException
    {
        final String path = exchange.getRequestURI().getPath();
        final AdminRoute route = routes.get(path);
        if (null == route)
        {
            throw new AdminException(404, "NOT_FOUND", "no such path '" + path + "', known: " + routes.keySet());
        }
        if (!route.method().equals(exchange.getRequestMethod()))
        {
            throw new AdminException(405, "METHOD_NOT_ALLOWED", path + " takes " + route.method());
        }
        auth.check(route.access(), exchange.getRequestHeaders().getFirst("Authorization"));

        final byte[] body = readBody(exchange);
        Map<String, Object> json = Map.of();
        if (body.length > 0)
        {
            final String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (!isJson(type))
            {
                throw new AdminException(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
            }
            json = AdminJson.parseObject(body, route.fields());
        }
        return route.handle(json);
    }

    /**
     * @return whether the media type, parameters such as the charset aside, is exactly application/json.
     */
    static boolean isJson(final String contentType)
    {
        if (null == contentType)
        {
            return false;
        }
        final int parameters = contentType.indexOf(';');
        final String mediaType = (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim();
        return "application/json".equals(mediaType.toLowerCase(Locale.ROOT));
    }

    /**
     * Read at most the bound: a body that claims or turns out to be longer is refused before more of it is read.
     */
    private byte[] readBody(final HttpExchange exchange) throws AdminException, IOException
    {
        final String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        long length = -1;
        if (null != declared)
        {
            try
            {
                length = Long.parseLong(declared.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new AdminException(400, "BAD_REQUEST", "bad Content-Length '" + declared + "'");
            }
            if (length > maxBodyBytes)
            {
                if (length <= DRAIN_LIMIT_BYTES)
                {
                    // Read what the client is sending before refusing it: a connection closed with request bytes
                    // unread is reset, and the reset can destroy the 413 on its way to the client.
                    exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
                }
                throw tooLarge();
            }
        }
        if (0 == length || (length < 0 && null == exchange.getRequestHeaders().getFirst("Transfer-Encoding")))
        {
            return NO_BODY; // HTTP/1.1: no length and no chunks is no body (a GET): nothing to read or allocate
        }
        // A declared length is all the exchange's stream gives; chunks are read up to one byte past the bound.
        final byte[] body = exchange.getRequestBody().readNBytes(length > 0 ? (int)length + 1 : maxBodyBytes + 1);
        if (body.length > maxBodyBytes)
        {
            throw tooLarge();
        }
        return body;
    }

    private AdminException tooLarge()
    {
        return new AdminException(413, "PAYLOAD_TOO_LARGE", "the body is longer than " + maxBodyBytes +
            " bytes (" + AdminServer.Context.MAX_BODY_PROP + ")");
    }

    private static AdminResponse error(final AdminException ex)
    {
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("error", ex.error());
        json.put("message", ex.getMessage());
        return AdminResponse.json(ex.httpStatus(), json);
    }

    private static void send(final HttpExchange exchange, final AdminResponse response) throws IOException
    {
        final byte[] body = null != response.body() ? response.body() : AdminJson.write(response.json());
        exchange.getResponseHeaders().set("Content-Type",
            null != response.body() ? response.contentType() : JSON_TYPE);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (response.httpStatus() >= 400)
        {
            // A refused request may have left body bytes unread: don't reuse the connection.
            exchange.getResponseHeaders().set("Connection", "close");
        }
        exchange.sendResponseHeaders(response.httpStatus(), body.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(body);
        }
    }
}
