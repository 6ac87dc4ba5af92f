package io.flotilla.engine.node;

import io.flotilla.codecs.ResponseStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionTableTest
{
    private static final byte[] KEY = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

    @Test
    void snapshotKeepsEachSessionsRandomIdKeyAndPrincipal() throws IOException
    {
        final SessionTable table = new SessionTable(null);
        final long id = 0x9E37_79B9_7F4A_7C15L;
        final Session open = table.open(id, KEY, "alice", "aeron:udp?endpoint=localhost:1", 11, 0);
        open.cacheResponse(1, 40, ResponseStatus.OK, new UnsafeBuffer(new byte[]{ 42 }), 0, 1);
        table.open(-7, KEY.clone(), "", "aeron:ipc", 12, 0);
        table.close(-7, 0);

        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        table.writeTo(new DataOutputStream(bytes));
        final SessionTable loaded = new SessionTable(null);
        loaded.loadFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), true, 0);

        final Session session = loaded.get(id);
        assertNotNull(session);
        assertArrayEquals(KEY, session.key());
        assertEquals("alice", session.principal());
        assertEquals(1, session.lastAppliedSequence());
        assertTrue(session.isCached(1));
        assertNull(session.binding(), "the binding is local to the leader, never in a snapshot");
        assertTrue(loaded.get(-7).isClosed());
        assertEquals("", loaded.get(-7).principal());
    }

    @Test
    void anIdThatIsZeroOrTakenOpensNothing()
    {
        final SessionTable table = new SessionTable(null);
        assertNull(table.open(0, KEY, "", "aeron:ipc", 11, 0));
        assertNotNull(table.open(5, KEY, "", "aeron:ipc", 11, 0));
        assertNull(table.open(5, KEY, "other", "aeron:ipc", 11, 0), "a duplicate is refused the same everywhere");
        assertEquals(1, table.openCount());

        table.proposedOpen(6, new IngressBinding(99, "127.0.0.1:4000"));
        assertTrue(table.isTaken(6));
        assertEquals(1, table.proposedOpenCount());
        final Session bound = table.open(6, KEY, "", "aeron:ipc", 11, 0);
        assertTrue(bound.binding().matches(99, "127.0.0.1:4000"), "bound to the connection that asked for it");
        assertEquals(0, table.proposedOpenCount());
    }
}
