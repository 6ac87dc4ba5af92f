package io.flotilla.engine.sim;

import io.flotilla.codecs.EntryType;
import org.agrona.DirectBuffer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The timer half of the simulated state machine, and its reference model.
 * <p>
 * The rules (the same on every node, functions of the committed entries only): a COMMAND whose payload has at least
 * {@link #MIN_OP_LENGTH} bytes carries a timer operation in its random bytes after the payload id: byte 8 picks it
 * (1 schedules, 2 cancels, anything else does nothing), byte 9 the correlation id (0..{@link #IDS} - 1, few, so that
 * schedules replace and cancels hit), bytes 10..11 the deadline, from 50 ms before the entry's timestamp (already
 * due) to 350 ms after. A timer that fires at an even {@code index + id} schedules itself again, 20 ms + 7 ms per id
 * after the entry's timestamp (a periodic timer, for a while). Every cancel's answer and every fire is folded into the
 * state hash, so a node whose timers diverge from the history's also diverges in state.
 * <p>
 * Nodes run these rules over the runtime's {@code TimerTable}; the {@link Reference} runs them over a plain map
 * searched in full at every TIMER entry, as the global record of what must fire where.
 */
final class SimTimers
{
    static final int MIN_OP_LENGTH = 12;
    static final int IDS = 16;
    static final int SCHEDULE = 1;
    static final int CANCEL = 2;

    private static final long MS = SimOptions.MS;

    private SimTimers()
    {
    }

    /**
     * @return the timer operation of a COMMAND's payload: {@link #SCHEDULE}, {@link #CANCEL} or 0.
     */
    static int op(final DirectBuffer buffer, final int payloadOffset, final int payloadLength)
    {
        return payloadLength < MIN_OP_LENGTH ? 0 : buffer.getByte(payloadOffset + 8) & 0x3;
    }

    static long correlationId(final DirectBuffer buffer, final int payloadOffset)
    {
        return buffer.getByte(payloadOffset + 9) & (IDS - 1);
    }

    static long deadline(final DirectBuffer buffer, final int payloadOffset, final long timestampNs)
    {
        return timestampNs + ((buffer.getShort(payloadOffset + 10) & 0xFFFF) % 400 - 50) * MS;
    }

    /**
     * @return whether a timer firing at this index schedules itself again.
     */
    static boolean repeats(final long index, final long correlationId)
    {
        return 0 == ((index + correlationId) & 1);
    }

    static long nextDeadline(final long timestampNs, final long correlationId)
    {
        return timestampNs + (20 + 7 * correlationId) * MS;
    }

    static long foldCancel(final long state, final boolean wasScheduled)
    {
        return SimSnapshot.nextState(state, wasScheduled ? 1 : 2, 0x7A11);
    }

    static long foldFire(final long state, final long correlationId)
    {
        return SimSnapshot.nextState(state, 3 + correlationId, 0xF12E);
    }

    /**
     * The reference model: the timers of the committed history as it is first committed, and every fire it implies.
     */
    static final class Reference
    {
        private static final long[] NONE = new long[0];

        private final Map<Long, Long> deadlines = new HashMap<>();
        private final Map<Long, long[]> firesByIndex = new HashMap<>();
        private long lastFireIndex;

        /**
         * Apply the next committed entry to the model.
         *
         * @return the state after it, from the state after the entry's own transition.
         */
        long apply(
            final long state,
            final long index,
            final EntryType type,
            final long timestampNs,
            final DirectBuffer buffer,
            final int payloadOffset,
            final int payloadLength)
        {
            long next = state;
            if (EntryType.COMMAND == type)
            {
                final int op = op(buffer, payloadOffset, payloadLength);
                if (SCHEDULE == op)
                {
                    deadlines.put(correlationId(buffer, payloadOffset), deadline(buffer, payloadOffset, timestampNs));
                }
                else if (CANCEL == op)
                {
                    next = foldCancel(next, null != deadlines.remove(correlationId(buffer, payloadOffset)));
                }
            }
            else if (EntryType.TIMER == type)
            {
                long[] fired = new long[0];
                while (true)
                {
                    long dueId = -1;
                    long dueDeadline = Long.MAX_VALUE;
                    for (final Map.Entry<Long, Long> timer : deadlines.entrySet())
                    {
                        final long deadline = timer.getValue();
                        final long id = timer.getKey();
                        if (deadline <= timestampNs && (deadline < dueDeadline || (deadline == dueDeadline && id < dueId)))
                        {
                            dueId = id;
                            dueDeadline = deadline;
                        }
                    }
                    if (dueId < 0)
                    {
                        break;
                    }
                    deadlines.remove(dueId);
                    fired = Arrays.copyOf(fired, fired.length + 1);
                    fired[fired.length - 1] = dueId;
                    next = foldFire(next, dueId);
                    if (repeats(index, dueId))
                    {
                        deadlines.put(dueId, nextDeadline(timestampNs, dueId));
                    }
                }
                if (fired.length > 0)
                {
                    firesByIndex.put(index, fired);
                    lastFireIndex = index;
                }
            }
            return next;
        }

        /**
         * @return the correlation ids that fire at an index, in order (empty for none).
         */
        long[] firesAt(final long index)
        {
            return firesByIndex.getOrDefault(index, NONE);
        }

        /**
         * @return the earliest deadline scheduled after the last committed entry, or {@link Long#MAX_VALUE}.
         */
        long earliestDeadline()
        {
            long earliest = Long.MAX_VALUE;
            for (final long deadline : deadlines.values())
            {
                earliest = Math.min(earliest, deadline);
            }
            return earliest;
        }

        long lastFireIndex()
        {
            return lastFireIndex;
        }

        long fireCount()
        {
            long count = 0;
            for (final long[] fires : firesByIndex.values())
            {
                count += fires.length;
            }
            return count;
        }
    }
}
