package io.flotilla.samples;

import org.agrona.collections.Object2ObjectHashMap;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvEntriesTest
{
    private static final int KEYS = 300;

    private final KvEntries entries = new KvEntries();
    private final Map<String, KvStore.Entry> model = new HashMap<>();

    private static KvStore.Entry entry(final String key, final int version)
    {
        return new KvStore.Entry(key, new byte[]{ (byte)version }, KvStore.NO_DEADLINE, 0);
    }

    private void put(final String key, final KvStore.Entry entry)
    {
        assertSame(model.remove(key), entries.remove(key), "previous entry of " + key);
        entries.put(key, entry);
        model.put(key, entry);
    }

    private void assertMatchesModel(final String context)
    {
        assertEquals(model.size(), entries.size(), context);
        for (int k = 0; k < KEYS; k++)
        {
            final String key = "k" + k;
            assertSame(model.get(key), entries.get(key), context + ": " + key);
        }
        final Map<String, KvStore.Entry> visible = new HashMap<>();
        entries.forEach((key, entry) -> assertSame(null, visible.put(key, entry), "visited twice: " + key));
        assertEquals(model, visible, context);
    }

    @Test
    void readsAndWritesMatchAPlainMapThroughFreezesAndMerges()
    {
        final Random random = new Random(12);
        Object2ObjectHashMap<String, KvStore.Entry> frozen = null;
        Map<String, KvStore.Entry> frozenCopy = null;
        int freezes = 0;
        int clearsWhileFrozen = 0;

        for (int i = 0; i < 200_000; i++)
        {
            final String key = "k" + random.nextInt(KEYS);
            final int op = random.nextInt(1000);
            if (op < 500)
            {
                put(key, entry(key, i));
            }
            else if (op < 900)
            {
                assertSame(model.remove(key), entries.remove(key), "removed " + key + " at " + i);
            }
            else if (op < 902)
            {
                entries.clear();
                model.clear();
                clearsWhileFrozen += null != frozen ? 1 : 0;
            }
            else if (op < 910)
            {
                if (null == frozen)
                {
                    frozen = entries.freeze();
                    frozenCopy = new HashMap<>(frozen);
                    assertEquals(model, frozenCopy, "a view holds the state at the freeze");
                    freezes++;
                }
                else
                {
                    assertEquals(frozenCopy, new HashMap<>(frozen), "the frozen map never changed, step " + i);
                    entries.thaw();
                    frozen = null;
                }
            }
            else
            {
                entries.merge(random.nextInt(4));
            }

            if (i % 97 == 0)
            {
                assertMatchesModel("step " + i);
            }
        }

        if (null != frozen)
        {
            entries.thaw();
        }
        assertTrue(freezes > 100 && clearsWhileFrozen > 0, freezes + " freezes, " + clearsWhileFrozen + " clears");
        while (entries.isLayered())
        {
            entries.merge(1);
        }
        assertMatchesModel("merged");
    }

    @Test
    void mergeAfterReleaseRestoresASingleMap()
    {
        for (int k = 0; k < KEYS; k++)
        {
            put("k" + k, entry("k" + k, 0));
        }
        final Object2ObjectHashMap<String, KvStore.Entry> frozen = entries.freeze();
        for (int k = 0; k < KEYS; k += 2)
        {
            put("k" + k, entry("k" + k, 1)); // overwrite every other key
        }
        for (int k = 1; k < KEYS; k += 4)
        {
            assertSame(model.remove("k" + k), entries.remove("k" + k)); // delete a quarter
        }
        put("new", entry("new", 2));
        assertEquals(KEYS, frozen.size(), "the view still holds the state at the freeze");
        assertTrue(entries.isLayered());

        entries.thaw();
        assertTrue(entries.isLayered(), "the overlay is not merged in one go");
        int merges = 0;
        while (entries.isLayered())
        {
            entries.merge(8);
            merges++;
            assertMatchesModel("merge " + merges);
        }
        assertTrue(merges > 10, "bounded work per call: " + merges);
        assertSame(frozen, entries.freeze(), "the base is again the whole state");
        assertEquals(model, new HashMap<>(frozen));
        entries.thaw();
    }

    @Test
    void writesDuringAMergeSettleTheirKeys()
    {
        put("a", entry("a", 0));
        put("b", entry("b", 0));
        entries.freeze();
        assertSame(model.remove("a"), entries.remove("a"));
        put("b", entry("b", 1));
        put("c", entry("c", 1));
        entries.thaw();

        put("a", entry("a", 2)); // over a tombstone
        assertSame(model.remove("b"), entries.remove("b")); // an overlay entry over an older base one
        assertMatchesModel("before the merge");
        while (entries.isLayered())
        {
            entries.merge(1);
        }
        assertMatchesModel("after");
    }

    @Test
    void aClearWhileFrozenHidesTheBaseAndReplacesItOnRelease()
    {
        for (int k = 0; k < KEYS; k++)
        {
            put("k" + k, entry("k" + k, 0));
        }
        final Object2ObjectHashMap<String, KvStore.Entry> frozen = entries.freeze();
        entries.clear();
        model.clear();
        put("k1", entry("k1", 1));
        assertMatchesModel("cleared while frozen");
        assertEquals(KEYS, frozen.size());

        entries.thaw();
        assertFalse(entries.isLayered(), "the overlay became the base at once");
        assertMatchesModel("released");
    }

    @Test
    void oneViewAtATime()
    {
        entries.freeze();
        assertThrows(IllegalStateException.class, entries::freeze);
        entries.thaw();
        assertThrows(IllegalStateException.class, entries::thaw);
    }
}
