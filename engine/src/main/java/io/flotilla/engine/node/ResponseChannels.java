package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.exceptions.RegistrationException;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Publications to clients' response channels, shared by every session (and connect reply) that names the same
 * channel and stream. Never blocks: publications are added asynchronously, and a message that cannot go yet (the
 * publication is still being set up or not connected, or back-pressured) waits in a bounded per-channel queue
 * that is flushed on later duty cycles, or dropped and counted after {@link #PENDING_TIMEOUT_NS}.
 */
public final class ResponseChannels implements AutoCloseable
{
    /** How long a reply may wait for its channel to connect. */
    static final long PENDING_TIMEOUT_NS = 5_000_000_000L;

    /** How long an unused channel stays open (so a reconnecting client or an imminent ack finds it). */
    static final long LINGER_NS = 10_000_000_000L;

    /** How often channels are checked for lingering when none is being added or holds queued replies. */
    static final long SWEEP_INTERVAL_NS = 100_000_000L;

    /** Term length of reply publications whose channel does not set one: replies up to 512 KiB. */
    static final int REPLY_TERM_LENGTH = 4 * 1024 * 1024;

    /** Bound on the bytes waiting per channel. */
    static final int MAX_PENDING_BYTES = 4 * 1024 * 1024;

    private final Aeron aeron;
    private final AtomicCounter droppedMessages;
    private final ErrorHandler errorHandler;
    private final Map<String, Channel> byKey = new HashMap<>();
    private final ArrayList<Channel> channels = new ArrayList<>();
    private boolean needsService;
    private long nextSweepNs;

    /**
     * @param aeron           client used to add publications.
     * @param droppedMessages counts replies that could not be delivered.
     * @param errorHandler    told about channels that cannot be opened.
     */
    public ResponseChannels(final Aeron aeron, final AtomicCounter droppedMessages, final ErrorHandler errorHandler)
    {
        this.aeron = aeron;
        this.droppedMessages = droppedMessages;
        this.errorHandler = errorHandler;
    }

    /**
     * Find or open the publication to a channel and stream, and hold a reference to it.
     *
     * @param channel  the client's response channel.
     * @param streamId the client's response stream.
     * @param nowNs    current time.
     * @return the channel; {@link #release} it when no longer needed.
     */
    public Channel acquire(final String channel, final int streamId, final long nowNs)
    {
        final String key = streamId + "|" + channel;
        Channel result = byKey.get(key);
        if (null == result)
        {
            result = new Channel(key, channel, streamId);
            try
            {
                result.registrationId = aeron.asyncAddExclusivePublication(publicationChannel(channel), streamId);
            }
            catch (final RuntimeException ex)
            {
                result.failed = true;
                errorHandler.onError(ex);
            }
            byKey.put(key, result);
            channels.add(result);
        }
        result.references++;
        result.lastUsedNs = nowNs;
        needsService |= null == result.publication;
        return result;
    }

    /**
     * Drop a reference taken with {@link #acquire}; the publication closes after it lingers unused.
     *
     * @param channel to release.
     * @param nowNs   current time.
     */
    public void release(final Channel channel, final long nowNs)
    {
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
        channel.lastUsedNs = nowNs;
        if (channel.failed)
        {
            droppedMessages.incrementRelease();
            return;
        }

        if (0 == channel.pendingLength && null != channel.publication && offer(channel, buffer, offset, length))
        {
            return;
        }

        if (channel.pendingLength + 4 + length > MAX_PENDING_BYTES)
        {
            droppedMessages.incrementRelease();
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
            if (channel.references <= 0 && 0 == channel.pendingLength && nowNs - channel.lastUsedNs > LINGER_NS)
            {
                closeChannel(channel);
                channels.remove(i);
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
        for (final Channel channel : channels)
        {
            closeChannel(channel);
        }
        channels.clear();
        byKey.clear();
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
            droppedMessages.incrementRelease();
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
            droppedMessages.incrementRelease();
            errorHandler.onError(new IllegalArgumentException("reply of " + length + " bytes exceeds the largest " +
                "message (" + publication.maxMessageLength() + ") of " + channel + ": raise its term-length"));
            return true;
        }
        return publication.offer(buffer, offset, length) > 0;
    }

    /**
     * The client's channel, with a modest sparse term buffer unless it names its own: a reply publication per
     * client must not pre-allocate Aeron's default 3 x 16 MiB.
     */
    static String publicationChannel(final String channel)
    {
        final ChannelUri uri = ChannelUri.parse(channel);
        if (null == uri.get(CommonContext.TERM_LENGTH_PARAM_NAME))
        {
            uri.put(CommonContext.TERM_LENGTH_PARAM_NAME, String.valueOf(REPLY_TERM_LENGTH));
        }
        if (null == uri.get(CommonContext.SPARSE_PARAM_NAME))
        {
            uri.put(CommonContext.SPARSE_PARAM_NAME, "true");
        }
        return uri.toString();
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
                droppedMessages.incrementRelease();
            }
            channel.pendingLength = 0;
            return 1;
        }
        return 0;
    }

    private void closeChannel(final Channel channel)
    {
        byKey.remove(channel.key);
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
        private final ExpandableArrayBuffer pending = new ExpandableArrayBuffer(256);
        private long registrationId;
        private ExclusivePublication publication;
        private boolean failed;
        private int references;
        private int pendingLength;
        private long pendingSinceNs;
        private long lastUsedNs;

        Channel(final String key, final String channel, final int streamId)
        {
            this.key = key;
            this.channel = channel;
            this.streamId = streamId;
        }

        public String channel()
        {
            return channel;
        }

        public String toString()
        {
            return "Channel{" + channel + ", streamId=" + streamId + ", references=" + references + '}';
        }
    }
}
