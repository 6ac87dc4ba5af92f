package io.flotilla.samples;

import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2ObjectHashMap;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The replicated data of the KV cache: keys to values with optional expiry, and a digest of the whole state.
 * <p>
 * Deterministic: time is only what {@link #advanceTime(long)} is told (the log entries' leader timestamps), and
 * expiry runs on an Agrona {@link DeadlineTimerWheel} driven by that time, so every replica that applies the same
 * entries holds the same keys. An entry whose deadline is at or before the latest time is never visible.
 * <p>
 * The digest is the sum (mod 2^64) of a 64-bit hash of every (key, value, deadline): independent of insertion
 * order and map layout, kept up to date on every change, and recomputable from scratch ({@link #computeDigest()}).
 * <p>
 * Snapshots: {@link #freeze()} hands the entries to a snapshot view in O(1) and the store keeps changing through
 * an overlay until {@link #thaw()} (see {@link KvEntries}); {@link #reset} and {@link #restore} rebuild a store,
 * its timer wheel and digest from a snapshot's entries, clock and expiry count. The wheel and the timer ids are
 * never part of a snapshot: each replica schedules its own timers for the same deadlines.
 */
final class KvStore
{
    /** Wheel tick: 2^20 ns (about 1 ms); expiry is exact anyway because reads check the deadline. */
    private static final long TICK_RESOLUTION_NS = 1L << 20;
    private static final int TICKS_PER_WHEEL = 1024;
    static final long NO_DEADLINE = 0;
    /** Overlay keys merged back per applied entry after a snapshot view is released. */
    private static final int MERGE_KEYS_PER_ENTRY = 32;

    private final KvEntries entries = new KvEntries();
    private final Long2ObjectHashMap<String> keyByTimerId = new Long2ObjectHashMap<>();
    private final DeadlineTimerWheel wheel =
        new DeadlineTimerWheel(TimeUnit.NANOSECONDS, 0, TICK_RESOLUTION_NS, TICKS_PER_WHEEL);
    private final DeadlineTimerWheel.TimerHandler onExpiry = this::onExpiry;
    private final ExpiryListener expiryListener;
    private long nowNs;
    private long digest;
    private long expired;

    /**
     * Told of each key removed by expiry, as it is removed (inside {@link #advanceTime}).
     */
    @FunctionalInterface
    interface ExpiryListener
    {
        void onExpired(String key);
    }

    KvStore()
    {
        this(key -> {});
    }

    KvStore(final ExpiryListener expiryListener)
    {
        this.expiryListener = expiryListener;
    }

    static final class Entry
    {
        final byte[] value;
        final long deadlineNs;
        final long timerId;
        final long hash;

        Entry(final String key, final byte[] value, final long deadlineNs, final long timerId)
        {
            this.value = value;
            this.deadlineNs = deadlineNs;
            this.timerId = timerId;
            this.hash = hash(key, value, deadlineNs);
        }
    }

    /**
     * Move the store's clock forward and expire every entry whose deadline is at or before it.
     *
     * @param timestampNs leader timestamp of the entry being applied; earlier times are ignored.
     */
    void advanceTime(final long timestampNs)
    {
        if (timestampNs <= nowNs)
        {
            return;
        }
        nowNs = timestampNs;

        // Visit spokes until the current tick contains now; after one full turn every due timer has fired, so the
        // wheel can jump (a long idle gap then costs one turn, not one poll per elapsed tick).
        for (int spokes = 0; spokes <= TICKS_PER_WHEEL && wheel.timerCount() > 0; spokes++)
        {
            final long tickEnd = wheel.currentTickTime();
            wheel.poll(nowNs, onExpiry, Integer.MAX_VALUE);
            if (tickEnd > nowNs)
            {
                return;
            }
        }
        wheel.currentTickTime(nowNs);
    }

    long nowNs()
    {
        return nowNs;
    }

    /**
     * @param key      to set.
     * @param value    to store (kept, not copied).
     * @param ttlNs    time to live from now, or 0 (or less) for no expiry.
     */
    void put(final String key, final byte[] value, final long ttlNs)
    {
        remove(key);
        insert(key, value, ttlNs > 0 ? nowNs + ttlNs : NO_DEADLINE);
    }

    /**
     * Empty the store and set its clock and expiry count: the start of loading a snapshot (or, with zeros, a store
     * as new). The wheel restarts at the clock, as on a replica that applied the whole log.
     *
     * @param nowNs        the snapshot's clock.
     * @param expiredCount keys the snapshot's store had expired.
     */
    void reset(final long nowNs, final long expiredCount)
    {
        clear();
        wheel.resetStartTime(0);
        wheel.currentTickTime(nowNs);
        this.nowNs = nowNs;
        this.expired = expiredCount;
    }

    /**
     * Add an entry read from a snapshot, with its absolute deadline.
     *
     * @param key        to set.
     * @param value      to store (kept, not copied).
     * @param deadlineNs when it expires, or {@link #NO_DEADLINE}.
     * @return false, adding nothing, when the key is already present.
     */
    boolean restore(final String key, final byte[] value, final long deadlineNs)
    {
        if (null != entries.get(key))
        {
            return false;
        }
        insert(key, value, deadlineNs);
        return true;
    }

    /**
     * Freeze the entries for a snapshot view, in O(1) (after finishing the previous view's merge, if any).
     *
     * @return every entry; the map stays unchanged, and may be read from another thread, until {@link #thaw()}.
     * @throws IllegalStateException when a view is already live.
     */
    Object2ObjectHashMap<String, Entry> freeze()
    {
        return entries.freeze();
    }

    /**
     * Release the frozen entries; what changed meanwhile is merged back by {@link #mergeStep()}.
     *
     * @throws IllegalStateException when no view is live.
     */
    void thaw()
    {
        entries.thaw();
    }

    /**
     * Merge a bounded part of a released view's overlay into the entries; call once per applied entry.
     */
    void mergeStep()
    {
        entries.merge(MERGE_KEYS_PER_ENTRY);
    }

    /**
     * @return the live value, or null.
     */
    byte[] get(final String key)
    {
        final Entry entry = entries.get(key);
        return null == entry ? null : entry.value;
    }

    /**
     * @return true when the key was present.
     */
    boolean remove(final String key)
    {
        final Entry entry = entries.remove(key);
        if (null == entry)
        {
            return false;
        }
        digest -= entry.hash;
        if (NO_DEADLINE != entry.deadlineNs)
        {
            wheel.cancelTimer(entry.timerId);
            keyByTimerId.remove(entry.timerId);
        }
        return true;
    }

    void clear()
    {
        entries.clear();
        keyByTimerId.clear();
        wheel.clear();
        digest = 0;
    }

    int size()
    {
        return entries.size();
    }

    /**
     * @return entries removed by expiry so far.
     */
    long expiredCount()
    {
        return expired;
    }

    /**
     * @return the state digest, maintained incrementally.
     */
    long digest()
    {
        return digest;
    }

    /**
     * @return the state digest recomputed from every entry (to check the incremental one).
     */
    long computeDigest()
    {
        final long[] sum = new long[1];
        entries.forEach((key, entry) -> sum[0] += hash(key, entry.value, entry.deadlineNs));
        return sum[0];
    }

    private void insert(final String key, final byte[] value, final long deadlineNs)
    {
        long timerId = DeadlineTimerWheel.NULL_DEADLINE;
        if (NO_DEADLINE != deadlineNs)
        {
            timerId = wheel.scheduleTimer(deadlineNs);
            keyByTimerId.put(timerId, key);
        }
        final Entry entry = new Entry(key, value, deadlineNs, timerId);
        entries.put(key, entry);
        digest += entry.hash;
    }

    private boolean onExpiry(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final String key = keyByTimerId.remove(timerId);
        final Entry entry = null == key ? null : entries.get(key);
        if (null != entry && entry.timerId == timerId)
        {
            entries.remove(key);
            digest -= entry.hash;
            expired++;
            expiryListener.onExpired(key);
        }
        return true;
    }

    static long hash(final String key, final byte[] value, final long deadlineNs)
    {
        long h = 0xcbf29ce484222325L;
        for (int i = 0, length = key.length(); i < length; i++)
        {
            h = (h ^ key.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ 0xFF) * 0x100000001b3L; // separates key from value
        h = (h ^ Arrays.hashCode(value)) * 0x100000001b3L;
        h = (h ^ value.length) * 0x100000001b3L;
        h = (h ^ deadlineNs) * 0x100000001b3L;

        // fmix64 finaliser: spreads the bits so the sum of hashes is a good digest.
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
