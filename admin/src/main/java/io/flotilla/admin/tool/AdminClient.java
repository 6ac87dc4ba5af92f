package io.flotilla.admin.tool;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The tool's side of the nodes' admin endpoints (docs/operations.md): JSON requests over {@link HttpClient} with a
 * connect and a request timeout, the bearer token on every request when one is given (reads need it when a node is
 * bound beyond loopback, changes always).
 */
final class AdminClient
{
    private static final JSON JSON_CODEC = JSON.builder().enable(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS).build();

    private final HttpClient http;
    private final Duration requestTimeout;
    private final String token;

    /**
     * @param connectTimeout how long to wait for a connection.
     * @param requestTimeout how long to wait for an answer once connected.
     * @param token          the admin token, or null.
     */
    AdminClient(final Duration connectTimeout, final Duration requestTimeout, final String token)
    {
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER)
            .build();
        this.requestTimeout = requestTimeout;
        this.token = token;
    }

    /**
     * GET a route on every node at once.
     *
     * @return each node's answer, in the order given.
     */
    List<NodeAnswer> getAll(final List<NodeAddress> nodes, final String path)
    {
        final List<CompletableFuture<NodeAnswer>> pending = new ArrayList<>();
        for (final NodeAddress node : nodes)
        {
            pending.add(send(node, request(node, path).GET().build()));
        }
        return pending.stream().map(CompletableFuture::join).toList();
    }

    /**
     * POST a JSON object to one node.
     *
     * @return the node's answer.
     */
    NodeAnswer post(final NodeAddress node, final String path, final Map<String, Object> body)
    {
        final String json;
        try
        {
            json = JSON_CODEC.asString(body);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot encode " + body, ex);
        }
        return send(node, request(node, path)
            .header("Content-Type", "application/json; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
            .build()).join();
    }

    private HttpRequest.Builder request(final NodeAddress node, final String path)
    {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(node.uri(path))
            .timeout(requestTimeout)
            .header("Accept", "application/json");
        if (null != token)
        {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private CompletableFuture<NodeAnswer> send(final NodeAddress node, final HttpRequest request)
    {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
            .handle((response, error) -> null == error ? answer(node, response) : unreachable(node, error));
    }

    private static NodeAnswer answer(final NodeAddress node, final HttpResponse<String> response)
    {
        final Map<String, Object> body;
        try
        {
            body = JSON_CODEC.mapFrom(response.body());
        }
        catch (final IOException | RuntimeException ex)
        {
            return NodeAnswer.failed(node, "answered HTTP " + response.statusCode() + " with a body that is not a " +
                "JSON object (is " + node + " a Flotilla admin endpoint?): " + abbreviate(response.body()),
                FlotillaTool.EXIT_FAILED);
        }
        if (null == body)
        {
            return NodeAnswer.failed(node, "answered HTTP " + response.statusCode() + " with an empty body",
                FlotillaTool.EXIT_FAILED);
        }
        return NodeAnswer.replied(new AdminReply(node, response.statusCode(), body));
    }

    private NodeAnswer unreachable(final NodeAddress node, final Throwable error)
    {
        final Throwable cause = error instanceof CompletionException && null != error.getCause() ? error.getCause() : error;
        final String reason;
        if (cause instanceof HttpConnectTimeoutException)
        {
            reason = "no connection within " + http.connectTimeout().map(Duration::toMillis).orElse(0L) + " ms";
        }
        else if (cause instanceof HttpTimeoutException)
        {
            reason = "no answer within " + requestTimeout.toMillis() + " ms";
        }
        else if (cause instanceof ConnectException)
        {
            reason = null == cause.getMessage() ? "connection refused" : cause.getMessage();
        }
        else
        {
            reason = cause.toString();
        }
        return NodeAnswer.failed(node, "unreachable: " + reason, FlotillaTool.EXIT_UNREACHABLE);
    }

    private static String abbreviate(final String text)
    {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
