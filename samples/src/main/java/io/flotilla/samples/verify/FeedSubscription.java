package io.flotilla.samples.verify;

import io.flotilla.samples.KvChange;

import java.util.ArrayList;
import java.util.List;

/**
 * What one subscription to the KV change feed received: from the {@code SUBSCRIBED} marker of a session to the end
 * of that subscription (its session lost, a {@code FEED_LOST} marker, another {@code SUBSCRIBED} marker, or the end of
 * the run). Filled by one thread ({@code KvFeedClient}) and read by {@link FeedChecker} after it stopped.
 */
public final class FeedSubscription
{
    private final long sessionId;
    private final long subscribedIndex;
    private final long markerSequence;
    private final long subscribedAtNs;
    private final List<KvChange> changes = new ArrayList<>();
    private final List<Long> sequences = new ArrayList<>();
    private String endedBy;
    private long fenceIndex;

    /**
     * @param sessionId       of the subscribed session.
     * @param subscribedIndex log index of the SUBSCRIBE entry, from the marker.
     * @param markerSequence  the marker's sequence among the session's messages.
     * @param subscribedAtNs  {@link System#nanoTime()} when the marker arrived: any write invoked later is applied
     *                        after the subscription.
     */
    public FeedSubscription(
        final long sessionId, final long subscribedIndex, final long markerSequence, final long subscribedAtNs)
    {
        this.sessionId = sessionId;
        this.subscribedIndex = subscribedIndex;
        this.markerSequence = markerSequence;
        this.subscribedAtNs = subscribedAtNs;
    }

    /**
     * A change received in the subscription, with its sequence among the session's messages.
     */
    public void add(final long sequence, final KvChange change)
    {
        sequences.add(sequence);
        changes.add(change);
    }

    /**
     * The subscription ended: nothing more is expected in it.
     */
    public void end(final String why)
    {
        if (null == endedBy)
        {
            endedBy = why;
        }
    }

    /**
     * The subscription was live through the end of the run: it received the change of a write made after the
     * workload stopped, at this index, so every write acknowledged before is in it.
     */
    public void fenced(final long index)
    {
        fenceIndex = index;
    }

    public long sessionId()
    {
        return sessionId;
    }

    public long subscribedIndex()
    {
        return subscribedIndex;
    }

    public long markerSequence()
    {
        return markerSequence;
    }

    public long subscribedAtNs()
    {
        return subscribedAtNs;
    }

    public List<KvChange> changes()
    {
        return changes;
    }

    public List<Long> sequences()
    {
        return sequences;
    }

    /**
     * @return why it ended, or null when it did not.
     */
    public String endedBy()
    {
        return endedBy;
    }

    /**
     * @return the index of the fence write it received, or 0 when it was not fenced.
     */
    public long fenceIndex()
    {
        return fenceIndex;
    }

    /**
     * @return the last index it covers: its fence, else the last change it received, else its subscription's.
     */
    public long lastIndex()
    {
        return Math.max(fenceIndex, changes.isEmpty() ? subscribedIndex : changes.get(changes.size() - 1).logIndex());
    }

    @Override
    public String toString()
    {
        return "session " + sessionId + " subscribed at index " + subscribedIndex;
    }
}
