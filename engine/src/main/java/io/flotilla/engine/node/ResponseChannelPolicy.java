package io.flotilla.engine.node;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.LogBufferDescriptor;
import org.agrona.BitUtil;
import org.agrona.SystemUtil;

/**
 * Which response channel a client may name, and the channel the node publishes its replies on (docs/security.md,
 * "Resources"). A connect names its channel before anyone knows who sent it, so the node never takes it as it is:
 * it builds its own publication channel from a few checked parameters, so a stranger cannot make the node's driver
 * allocate, pre-fault or pin anything beyond a small sparse term buffer.
 * <ul>
 * <li>{@code aeron:udp} with an {@code endpoint=host:port} (port 1..65535), or {@code aeron:ipc} when the node
 * accepts IPC ingress; no prefix (such as {@code aeron-spy:}).</li>
 * <li>{@code term-length}: a power of two from 64 KiB to the node's bound ({@link #MAX_TERM_LENGTH_PROP}); absent,
 * the bound itself.</li>
 * <li>{@code mtu}: a multiple of 32 from {@link #MIN_MTU} to {@link #MAX_MTU}; absent, the driver's.</li>
 * <li>{@code sparse}: absent or true; {@code sparse=false} is refused (it would make the driver allocate and
 * touch the whole term buffer).</li>
 * <li>Any other parameter (session-id, alias, tags, so-sndbuf, linger, control, ...) is ignored: it never reaches
 * the node's driver. Receiver-side ones a client sets on its subscription (rcv-wnd, so-rcvbuf, ...) keep working
 * there.</li>
 * </ul>
 */
public final class ResponseChannelPolicy
{
    /** Largest term length of a reply publication, and the one a channel that names none gets. */
    public static final String MAX_TERM_LENGTH_PROP = "flotilla.response.max.term.length";

    /** 1 MiB: replies up to 128 KiB, at most 3 MiB of sparse term buffer per client touched over time. */
    public static final int MAX_TERM_LENGTH_DEFAULT = 1024 * 1024;

    /** Upper bound of {@link #MAX_TERM_LENGTH_PROP}: Aeron's default term, whose 2 MiB messages hold any reply. */
    public static final int MAX_TERM_LENGTH_LIMIT = 16 * 1024 * 1024;

    /** Smallest MTU a client may ask for: smaller would make the node cut each reply into many packets. */
    public static final int MIN_MTU = 576;

    /** Largest MTU, Aeron's largest UDP payload. */
    public static final int MAX_MTU = 65504;

    private final int maxTermLength;
    private final boolean ipcAllowed;

    /**
     * @param maxTermLength bound on, and default of, the reply publications' term length.
     * @param ipcAllowed    whether {@code aeron:ipc} channels are allowed (the node accepts IPC ingress).
     */
    public ResponseChannelPolicy(final int maxTermLength, final boolean ipcAllowed)
    {
        this.maxTermLength = maxTermLength;
        this.ipcAllowed = ipcAllowed;
    }

    /**
     * @param maxTermLength bound to check.
     * @return why it cannot be the bound, or null when it can.
     */
    public static String maxTermLengthRefusal(final int maxTermLength)
    {
        return maxTermLength < LogBufferDescriptor.TERM_MIN_LENGTH || maxTermLength > MAX_TERM_LENGTH_LIMIT ||
            !BitUtil.isPowerOfTwo(maxTermLength) ? MAX_TERM_LENGTH_PROP + "=" + maxTermLength + " must be a power " +
            "of two from " + LogBufferDescriptor.TERM_MIN_LENGTH + " to " + MAX_TERM_LENGTH_LIMIT : null;
    }

    /**
     * The channel the node publishes a client's replies on.
     *
     * @param channel the client's response channel, as its connect names it.
     * @return the publication's channel, which always names its numeric term-length; null when refused.
     */
    public ChannelUri publicationUri(final String channel)
    {
        final ChannelUri uri = parse(channel);
        if (null == uri || null != refusal(uri, false))
        {
            return null;
        }

        final ChannelUri publication =
            ChannelUri.parse(uri.isUdp() ? CommonContext.UDP_CHANNEL : CommonContext.IPC_CHANNEL);
        if (uri.isUdp())
        {
            publication.put(CommonContext.ENDPOINT_PARAM_NAME, uri.get(CommonContext.ENDPOINT_PARAM_NAME));
        }
        final String termLength = uri.get(CommonContext.TERM_LENGTH_PARAM_NAME);
        publication.put(CommonContext.TERM_LENGTH_PARAM_NAME,
            String.valueOf(null == termLength ? maxTermLength : parseSize(termLength)));
        if (null != uri.get(CommonContext.MTU_LENGTH_PARAM_NAME))
        {
            publication.put(CommonContext.MTU_LENGTH_PARAM_NAME,
                String.valueOf(parseSize(uri.get(CommonContext.MTU_LENGTH_PARAM_NAME))));
        }
        publication.put(CommonContext.SPARSE_PARAM_NAME, "true");
        return publication;
    }

