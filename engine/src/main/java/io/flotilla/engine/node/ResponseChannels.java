package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.ExclusivePublication;
import io.aeron.exceptions.RegistrationException;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Publications to clients' response channels, shared by every session (and connect reply) that names the same
 * channel and stream. Never blocks: publications are added asynchronously, and a message that cannot go yet (the
 * publication is still being set up or not connected, or back-pressured) waits in a bounded per-channel queue
 * that is flushed on later duty cycles, or dropped and counted after {@link #PENDING_TIMEOUT_NS}.
 * <p>
 * Bounded (docs/security.md, "Resources"): the {@link ResponseChannelPolicy} decides what a publication may be,
 * at most {@code maxPublications} are open (an unused one is closed early to make room), and a connect reject
 * opens a new one only within {@link #REJECT_CHANNELS_PER_SECOND}, so a flood of connects from strangers cannot
 * make the node open publications faster than that. A channel that cannot be had is {@link #NO_CHANNEL}: what is
 * sent on it is counted and dropped.
 */
public final class ResponseChannels implements AutoCloseable
{
    /** How long a reply may wait for its channel to connect. */
    static final long PENDING_TIMEOUT_NS = 5_000_000_000L;

    /** How long an unused channel stays open (so a reconnecting client or an imminent ack finds it). */
    static final long LINGER_NS = 10_000_000_000L;

    /** How often channels are checked for lingering when none is being added or holds queued replies. */
    static final long SWEEP_INTERVAL_NS = 100_000_000L;

    /** Bound on the bytes waiting per channel: more than the largest message of the largest allowed term. */
    static final int MAX_PENDING_BYTES = 4 * 1024 * 1024;

    /** New publications that connect rejects may open per second (a reject to an open channel costs none). */
    static final int REJECT_CHANNELS_PER_SECOND = 16;

    private static final long ONE_SECOND_NS = 1_000_000_000L;

    /**
     * The channel given when none can be had (refused by the policy, the publication cap or the reject budget).
     */
    public static final Channel NO_CHANNEL = new Channel("", "", 0, Integer.MAX_VALUE);

    static
    {
        NO_CHANNEL.failed = true;
    }

    private final Aeron aeron;
    private final ResponseChannelPolicy policy;
    private final int maxPublications;
    private final NodeCounters counters;
    private final ErrorHandler errorHandler;
    private final Map<String, Channel> byKey = new HashMap<>();
    private final ArrayList<Channel> channels = new ArrayList<>();
    private boolean needsService;
    private long nextSweepNs;
    private long rejectWindowStartNs;
    private int rejectChannelsInWindow;

    /**
     * @param aeron           client used to add publications.
     * @param policy          which channels clients may name, and the publications opened for them.
     * @param maxPublications open at once.
     * @param counters        count refused channels, unavailable ones, open publications and dropped replies.
     * @param errorHandler    told about channels that cannot be opened.
     */
    public ResponseChannels(
        final Aeron aeron,
        final ResponseChannelPolicy policy,
        final int maxPublications,
        final NodeCounters counters,
        final ErrorHandler errorHandler)
    {
        this.aeron = aeron;
        this.policy = policy;
        this.maxPublications = maxPublications;
        this.counters = counters;
        this.errorHandler = errorHandler;
    }

    /**
     * Find or open the publication to a channel and stream, for a session, and hold a reference to it.
     *
     * @param channel  the client's response channel.
     * @param streamId the client's response stream.
     * @param nowNs    current time.
     * @return the channel, or {@link #NO_CHANNEL}; {@link #release} it when no longer needed.
     */
    public Channel acquire(final String channel, final int streamId, final long nowNs)
    {
        return acquire(channel, streamId, false, nowNs);
    }

    /**
     * Like {@link #acquire}, for a connect reject to whoever sent the connect: a new publication only within
     * {@link #REJECT_CHANNELS_PER_SECOND}.
     *
     * @param channel  the response channel the connect names.
     * @param streamId the response stream the connect names.
     * @param nowNs    current time.
     * @return the channel, or {@link #NO_CHANNEL}; {@link #release} it once the reject is sent.
     */
    public Channel acquireForReject(final String channel, final int streamId, final long nowNs)
    {
        return acquire(channel, streamId, true, nowNs);
    }

    /**
     * Drop a reference taken with {@link #acquire}; the publication closes after it lingers unused.
     *
     * @param channel to release.
     * @param nowNs   current time.
     */
    public void release(final Channel channel, final long nowNs)
    {
        if (NO_CHANNEL == channel)
        {
            return;
        }
        channel.references--;
        channel.lastUsedNs = nowNs;
    }

    /**
     * Send a message, now or as soon as the channel can take it.
     *
     * @param channel to send on.
     * @param buffer  holding the message.
     * @param offset  of the message.
     * @param length  of the message.
     * @param nowNs   current time.
     */
    public void send(
        final Channel channel, final DirectBuffer buffer, final int offset, final int length, final long nowNs)
    {
        if (channel.failed)
        {
            counters.droppedMessages().incrementRelease();
            return;
        }
        channel.lastUsedNs = nowNs;

        if (0 == channel.pendingLength && null != channel.publication && offer(channel, buffer, offset, length))
        {
            return;
        }

        if (channel.pendingLength + 4 + length > MAX_PENDING_BYTES)
        {
            counters.droppedMessages().incrementRelease();
            return;
        }
        if (0 == channel.pendingLength)
        {
            channel.pendingSinceNs = nowNs;
        }
        needsService = true;
        channel.pending.putInt(channel.pendingLength, length);
        channel.pending.putBytes(channel.pendingLength + 4, buffer, offset, length);
        channel.pendingLength += 4 + length;
    }

    /**
     * Resolve publications being added, flush waiting messages, expire old ones and close channels left unused.
     *
     * @param nowNs current time.
     * @return work done.
     */
    public int doWork(final long nowNs)
    {
        // Only a channel being added or holding queued replies needs a look every cycle; closing idle ones can wait.
        if (!needsService && nowNs - nextSweepNs < 0)
        {
            return 0;
        }
        nextSweepNs = nowNs + SWEEP_INTERVAL_NS;
        needsService = false;

        int work = 0;
        for (int i = channels.size() - 1; i >= 0; i--)
        {
            final Channel channel = channels.get(i);
            if (null == channel.publication && !channel.failed)
            {
                work += resolve(channel);
            }
            if (channel.pendingLength > 0)
            {
                work += flush(channel, nowNs);
            }
            if (isIdle(channel) && nowNs - channel.lastUsedNs > LINGER_NS)
            {
                closeChannel(i);
                work++;
            }
            else
            {
                needsService |= channel.pendingLength > 0 || (null == channel.publication && !channel.failed);
            }
        }
        return work;
    }

    public void close()
    {
        if (aeron.isClosed())
        {
            // A node that stopped itself closes its Aeron client first: the publications went with it, and the
            // counters' memory too, so neither may be touched.
            channels.clear();
            byKey.clear();
            return;
        }
        for (int i = channels.size() - 1; i >= 0; i--)
        {
            closeChannel(i);
        }
    }

    private int resolve(final Channel channel)
    {
        try
        {
            channel.publication = aeron.getExclusivePublication(channel.registrationId);
            return null != channel.publication ? 1 : 0;
        }
        catch (final RegistrationException ex)
        {
            channel.failed = true;
            counters.droppedMessages().incrementRelease();
            errorHandler.onError(ex);
            return 1;
        }
    }

    /**
     * @return true when the message is gone: sent, or dropped (and counted) because it can never fit the channel.
     */
    private boolean offer(final Channel channel, final DirectBuffer buffer, final int offset, final int length)
    {
        final ExclusivePublication publication = channel.publication;
        if (length > publication.maxMessageLength())
        {
            counters.droppedMessages().incrementRelease();
            errorHandler.onError(new IllegalArgumentException("reply of " + length + " bytes exceeds the largest " +
                "message (" + publication.maxMessageLength() + ") of " + channel + ": raise its term-length"));
            return true;
        }
        return publication.offer(buffer, offset, length) > 0;
    }

    private int flush(final Channel channel, final long nowNs)
    {
        int position = 0;
        if (null != channel.publication && channel.publication.isConnected())
        {
            while (position < channel.pendingLength)
            {
                final int length = channel.pending.getInt(position);
                if (!offer(channel, channel.pending, position + 4, length))
                {
                    break;
                }
                position += 4 + length;
            }
        }

        if (position > 0)
        {
            final int remaining = channel.pendingLength - position;
            channel.pending.putBytes(0, channel.pending, position, remaining);
            channel.pendingLength = remaining;
            channel.pendingSinceNs = nowNs;
            return 1;
        }

        if (channel.failed || nowNs - channel.pendingSinceNs > PENDING_TIMEOUT_NS)
        {
            for (int p = 0; p < channel.pendingLength; p += 4 + channel.pending.getInt(p))
            {
                counters.droppedMessages().incrementRelease();
            }
            channel.pendingLength = 0;
            return 1;
        }
        return 0;
    }

    private Channel acquire(final String channel, final int streamId, final boolean forReject, final long nowNs)
    {
        final ChannelUri publicationUri = policy.publicationUri(channel);
        if (null == publicationUri)
        {
            counters.responseChannelsRefused().incrementRelease();
            return NO_CHANNEL;
        }

        final String publicationChannel = publicationUri.toString();
        final String key = streamId + "|" + publicationChannel;
        Channel result = byKey.get(key);
        if (null == result)
        {
            if ((forReject && !takeRejectBudget(nowNs)) ||
                (channels.size() >= maxPublications && !closeLeastRecentIdle()))
            {
                counters.responseChannelsUnavailable().incrementRelease();
                return NO_CHANNEL;
            }
            result = open(key, publicationChannel, streamId, ResponseChannelPolicy.maxMessageLength(publicationUri));
        }
        result.references++;
        result.lastUsedNs = nowNs;
        needsService |= null == result.publication;
        return result;
    }

    private Channel open(final String key, final String publicationChannel, final int streamId, final int maxLength)
    {
        final Channel channel = new Channel(key, publicationChannel, streamId, maxLength);
        try
        {
            channel.registrationId = aeron.asyncAddExclusivePublication(publicationChannel, streamId);
        }
        catch (final RuntimeException ex)
        {
            channel.failed = true;
            errorHandler.onError(ex);
        }
        byKey.put(key, channel);
        channels.add(channel);
        counters.responsePublications(channels.size());
        return channel;
    }

    private boolean takeRejectBudget(final long nowNs)
    {
        if (nowNs - rejectWindowStartNs >= ONE_SECOND_NS)
        {
            rejectWindowStartNs = nowNs;
            rejectChannelsInWindow = 0;
        }
        if (rejectChannelsInWindow >= REJECT_CHANNELS_PER_SECOND)
        {
            return false;
        }
        rejectChannelsInWindow++;
        return true;
    }

    /**
     * Make room at the cap: close the channel unused for longest that nobody holds and that has nothing queued.
     */
    private boolean closeLeastRecentIdle()
    {
        int oldest = -1;
        for (int i = 0, size = channels.size(); i < size; i++)
        {
            final Channel channel = channels.get(i);
            if (isIdle(channel) && (oldest < 0 || channel.lastUsedNs - channels.get(oldest).lastUsedNs < 0))
            {
                oldest = i;
            }
        }
        if (oldest < 0)
        {
            return false;
        }
        closeChannel(oldest);
        return true;
    }

    private static boolean isIdle(final Channel channel)
    {
        return channel.references <= 0 && 0 == channel.pendingLength;
    }

    private void closeChannel(final int i)
    {
        final Channel channel = channels.get(i);
        channels.remove(i);
        byKey.remove(channel.key);
        counters.responsePublications(channels.size());
        if (null != channel.publication)
        {
            CloseHelper.quietClose(channel.publication);
        }
        else if (!channel.failed)
        {
            try
            {
                aeron.asyncRemovePublication(channel.registrationId);
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
            }
        }
    }

    /**
     * One client response channel and stream.
     */
    public static final class Channel
    {
        private final String key;
        private final String channel;
        private final int streamId;
        private final int maxMessageLength;
        private final ExpandableArrayBuffer pending = new ExpandableArrayBuffer(256);
        private long registrationId;
        private ExclusivePublication publication;
        private boolean failed;
        private int references;
        private int pendingLength;
        private long pendingSinceNs;
        private long lastUsedNs;

        Channel(final String key, final String channel, final int streamId, final int maxMessageLength)
        {
            this.key = key;
            this.channel = channel;
            this.streamId = streamId;
            this.maxMessageLength = maxMessageLength;
        }

        /**
         * @return the publication's channel, as the node built it from the client's.
         */
        public String channel()
        {
            return channel;
        }

        /**
         * @return the largest message the publication carries (known before it is added).
         */
        public int maxMessageLength()
        {
            return maxMessageLength;
        }

        public String toString()
        {
            return "Channel{" + channel + ", streamId=" + streamId + ", references=" + references + '}';
        }
    }
}
