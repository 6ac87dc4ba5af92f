package io.flotilla.admin;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every request once: the route by path (404), its method (405 with {@code Allow}), access (401/403), the body's
 * size (413, from {@code Content-Length} before reading, else while reading: never more than the bound + 1 byte is
 * read) and type (415); then the route's handler, and the reply written. A refused request reaches no handler.
 */
final class AdminRouter implements HttpHandler
{
    private static final System.Logger LOGGER = System.getLogger(AdminRouter.class.getName());
    private static final byte[] NO_BODY = new byte[0];
    private static final int READ_CHUNK = 8192;

    private final Map<String, AdminRoute> routesByPath = new HashMap<>();
    private final AdminAuth auth;
    private final int maxBodyBytes;

    AdminRouter(final List<AdminRoute> routes, final AdminAuth auth, final int maxBodyBytes)
    {
        for (final AdminRoute route : routes)
        {
            routesByPath.put(route.path(), route);
        }
        this.auth = auth;
        this.maxBodyBytes = maxBodyBytes;
    }

    public void handle(final HttpExchange exchange) throws IOException
    {
        try
        {
            send(exchange, reply(exchange));
        }
        finally
        {
            exchange.close();
        }
    }

    private AdminReply reply(final HttpExchange exchange) throws IOException
    {
        final String path = exchange.getRequestURI().getPath();
        final AdminRoute route = routesByPath.get(path);
        if (null == route)
        {
            return AdminReply.error(404, "NOT_FOUND", "no such path: " + path);
        }
        if (!route.method().equals(exchange.getRequestMethod()))
        {
            return AdminReply.error(405, "METHOD_NOT_ALLOWED", path + " answers " + route.method() + " only")
                .header("Allow", route.method());
        }
        final Headers headers = exchange.getRequestHeaders();
        final AdminReply refusal = auth.refusal(route.access(), headers);
        if (null != refusal)
        {
            return refusal;
        }

        byte[] body = NO_BODY;
        if (route.readsBody())
        {
            final AdminReply bodyRefusal = checkBodyHeaders(headers);
            if (null != bodyRefusal)
            {
                return bodyRefusal;
            }
            body = readBounded(exchange.getRequestBody());
            if (null == body)
            {
                return tooLarge();
            }
        }

        try
        {
            return route.handler().handle(body);
        }
        catch (final AdminRefusal ex)
        {
            return ex.reply();
        }
        catch (final RuntimeException ex)
        {
            LOGGER.log(System.Logger.Level.WARNING, "admin " + route.method() + " " + path + " failed", ex);
            return AdminReply.error(500, "INTERNAL_ERROR", String.valueOf(ex));
        }
    }

    /**
     * @return null when a body may be read: its declared length within the bound and, when one is sent, JSON.
     */
    private AdminReply checkBodyHeaders(final Headers headers)
    {
        final String contentLength = headers.getFirst("Content-Length");
        final boolean chunked = null != headers.getFirst("Transfer-Encoding");
        long declaredLength = 0;
        if (null != contentLength && !chunked)
        {
            try
            {
                declaredLength = Long.parseLong(contentLength.trim());
            }
            catch (final NumberFormatException ex)
            {
                return AdminReply.error(400, "BAD_REQUEST", "Content-Length is not a number: " + contentLength);
            }
            if (declaredLength > maxBodyBytes)
            {
                return tooLarge();
            }
        }
        if ((chunked || declaredLength > 0) && !isJson(headers.getFirst("Content-Type")))
        {
            return AdminReply.error(415, "UNSUPPORTED_MEDIA_TYPE",
                "send the body as Content-Type: application/json");
        }
        return null;
    }

    private static boolean isJson(final String contentType)
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
     * @return the body, or null when it is longer than the bound (reading stops at the bound + 1 byte).
     */
    private byte[] readBounded(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(maxBodyBytes + 1, READ_CHUNK));
        final byte[] chunk = new byte[READ_CHUNK];
        int remaining = maxBodyBytes + 1;
        int read;
        while (remaining > 0 && (read = in.read(chunk, 0, Math.min(chunk.length, remaining))) > 0)
        {
            body.write(chunk, 0, read);
            remaining -= read;
        }
        return remaining > 0 ? body.toByteArray() : null;
    }

    private AdminReply tooLarge()
    {
        return AdminReply.error(413, "PAYLOAD_TOO_LARGE", "the body is larger than " + maxBodyBytes + " bytes (" +
            AdminServer.Context.MAX_BODY_PROP + ")");
    }

    private static void send(final HttpExchange exchange, final AdminReply reply) throws IOException
    {
        final Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", reply.contentType());
        headers.set("Cache-Control", "no-store");
        reply.headers().forEach(headers::set);
        final byte[] body = reply.body();
        exchange.sendResponseHeaders(reply.status(), 0 == body.length ? -1 : body.length);
        if (body.length > 0)
        {
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
    }
}
