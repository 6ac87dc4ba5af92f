package io.flotilla.samples;

import org.agrona.collections.Object2ObjectHashMap;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * The KV store's entries, kept in at most two generations so that a snapshot view costs no copy.
 * <p>
 * Normally there is one map, the base. {@link #freeze()} hands the base to a snapshot view: from then on it is
 * never changed (the snapshot thread reads it), and every change goes to an overlay that shadows it: the new entry,
 * or a tombstone for a removed one; a clear hides the whole base. {@link #thaw()} ends the freeze, and the overlay
 * is then merged back into the base a bounded number of keys per {@link #merge(int)} call, so releasing a view after
 * a long snapshot stalls nothing. A read looks in the overlay first, then in the base: never more than two lookups,
 * and one when there is no overlay.
 * <p>
 * Not thread-safe: every method is for the node thread. Only the map {@link #freeze()} returned is read by another
 * thread, and only while it is frozen.
 */
final class KvEntries
{
    /** Overlay value of a key removed while the base is frozen (the base may still hold it). */
    private static final KvStore.Entry TOMBSTONE = new KvStore.Entry("", new byte[0], KvStore.NO_DEADLINE, 0);

    private Object2ObjectHashMap<String, KvStore.Entry> base = new Object2ObjectHashMap<>();
    private Object2ObjectHashMap<String, KvStore.Entry> overlay = new Object2ObjectHashMap<>();

    // The merge's worklist: every key that entered the overlay during the freeze, in order; keys before the cursor
    // are done. Keys resolved meanwhile by a write are skipped when reached.
    private String[] overlayKeys = new String[16];
    private int overlayKeyCount;
    private int mergeCursor;

    private boolean frozen;
    private boolean baseHidden;
    private int size;

    /**
     * @return the visible entry of the key, or null.
     */
    KvStore.Entry get(final String key)
    {
        if (isLayered())
        {
            final KvStore.Entry shadow = overlay.get(key);
            if (null != shadow)
            {
                return TOMBSTONE == shadow ? null : shadow;
            }
            if (baseHidden)
            {
                return null;
            }
        }
        return base.get(key);
    }

    /**
     * Add the entry of a key that has no visible entry (the store removes the old one first).
     */
    void put(final String key, final KvStore.Entry entry)
    {
        if (frozen)
        {
            if (null == overlay.put(key, entry) && !baseHidden)
            {
                addOverlayKey(key);
            }
        }
        else
        {
            if (!overlay.isEmpty())
            {
                overlay.remove(key); // a tombstone would shadow the new entry
            }
            base.put(key, entry);
        }
        size++;
    }

    /**
     * @return the visible entry the key had, now removed, or null when it had none.
     */
    KvStore.Entry remove(final String key)
    {
        final KvStore.Entry removed;
        if (frozen)
        {
            removed = baseHidden ? overlay.remove(key) : shadowRemove(key);
        }
        else if (!overlay.isEmpty())
        {
            // Merging: settle the key in the base now, so the overlay only shrinks.
            final KvStore.Entry shadow = overlay.remove(key);
            final KvStore.Entry older = base.remove(key);
            removed = null == shadow ? older : (TOMBSTONE == shadow ? null : shadow);
        }
        else
        {
            removed = base.remove(key);
        }

        if (null != removed)
        {
            size--;
        }
        return removed;
    }

    /**
     * Remove every entry. While frozen this only hides the base (an O(1) flag) and empties the overlay.
     */
    void clear()
    {
        overlay.clear();
        Arrays.fill(overlayKeys, 0, overlayKeyCount, null);
        overlayKeyCount = 0;
        mergeCursor = 0;
        if (frozen)
        {
            baseHidden = true;
        }
        else
        {
            base.clear();
        }
        size = 0;
    }

    /**
     * @return the number of visible entries.
     */
    int size()
    {
        return size;
    }

    /**
     * Visit every visible entry, in no particular order.
     */
    void forEach(final BiConsumer<String, KvStore.Entry> consumer)
    {
        if (!baseHidden)
        {
            final boolean layered = isLayered();
            base.forEach((key, entry) ->
            {
                if (!layered || null == overlay.get(key))
                {
                    consumer.accept(key, entry);
                }
            });
        }
        overlay.forEach((key, entry) ->
        {
            if (TOMBSTONE != entry)
            {
                consumer.accept(key, entry);
            }
        });
    }

    /**
     * Freeze the entries for a snapshot view: finish any merge left from the previous view (bounded by that view's
     * writes), then hand over the base, which stays unchanged until {@link #thaw()}.
     *
     * @return the map of every entry, now frozen; it may be read from another thread until {@link #thaw()}.
     * @throws IllegalStateException when a view is already live.
     */
    Object2ObjectHashMap<String, KvStore.Entry> freeze()
    {
        if (frozen)
        {
            throw new IllegalStateException(
                "a KV snapshot view is already live: release it before taking another");
        }
        merge(Integer.MAX_VALUE);
        frozen = true;
        return base;
    }

    /**
     * End the freeze: the base may change again, and the overlay is merged into it by later {@link #merge} calls.
     *
     * @throws IllegalStateException when no view is live.
     */
    void thaw()
    {
        if (!frozen)
        {
            throw new IllegalStateException("no KV snapshot view is live (released twice?)");
        }
        frozen = false;
        if (baseHidden)
        {
            // Cleared during the freeze: the overlay holds every entry and no tombstones, so it becomes the base
            // and the old base is dropped whole rather than emptied slot by slot.
            base = overlay;
            overlay = new Object2ObjectHashMap<>();
            baseHidden = false;
        }
    }

    /**
     * Merge part of a thawed overlay into the base; nothing while frozen or when there is no overlay.
     *
     * @param limit most keys to visit.
     */
    void merge(final int limit)
    {
        if (frozen)
        {
            return;
        }
        for (int i = 0; i < limit && !overlay.isEmpty(); i++)
        {
            final String key = overlayKeys[mergeCursor];
            overlayKeys[mergeCursor++] = null;
            final KvStore.Entry entry = overlay.remove(key);
            if (TOMBSTONE == entry)
            {
                base.remove(key);
            }
            else if (null != entry)
            {
                base.put(key, entry);
            }
        }
        if (overlay.isEmpty() && overlayKeyCount > 0)
        {
            Arrays.fill(overlayKeys, mergeCursor, overlayKeyCount, null);
            overlayKeyCount = 0;
            mergeCursor = 0;
        }
    }

    /**
     * @return true while reads must look in an overlay: a view is live, or its overlay is not yet merged.
     */
    boolean isLayered()
    {
        return frozen || !overlay.isEmpty();
    }

    private KvStore.Entry shadowRemove(final String key)
    {
        final KvStore.Entry shadow = overlay.get(key);
        if (TOMBSTONE == shadow)
        {
            return null;
        }
        final KvStore.Entry removed = null != shadow ? shadow : base.get(key);
        if (null != removed && null == overlay.put(key, TOMBSTONE))
        {
            addOverlayKey(key);
        }
        return removed;
    }

    private void addOverlayKey(final String key)
    {
        if (overlayKeyCount == overlayKeys.length)
        {
            overlayKeys = Arrays.copyOf(overlayKeys, overlayKeyCount << 1);
        }
        overlayKeys[overlayKeyCount++] = key;
    }
}
