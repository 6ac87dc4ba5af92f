package io.flotilla.perf.snapshot;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.ProposalCallback;
import io.flotilla.engine.ProposalResult;
import io.flotilla.engine.ProposalStatus;
import io.flotilla.samples.KvCommands;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * KV puts proposed in process on a leader ({@link ClusterNode#propose}), cycling over a fixed set of keys so that
 * the state stays the same size however many commands the log holds: the state of the snapshot benchmarks. Each
 * value carries its command's sequence, so every put changes the state. At most {@link #MAX_IN_FLIGHT} commands and
 * {@link #MAX_IN_FLIGHT_BYTES} bytes are outstanding; a command the node back-pressures is not counted and the next
 * one is proposed instead.
 * <p>
 * Driven from one thread; the node completes the commands on its own.
 */
public final class KvFill implements ProposalCallback
{
    /** Commands outstanding at most: enough to fill the node's batches, small enough for its pending table. */
    public static final int MAX_IN_FLIGHT = 2048;

    /** Command bytes outstanding at most: large values must not crowd out the heartbeats on two cores. */
    public static final int MAX_IN_FLIGHT_BYTES = 4 * 1024 * 1024;

    private final KvCommands commands = new KvCommands();
    private final String[] keys;
    private final byte[] value;
    private final UnsafeBuffer command;
    private final int maxInFlight;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong notCommitted = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile ProposalStatus failure;
    private long accepted;

    /**
     * @param keyCount   distinct keys, put in turn.
     * @param valueBytes bytes of every value (at least 8: the sequence).
     */
    public KvFill(final int keyCount, final int valueBytes)
    {
        if (keyCount < 1 || valueBytes < Long.BYTES)
        {
            throw new IllegalArgumentException("keys " + keyCount + " must be >= 1, value bytes " + valueBytes +
                " >= " + Long.BYTES);
        }
        keys = new String[keyCount];
        for (int i = 0; i < keyCount; i++)
        {
            keys[i] = String.format(Locale.ROOT, "key-%08d", i);
        }
        value = new byte[valueBytes];
        command = new UnsafeBuffer(ByteBuffer.allocateDirect(commandLength(keys[keyCount - 1], valueBytes)));
        maxInFlight = Math.max(1, Math.min(MAX_IN_FLIGHT, MAX_IN_FLIGHT_BYTES / command.capacity()));
    }

    public void onComplete(final ProposalResult result)
    {
        final ProposalStatus status = result.status();
        if (ProposalStatus.OK == status)
        {
            committed.incrementAndGet();
        }
        else
        {
            notCommitted.incrementAndGet();
            if (ProposalStatus.BACK_PRESSURED != status)
            {
                failure = status;
                failed.incrementAndGet();
            }
        }
    }

    /**
     * Propose the next put if fewer than {@link #MAX_IN_FLIGHT} (and {@link #MAX_IN_FLIGHT_BYTES}) are outstanding.
     *
     * @param leader the node to propose on.
     * @return whether a command was accepted for proposal.
     */
    public boolean proposeNext(final ClusterNode leader)
    {
        if (outstanding() >= maxInFlight)
        {
            return false;
        }
        final long sequence = accepted;
        final String key = keys[(int)(sequence % keys.length)];
        writeLong(value, sequence);
        final int length = commands.put(command, 0, key, value, 0);
        if (leader.propose(command, 0, length, this))
        {
            accepted++;
            return true;
        }
        notCommitted.decrementAndGet(); // the callback already ran on this thread with BACK_PRESSURED or CLOSED
        return false;
    }

    /**
     * Propose at the node's pace until {@code count} commands are committed in all.
     *
     * @param leader     the node to propose on.
     * @param count      commands committed when this returns.
     * @param deadlineNs {@link System#nanoTime()} by which they must be.
     * @throws IllegalStateException when the deadline passes, or a command was not committed for another reason than
     *                               back pressure (the node lost leadership or closed): the state would have gaps.
     */
    public void fill(final ClusterNode leader, final long count, final long deadlineNs)
    {
        fill(leader, count, deadlineNs, Thread::yield); // two cores: leave the node's agent the CPU
    }

    /**
     * Propose at the node's pace until {@code count} commands are committed in all, doing other work when idle.
     *
     * @param leader     the node to propose on.
     * @param count      commands committed when this returns.
     * @param deadlineNs {@link System#nanoTime()} by which they must be.
     * @param onIdle     run whenever no command could be proposed (it should yield the CPU when it has no work).
     * @throws IllegalStateException when the deadline passes, or a command was not committed for another reason than
     *                               back pressure (the node lost leadership or closed): the state would have gaps.
     */
    public void fill(final ClusterNode leader, final long count, final long deadlineNs, final Runnable onIdle)
    {
        while (committed.get() < count)
        {
            if (failed.get() > 0)
            {
                throw new IllegalStateException("a command was not committed (" + failure + ") after " +
                    committed.get() + " committed: the fill needs a stable leader");
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("fill not done by its deadline: " + committed.get() + " of " + count +
                    " commands committed");
            }
            if (accepted - notCommitted.get() >= count || !proposeNext(leader))
            {
                onIdle.run();
            }
        }
    }

    /**
     * @return commands committed so far (any thread).
     */
    public long committed()
    {
        return committed.get();
    }

    /**
     * @return commands not committed for another reason than back pressure (leadership lost, node closed).
     */
    public long failed()
    {
        return failed.get();
    }

    /**
     * @return commands accepted and not yet completed.
     */
    public long outstanding()
    {
        return accepted - committed.get() - notCommitted.get();
    }

    /**
     * @return distinct keys.
     */
    public int keyCount()
    {
        return keys.length;
    }

    /**
     * @return bytes of one command.
     */
    public int commandLength()
    {
        return command.capacity();
    }

    private int commandLength(final String longestKey, final int valueBytes)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[longestKey.length() + valueBytes + 64]);
        return new KvCommands().put(scratch, 0, longestKey, new byte[valueBytes], 0);
    }

    private static void writeLong(final byte[] bytes, final long value)
    {
        for (int i = 0; i < Long.BYTES; i++)
        {
            bytes[i] = (byte)(value >>> (8 * i));
        }
    }
}
