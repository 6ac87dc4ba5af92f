package io.flotilla.engine.node;

import io.flotilla.engine.Response;
import io.flotilla.engine.StateMachine;
import io.flotilla.engine.raft.Configuration;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
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

    private static final String[] ENDPOINTS = new String[Configuration.MAX_MEMBER_ID + 1];

    static
    {
        ENDPOINTS[0] = "localhost:1000:1001";
        ENDPOINTS[1] = "localhost:1010:1011";
        ENDPOINTS[2] = "localhost:1020:1021";
    }

    @Test
    void sessionsClusterTimeTimersAndConfigurationRoundTripBeforeTheStateMachinesBytes() throws IOException
    {
        final SessionTable sessions = new SessionTable(null);
        sessions.open(77, KEY, "alice", "aeron:ipc", 11, 0);
        final TimerTable timers = new TimerTable();
        timers.schedule(5, 1_000);
        timers.schedule(-9, 2_000);

        final String[] endpoints = ENDPOINTS.clone();
        endpoints[5] = "otherhost:1050:1051";
        final Configuration grown = new Configuration(new int[]{ 0, 1, 2 }, new int[0], new int[]{ 5 }, endpoints);
        final AppliedConfiguration configuration = bootstrap();
        final UnsafeBuffer entry = new UnsafeBuffer(new byte[grown.encodedLength()]);
        configuration.onEntry(40, entry, 0, grown.encode(entry, 0));

        final ByteArrayOutputStream payload = new ByteArrayOutputStream();
        SnapshotContent.writeHead(payload, SnapshotContent.head(sessions, 123_456, timers, configuration));
        payload.write(new byte[]{ 'S', 'M' });

        final SessionTable loadedSessions = new SessionTable(null);
        final TimerTable loadedTimers = new TimerTable();
        final AppliedConfiguration loadedConfiguration = bootstrap();
        final RecordingMachine machine = new RecordingMachine();
        assertEquals(123_456, SnapshotContent.load(new ByteArrayInputStream(payload.toByteArray()), 50,
            new int[]{ 0, 1, 2 }, loadedSessions, loadedTimers, loadedConfiguration, machine, 0));
        assertEquals(grown, loadedConfiguration.configuration());
        assertEquals("otherhost:1050:1051", loadedConfiguration.configuration().endpoint(5));
        assertEquals(50, loadedConfiguration.history().latestIndex(), "in effect from the snapshot's index");
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
        final AppliedConfiguration configuration = bootstrap();
        assertEquals(0, SnapshotContent.load(new ByteArrayInputStream(payload.toByteArray()), 9,
            new int[]{ 0, 2 }, loadedSessions, timers, configuration, machine, 0));
        assertNotNull(loadedSessions.get(77));
        assertEquals(0, timers.size(), "what was scheduled before the load is gone");
        assertEquals(Configuration.ofVoters(0, 2).withEndpoints(ENDPOINTS), configuration.configuration(),
            "the header's members, at the spec's endpoints");
        assertEquals("SM", machine.loaded);
    }

    @Test
    void anUnknownVersionIsRefusedNamingTheOnesThisBuildReads()
    {
        final byte[] payload = { 0, 0, 0, 9 };
        final IOException failure = assertThrows(IOException.class, () -> SnapshotContent.load(
            new ByteArrayInputStream(payload), 1, new int[]{ 0 }, new SessionTable(null), new TimerTable(),
            bootstrap(), new RecordingMachine(), 0));
        assertTrue(failure.getMessage().contains("9") && failure.getMessage().contains("2 to 5"),
            failure.getMessage());
    }

    private static AppliedConfiguration bootstrap()
    {
        return new AppliedConfiguration(new Configuration(new int[]{ 0, 1, 2 }, new int[0], new int[0], ENDPOINTS));
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
