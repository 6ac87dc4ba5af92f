package io.flotilla.engine.node;

import io.flotilla.engine.Response;
import io.flotilla.engine.StateMachine;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotContentTest
{
    private static final byte[] KEY = new byte[SessionOpenPayload.KEY_LENGTH];

    @Test
    void sessionsClusterTimeAndTimersRoundTripBeforeTheStateMachinesBytes() throws IOException
    {
        final SessionTable sessions = new SessionTable(null);
        sessions.open(77, KEY, "alice", "aeron:ipc", 11, 0);
        final TimerTable timers = new TimerTable();
        timers.schedule(5, 1_000);
        timers.schedule(-9, 2_000);

        final ByteArrayOutputStream payload = new ByteArrayOutputStream();
        SnapshotContent.writeHead(payload, SnapshotContent.head(sessions, 123_456, timers));
        payload.write(new byte[]{ 'S', 'M' });

        final SessionTable loadedSessions = new SessionTable(null);
        final TimerTable loadedTimers = new TimerTable();
        final RecordingMachine machine = new RecordingMachine();
        assertEquals(123_456, SnapshotContent.load(
            new ByteArrayInputStream(payload.toByteArray()), loadedSessions, loadedTimers, machine, 0));
        assertNotNull(loadedSessions.get(77));
        assertEquals(2, loadedTimers.size());
        assertEquals(1_000, loadedTimers.deadlineOf(5));
        assertEquals(2_000, loadedTimers.deadlineOf(-9));
        assertEquals("SM", machine.loaded);
    }

    @Test
    void aSnapshotWrittenBeforeTimersLoadsWithNoneScheduled() throws IOException
    {
        final SessionTable sessions = new SessionTable(null);
        sessions.open(77, KEY, "alice", "aeron:ipc", 11, 0);
        final ByteArrayOutputStream table = new ByteArrayOutputStream();
        sessions.writeTo(new DataOutputStream(table));

        // Version 2: the version, the session table with its length, then the state machine's bytes.
        final ByteArrayOutputStream payload = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(payload);
        out.writeInt(SnapshotContent.VERSION_WITHOUT_TIMERS);
        out.writeInt(table.size());
        table.writeTo(out);
        out.write(new byte[]{ 'S', 'M' });
        out.flush();

        final TimerTable timers = new TimerTable();
        timers.schedule(1, 1);
        final SessionTable loadedSessions = new SessionTable(null);
        final RecordingMachine machine = new RecordingMachine();
        assertEquals(0, SnapshotContent.load(
            new ByteArrayInputStream(payload.toByteArray()), loadedSessions, timers, machine, 0));
        assertNotNull(loadedSessions.get(77));
        assertEquals(0, timers.size(), "what was scheduled before the load is gone");
        assertEquals("SM", machine.loaded);
    }

    @Test
    void anUnknownVersionIsRefusedNamingTheOnesThisBuildReads()
    {
        final byte[] payload = { 0, 0, 0, 9 };
        final IOException failure = assertThrows(IOException.class, () -> SnapshotContent.load(
            new ByteArrayInputStream(payload), new SessionTable(null), new TimerTable(), new RecordingMachine(), 0));
        assertTrue(failure.getMessage().contains("9") && failure.getMessage().contains("2 to 4"),
            failure.getMessage());
    }

    private static final class RecordingMachine implements StateMachine
    {
        String loaded;

        public void apply(
            final long index,
            final long timestampNs,
            final DirectBuffer command,
            final int offset,
            final int length,
            final Response response)
        {
        }

        public void loadSnapshot(final InputStream in) throws IOException
        {
            loaded = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }
}
