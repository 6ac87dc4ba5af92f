package io.flotilla.samples;

import io.flotilla.engine.Response;
import io.flotilla.engine.SessionCloseReason;
import io.flotilla.engine.SnapshotView;
import io.flotilla.engine.StateMachine;
import io.flotilla.engine.StateMachineContext;
import io.flotilla.samples.codecs.CasDecoder;
import io.flotilla.samples.codecs.CasMode;
import io.flotilla.samples.codecs.ChangeKind;
import io.flotilla.samples.codecs.ClearDecoder;
import io.flotilla.samples.codecs.DeleteDecoder;
import io.flotilla.samples.codecs.GetDecoder;
import io.flotilla.samples.codecs.KvResultEncoder;
import io.flotilla.samples.codecs.KvStatus;
import io.flotilla.samples.codecs.MessageHeaderDecoder;
import io.flotilla.samples.codecs.MessageHeaderEncoder;
import io.flotilla.samples.codecs.PutDecoder;
import io.flotilla.samples.codecs.SubscribeDecoder;
import io.flotilla.samples.codecs.UnsubscribeDecoder;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The replicated KV cache: PUT key value [ttl], GET, DELETE, CLEAR and CAS, each answered with a KvResult.
 * Deterministic: time is the entries' leader timestamps only (TTL expiry included), so every replica applying the
 * same log holds the same state, which {@link #digest()} summarises for comparison. A malformed command is
 * rejected with BAD_COMMAND and counted; nothing throws.
 * <p>
 * GET is also a query ({@link #query}): the same bytes as the GET command, answered from the state after the last
 * applied entry without a log entry (TTL as of that entry's timestamp, as the command sees it; a query expires
 * nothing and counts nothing). Any other query is rejected with BAD_COMMAND, uncounted.
 * <p>
 * Snapshots take the non-blocking form: {@link #snapshotView()} freezes the entries in O(1) and the store goes on
 * changing through a small overlay, merged back a few keys per applied entry once the view is released. The
 * snapshot holds the entries with their deadlines, the store's clock and expiry count, the counters and the digest,
 * in the format {@link KvSnapshot} describes; {@link #writeSnapshot} writes the same bytes from the node thread.
 * <p>
 * <b>Change feed</b> ({@link KvFeed}). SUBSCRIBE makes the session that sends it a subscriber:
 * from then on every applied change (PUT, successful CAS, DELETE of a present key, CLEAR, TTL expiry) is sent to it
 * as one {@code Change} message carrying the entry's log index, in apply order; UNSUBSCRIBE or the session's close
 * ends it. The subscribers are part of the snapshot.
 * <p>
 * {@link #summary()} may be called from any thread: it returns a consistent (applied index, digest, size).
 */
public final class KvStateMachine implements StateMachine
{
    /** Longest key accepted, in UTF-8 bytes. */
    public static final int MAX_KEY_LENGTH = 1024;

    private final KvFeed feed = new KvFeed();
    private StateMachineContext context;
    private final KvStore store = new KvStore(this::onExpired);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final PutDecoder putDecoder = new PutDecoder();
    private final GetDecoder getDecoder = new GetDecoder();
    private final DeleteDecoder deleteDecoder = new DeleteDecoder();
    private final CasDecoder casDecoder = new CasDecoder();
    private final KvResultEncoder resultEncoder = new KvResultEncoder();
    private final byte[] keyScratch = new byte[MAX_KEY_LENGTH];
    private long appliedIndex;
    private long appliedCommands;
    private long badCommands;

    // Seqlock over the published summary: odd while being written.
    private final AtomicLong summaryVersion = new AtomicLong();
    private volatile long publishedIndex;
    private volatile long publishedDigest;
    private volatile int publishedSize;

    /**
     * A consistent view of the state for comparing replicas.
     *
     * @param appliedIndex last log index applied.
     * @param digest       digest of every key, value and deadline.
     * @param size         number of live keys.
     */
    public record Summary(long appliedIndex, long digest, int size)
    {
        @Override
        public String toString()
        {
            return "appliedIndex=" + appliedIndex + " digest=" + String.format("%016x", digest) + " keys=" + size;
        }
    }

    public void apply(
        final long index,
        final long timestampNs,
        final DirectBuffer command,
        final int offset,
        final int length,
        final Response response)
    {
        appliedCommands++;
        advance(index, timestampNs);
        execute(command, offset, length, response);
        feed.sendLostMarkers(index);
        publish();
    }

    public void onStart(final StateMachineContext context)
    {
        this.context = context;
        feed.context(context);
    }

    public void onSessionClose(
        final long index, final long timestampNs, final long sessionId, final SessionCloseReason reason)
    {
        feed.onSessionClose(sessionId);
    }

    /**
     * A GET, read only: the state is not touched (not even the bad-command count).
     */
    public void query(final DirectBuffer query, final int offset, final int length, final Response response)
    {
        if (!KvCodec.isWellFormed(query, offset, length) ||
            GetDecoder.TEMPLATE_ID != headerDecoder.wrap(query, offset).templateId() || !get(query, offset, response))
        {
            result(response, KvStatus.BAD_COMMAND, null, false);
        }
    }

    public void onTimeAdvanced(final long index, final long timestampNs)
    {
        advance(index, timestampNs);
        feed.sendLostMarkers(index);
        publish();
    }

    /**
     * A view of the state after the last applied entry, in O(1): the entries are frozen, not copied, until the view
     * is released.
     *
     * @throws IllegalStateException when a view is already live (the runtime takes one at a time).
     */
    public SnapshotView snapshotView()
    {
        final KvSnapshot.Header header = new KvSnapshot.Header(
            appliedIndex, appliedCommands, badCommands, store.nowNs(), store.expiredCount(), store.digest());
        return new KvSnapshotView(header, store.freeze(), feed.state(), store);
    }

    /**
     * The same bytes as {@link #snapshotView()}'s, written on the calling thread.
     */
    public void writeSnapshot(final OutputStream out) throws IOException
    {
        final SnapshotView view = snapshotView();
        try
        {
            view.writeTo(out);
        }
        finally
        {
            view.release();
        }
    }

    /**
     * Replace the whole state with a snapshot's: entries, deadlines (the timer wheel is rebuilt), clock, counters,
     * the change feed's sessions.
     * The digest recomputed from the entries must equal the one written, and the CRC the bytes'. When loading fails
     * the state is left empty, as new.
     */
    public void loadSnapshot(final InputStream in) throws IOException
    {
        try
        {
            final KvSnapshot.Header header = KvSnapshot.read(in, store, feed);
            appliedIndex = header.appliedIndex();
            appliedCommands = header.appliedCommands();
            badCommands = header.badCommands();
        }
        catch (final IOException ex)
        {
            store.reset(0, 0);
            feed.restore(KvFeed.State.EMPTY);
            appliedIndex = 0;
            appliedCommands = 0;
            badCommands = 0;
            throw ex;
        }
        finally
        {
            publish();
        }
    }

    /**
     * @return the state digest (agent thread, or after the node stopped).
     */
    public long digest()
    {
        return store.digest();
    }

    /**
     * @return the digest recomputed from every entry; equals {@link #digest()} unless there is a bug.
     */
    public long computeDigest()
    {
        return store.computeDigest();
    }

    public long appliedIndex()
    {
        return appliedIndex;
    }

    public int size()
    {
        return store.size();
    }

    /**
     * @return commands applied (each client request is applied once, however often it was sent).
     */
    public long appliedCommands()
    {
        return appliedCommands;
    }

    public long badCommands()
    {
        return badCommands;
    }

    /**
     * @return keys removed by TTL expiry so far.
     */
    public long expiredCount()
    {
        return store.expiredCount();
    }

    /**
     * @return a consistent summary; safe from any thread.
     */
    public Summary summary()
    {
        while (true)
        {
            final long version = summaryVersion.get();
            final long index = publishedIndex;
            final long digest = publishedDigest;
            final int size = publishedSize;
            if ((version & 1) == 0 && summaryVersion.get() == version)
            {
                return new Summary(index, digest, size);
            }
            Thread.onSpinWait();
        }
    }

    private void advance(final long index, final long timestampNs)
    {
        appliedIndex = index;
        store.advanceTime(timestampNs);
        store.mergeStep();
    }

    private void publish()
    {
        final long version = summaryVersion.get();
        summaryVersion.set(version + 1);
        publishedIndex = appliedIndex;
        publishedDigest = store.digest();
        publishedSize = store.size();
        summaryVersion.set(version + 2);
    }

    private void execute(final DirectBuffer command, final int offset, final int length, final Response response)
    {
        if (!KvCodec.isWellFormed(command, offset, length))
        {
            badCommand(response);
            return;
        }

        headerDecoder.wrap(command, offset);
        switch (headerDecoder.templateId())
        {
            case PutDecoder.TEMPLATE_ID:
            {
                putDecoder.wrapAndApplyHeader(command, offset, headerDecoder);
                final long ttlMs = putDecoder.ttlMs();
                final String key = key(putDecoder.keyLength(), putDecoder::getKey);
                if (null == key || ttlMs < 0)
                {
                    badCommand(response);
                    return;
                }
                final byte[] value = new byte[putDecoder.valueLength()];
                putDecoder.getValue(value, 0, value.length);
                store.put(key, value, TimeUnit.MILLISECONDS.toNanos(ttlMs));
                feed.change(appliedIndex, ChangeKind.PUT, key, value);
                result(response, KvStatus.OK, null, true);
                break;
            }

            case GetDecoder.TEMPLATE_ID:
                if (!get(command, offset, response))
                {
                    badCommand(response);
                }
                break;

            case DeleteDecoder.TEMPLATE_ID:
            {
                deleteDecoder.wrapAndApplyHeader(command, offset, headerDecoder);
                final String key = key(deleteDecoder.keyLength(), deleteDecoder::getKey);
                if (null == key)
                {
                    badCommand(response);
                    return;
                }
                final boolean removed = store.remove(key);
                if (removed)
                {
                    feed.change(appliedIndex, ChangeKind.DELETE, key, EMPTY);
                }
                result(response, removed ? KvStatus.OK : KvStatus.NOT_FOUND, null, true);
                break;
            }

            case ClearDecoder.TEMPLATE_ID:
                store.clear();
                feed.change(appliedIndex, ChangeKind.CLEAR, EMPTY, EMPTY);
                result(response, KvStatus.OK, null, true);
                break;

            case SubscribeDecoder.TEMPLATE_ID:
            {
                final long sequence = feed.subscribe(appliedIndex, context.commandSessionId());
                if (sequence > 0)
                {
                    result(response, KvStatus.OK, null, true);
                }
                else
                {
                    result(response, StateMachineContext.WINDOW_FULL == sequence ?
                        KvStatus.WINDOW_FULL : KvStatus.NOT_FOUND, null, false);
                }
                break;
            }

            case UnsubscribeDecoder.TEMPLATE_ID:
                result(response, feed.unsubscribe(context.commandSessionId()) ?
                    KvStatus.OK : KvStatus.NOT_FOUND, null, true);
                break;

            case CasDecoder.TEMPLATE_ID:
                cas(command, offset, response);
                break;

            default: // a KvResult is well formed but is not a command
                badCommand(response);
        }
    }

    /**
     * @return false when the GET's key is too long (nothing answered).
     */
    private boolean get(final DirectBuffer command, final int offset, final Response response)
    {
        getDecoder.wrapAndApplyHeader(command, offset, headerDecoder);
        final String key = key(getDecoder.keyLength(), getDecoder::getKey);
        if (null == key)
        {
            return false;
        }
        final byte[] value = store.get(key);
        result(response, null == value ? KvStatus.NOT_FOUND : KvStatus.OK, value, true);
        return true;
    }

    private void cas(final DirectBuffer command, final int offset, final Response response)
    {
        casDecoder.wrapAndApplyHeader(command, offset, headerDecoder);
        final long ttlMs = casDecoder.ttlMs();
        final CasMode mode = casDecoder.mode();
        final String key = key(casDecoder.keyLength(), casDecoder::getKey);
        if (null == key || ttlMs < 0)
        {
            badCommand(response);
            return;
        }
        final byte[] expected = new byte[casDecoder.expectedLength()];
        casDecoder.getExpected(expected, 0, expected.length);
        final byte[] value = new byte[casDecoder.valueLength()];
        casDecoder.getValue(value, 0, value.length);

        final byte[] current = store.get(key);
        final boolean matches = CasMode.EXPECT_ABSENT == mode ? null == current : Arrays.equals(expected, current);
        if (matches)
        {
            store.put(key, value, TimeUnit.MILLISECONDS.toNanos(ttlMs));
            feed.change(appliedIndex, ChangeKind.PUT, key, value);
            result(response, KvStatus.OK, null, true);
        }
        else
        {
            result(response, KvStatus.CAS_MISMATCH, current, false);
        }
    }

    private void onExpired(final String key)
    {
        feed.change(appliedIndex, ChangeKind.EXPIRE, key, EMPTY);
    }

    @FunctionalInterface
    private interface KeyReader
    {
        int read(byte[] dst, int dstOffset, int length);
    }

    private String key(final int keyLength, final KeyReader reader)
    {
        if (keyLength > MAX_KEY_LENGTH)
        {
            return null;
        }
        reader.read(keyScratch, 0, keyLength);
        return new String(keyScratch, 0, keyLength, StandardCharsets.UTF_8);
    }

    private void badCommand(final Response response)
    {
        badCommands++;
        result(response, KvStatus.BAD_COMMAND, null, false);
    }

    private void result(final Response response, final KvStatus status, final byte[] value, final boolean ok)
    {
        final byte[] bytes = null == value ? EMPTY : value;
        resultEncoder.wrapAndApplyHeader(response.buffer(), 0, headerEncoder)
            .status(status)
            .putValue(bytes, 0, bytes.length);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + resultEncoder.encodedLength();
        if (ok)
        {
            response.ok(length);
        }
        else
        {
            response.reject(length);
        }
    }

    private static final byte[] EMPTY = new byte[0];
}
