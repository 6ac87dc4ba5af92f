package io.flotilla.samples;

import io.flotilla.engine.SessionCloseReason;
import io.flotilla.engine.SnapshotView;
import io.flotilla.engine.StateMachineContext;
import io.flotilla.samples.codecs.ChangeKind;
import io.flotilla.samples.codecs.KvStatus;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The KV change feed ({@link KvFeed}) through {@link KvStateMachine}: what each kind of command sends to the
 * subscribers, session close and unsubscribe, a full window, and the subscribers through both snapshot forms and the
 * version 1 format.
 */
class KvFeedTest
{
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final KvCommands commands = new KvCommands();
    private final ExpandableArrayBuffer command = new ExpandableArrayBuffer(256);
    private final KvStateMachineTest.CapturingResponse response = new KvStateMachineTest.CapturingResponse();
    private final Sessions sessions = new Sessions();
    private final KvStateMachine kv = started(sessions);
    private long index;

    /**
     * Open sessions and the messages sent to each, as the runtime would number them; a session can be made to refuse
     * with a full window.
     */
    static final class Sessions implements StateMachineContext
    {
        final Map<Long, List<KvChange>> received = new HashMap<>();
        final Long2LongHashMap windowLeft = new Long2LongHashMap(Long.MAX_VALUE);
        private final KvCommands decoder = new KvCommands();

        void open(final long sessionId)
        {
            received.put(sessionId, new ArrayList<>());
        }

        void close(final long sessionId)
        {
            received.remove(sessionId);
        }

        List<KvChange> of(final long sessionId)
        {
            return received.get(sessionId);
        }

        public void scheduleTimer(final long correlationId, final long deadlineNs)
        {
            throw new UnsupportedOperationException();
        }

        public boolean cancelTimer(final long correlationId)
        {
            throw new UnsupportedOperationException();
        }

        /** The session the next command comes from. */
        long caller;

        public long commandSessionId()
        {
            return caller;
        }

        public long sendToSession(final long sessionId, final DirectBuffer buffer, final int offset, final int length)
        {
            final List<KvChange> messages = received.get(sessionId);
            if (null == messages)
            {
                return SESSION_NOT_OPEN;
            }
            final long left = windowLeft.get(sessionId);
            if (0 == left)
            {
                return WINDOW_FULL;
            }
            windowLeft.put(sessionId, left - 1);
            messages.add(decoder.change(buffer, offset, length));
            return messages.size();
        }
    }

