package io.flotilla.samples;

import io.flotilla.engine.StateMachineContext;
import io.flotilla.samples.codecs.ChangeEncoder;
import io.flotilla.samples.codecs.ChangeKind;
import io.flotilla.samples.codecs.MessageHeaderEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.LongArrayList;

import java.nio.charset.StandardCharsets;

/**
 * The KV cache's change feed: the sessions subscribed to it, and the sending of every applied change to each of
 * them as one {@code Change} message through {@link StateMachineContext#sendToSession}, in apply order.
 * <p>
 * Replicated state, like the entries: the subscribers (in subscription order) and the sessions owed a
 * {@code FEED_LOST} marker are in the snapshot ({@link #state()}, {@link #restore}), and every replica makes the same
 * calls in the same order, so every replica gets the same answers.
 * <p>
 * A send refused with {@link StateMachineContext#WINDOW_FULL} (the client stopped acknowledging: 1 MiB of its
 * messages are unacknowledged) drops the session from the feed, the same on every replica: the changes after it are
 * not sent to it. The session is owed a {@code FEED_LOST} marker, tried again after every applied entry until the
 * window has room (the marker is then sent) or the session closes, so a client that recovers learns its feed
 * stopped and at which index, and may subscribe again. A session that closes leaves the feed.
 */
final class KvFeed
{
    /** {@link StateMachineContext#sendToSession}'s bound on a message. */
    static final int MAX_MESSAGE_LENGTH = 1 << 20;

    private static final byte[] EMPTY = new byte[0];

    /**
     * The replicated part, as a snapshot holds it.
     *
     * @param subscribers sessions subscribed, in subscription order.
     * @param lost        sessions dropped from the feed and not yet sent their {@code FEED_LOST} marker.
     */
    record State(long[] subscribers, long[] lost)
    {
        static final State EMPTY = new State(new long[0], new long[0]);
    }

    private final LongArrayList subscribers = new LongArrayList();
    private final LongArrayList lost = new LongArrayList();
    private final ExpandableArrayBuffer message = new ExpandableArrayBuffer(256);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ChangeEncoder changeEncoder = new ChangeEncoder();
    private StateMachineContext context;

    void context(final StateMachineContext context)
    {
        this.context = context;
    }

    /**
     * Subscribe a session from this index on: it is sent a {@code SUBSCRIBED} marker carrying the index, which also
     * ends any earlier subscription of the session (a marker it is owed is superseded).
     *
     * @return the marker's sequence in the session, or {@link StateMachineContext#SESSION_NOT_OPEN} or
     * {@link StateMachineContext#WINDOW_FULL} (not subscribed).
     */
    long subscribe(final long index, final long sessionId)
    {
        final long sequence = send(sessionId, encode(index, ChangeKind.SUBSCRIBED, EMPTY, EMPTY));
        if (sequence > 0)
        {
            lost.removeLong(sessionId);
            if (!subscribers.containsLong(sessionId))
            {
                subscribers.addLong(sessionId);
            }
        }
        return sequence;
    }

    /**
     * @return whether the session was subscribed or owed a marker (it is neither now).
     */
    boolean unsubscribe(final long sessionId)
    {
        final boolean subscribed = subscribers.removeLong(sessionId);
        return lost.removeLong(sessionId) || subscribed;
    }

    /**
     * The session closed: it leaves the feed.
     */
    void onSessionClose(final long sessionId)
    {
        unsubscribe(sessionId);
    }

    boolean hasSubscribers()
    {
        return !subscribers.isEmpty();
    }

    /**
     * Send one change to every subscriber; a subscriber whose window is full is dropped (see the class comment).
     *
     * @param index of the entry that made the change.
     * @param kind  of change.
     * @param key   UTF-8 key, or empty (CLEAR).
     * @param value the new value (PUT), or empty.
     */
    void change(final long index, final ChangeKind kind, final byte[] key, final byte[] value)
    {
        if (subscribers.isEmpty())
        {
            return;
        }
        int length = encode(index, kind, key, value);
        if (length > MAX_MESSAGE_LENGTH)
        {
            length = encode(index, ChangeKind.PUT_VALUE_OMITTED, key, EMPTY);
        }
        for (int i = 0; i < subscribers.size(); )
        {
            final long sessionId = subscribers.getLong(i);
            final long sequence = send(sessionId, length);
            if (sequence > 0)
            {
                i++;
                continue;
            }
            subscribers.removeAt(i);
            if (StateMachineContext.WINDOW_FULL == sequence)
            {
                lost.addLong(sessionId);
            }
        }
    }

    void change(final long index, final ChangeKind kind, final String key, final byte[] value)
    {
        if (!subscribers.isEmpty())
        {
            change(index, kind, key.getBytes(StandardCharsets.UTF_8), value);
        }
    }

    /**
     * After each applied entry: try to send the {@code FEED_LOST} markers still owed.
     */
    void sendLostMarkers(final long index)
    {
        for (int i = 0; i < lost.size(); )
        {
            if (StateMachineContext.WINDOW_FULL == send(lost.getLong(i), encode(index, ChangeKind.FEED_LOST, EMPTY, EMPTY)))
            {
                i++;
            }
            else
            {
                lost.removeAt(i); // sent, or the session is gone
            }
        }
    }

    /**
     * @return a copy of the replicated part, for a snapshot.
     */
    State state()
    {
        return new State(subscribers.toLongArray(), lost.toLongArray());
    }

    /**
     * Replace the replicated part with a snapshot's.
     */
    void restore(final State state)
    {
        subscribers.clear();
        lost.clear();
        for (final long sessionId : state.subscribers())
        {
            subscribers.addLong(sessionId);
        }
        for (final long sessionId : state.lost())
        {
            lost.addLong(sessionId);
        }
    }

    private int encode(final long index, final ChangeKind kind, final byte[] key, final byte[] value)
    {
        changeEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .logIndex(index)
            .kind(kind)
            .putKey(key, 0, key.length)
            .putValue(value, 0, value.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + changeEncoder.encodedLength();
    }

    private long send(final long sessionId, final int length)
    {
        return context.sendToSession(sessionId, message, 0, length);
    }
}
