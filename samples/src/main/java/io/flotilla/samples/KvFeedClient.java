package io.flotilla.samples;

import io.flotilla.engine.ReadConsistency;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.client.FlotillaClientException;
import io.flotilla.engine.client.Outcome;
import io.flotilla.samples.codecs.ChangeKind;
import io.flotilla.samples.verify.FeedChecker;
import io.flotilla.samples.verify.FeedSubscription;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A subscriber to the KV change feed, driven by one thread through {@link #doWork()}: opens a session, subscribes it
 * (SUBSCRIBE), and records what the feed sends in one {@link FeedSubscription} per
 * subscription. It subscribes again on the same session after a {@code FEED_LOST} marker, and on a new session when
 * its session is lost (expired, no leader, closed); an idle session is probed with a linearizable GET query every
 * {@link #PROBE_INTERVAL_NS} so that its loss is seen without a write. {@link #fence} ends a run: a write of its own,
 * once received, proves every write acknowledged before it was delivered.
 */
public final class KvFeedClient implements AutoCloseable
{
    /** How often an idle session is probed. */
    public static final long PROBE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);

    private static final long CALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final String PROBE_KEY = "feed-probe";

    /**
     * Told of each change as it is recorded, on the feed's thread.
     */
    @FunctionalInterface
    public interface ChangeListener
    {
        void onChange(FeedSubscription subscription, KvChange change);
    }

    private final Supplier<FlotillaClient.Context> contexts;
    private final ChangeListener listener;
    private final KvCommands commands = new KvCommands();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private final List<FeedSubscription> subscriptions = new ArrayList<>();
    private final List<String> fenceWrites = new ArrayList<>();
    private FlotillaClient client;
    private long sessionId;
    private FeedSubscription current;
    private boolean subscribed;
    private long nextProbeNs;
    private long sessions;
    private long strayMessages;
    private String lastFailure = "none";

    /**
     * @param contexts a new client context for each session (its session message listener is set here).
     * @param listener told of each change.
     */
    public KvFeedClient(final Supplier<FlotillaClient.Context> contexts, final ChangeListener listener)
    {
        this.contexts = contexts;
        this.listener = listener;
    }

    /**
     * Connect and subscribe when needed, deliver what arrived, probe the session when due.
     *
     * @return work done; 0 when idle (or when connecting failed: call again after a pause).
     */
    public int doWork()
    {
        if (null == client && !connect())
        {
            return 0;
        }
        if (!subscribed)
        {
            subscribe();
            return 1;
        }
        int work = client.poll();
        if (System.nanoTime() - nextProbeNs >= 0)
        {
            probe();
            work++;
        }
        return work;
    }

    /**
     * Write {@code key} (a key nobody else writes) and wait until the feed delivers the change: the subscription
     * that receives it was live from its start until then, so every write acknowledged before it is in it. On a lost
     * session it subscribes again and writes again, with a new value.
     *
     * @return the fenced subscription, or null when the deadline passed first.
     */
    public FeedSubscription fence(final String key, final long deadlineNs)
    {
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (0 == doWork() && null == client)
            {
                pause();
                continue;
            }
            if (!subscribed)
            {
                pause();
                continue;
            }
            final String value = "fence-" + sessionId + "-" + fenceWrites.size();
            fenceWrites.add(FeedChecker.write(key, value));
            if (!call(commands.put(buffer, 0, key, value.getBytes(StandardCharsets.UTF_8), 0)))
            {
                continue;
            }
            final FeedSubscription fenced = awaitChange(key, value, deadlineNs);
            if (null != fenced)
            {
                return fenced;
            }
        }
        return null;
    }

    /**
     * @return every subscription so far, the current one last.
     */
    public List<FeedSubscription> subscriptions()
    {
        return subscriptions;
    }

    /**
     * @return the fence writes made (as {@code FeedChecker.write} names them), received or not.
     */
    public List<String> fenceWrites()
    {
        return fenceWrites;
    }

    /**
     * @return sessions opened.
     */
    public long sessions()
    {
        return sessions;
    }

    /**
     * @return messages that were not a change, or arrived outside a subscription (there should be none).
     */
    public long strayMessages()
    {
        return strayMessages;
    }

    /**
     * @return the last reason a session was lost or a request failed.
     */
    public String lastFailure()
    {
        return lastFailure;
    }

    public void close()
    {
        lose("closed");
    }

    private boolean connect()
    {
        try
        {
            client = FlotillaClient.connect(contexts.get().sessionMessageListener(this::onMessage));
            sessionId = client.sessionId();
            sessions++;
            nextProbeNs = System.nanoTime() + PROBE_INTERVAL_NS;
            return true;
        }
        catch (final FlotillaClientException ex)
        {
            lastFailure = ex.getMessage();
            return false;
        }
    }

    private void subscribe()
    {
        subscribed = call(commands.subscribe(buffer, 0));
    }

    private void probe()
    {
        nextProbeNs = System.nanoTime() + PROBE_INTERVAL_NS;
        try
        {
            client.query(ReadConsistency.LINEARIZABLE, buffer, 0, commands.get(buffer, 0, PROBE_KEY), CALL_TIMEOUT_NS);
        }
        catch (final FlotillaClientException ex)
        {
            failed(ex);
        }
    }

    /**
     * @return whether the command was answered OK; false also after a refusal or a timeout (the session is kept) or
     * a lost session (then closed).
     */
    private boolean call(final int length)
    {
        try
        {
            client.call(buffer, 0, length, CALL_TIMEOUT_NS);
            return true;
        }
        catch (final FlotillaClientException ex)
        {
            failed(ex);
            return false;
        }
    }

    private void failed(final FlotillaClientException ex)
    {
        lastFailure = ex.getMessage();
        switch (ex.reason())
        {
            case REJECTED:
            case TIMEOUT:
            case BACK_PRESSURED:
                break; // the session is still open: try again later
            default:
                lose("session lost: " + ex.reason() + " (" + ex.getMessage() + ")");
        }
    }

    private FeedSubscription awaitChange(final String key, final String value, final long deadlineNs)
    {
        while (null != client && System.nanoTime() - deadlineNs < 0)
        {
            final FeedSubscription subscription = current;
            if (null != subscription)
            {
                final List<KvChange> changes = subscription.changes();
                for (int i = changes.size() - 1; i >= 0; i--)
                {
                    final KvChange change = changes.get(i);
                    if (ChangeKind.PUT == change.kind() && key.equals(change.key()) && value.equals(change.valueText()))
                    {
                        subscription.fenced(change.logIndex());
                        return subscription;
                    }
                }
            }
            if (!subscribed)
            {
                return null; // the feed was lost: the caller subscribes again and writes again
            }
            if (0 == doWork())
            {
                Thread.onSpinWait();
            }
        }
        return null;
    }

    private void onMessage(
        final long sequence,
        final long logIndex,
        final Outcome outcome,
        final DirectBuffer message,
        final int offset,
        final int length)
    {
        final KvChange change = Outcome.OK == outcome ? commands.change(message, offset, length) : null;
        if (null == change)
        {
            strayMessages++;
            return;
        }
        switch (change.kind())
        {
            case SUBSCRIBED:
                endCurrent("subscribed again");
                current = new FeedSubscription(sessionId, change.logIndex(), sequence, System.nanoTime());
                subscriptions.add(current);
                subscribed = true;
                break;

            case FEED_LOST:
                endCurrent("feed lost after index " + change.logIndex());
                subscribed = false;
                break;

            default:
                if (null == current)
                {
                    strayMessages++;
                    return;
                }
                current.add(sequence, change);
                listener.onChange(current, change);
        }
    }

    private void endCurrent(final String why)
    {
        if (null != current)
        {
            current.end(why);
            current = null;
        }
    }

    private void lose(final String why)
    {
        endCurrent(why);
        subscribed = false;
        CloseHelper.quietClose(client);
        client = null;
    }

    private static void pause()
    {
        try
        {
            Thread.sleep(50);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
