package io.flotilla.engine.client;

import java.util.ArrayList;
import java.util.List;

/**
 * The cluster ingress endpoints a client may send to, parsed from either a members spec
 * ({@code id=host:consensusPort:ingressPort,...}), a plain list ({@code host:ingressPort,...}) or {@code aeron:ipc}
 * for a co-located node. Endpoints learnt from leader hints are appended at run time.
 */
final class IngressEndpoints
{
    static final String IPC = "aeron:ipc";
    static final int UNKNOWN_MEMBER = -1;

    private final List<String> endpoints = new ArrayList<>();
    private final List<Integer> memberIds = new ArrayList<>();

    private IngressEndpoints()
    {
    }

    /**
     * Parse an endpoints spec.
     *
     * @param spec members spec, list of host:ingressPort, or aeron:ipc.
     * @return the endpoints, in the order given.
     * @throws IllegalArgumentException naming the bad element.
     */
    static IngressEndpoints parse(final String spec)
    {
        if (null == spec || spec.isBlank())
        {
            throw new IllegalArgumentException("no ingress endpoints: set " + FlotillaClient.Context.INGRESS_ENDPOINTS_PROP +
                " to a members spec (0=host:consensusPort:ingressPort,...), host:ingressPort,... or aeron:ipc");
        }

        final IngressEndpoints result = new IngressEndpoints();
        for (final String raw : spec.split(","))
        {
            final String element = raw.trim();
            if (IPC.equals(element))
            {
                result.add(IPC, UNKNOWN_MEMBER);
                continue;
            }

            final int equals = element.indexOf('=');
            if (equals >= 0)
            {
                final int memberId = parseInt(element.substring(0, equals), element);
                final String[] parts = element.substring(equals + 1).split(":");
                if (parts.length != 3 || parts[0].isEmpty())
                {
                    throw new IllegalArgumentException(
                        "bad member '" + element + "': expected id=host:consensusPort:ingressPort");
                }
                parsePort(parts[1], element);
                parsePort(parts[2], element);
                result.add(parts[0] + ":" + parts[2], memberId);
            }
            else
            {
                final String[] parts = element.split(":");
                if (parts.length != 2 || parts[0].isEmpty())
                {
                    throw new IllegalArgumentException("bad endpoint '" + element + "': expected host:ingressPort");
                }
                parsePort(parts[1], element);
                result.add(element, UNKNOWN_MEMBER);
            }
        }

        return result;
    }

    int size()
    {
        return endpoints.size();
    }

    String endpoint(final int index)
    {
        return endpoints.get(index);
    }

    int memberId(final int index)
    {
        return memberIds.get(index);
    }

    /**
     * @param index of the endpoint.
     * @return the Aeron channel to publish ingress traffic to it on.
     */
    String channel(final int index)
    {
        final String endpoint = endpoints.get(index);
        return IPC.equals(endpoint) ? IPC : "aeron:udp?endpoint=" + endpoint;
    }

    /**
     * Find the endpoint named by a leader hint, adding it when it is new.
     *
     * @param memberId of the leader, or {@link #UNKNOWN_MEMBER}.
     * @param endpoint host:ingressPort of the leader, or empty.
     * @return the index of the endpoint, or -1 when the hint names nothing.
     */
    int resolve(final int memberId, final String endpoint)
    {
        if (memberId != UNKNOWN_MEMBER)
        {
            final int index = memberIds.indexOf(memberId);
            if (index >= 0)
            {
                return index;
            }
        }

        if (null == endpoint || endpoint.isEmpty())
        {
            return -1;
        }

        final int index = endpoints.indexOf(endpoint);
        if (index >= 0)
        {
            if (memberId != UNKNOWN_MEMBER)
            {
                memberIds.set(index, memberId);
            }
            return index;
        }

        return add(endpoint, memberId);
    }

    private int add(final String endpoint, final int memberId)
    {
        if (endpoints.contains(endpoint))
        {
            throw new IllegalArgumentException("endpoint listed twice: " + endpoint);
        }
        endpoints.add(endpoint);
        memberIds.add(memberId);
        return endpoints.size() - 1;
    }

    private static int parseInt(final String value, final String element)
    {
        try
        {
            final int result = Integer.parseInt(value.trim());
            if (result < 0)
            {
                throw new NumberFormatException();
            }
            return result;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad member id in '" + element + "': expected a non-negative integer");
        }
    }

    private static void parsePort(final String value, final String element)
    {
        final int port;
        try
        {
            port = Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad port '" + value + "' in '" + element + "'");
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("port " + port + " out of range 1..65535 in '" + element + "'");
        }
    }
}
