package io.flotilla.engine.node;

import io.flotilla.engine.raft.Configuration;

import java.util.Arrays;

/**
 * The voting members of a cluster, parsed from a members spec {@code id=host:consensusPort:ingressPort,...}
 * (for example {@code 0=localhost:20110:20111,1=localhost:20120:20121,2=localhost:20130:20131}).
 */
public final class ClusterMembers
{
    /** Consensus traffic between members. */
    public static final int CONSENSUS_STREAM_ID = 1;

    /** Client traffic to a member's ingress. */
    public static final int INGRESS_STREAM_ID = 10;

    /** Largest member id accepted, the configuration's (ids index small arrays and fit a CONFIG entry's byte). */
    public static final int MAX_MEMBER_ID = Configuration.MAX_MEMBER_ID;

    private final Member[] members;
    private final Member[] byId;

    private ClusterMembers(final Member[] members)
    {
        this.members = members;
        int maxId = 0;
        for (final Member member : members)
        {
            maxId = Math.max(maxId, member.id());
        }
        byId = new Member[maxId + 1];
        for (final Member member : members)
        {
            byId[member.id()] = member;
        }
    }

    /**
     * Parse a members spec.
     *
     * @param spec such as {@code 0=localhost:20110:20111,1=localhost:20120:20121}.
     * @return the members.
     * @throws IllegalArgumentException naming the part of the spec that is wrong.
     */
    public static ClusterMembers parse(final String spec)
    {
        if (null == spec || spec.isBlank())
        {
            throw new IllegalArgumentException(
                "members spec is empty: set flotilla.members to id=host:consensusPort:ingressPort,...");
        }

        final String[] parts = spec.trim().split(",");
        final Member[] members = new Member[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            members[i] = parseMember(parts[i].trim(), spec);
            for (int j = 0; j < i; j++)
            {
                if (members[j].id() == members[i].id())
                {
                    throw new IllegalArgumentException(
                        "member id " + members[i].id() + " appears twice in members spec '" + spec + "'");
                }
                if (members[j].consensusEndpoint().equals(members[i].consensusEndpoint()) ||
                    members[j].ingressEndpoint().equals(members[i].ingressEndpoint()) ||
                    members[j].consensusEndpoint().equals(members[i].ingressEndpoint()) ||
                    members[j].ingressEndpoint().equals(members[i].consensusEndpoint()))
                {
                    throw new IllegalArgumentException("members " + members[j].id() + " and " + members[i].id() +
                        " share an endpoint in members spec '" + spec + "': give every member its own ports");
                }
            }
        }

        return new ClusterMembers(members);
    }

    private static Member parseMember(final String part, final String spec)
    {
        final int equals = part.indexOf('=');
        final String[] address = equals < 0 ? new String[0] : part.substring(equals + 1).split(":");
        if (equals <= 0 || address.length != 3 || address[0].isBlank())
        {
            throw new IllegalArgumentException("member '" + part + "' in members spec '" + spec +
                "' is not of the form id=host:consensusPort:ingressPort");
        }

        final int id = parseInt(part.substring(0, equals), "member id", part, spec);
        if (id < 0 || id > MAX_MEMBER_ID)
        {
            throw new IllegalArgumentException(
                "member id " + id + " in members spec '" + spec + "' must be in 0.." + MAX_MEMBER_ID);
        }
        final int consensusPort = parsePort(address[1], "consensus port", part, spec);
        final int ingressPort = parsePort(address[2], "ingress port", part, spec);
        if (consensusPort == ingressPort)
        {
            throw new IllegalArgumentException(
                "member '" + part + "' uses one port for consensus and ingress: give it two different ports");
        }

        return new Member(id, address[0].trim(), consensusPort, ingressPort);
    }

    private static int parsePort(final String value, final String what, final String part, final String spec)
    {
        final int port = parseInt(value, what, part, spec);
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException(
                what + " " + port + " of member '" + part + "' in members spec '" + spec + "' must be in 1..65535");
        }
        return port;
    }

    private static int parseInt(final String value, final String what, final String part, final String spec)
    {
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(
                what + " '" + value + "' of member '" + part + "' in members spec '" + spec + "' is not a number");
        }
    }

    /**
     * @return the number of voting members.
     */
    public int size()
    {
        return members.length;
    }

    /**
     * @param i position in the spec, 0 to {@link #size()} - 1.
     * @return the member at that position.
     */
    public Member at(final int i)
    {
        return members[i];
    }

    /**
     * @param id of a member.
     * @return the member, or null when no member has that id.
     */
    public Member member(final int id)
    {
        return id >= 0 && id < byId.length ? byId[id] : null;
    }

    /**
     * @param id of a member, or {@code RaftNode.NO_MEMBER}.
     * @return its ingress endpoint (where clients are sent), or empty when no member has that id.
     */
    public String ingressEndpointOf(final int id)
    {
        final Member member = member(id);
        return null == member ? "" : member.ingressEndpoint();
    }

    /**
     * @return every member's id, in spec order.
     */
    public int[] ids()
    {
        final int[] ids = new int[members.length];
        for (int i = 0; i < members.length; i++)
        {
            ids[i] = members[i].id();
        }
        return ids;
    }

    public String toString()
    {
        return Arrays.toString(members);
    }

    /**
     * One member: its id and endpoints.
     */
    public static final class Member
    {
        private final int id;
        private final String host;
        private final int consensusPort;
        private final int ingressPort;
        private final String consensusEndpoint;
        private final String ingressEndpoint;

        Member(final int id, final String host, final int consensusPort, final int ingressPort)
        {
            this.id = id;
            this.host = host;
            this.consensusPort = consensusPort;
            this.ingressPort = ingressPort;
            consensusEndpoint = host + ":" + consensusPort;
            ingressEndpoint = host + ":" + ingressPort;
        }

        public int id()
        {
            return id;
        }

        public String host()
        {
            return host;
        }

        /**
         * @return {@code host:consensusPort}.
         */
        public String consensusEndpoint()
        {
            return consensusEndpoint;
        }

        /**
         * @return {@code host:ingressPort}, the endpoint clients are redirected to.
         */
        public String ingressEndpoint()
        {
            return ingressEndpoint;
        }

        /**
         * @return the UDP channel of this member's consensus subscription.
         */
        public String consensusChannel()
        {
            return "aeron:udp?endpoint=" + consensusEndpoint;
        }

        /**
         * @return the UDP channel of this member's ingress subscription.
         */
        public String ingressChannel()
        {
            return "aeron:udp?endpoint=" + ingressEndpoint;
        }

        public String toString()
        {
            return id + "=" + host + ":" + consensusPort + ":" + ingressPort;
        }
    }
}