    private static KvStateMachine started(final StateMachineContext context)
    {
        final KvStateMachine machine = new KvStateMachine();
        machine.onStart(context);
        return machine;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private KvStatus apply(final KvStateMachine machine, final long timestampNs, final int length)
    {
        response.length = -1;
        machine.apply(++index, timestampNs, command, 0, length, response);
        return commands.status(response.buffer, 0, response.length);
    }

    private KvStatus apply(final int length)
    {
        return apply(kv, T0, length);
    }

    private KvStatus subscribe(final long sessionId)
    {
        sessions.caller = sessionId;
        return apply(commands.subscribe(command, 0));
    }

    private KvStatus unsubscribe(final long sessionId)
    {
        sessions.caller = sessionId;
        return apply(commands.unsubscribe(command, 0));
    }

    private static String text(final List<KvChange> changes)
    {
        return changes.stream().map(KvChange::toString).toList().toString();
    }

    @Test
    void everyAppliedChangeReachesEverySubscriberInApplyOrderWithItsLogIndex()
    {
        sessions.open(7);
        sessions.open(8);
        assertEquals(KvStatus.OK, apply(commands.put(command, 0, "before", bytes("x"), 0)));
        assertEquals(KvStatus.OK, subscribe(7));
        assertEquals(KvStatus.OK, subscribe(8));
        assertEquals(KvStatus.OK, apply(commands.put(command, 0, "a", bytes("1"), 10)));
        assertEquals(KvStatus.OK, apply(commands.cas(command, 0, "a", bytes("1"), bytes("2"), 0)));
        assertEquals(KvStatus.CAS_MISMATCH, apply(commands.cas(command, 0, "a", bytes("1"), bytes("3"), 0)));
        assertEquals(KvStatus.OK, apply(commands.put(command, 0, "t", bytes("ttl"), 10)));
        assertEquals(KvStatus.OK, apply(commands.get(command, 0, "a")));
        assertEquals(KvStatus.OK, apply(commands.delete(command, 0, "a")));
        assertEquals(KvStatus.NOT_FOUND, apply(commands.delete(command, 0, "a")));
        kv.onTimeAdvanced(++index, T0 + 20 * MS);
        assertEquals(KvStatus.OK, apply(commands.clear(command, 0)));

        assertEquals("[2 SUBSCRIBED, 4 PUT a = 1, 5 PUT a = 2, 7 PUT t = ttl, 9 DELETE a, 11 EXPIRE t, 12 CLEAR]",
            text(sessions.of(7)));
        assertEquals(text(sessions.of(7).subList(1, 7)), text(sessions.of(8).subList(1, 7)));
        assertEquals("3 SUBSCRIBED", sessions.of(8).get(0).toString());
    }

    @Test
    void aClosedOrUnsubscribedSessionLeavesTheFeedAndOnlyAnOpenSessionCanSubscribe()
    {
        assertEquals(KvStatus.NOT_FOUND, subscribe(5));
        assertFalse(response.ok, "refused: no such session");
        sessions.open(5);
        sessions.open(6);
        subscribe(5);
        subscribe(6);
        kv.onSessionClose(++index, T0, 5, SessionCloseReason.CLIENT_CLOSE);
        sessions.close(5);
        assertEquals(KvStatus.OK, unsubscribe(6));
        assertEquals(KvStatus.NOT_FOUND, unsubscribe(6));
        assertEquals(KvStatus.OK, apply(commands.put(command, 0, "k", bytes("v"), 0)));
        assertEquals(1, sessions.of(6).size(), "only the marker: " + text(sessions.of(6)));
        sessions.open(5);
        apply(commands.put(command, 0, "k", bytes("w"), 0));
        assertTrue(sessions.of(5).isEmpty(), "a session that closed is not sent changes under its id");
    }

    @Test
    void aFullWindowDropsTheSubscriberWhichGetsFeedLostOnceThereIsRoomAndMaySubscribeAgain()
    {
        sessions.open(3);
        sessions.open(4);
        subscribe(3);
        subscribe(4);
        sessions.windowLeft.put(3, 1);
        apply(commands.put(command, 0, "a", bytes("1"), 0)); // fits
        apply(commands.put(command, 0, "a", bytes("2"), 0)); // refused: session 3 leaves the feed
        apply(commands.put(command, 0, "a", bytes("3"), 0));
        sessions.windowLeft.put(3, 10);
        kv.onTimeAdvanced(++index, T0 + MS); // the marker is sent now
        apply(commands.put(command, 0, "a", bytes("4"), 0));
        assertEquals("[1 SUBSCRIBED, 3 PUT a = 1, 6 FEED_LOST]", text(sessions.of(3)));
        assertEquals(5, sessions.of(4).size(), "the other subscriber is not affected: " + text(sessions.of(4)));

        assertEquals(KvStatus.OK, subscribe(3));
        apply(commands.put(command, 0, "a", bytes("5"), 0));
        assertEquals("[8 SUBSCRIBED, 9 PUT a = 5]", text(sessions.of(3).subList(3, 5)));

        sessions.windowLeft.put(3, 0);
        assertEquals(KvStatus.WINDOW_FULL, subscribe(3));
        assertFalse(response.ok);
    }

    @Test
    void aValueTooLargeForAMessageIsSentWithoutIt()
    {
        sessions.open(1);
        subscribe(1);
        final byte[] large = new byte[KvFeed.MAX_MESSAGE_LENGTH];
        apply(commands.put(command, 0, "big", large, 0));
        assertEquals("2 PUT_VALUE_OMITTED big", sessions.of(1).get(1).toString());
    }

    @Test
    void theSubscribersAndTheOwedMarkersSurviveBothSnapshotForms() throws IOException
    {
        sessions.open(1);
        sessions.open(2);
        sessions.open(9);
        apply(commands.put(command, 0, "k", bytes("v"), 0));
        subscribe(9);
        subscribe(1);
        subscribe(2);
        sessions.windowLeft.put(2, 0);
        apply(commands.put(command, 0, "k", bytes("w"), 0)); // session 2 now owed FEED_LOST

        final SnapshotView view = kv.snapshotView();
        final ByteArrayOutputStream fromView = new ByteArrayOutputStream();
        subscribe(2); // after the view: not in it
        view.writeTo(fromView);
        view.release();
        unsubscribe(2);
        final byte[] written = kvSnapshot(kv);

        assertEquals(List.of(9L, 1L), SnapshotDump.of(written).subscribers());
        assertEquals(List.of(2L), SnapshotDump.of(fromView.toByteArray()).lost());
        assertEquals(List.of(), SnapshotDump.of(written).lost());
        assertLoaded(fromView.toByteArray(), "[100 FEED_LOST]");
        assertLoaded(written, "[]");

        assertArrayEquals(written, kvSnapshot(kv), "writing twice gives the same bytes");
    }

    /**
     * Loads the snapshot on a new replica and applies one PUT: sessions 9 and 1 are subscribers.
     */
    private void assertLoaded(final byte[] snapshot, final String expectedForSession2) throws IOException
    {
        final Sessions restored = new Sessions();
        restored.open(1);
        restored.open(2);
        restored.open(9);
        final KvStateMachine loaded = started(restored);
        loaded.loadSnapshot(new ByteArrayInputStream(snapshot));
        assertEquals(kv.digest(), loaded.digest());
        loaded.apply(100, T0 + MS, command, 0, commands.put(command, 0, "k", bytes("x"), 0), response);
        assertEquals("[100 PUT k = x]", text(restored.of(9)));
        assertEquals("[100 PUT k = x]", text(restored.of(1)));
        assertEquals(expectedForSession2, text(restored.of(2)), "the owed marker is in the snapshot");
    }

    @Test
    void aVersion1SnapshotLoadsWithNoSubscribers() throws IOException
    {
        final KvStateMachine source = new KvStateMachine();
        source.apply(1, T0, command, 0, commands.put(command, 0, "k", bytes("v"), 0), response);
        final byte[] version1 = version1(kvSnapshot(source));

        sessions.open(9);
        subscribe(9);
        kv.loadSnapshot(new ByteArrayInputStream(version1));
        assertEquals(source.digest(), kv.digest());
        assertEquals(1, kv.appliedIndex());
        kv.apply(2, T0 + MS, command, 0, commands.put(command, 0, "k", bytes("w"), 0), response);
        assertEquals("[1 SUBSCRIBED]", text(sessions.of(9)), "a version 1 snapshot has no subscribers");
    }

    private static byte[] kvSnapshot(final KvStateMachine machine) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        machine.writeSnapshot(out);
        return out.toByteArray();
    }

    /**
     * A snapshot without subscribers in the version 1 format: less its feed section (two zero counts).
     */
    private static byte[] version1(final byte[] version2)
    {
        final byte[] v1 = new byte[version2.length - 2 * Integer.BYTES];
        System.arraycopy(version2, 0, v1, 0, v1.length - Integer.BYTES);
        ByteBuffer.wrap(v1).putInt(Integer.BYTES, KvSnapshot.VERSION_WITHOUT_FEED);
        final CRC32C crc = new CRC32C();
        crc.update(v1, 0, v1.length - Integer.BYTES);
        ByteBuffer.wrap(v1).putInt(v1.length - Integer.BYTES, (int)crc.getValue());
        return v1;
    }
}
