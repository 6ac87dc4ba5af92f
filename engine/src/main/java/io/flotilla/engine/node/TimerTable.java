package io.flotilla.engine.node;

import org.agrona.collections.Long2LongHashMap;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * The state machine's scheduled timers, replicated state: changed only by what the state machine does while an entry
 * is applied, so every replica holds the same table at every index. A binary min-heap ordered by deadline, then
 * correlation id (the order in which due timers fire), indexed by correlation id so that rescheduling and
 * cancelling find their timer in O(1) and restore the heap in O(log n). Allocates only when it grows.
 */
public final class TimerTable
{
    /** {@link #earliestDeadline()} of an empty table. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private static final int MISSING = -1;
    private static final int INITIAL_CAPACITY = 16;

    private final Long2LongHashMap positionById = new Long2LongHashMap(MISSING);
    private long[] ids = new long[INITIAL_CAPACITY];
    private long[] deadlines = new long[INITIAL_CAPACITY];
    private int size;

    /**
     * Schedule a timer, or move the deadline of the one scheduled with this id.
     *
     * @param correlationId of the timer.
     * @param deadlineNs    when it is due.
     */
    public void schedule(final long correlationId, final long deadlineNs)
    {
        final int position = (int)positionById.get(correlationId);
        if (MISSING == position)
        {
            if (size == ids.length)
            {
                ids = Arrays.copyOf(ids, size * 2);
                deadlines = Arrays.copyOf(deadlines, size * 2);
            }
            ids[size] = correlationId;
            deadlines[size] = deadlineNs;
            positionById.put(correlationId, size);
            siftUp(size++);
        }
        else
        {
            deadlines[position] = deadlineNs;
            siftDown(siftUp(position));
        }
    }

    /**
     * @param correlationId of the timer.
     * @return whether it was scheduled; it is not any more.
     */
    public boolean cancel(final long correlationId)
    {
        final int position = (int)positionById.remove(correlationId);
        if (MISSING == position)
        {
            return false;
        }
        removeAt(position);
        return true;
    }

    /**
     * @param correlationId of a timer.
     * @return its deadline, or {@link #NO_DEADLINE} when it is not scheduled.
     */
    public long deadlineOf(final long correlationId)
    {
        final int position = (int)positionById.get(correlationId);
        return MISSING == position ? NO_DEADLINE : deadlines[position];
    }

    /**
     * @return the number of scheduled timers.
     */
    public int size()
    {
        return size;
    }

    /**
     * @return the earliest deadline, or {@link #NO_DEADLINE} when nothing is scheduled.
     */
    public long earliestDeadline()
    {
        return 0 == size ? NO_DEADLINE : deadlines[0];
    }

    /**
     * Fire every timer whose deadline is at or before {@code timestampNs}, in order of deadline then correlation id:
     * each is removed, then handed to {@code onTimer}, which may schedule and cancel timers (one it schedules at or
     * before {@code timestampNs} fires in this call too).
     *
     * @param timestampNs the time reached.
     * @param onTimer     told each fired correlation id.
     * @return the number fired.
     */
    public int fireDue(final long timestampNs, final LongConsumer onTimer)
    {
        int fired = 0;
        while (size > 0 && deadlines[0] <= timestampNs)
        {
            final long correlationId = ids[0];
            positionById.remove(correlationId);
            removeAt(0);
            fired++;
            onTimer.accept(correlationId);
        }
        return fired;
    }

    /**
     * Forget every timer.
     */
    public void clear()
    {
        positionById.clear();
        size = 0;
    }

    /**
     * Write the table for a snapshot: the count, then each timer's correlation id and deadline.
     *
     * @param out where the table goes.
     * @throws IOException when writing fails.
     */
    public void writeTo(final DataOutput out) throws IOException
    {
        out.writeInt(size);
        for (int i = 0; i < size; i++)
        {
            out.writeLong(ids[i]);
            out.writeLong(deadlines[i]);
        }
    }

    /**
     * Replace the table with one written by {@link #writeTo}.
     *
     * @param in the table.
     * @throws IOException when the bytes are not a timer table (then the table is empty).
     */
    public void loadFrom(final DataInput in) throws IOException
    {
        clear();
        final int count = in.readInt();
        if (count < 0)
        {
            throw new IOException("timer table claims " + count + " timers");
        }
        for (int i = 0; i < count; i++)
        {
            final long correlationId = in.readLong();
            final long deadlineNs = in.readLong();
            if (MISSING != positionById.get(correlationId))
            {
                clear();
                throw new IOException("timer table holds correlation id " + correlationId + " twice");
            }
            schedule(correlationId, deadlineNs);
        }
    }

    public String toString()
    {
        return "TimerTable{size=" + size + ", earliest=" + earliestDeadline() + "}";
    }

    private void removeAt(final int position)
    {
        final int last = --size;
        if (position != last)
        {
            move(last, position);
            siftDown(siftUp(position));
        }
    }

    private int siftUp(final int start)
    {
        int position = start;
        final long id = ids[position];
        final long deadline = deadlines[position];
        while (position > 0)
        {
            final int parent = (position - 1) >>> 1;
            if (!before(deadline, id, deadlines[parent], ids[parent]))
            {
                break;
            }
            move(parent, position);
            position = parent;
        }
        place(id, deadline, position);
        return position;
    }

    private void siftDown(final int start)
    {
        int position = start;
        final long id = ids[position];
        final long deadline = deadlines[position];
        while (true)
        {
            int child = 2 * position + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && before(deadlines[child + 1], ids[child + 1], deadlines[child], ids[child]))
            {
                child++;
            }
            if (!before(deadlines[child], ids[child], deadline, id))
            {
                break;
            }
            move(child, position);
            position = child;
        }
        place(id, deadline, position);
    }

    private void move(final int from, final int to)
    {
        place(ids[from], deadlines[from], to);
    }

    private void place(final long id, final long deadline, final int position)
    {
        ids[position] = id;
        deadlines[position] = deadline;
        positionById.put(id, position);
    }

    private static boolean before(final long deadlineA, final long idA, final long deadlineB, final long idB)
    {
        return deadlineA < deadlineB || (deadlineA == deadlineB && idA < idB);
    }
}
