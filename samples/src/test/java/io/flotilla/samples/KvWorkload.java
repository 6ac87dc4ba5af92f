package io.flotilla.samples;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic KV log from a seed: puts (half with a TTL), gets, deletes, CAS, a rare clear, and entries that
 * only advance time, so expiry runs throughout. Step i is log index i + 1; any stretch of it can be applied to any
 * state machine, and the answers compared.
 */
final class KvWorkload
{
    static final long T0 = 1_700_000_000_000_000_000L;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * @param timestampNs leader timestamp of the entry.
     * @param command     the command, or null for an entry that only advances time.
     */
    record Step(long timestampNs, byte[] command)
    {
    }

    private final List<Step> steps = new ArrayList<>();
    private final KvStateMachineTest.CapturingResponse response = new KvStateMachineTest.CapturingResponse();

    KvWorkload(final long seed, final int count, final int keys)
    {
        final Random random = new Random(seed);
        final KvCommands commands = new KvCommands();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        long timestampNs = T0;
        for (int i = 0; i < count; i++)
        {
            timestampNs += random.nextInt(3) * MS + random.nextInt(1000);
            if (random.nextInt(10) == 0)
            {
                steps.add(new Step(timestampNs, null));
                continue;
            }

            final String key = "key-" + random.nextInt(keys);
            final byte[] value = random.nextBoolean() ? smallValue(random) : randomValue(random);
            final long ttlMs = random.nextBoolean() ? 0 : 1 + random.nextInt(300);
            final int op = random.nextInt(10_000);
            final int length;
            if (op < 5_500)
            {
                length = commands.put(buffer, 0, key, value, ttlMs);
            }
            else if (op < 7_500)
            {
                length = commands.get(buffer, 0, key);
            }
            else if (op < 8_800)
            {
                length = commands.delete(buffer, 0, key);
            }
            else if (op < 9_998)
            {
                final byte[] expected = random.nextBoolean() ? null : smallValue(random);
                length = commands.cas(buffer, 0, key, expected, value, ttlMs);
            }
            else
            {
                length = commands.clear(buffer, 0);
            }
            steps.add(new Step(timestampNs, Arrays.copyOf(buffer.byteArray(), length)));
        }
    }

    private static byte[] smallValue(final Random random)
    {
        return ("v" + random.nextInt(4)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomValue(final Random random)
    {
        final byte[] value = new byte[1 + random.nextInt(64)];
        random.nextBytes(value);
        return value;
    }

    int size()
    {
        return steps.size();
    }

    /**
     * Apply step {@code i} (log index i + 1).
     *
     * @return the answer (result bytes and a final ok byte), or null for an entry that only advances time.
     */
    byte[] apply(final KvStateMachine machine, final int i)
    {
        final Step step = steps.get(i);
        if (null == step.command())
        {
            machine.onTimeAdvanced(i + 1, step.timestampNs());
            return null;
        }
        response.length = -1;
        machine.apply(
            i + 1, step.timestampNs(), new UnsafeBuffer(step.command()), 0, step.command().length, response);
        final byte[] answer = new byte[response.length + 1];
        response.buffer.getBytes(0, answer, 0, response.length);
        answer[response.length] = (byte)(response.ok ? 1 : 0);
        return answer;
    }

    /**
     * Apply steps [from, to) and return their answers.
     */
    List<byte[]> apply(final KvStateMachine machine, final int from, final int to)
    {
        final List<byte[]> answers = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            answers.add(apply(machine, i));
        }
        return answers;
    }
}
