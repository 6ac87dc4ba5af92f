package io.flotilla.admin;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A real HTTP client against one admin endpoint, for tests.
 */
final class AdminClient
{
    static final String TOKEN = "test-admin-token-0123456789";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    AdminClient(final AdminServer server)
    {
        base = "http://127.0.0.1:" + server.port();
    }

    HttpResponse<String> get(final String path)
    {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    HttpResponse<String> post(final String path, final String json, final String token)
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
            .POST(null == json ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (null != json)
        {
            request.header("Content-Type", "application/json");
        }
        if (null != token)
        {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    HttpResponse<String> send(final HttpRequest.Builder request)
    {
        try
        {
            return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    static Map<String, Object> json(final HttpResponse<String> response)
    {
        try
        {
            return JSON.std.mapFrom(response.body());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("not JSON: " + response.body(), ex);
        }
    }

    String base()
    {
        return base;
    }
}