    /**
     * Why a channel is refused, for a client checking the channel it will name before it binds (port 0 allowed).
     *
     * @param channel a response channel.
     * @return the reason, naming what to change, or null when the node would accept it.
     */
    public String clientRefusal(final String channel)
    {
        final ChannelUri uri = parse(channel);
        return null == uri ? "'" + channel + "' is not an Aeron channel URI" : refusal(uri, true);
    }

    /**
     * @param publicationUri a channel from {@link #publicationUri}.
     * @return the largest message a publication on it carries.
     */
    public static int maxMessageLength(final ChannelUri publicationUri)
    {
        return FrameDescriptor.computeMaxMessageLength(
            Integer.parseInt(publicationUri.get(CommonContext.TERM_LENGTH_PARAM_NAME)));
    }

    private String refusal(final ChannelUri uri, final boolean wildcardPortAllowed)
    {
        if (!uri.prefix().isEmpty())
        {
            return "prefix " + uri.prefix() + " not allowed";
        }
        if (uri.isIpc() && !ipcAllowed)
        {
            return "aeron:ipc not accepted by this node";
        }
        if (!uri.isIpc() && !uri.isUdp())
        {
            return "media " + uri.media() + " not allowed: use aeron:udp?endpoint=host:port or aeron:ipc";
        }
        if (uri.isUdp())
        {
            final String endpointRefusal =
                endpointRefusal(uri.get(CommonContext.ENDPOINT_PARAM_NAME), wildcardPortAllowed);
            if (null != endpointRefusal)
            {
                return endpointRefusal;
            }
        }

        final String termLength = uri.get(CommonContext.TERM_LENGTH_PARAM_NAME);
        if (null != termLength)
        {
            final long length = parseSize(termLength);
            if (length < LogBufferDescriptor.TERM_MIN_LENGTH || length > maxTermLength ||
                !BitUtil.isPowerOfTwo(length))
            {
                return "term-length=" + termLength + " must be a power of two from " +
                    LogBufferDescriptor.TERM_MIN_LENGTH + " to " + maxTermLength + " (" + MAX_TERM_LENGTH_PROP + ")";
            }
        }
        final String mtu = uri.get(CommonContext.MTU_LENGTH_PARAM_NAME);
        if (null != mtu)
        {
            final long length = parseSize(mtu);
            if (length < MIN_MTU || length > MAX_MTU || 0 != (length & (FrameDescriptor.FRAME_ALIGNMENT - 1)))
            {
                return "mtu=" + mtu + " must be a multiple of " + FrameDescriptor.FRAME_ALIGNMENT + " from " +
                    MIN_MTU + " to " + MAX_MTU;
            }
        }
        final String sparse = uri.get(CommonContext.SPARSE_PARAM_NAME);
        if (null != sparse && !"true".equals(sparse))
        {
            return "sparse=" + sparse + " not allowed: reply publications are always sparse";
        }
        return null;
    }

    private static String endpointRefusal(final String endpoint, final boolean wildcardPortAllowed)
    {
        if (null == endpoint)
        {
            return "an aeron:udp response channel needs an endpoint=host:port";
        }
        final int colon = endpoint.lastIndexOf(':');
        final String host = colon > 0 ? endpoint.substring(0, colon) : "";
        final int port = colon > 0 ? parsePort(endpoint.substring(colon + 1)) : -1;
        if (host.isEmpty() || (host.startsWith("[") != host.endsWith("]")) ||
            port < (wildcardPortAllowed ? 0 : 1) || port > 65535)
        {
            return "endpoint=" + endpoint + " must be host:port with a port from " + (wildcardPortAllowed ? 0 : 1) +
                " to 65535";
        }
        return null;
    }

    private static int parsePort(final String port)
    {
        if (port.isEmpty() || port.length() > 5)
        {
            return -1;
        }
        for (int i = 0; i < port.length(); i++)
        {
            if (port.charAt(i) < '0' || port.charAt(i) > '9')
            {
                return -1;
            }
        }
        return Integer.parseInt(port);
    }

    /**
     * @return the size (k, m, g suffixes allowed), or -1 when it is not one.
     */
    private static long parseSize(final String value)
    {
        try
        {
            return SystemUtil.parseSize("size", value);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    private static ChannelUri parse(final String channel)
    {
        if (null == channel)
        {
            return null;
        }
        try
        {
            return ChannelUri.parse(channel);
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }
}
