package io.flotilla.engine.node;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionEgressTest
{
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[64 * 1024]);

    @Test
    void messagesAreNumberedRetainedInOrderAndForgottenWhenAcknowledged()
    {
        final SessionEgress egress = new SessionEgress();
        for (long i = 1; i <= 100; i++)
        {
            message.putLong(0, i * 10);
            assertEquals(i, egress.append(1000 + i, message, 0, Long.BYTES));
        }
        assertEquals(100 * (SessionEgress.RECORD_OVERHEAD + Long.BYTES), egress.retainedBytes());
        assertEquals(List.of(41L, 42L, 43L), sequences(egress, 40, 3));

        egress.acknowledge(60);
        assertEquals(60, egress.ackedSequence());
        assertEquals(40 * (SessionEgress.RECORD_OVERHEAD + Long.BYTES), egress.retainedBytes());
        final List<String> seen = new ArrayList<>();
        egress.forEachAfter(0, (sequence, logIndex, buffer, offset, length) ->
            seen.add(sequence + "@" + logIndex + "=" + buffer.getLong(offset)) && seen.size() < 2);
        assertEquals(List.of("61@1061=610", "62@1062=620"), seen, "a visitor that returns false stops");

        egress.acknowledge(50);
        assertEquals(60, egress.ackedSequence(), "an older acknowledgement changes nothing");
        egress.acknowledge(1_000);
        assertEquals(100, egress.ackedSequence(), "bounded by what was sent");
        assertEquals(0, egress.retainedBytes());
        assertEquals(101, egress.append(2000, message, 0, 1));
    }

    @Test
    void theWindowRefusesByItsOwnAccountingAndOpensAgainOnAcknowledgement()
    {
        final SessionEgress egress = new SessionEgress();
        final int length = 60 * 1024;
        long sent = 0;
        while (egress.fits(length))
        {
            sent = egress.append(sent, message, 0, length);
        }
        assertEquals(SessionEgress.WINDOW_BYTES / (SessionEgress.RECORD_OVERHEAD + length), sent);
        assertTrue(egress.fits(SessionEgress.WINDOW_BYTES - egress.retainedBytes() - SessionEgress.RECORD_OVERHEAD));
        assertFalse(egress.fits(SessionEgress.WINDOW_BYTES - egress.retainedBytes() - SessionEgress.RECORD_OVERHEAD + 1));
        egress.acknowledge(1);
        assertTrue(egress.fits(length));
    }

    @Test
    void aSnapshotKeepsTheUnacknowledgedMessagesAndTheNumbering() throws IOException
    {
        final SessionEgress egress = new SessionEgress();
        for (long i = 1; i <= 20; i++)
        {
            message.putLong(0, i);
            egress.append(i, message, 0, Long.BYTES);
        }
        egress.acknowledge(12);

        final SessionEgress loaded = roundTrip(egress);
        assertEquals(20, loaded.lastSequence());
        assertEquals(12, loaded.ackedSequence());
        assertEquals(egress.retainedBytes(), loaded.retainedBytes());
        assertEquals(sequences(egress, 0, 100), sequences(loaded, 0, 100));
        assertEquals(21, loaded.append(21, message, 0, Long.BYTES));
    }

    @Test
    void aClosedSessionRetainsNothing() throws IOException
    {
        final SessionEgress egress = new SessionEgress();
        egress.append(1, message, 0, 100);
        egress.clear();
        assertEquals(0, egress.retainedBytes());
        assertEquals(0, roundTrip(egress).retainedBytes());
    }

    @Test
    void malformedSnapshotBytesAreRefused()
    {
        final byte[] bytes = new byte[20];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        buffer.putLong(0, 5, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putLong(8, 9, java.nio.ByteOrder.BIG_ENDIAN);
        assertThrows(IOException.class, () -> new SessionEgress().readFrom(
            new DataInputStream(new ByteArrayInputStream(bytes)), 7), "acknowledged beyond the last");
    }

    private static SessionEgress roundTrip(final SessionEgress egress) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        egress.writeTo(out);
        out.flush();
        final SessionEgress loaded = new SessionEgress();
        loaded.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), 7);
        return loaded;
    }

    private static List<Long> sequences(final SessionEgress egress, final long after, final int limit)
    {
        final List<Long> sequences = new ArrayList<>();
        egress.forEachAfter(after, (sequence, logIndex, buffer, offset, length) ->
        {
            sequences.add(sequence);
            return sequences.size() < limit;
        });
        return sequences;
    }
}
