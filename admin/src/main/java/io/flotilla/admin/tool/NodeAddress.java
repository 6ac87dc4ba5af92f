package io.flotilla.admin.tool;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's admin endpoint as given on the command line, {@code host:port} ({@code [v6 address]:port} for IPv6).
 */
final class NodeAddress
{
    private final String host;
    private final int port;

    private NodeAddress(final String host, final int port)
    {
        this.host = host;
        this.port = port;
    }

    /**
     * @param list comma-separated {@code host:port} endpoints.
     * @return them, in the order given.
     * @throws IllegalArgumentException naming the first that is not {@code host:port}.
     */
    static List<NodeAddress> parseList(final String list)
    {
        final List<NodeAddress> addresses = new ArrayList<>();
        for (final String item : list.split(",", -1))
        {
            addresses.add(parse(item.trim()));
        }
        return addresses;
    }

    static NodeAddress parse(final String endpoint)
    {
        final int colon = endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1)
        {
            throw new IllegalArgumentException("'" + endpoint + "' is not host:port");
        }
        final String host = endpoint.substring(0, colon);
        if (host.indexOf(':') >= 0 && !(host.startsWith("[") && host.endsWith("]")))
        {
            throw new IllegalArgumentException("'" + endpoint + "': write an IPv6 address in brackets, [addr]:port");
        }
        final int port;
        try
        {
            port = Integer.parseInt(endpoint.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("'" + endpoint + "': the port is not a number");
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("'" + endpoint + "': port " + port + " is outside 1..65535");
        }
        return new NodeAddress(host, port);
    }

    /**
     * @param path of a route, e.g. {@code /status}.
     * @return the URI of that route on this node.
     */
    URI uri(final String path)
    {
        return URI.create("http://" + host + ":" + port + path);
    }

    public String toString()
    {
        return host + ":" + port;
    }
}
