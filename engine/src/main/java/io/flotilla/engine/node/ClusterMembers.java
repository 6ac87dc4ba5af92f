package io.flotilla.engine.node;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.flotilla.engine.raft.Configuration;

import java.util.Arrays;

/**
 * Where each member of the cluster is reached: first the members spec {@code id=host:consensusPort:ingressPort,...}
 * (for example {@code 0=localhost:20110:20111,1=localhost:20120:20121,2=localhost:20130:20131}), which is also the
 * bootstrap configuration, then every member a configuration entry names with its endpoint ({@link #learn}, on the
 * node thread). An endpoint learned replaces the spec's; a removed member's stays known (it may still send).
 * Readers on other threads see each member either before or after a change (members are immutable).
 */
public final class ClusterMembers
{
    /** Consensus traffic between members. */
    public static final int CONSENSUS_STREAM_ID = 1;

    /** Client traffic to a member's ingress. */
    public static final int INGRESS_STREAM_ID = 10;

    /** Largest member id accepted, the configuration's (ids index small arrays and fit a CONFIG entry's byte). */
    public static final int MAX_MEMBER_ID = Configuration.MAX_MEMBER_ID;

    /** The consensus channel before a member's endpoint is added to it: UDP with the media driver's defaults. */
    public static final String CONSENSUS_CHANNEL_DEFAULT = "aeron:udp";

    /** Parameters of a consensus channel the node sets itself, or that would take it off unicast to the member. */
    private static final String[] CONSENSUS_CHANNEL_RESERVED = {
        CommonContext.ENDPOINT_PARAM_NAME, CommonContext.MDC_CONTROL_PARAM_NAME,
        CommonContext.MDC_CONTROL_MODE_PARAM_NAME, CommonContext.SESSION_ID_PARAM_NAME, CommonContext.TAGS_PARAM_NAME };

    private final Member[] members;
    private final Member[] byId = new Member[MAX_MEMBER_ID + 1];

    /**
     * Check a consensus channel template: a UDP channel URI whose parameters (mtu, term-length, socket buffers,
     * receiver window, interface ...) apply to every member's consensus channel, without those the node sets.
     *
     * @param template the channel before a member's endpoint is added.
     * @return what is wrong with it, or null when it can be used.
     */
    public static String consensusChannelProblem(final String template)
    {
        final ChannelUri uri;
        try
        {
            uri = ChannelUri.parse(template);
        }
        catch (final RuntimeException ex)
        {
            return "'" + template + "' is not an Aeron channel URI (" + ex.getMessage() + ")";
        }
        if (!CommonContext.UDP_MEDIA.equals(uri.media()))
        {
            return "'" + template + "' is not a UDP channel (aeron:udp?...): members reach each other over UDP";
        }
        for (final String reserved : CONSENSUS_CHANNEL_RESERVED)
        {
            if (uri.containsKey(reserved))
            {
                return "'" + template + "' sets " + reserved + ", which the node sets itself from the members";
            }
        }
        return null;
    }

    private ClusterMembers(final Member[] members)
    {
        this.members = members;
        for (final Member member : members)
        {
            byId[member.id()] = member;
        }
    }

    /**
     * Check an endpoint given for a new member.
     *
     * @param id       of the member.
     * @param endpoint {@code host:consensusPort:ingressPort}.
     * @return the member.
     * @throws IllegalArgumentException naming what is wrong.
     */
    public static Member parseEndpoint(final int id, final String endpoint)
    {
        final String part = id + "=" + (null == endpoint ? "" : endpoint.trim());
        final Member member = parseMember(part, part);
        if (!Configuration.isValidEndpoint(member.endpoint()))
        {
            throw new IllegalArgumentException("endpoint '" + endpoint + "' of member " + id + " is too long");
        }
        return member;
    }

    /**
     * Node thread: take a member's endpoint from a configuration.
     *
     * @param id       of the member.
     * @param endpoint {@code host:consensusPort:ingressPort}.
     * @return whether the member's endpoint is new or changed.
     * @throws IllegalArgumentException when the endpoint does not parse.
     */
    public boolean learn(final int id, final String endpoint)
    {
        final Member known = byId[id];
        if (null != known && known.endpoint().equals(endpoint))
        {
            return false;
        }
        byId[id] = parseEndpoint(id, endpoint);
        return true;
    }

    /**
     * @param memberId this node's id.
     * @param joining  whether this node joins a running cluster ({@code flotilla.join}): it is then no member of
     *                 the bootstrap, which is the spec's other members, and waits to be added.
     * @return the configuration before any configuration entry, with the spec's endpoints.
     */
    public Configuration bootstrapConfiguration(final int memberId, final boolean joining)
    {
        final int[] voters = Arrays.stream(ids()).filter((id) -> !joining || id != memberId).toArray();
        if (0 == voters.length)
        {
            throw new IllegalArgumentException("member " + memberId + " joins a running cluster but the members " +
                "spec names no other member: list the cluster's members and this node in flotilla.members");
        }
        final String[] endpoints = new String[MAX_MEMBER_ID + 1];
        for (final Member member : members)
        {
            endpoints[member.id()] = member.endpoint();
        }
        return new Configuration(voters, new int[0], new int[0], endpoints);
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
        return id >= 0 && id <= MAX_MEMBER_ID ? byId[id] : null;
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
     * @return every id in the members spec, in spec order.
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
         * @return {@code host:consensusPort:ingressPort}, as a configuration carries it.
         */
        public String endpoint()
        {
            return host + ":" + consensusPort + ":" + ingressPort;
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
         * @return the UDP channel of this member's consensus subscription, with Aeron's defaults.
         */
        public String consensusChannel()
        {
            return consensusChannel(CONSENSUS_CHANNEL_DEFAULT);
        }

        /**
         * @param template the consensus channel without an endpoint, checked by {@link #consensusChannelProblem}.
         * @return the template with this member's consensus endpoint: the channel of its consensus subscription and
         * of every peer's publication to it.
         */
        public String consensusChannel(final String template)
        {
            final ChannelUri uri = ChannelUri.parse(template);
            uri.put(CommonContext.ENDPOINT_PARAM_NAME, consensusEndpoint);
            return uri.toString();
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
            return id + "=" + endpoint();
        }
    }
}
