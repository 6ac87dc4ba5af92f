package io.flotilla.samples;

import io.flotilla.engine.Response;
import io.flotilla.samples.codecs.KvStatus;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvStateMachineTest
{
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final KvCommands commands = new KvCommands();
    private final ExpandableArrayBuffer command = new ExpandableArrayBuffer(256);
    private final CapturingResponse response = new CapturingResponse();
    private final KvStateMachine kv = new KvStateMachine();
    private long index;

    /** Records what the state machine answered. */
    static final class CapturingResponse implements Response
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        boolean ok;
        int length = -1;

        public MutableDirectBuffer buffer()
        {
            return buffer;
        }

        public void ok(final int length)
        {
            this.ok = true;
            this.length = length;
        }

        public void reject(final int length)
        {
            this.ok = false;
            this.length = length;
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private KvStatus apply(final KvStateMachine machine, final long timestampNs, final int length)
    {
        response.length = -1;
        machine.apply(++index, timestampNs, command, 0, length, response);
        assertTrue(response.length > 0, "every command is answered");
        return commands.status(response.buffer, 0, response.length);
    }

    private KvStatus apply(final long timestampNs, final int length)
    {
        return apply(kv, timestampNs, length);
    }

    private String value()
    {
        return new String(commands.value(response.buffer, 0, response.length), StandardCharsets.UTF_8);
    }

    @Test
    void putGetDeleteClear()
    {
        assertEquals(KvStatus.OK, apply(T0, commands.put(command, 0, "a", bytes("1"), 0)));
        assertTrue(response.ok);
        assertEquals(KvStatus.OK, apply(T0, commands.put(command, 0, "b", bytes("2"), 0)));
        assertEquals(KvStatus.OK, apply(T0, commands.get(command, 0, "a")));
        assertEquals("1", value());
        assertEquals(KvStatus.OK, apply(T0, commands.put(command, 0, "a", bytes("one"), 0)));
        assertEquals(KvStatus.OK, apply(T0, commands.get(command, 0, "a")));
        assertEquals("one", value());

        assertEquals(KvStatus.OK, apply(T0, commands.delete(command, 0, "a")));
        assertEquals(KvStatus.NOT_FOUND, apply(T0, commands.delete(command, 0, "a")));
        assertEquals(KvStatus.NOT_FOUND, apply(T0, commands.get(command, 0, "a")));
        assertTrue(response.ok, "a miss is an answer, not a refusal");
        assertEquals(1, kv.size());

        assertEquals(KvStatus.OK, apply(T0, commands.clear(command, 0)));
        assertEquals(0, kv.size());
        assertEquals(0, kv.digest());
        assertEquals(KvStatus.NOT_FOUND, apply(T0, commands.get(command, 0, "b")));
    }

    @Test
    void compareAndSet()
    {
        assertEquals(KvStatus.OK, apply(T0, commands.cas(command, 0, "k", null, bytes("v1"), 0)));
        assertEquals(KvStatus.CAS_MISMATCH, apply(T0, commands.cas(command, 0, "k", null, bytes("v2"), 0)));
        assertFalse(response.ok, "a failed CAS is rejected");
        assertEquals("v1", value(), "with the current value");

        assertEquals(KvStatus.CAS_MISMATCH, apply(T0, commands.cas(command, 0, "k", bytes("v0"), bytes("v2"), 0)));
        assertEquals(KvStatus.OK, apply(T0, commands.cas(command, 0, "k", bytes("v1"), bytes("v2"), 0)));
        assertEquals(KvStatus.OK, apply(T0, commands.get(command, 0, "k")));
        assertEquals("v2", value());
        assertEquals(KvStatus.CAS_MISMATCH, apply(T0, commands.cas(command, 0, "missing", bytes("x"), bytes("y"), 0)));
        assertEquals("", value());
    }

    private KvStatus query(final int length)
    {
        response.length = -1;
        kv.query(command, 0, length, response);
        assertTrue(response.length > 0, "every query is answered");
        return commands.status(response.buffer, 0, response.length);
    }

    @Test
    void aGetQueryAnswersFromTheStateAsOfTheLastAppliedEntryAndChangesNothing()
    {
        assertEquals(KvStatus.OK, apply(T0, commands.put(command, 0, "a", bytes("1"), 0)));
        assertEquals(KvStatus.OK, apply(T0, commands.put(command, 0, "ttl", bytes("t"), 10)));

        assertEquals(KvStatus.OK, query(commands.get(command, 0, "a")));
        assertTrue(response.ok);
        assertEquals("1", value());
        assertEquals(KvStatus.NOT_FOUND, query(commands.get(command, 0, "missing")));
        assertTrue(response.ok);

        // The key's deadline passed on the local clock, but not on the entries': a query still sees it (it reads at
        // the last applied entry's time and expires nothing), as a GET applied now would.
        final long before = kv.digest();
        assertEquals(KvStatus.OK, query(commands.get(command, 0, "ttl")));
        assertEquals("t", value());
        assertEquals(before, kv.digest());
        assertEquals(2, kv.size());
        assertEquals(0, kv.expiredCount());

        apply(T0 + 10 * MS, commands.put(command, 0, "b", bytes("2"), 0));
        assertEquals(KvStatus.NOT_FOUND, query(commands.get(command, 0, "ttl")), "expired as of the last entry");
        assertEquals(KvStatus.NOT_FOUND, apply(T0 + 10 * MS, commands.get(command, 0, "ttl")), "as a GET command");
    }

    @Test
    void aQueryOtherThanGetIsRejectedUncounted()
    {
        final long applied = kv.appliedCommands();
        assertEquals(KvStatus.BAD_COMMAND, query(commands.put(command, 0, "a", bytes("1"), 0)));
        assertFalse(response.ok);
        assertEquals(KvStatus.BAD_COMMAND, query(commands.delete(command, 0, "a")));
        command.putInt(0, 12345);
        assertEquals(KvStatus.BAD_COMMAND, query(4));
        assertEquals(0, kv.size(), "the PUT query wrote nothing");
        assertEquals(0, kv.badCommands(), "nor counted anything");
        assertEquals(applied, kv.appliedCommands());
    }

    @Test
    void malformedCommandsAreRejectedAndCounted()
    {
        final int length = commands.put(command, 0, "a", bytes("1"), 0);
        assertEquals(KvStatus.BAD_COMMAND, apply(T0, length - 1));
        command.putInt(8 + 8, 1 << 30); // key length beyond the slice
        assertEquals(KvStatus.BAD_COMMAND, apply(T0, length));
        command.setMemory(0, 64, (byte)0x7F);
        assertEquals(KvStatus.BAD_COMMAND, apply(T0, 64));
        assertEquals(KvStatus.BAD_COMMAND, apply(T0, 3));
        assertEquals(KvStatus.BAD_COMMAND, apply(T0, commands.put(command, 0, "a", bytes("1"), -5)));
        assertEquals(KvStatus.BAD_COMMAND, apply(T0, commands.get(command, 0, "k".repeat(KvStateMachine.MAX_KEY_LENGTH + 1))));
        assertFalse(response.ok);
        assertEquals(6, kv.badCommands());
        assertEquals(0, kv.size());
    }

    @Test
    void ttlExpiresByEntryTimeOnly()
    {
        apply(T0, commands.put(command, 0, "short", bytes("s"), 100));
        apply(T0, commands.put(command, 0, "long", bytes("l"), 10_000));
        apply(T0, commands.put(command, 0, "forever", bytes("f"), 0));
        final long digestWithoutShort = KvStore.hash("long", bytes("l"), T0 + 10_000 * MS) +
            KvStore.hash("forever", bytes("f"), KvStore.NO_DEADLINE);

        assertEquals(KvStatus.OK, apply(T0 + 99 * MS, commands.get(command, 0, "short")));
        assertEquals(KvStatus.NOT_FOUND, apply(T0 + 100 * MS, commands.get(command, 0, "short")), "exact deadline");
        assertEquals(2, kv.size());
        assertEquals(digestWithoutShort, kv.digest());

        // Time passes through a no-op / session entry: expiry still happens, with a long idle gap.
        kv.onTimeAdvanced(++index, T0 + TimeUnit.HOURS.toNanos(1));
        assertEquals(1, kv.size());
        assertEquals(2, kv.expiredCount());
        assertEquals(KvStatus.OK, apply(T0 + TimeUnit.HOURS.toNanos(1), commands.get(command, 0, "forever")));
        assertEquals(kv.computeDigest(), kv.digest());
    }

    @Test
    void overwriteReplacesTheDeadline()
    {
        apply(T0, commands.put(command, 0, "k", bytes("1"), 50));
        apply(T0 + 10 * MS, commands.put(command, 0, "k", bytes("2"), 0));
        kv.onTimeAdvanced(++index, T0 + 60 * MS);
        assertEquals(KvStatus.OK, apply(T0 + 60 * MS, commands.get(command, 0, "k")));
        assertEquals("2", value());

        apply(T0 + 70 * MS, commands.put(command, 0, "k", bytes("3"), 100));
        kv.onTimeAdvanced(++index, T0 + 169 * MS);
        assertEquals(1, kv.size());
        kv.onTimeAdvanced(++index, T0 + 170 * MS);
        assertEquals(0, kv.size());
        assertEquals(0, kv.digest());
    }

    @Test
    void timeNeverRunsBackwards()
    {
        apply(T0 + 100 * MS, commands.put(command, 0, "k", bytes("1"), 10));
        kv.onTimeAdvanced(++index, T0); // an older stamp changes nothing
        assertEquals(KvStatus.OK, apply(T0 + 109 * MS, commands.get(command, 0, "k")));
        assertEquals(KvStatus.NOT_FOUND, apply(T0 + 110 * MS, commands.get(command, 0, "k")));
    }

    @Test
    void replicasFedTheSameEntriesEndIdentical()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final KvStateMachine replicaA = new KvStateMachine();
        final KvStateMachine replicaB = new KvStateMachine();
        final List<byte[]> answersA = new ArrayList<>();
        final List<byte[]> answersB = new ArrayList<>();
        long timestampNs = T0;

        for (int i = 0; i < 20_000; i++)
        {
            timestampNs += random.nextInt(3) * MS + random.nextInt(1000);
            final String key = "key-" + random.nextInt(500);
            final byte[] value = bytes("v" + random.nextInt(10));
            final long ttlMs = random.nextBoolean() ? 0 : 1 + random.nextInt(200);
            final int op = random.nextInt(100);
            final int length;
            if (op < 50)
            {
                length = commands.put(command, 0, key, value, ttlMs);
            }
            else if (op < 75)
            {
                length = commands.get(command, 0, key);
            }
            else if (op < 88)
            {
                length = commands.delete(command, 0, key);
            }
            else if (op < 99)
            {
                length = commands.cas(command, 0, key, random.nextBoolean() ? null : value, bytes("c"), ttlMs);
            }
            else
            {
                length = commands.clear(command, 0);
            }

            if (random.nextInt(10) == 0)
            {
                replicaA.onTimeAdvanced(++index, timestampNs);
                replicaB.onTimeAdvanced(index, timestampNs);
            }
            answersA.add(answer(replicaA, ++index, timestampNs, length));
            answersB.add(answer(replicaB, index, timestampNs, length));
        }

        for (int i = 0; i < answersA.size(); i++)
        {
            assertArrayEquals(answersA.get(i), answersB.get(i), "answer " + i + " differs, seed " + seed);
        }
        assertEquals(replicaA.digest(), replicaB.digest(), "seed " + seed);
        assertEquals(replicaA.computeDigest(), replicaA.digest(), "incremental digest, seed " + seed);
        assertEquals(replicaA.summary(), replicaB.summary());
        assertEquals(index, replicaA.summary().appliedIndex());
        assertTrue(replicaA.expiredCount() > 0, "TTL expiry was exercised");

        // One more write on one replica only: the digests must tell them apart.
        answer(replicaB, ++index, timestampNs, commands.put(command, 0, "extra", bytes("x"), 0));
        assertNotEquals(replicaA.digest(), replicaB.digest());
    }

    private byte[] answer(final KvStateMachine machine, final long entryIndex, final long timestampNs, final int length)
    {
        response.length = -1;
        machine.apply(entryIndex, timestampNs, new UnsafeBuffer(command.byteArray(), 0, length), 0, length, response);
        final byte[] answer = new byte[response.length + 1];
        response.buffer.getBytes(0, answer, 0, response.length);
        answer[response.length] = (byte)(response.ok ? 1 : 0);
        return answer;
    }
}
