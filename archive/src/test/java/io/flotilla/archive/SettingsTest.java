package io.flotilla.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each reader takes what the settings table promises and refuses anything else with the property's name and an
 * example; the unknown-property check names the closest known property.
 */
class SettingsTest
{
    private static final String PROPERTY = "flotilla.test.settings.value";

    @AfterEach
    void clear()
    {
        System.clearProperty(PROPERTY);
        System.clearProperty("flotilla.test.settings.hartbeat");
        System.clearProperty("flotilla.test.other.thing");
    }

    @Test
    void durationsTakeAgronasUnitsAndABareNumberIsNanoseconds()
    {
        assertEquals(7, Settings.durationNs(PROPERTY, 7), "unset: the default");
        assertDuration(TimeUnit.SECONDS.toNanos(1), "1s");
        assertDuration(TimeUnit.MILLISECONDS.toNanos(300), "300ms");
        assertDuration(TimeUnit.MICROSECONDS.toNanos(250), "250us");
        assertDuration(42, "42ns");
        assertDuration(5000, "5000");
        assertDuration(TimeUnit.SECONDS.toNanos(2), " 2s ");
    }

    @Test
    void aDurationThatDoesNotParseNamesThePropertyAndAGoodValue()
    {
        for (final String junk : new String[]{ "1 second", "fast", "1.5s", "10m", "", "ms" })
        {
            System.setProperty(PROPERTY, junk);
            final IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> Settings.durationNs(PROPERTY, 0), junk);
            assertTrue(ex.getMessage().contains(PROPERTY + "=" + junk) && ex.getMessage().contains("300ms"),
                ex.getMessage());
        }
    }

    @Test
    void sizesTakeAgronasSuffixes()
    {
        System.setProperty(PROPERTY, "64k");
        assertEquals(64 * 1024, Settings.sizeAsInt(PROPERTY, 0));
        System.setProperty(PROPERTY, "16m");
        assertEquals(16 * 1024 * 1024, Settings.sizeAsInt(PROPERTY, 0));
        System.setProperty(PROPERTY, "1g");
        assertEquals(1024L * 1024 * 1024, Settings.sizeAsLong(PROPERTY, 0));
        System.setProperty(PROPERTY, "4096");
        assertEquals(4096, Settings.sizeAsInt(PROPERTY, 0));
        System.clearProperty(PROPERTY);
        assertEquals(9, Settings.sizeAsInt(PROPERTY, 9));
    }

    @Test
    void aSizeThatDoesNotParseOrFitNamesTheProperty()
    {
        for (final String junk : new String[]{ "64kb", "big", "-1", "1.5m", "" })
        {
            System.setProperty(PROPERTY, junk);
            final IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> Settings.sizeAsInt(PROPERTY, 0), junk);
            assertTrue(ex.getMessage().contains(PROPERTY + "=" + junk) && ex.getMessage().contains("64k"),
                ex.getMessage());
        }
        System.setProperty(PROPERTY, "4g");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.sizeAsInt(PROPERTY, 0))
            .getMessage().contains("too large"));
    }

    @Test
    void integersBooleansAndEnumsAreReadStrictly()
    {
        System.setProperty(PROPERTY, "12");
        assertEquals(12, Settings.integer(PROPERTY, 0));
        assertEquals(12L, Settings.longInteger(PROPERTY, 0));
        System.setProperty(PROPERTY, "12k");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.integer(PROPERTY, 0))
            .getMessage().contains(PROPERTY + "=12k is not a whole number"));
        System.setProperty(PROPERTY, "3000000000");
        assertThrows(IllegalArgumentException.class, () -> Settings.integer(PROPERTY, 0));

        System.setProperty(PROPERTY, "TRUE");
        assertTrue(Settings.bool(PROPERTY, false));
        System.setProperty(PROPERTY, "false");
        assertFalse(Settings.bool(PROPERTY, true));
        System.setProperty(PROPERTY, "yes");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.bool(PROPERTY, false))
            .getMessage().contains("write true or false"));

        System.setProperty(PROPERTY, "async");
        assertEquals(Durability.ASYNC, Settings.enumValue(PROPERTY, Durability.class, Durability.FSYNC));
        System.setProperty(PROPERTY, "sometimes");
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> Settings.enumValue(PROPERTY, Durability.class, Durability.FSYNC)).getMessage().contains("FSYNC"));
    }

    @Test
    void anUnknownPropertyFailsWithTheClosestKnownName()
    {
        final List<String> known = Settings.names("flotilla.test.settings.heartbeat", "flotilla.test.settings.timeout");
        assertDoesNotThrow(() -> Settings.rejectUnknown("Test", "flotilla.test.settings.", List.of(), known));

        System.setProperty("flotilla.test.settings.hartbeat", "1s");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Settings.rejectUnknown("Test.Context", "flotilla.test.settings.", List.of(), known));
        assertTrue(ex.getMessage().contains("unknown property flotilla.test.settings.hartbeat") &&
            ex.getMessage().contains("did you mean flotilla.test.settings.heartbeat?") &&
            ex.getMessage().contains("Test.Context"), ex.getMessage());

        System.setProperty("flotilla.test.other.thing", "x");
        assertDoesNotThrow(() -> Settings.rejectUnknown("Test", "flotilla.test.", List.of("flotilla.test.settings.",
            "flotilla.test.other."), known), "prefixes owned elsewhere are left to their owners");
    }

    @Test
    void unknownListsEveryStrayNameInTheScopeOnly()
    {
        final Properties properties = new Properties();
        properties.setProperty("flotilla.b.x", "1");
        properties.setProperty("flotilla.a.x", "1");
        properties.setProperty("flotilla.known", "1");
        properties.setProperty("flotilla.admin.port", "1");
        properties.setProperty("aeron.dir", "1");
        assertEquals(List.of("flotilla.a.x", "flotilla.b.x"),
            Settings.unknown(properties, "flotilla.", List.of("flotilla.admin."), List.of("flotilla.known")));
        assertEquals("flotilla.raft.heartbeat.interval", Settings.closest("flotilla.raft.heartbeat.interval.ns",
            List.of("flotilla.raft.election.timeout.min", "flotilla.raft.heartbeat.interval")));
    }

    @Test
    void aDeclaredListHoldsEachNameOnceUnderThePrefix()
    {
        assertThrows(IllegalArgumentException.class, () -> Settings.names("flotilla.a", "flotilla.a"));
        assertThrows(IllegalArgumentException.class, () -> Settings.names("aeron.dir"));
    }

    private static void assertDuration(final long expectedNs, final String value)
    {
        System.setProperty(PROPERTY, value);
        assertEquals(expectedNs, Settings.durationNs(PROPERTY, -1), value);
    }
}
