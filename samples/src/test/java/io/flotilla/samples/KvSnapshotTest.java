package io.flotilla.samples;

import io.flotilla.engine.SnapshotView;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvSnapshotTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    private final ExecutorService snapshotThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void after()
    {
        snapshotThread.shutdownNow();
    }

    /**
     * Lets the snapshot thread write a chunk each time the node thread has applied a batch, so the two surely
     * interleave.
     */
    static final class PacedOutputStream extends OutputStream
    {
        private static final int CHUNK = 512;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Semaphore permits = new Semaphore(0);
        private int sinceLastPause;
        private volatile int pauses;

        public void write(final int b) throws IOException
        {
            pace(1);
            bytes.write(b);
        }

        public void write(final byte[] b, final int off, final int len) throws IOException
        {
            pace(len);
            bytes.write(b, off, len);
        }

        private void pace(final int length) throws IOException
        {
            sinceLastPause += length;
            if (sinceLastPause >= CHUNK)
            {
                sinceLastPause = 0;
                pauses++;
                try
                {
                    if (!permits.tryAcquire(DEADLINE_NS, TimeUnit.NANOSECONDS))
                    {
                        throw new IOException("the node thread stopped handing out permits");
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IOException(ex);
                }
            }
        }
    }

    private static byte[] writeSnapshot(final KvStateMachine machine) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        machine.writeSnapshot(out);
        return out.toByteArray();
    }

    private static byte[] writeView(final SnapshotView view) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        view.writeTo(out);
        return out.toByteArray();
    }

    private static KvStateMachine load(final byte[] snapshot) throws IOException
    {
        final KvStateMachine machine = new KvStateMachine();
        machine.loadSnapshot(new ByteArrayInputStream(snapshot));
        return machine;
    }

    private static void assertSameState(final KvStateMachine expected, final KvStateMachine actual, final String what)
        throws IOException
    {
        assertEquals(expected.summary(), actual.summary(), what);
        assertEquals(expected.digest(), actual.digest(), what);
        assertEquals(expected.size(), actual.size(), what);
        assertEquals(expected.expiredCount(), actual.expiredCount(), what);
        assertEquals(expected.appliedCommands(), actual.appliedCommands(), what);
        assertEquals(expected.badCommands(), actual.badCommands(), what);
        assertEquals(actual.computeDigest(), actual.digest(), what + ": incremental digest");
        assertEquals(SnapshotDump.of(writeSnapshot(expected)), SnapshotDump.of(writeSnapshot(actual)), what);
    }

    @Test
    void aViewWrittenWhileTheNodeAppliesHoldsTheStateAtTheView() throws Exception
    {
        final KvWorkload log = new KvWorkload(7, 40_000, 3_000);
        final int viewAt = 15_000;
        final KvStateMachine original = new KvStateMachine();
        final List<byte[]> answers = log.apply(original, 0, viewAt);

        final SnapshotView view = original.snapshotView();
        final long expiredAtView = original.expiredCount();
        answers.addAll(log.apply(original, viewAt, viewAt + 5_000)); // before the snapshot thread starts

        final PacedOutputStream out = new PacedOutputStream();
        final Future<?> writing = snapshotThread.submit(() ->
        {
            view.writeTo(out);
            return null;
        });
        int next = viewAt + 5_000;
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!writing.isDone())
        {
            assertTrue(System.nanoTime() < deadline, "the snapshot thread did not finish");
            for (int i = 0; i < 20 && next < log.size(); i++)
            {
                answers.add(log.apply(original, next++));
            }
            out.permits.release();
        }
        writing.get();
        view.release();
        assertTrue(out.pauses > 20 && next > viewAt + 5_000 + 400, out.pauses + " pauses, applied to " + next);
        assertTrue(original.expiredCount() > expiredAtView + 100, "keys expired while the view was live");

        answers.addAll(log.apply(original, next, log.size())); // merging the overlay back meanwhile
        assertEquals(original.computeDigest(), original.digest());

        // The bytes are the state at the view: that of a replica that applied only the prefix.
        final byte[] snapshot = out.bytes.toByteArray();
        final KvStateMachine prefixOnly = new KvStateMachine();
        log.apply(prefixOnly, 0, viewAt);
        assertEquals(SnapshotDump.of(writeSnapshot(prefixOnly)), SnapshotDump.of(snapshot));
        final KvStateMachine loaded = load(snapshot);
        assertSameState(prefixOnly, loaded, "loaded at the view");
        assertEquals(viewAt, loaded.summary().appliedIndex());

        // Given the same suffix, the loaded replica answers as the original did and ends identical (TTL included).
        final List<byte[]> loadedAnswers = log.apply(loaded, viewAt, log.size());
        for (int i = viewAt; i < log.size(); i++)
        {
            assertArrayEquals(answers.get(i), loadedAnswers.get(i - viewAt), "answer at index " + (i + 1));
        }
        assertSameState(original, loaded, "after the suffix");
        assertTrue(loaded.expiredCount() > expiredAtView, "expiry continued after the load");
    }

    @Test
    void writeSnapshotWritesTheViewsBytes() throws IOException
    {
        final KvWorkload log = new KvWorkload(11, 12_000, 1_000);
        final KvStateMachine machine = new KvStateMachine();
        log.apply(machine, 0, 5_000);
        final byte[] blocking = writeSnapshot(machine);
        final SnapshotView view = machine.snapshotView();
        assertArrayEquals(blocking, writeView(view));

        // Again while a released view's overlay is half merged back.
        log.apply(machine, 5_000, 9_000);
        view.release();
        log.apply(machine, 9_000, 9_010);
        final byte[] blockingAfter = writeSnapshot(machine);
        final SnapshotView second = machine.snapshotView();
        assertArrayEquals(blockingAfter, writeView(second));
        second.release();
        assertNotEquals(SnapshotDump.of(blocking), SnapshotDump.of(blockingAfter));
    }

    @Test
    void expiryContinuesOnTheSameDeadlinesAfterALoad() throws IOException
    {
        final KvCommands commands = new KvCommands();
        final ExpandableArrayBuffer command = new ExpandableArrayBuffer(128);
        final KvStateMachineTest.CapturingResponse response = new KvStateMachineTest.CapturingResponse();
        final KvStateMachine machine = new KvStateMachine();
        final long t0 = KvWorkload.T0;
        final int putShort = commands.put(command, 0, "short", "s".getBytes(StandardCharsets.UTF_8), 100);
        machine.apply(1, t0, new UnsafeBuffer(command.byteArray(), 0, putShort), 0, putShort, response);
        final int putLong = commands.put(command, 0, "long", "l".getBytes(StandardCharsets.UTF_8), 5_000);
        machine.apply(2, t0, new UnsafeBuffer(command.byteArray(), 0, putLong), 0, putLong, response);
        machine.onTimeAdvanced(3, t0 + 10 * MS);

        final KvStateMachine loaded = load(writeSnapshot(machine));
        for (final KvStateMachine replica : new KvStateMachine[]{ machine, loaded })
        {
            replica.onTimeAdvanced(4, t0 + 99 * MS);
            assertEquals(2, replica.size());
            replica.onTimeAdvanced(5, t0 + 100 * MS);
            assertEquals(1, replica.size(), "expires at its deadline");
            assertEquals(1, replica.expiredCount());
            replica.onTimeAdvanced(6, t0 + TimeUnit.HOURS.toNanos(1));
            assertEquals(0, replica.size());
            assertEquals(2, replica.expiredCount());
        }
        assertSameState(machine, loaded, "after the expiries");
    }

    @Test
    void aLoadWhileAViewIsLiveLeavesTheViewIntact() throws IOException
    {
        final KvWorkload log = new KvWorkload(5, 6_000, 500);
        final KvStateMachine machine = new KvStateMachine();
        log.apply(machine, 0, 3_000);
        final byte[] atView = writeSnapshot(machine);
        final SnapshotView view = machine.snapshotView();

        final KvStateMachine other = new KvStateMachine();
        log.apply(other, 0, 6_000);
        final byte[] otherState = writeSnapshot(other);
        machine.loadSnapshot(new ByteArrayInputStream(otherState));

        assertArrayEquals(atView, writeView(view));
        view.release();
        assertSameState(other, machine, "loaded");
    }

    @Test
    void oneViewAtATime()
    {
        final KvStateMachine machine = new KvStateMachine();
        final SnapshotView view = machine.snapshotView();
        final IllegalStateException second = assertThrows(IllegalStateException.class, machine::snapshotView);
        assertTrue(second.getMessage().contains("already live"), second.getMessage());
        assertThrows(IllegalStateException.class, () -> machine.writeSnapshot(new ByteArrayOutputStream()));
        view.release();
        assertThrows(IllegalStateException.class, view::release);
        machine.snapshotView().release();
    }

    @Test
    void aDamagedSnapshotIsRefusedWithAClearErrorAndLeavesAnEmptyState() throws IOException
    {
        final KvWorkload log = new KvWorkload(3, 4_000, 300);
        final KvStateMachine source = new KvStateMachine();
        log.apply(source, 0, 4_000);
        final byte[] good = writeSnapshot(source);
        assertTrue(source.size() > 10);

        final byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        assertRefused(flipped, "CRC-32C");
        assertRefused(Arrays.copyOf(good, good.length - 7), "truncated");
        assertRefused(Arrays.copyOf(good, 20), "truncated");
        assertRefused(new byte[0], "truncated");

        final byte[] magic = good.clone();
        magic[0] = 'X';
        assertRefused(magic, "not a KV snapshot");
        final byte[] version = good.clone();
        version[7] = 9;
        assertRefused(version, "version 9 is not supported");

        // Intact bytes whose entries are not the state the digest describes (a view that saw a later write).
        final byte[] inconsistent = good.clone();
        final int digestOffset = 4 + 4 + 5 * 8;
        ByteBuffer.wrap(inconsistent).putLong(digestOffset, source.digest() + 1);
        rewriteCrc(inconsistent);
        assertRefused(inconsistent, "inconsistent KV snapshot");
    }

    private static void rewriteCrc(final byte[] snapshot)
    {
        final CRC32C crc = new CRC32C();
        crc.update(snapshot, 0, snapshot.length - 4);
        ByteBuffer.wrap(snapshot).putInt(snapshot.length - 4, (int)crc.getValue());
    }

    private static void assertRefused(final byte[] snapshot, final String reason) throws IOException
    {
        final KvStateMachine machine = new KvStateMachine();
        new KvWorkload(1, 500, 50).apply(machine, 0, 500);
        final IOException ex = assertThrows(
            IOException.class, () -> machine.loadSnapshot(new ByteArrayInputStream(snapshot)));
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
        assertSameState(new KvStateMachine(), machine, "empty after a refused load");
    }
}
