package io.flotilla.archive;

import org.agrona.SystemUtil;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one way Flotilla reads its {@code flotilla.*} system properties: each reader parses strictly and refuses a
 * value it cannot read with a message naming the property and an example of a good value (the JDK's
 * {@code Long.getLong} and {@code Boolean.getBoolean} silently fall back to the default instead); durations and sizes
 * go through Agrona's own parsers, so they take its units.
 * <p>
 * Each component declares the properties it reads as one list ({@link #names(String...)}); a context checks at start
 * that no property under its prefix is set that no list declares ({@link #rejectUnknown}), so a misspelt setting
 * fails loudly with the closest known name instead of being ignored.
 */
public final class Settings
{
    /** The prefix of every property Flotilla reads. */
    public static final String PREFIX = "flotilla.";

    private static final String NOT_A_SIZE = "is not a size: write e.g. 64k, 16m, 1g or a number of bytes";

    private Settings()
    {
    }

    /**
     * @param names the properties one component reads, each spelt once as a constant of that component.
     * @return the names as an unmodifiable list.
     * @throws IllegalArgumentException when a name is not under {@link #PREFIX} or is listed twice.
     */
    public static List<String> names(final String... names)
    {
        final Set<String> seen = new TreeSet<>();
        for (final String name : names)
        {
            if (!name.startsWith(PREFIX) || !seen.add(name))
            {
                throw new IllegalArgumentException("property " + name + " is not under " + PREFIX + " or is listed twice");
            }
        }
        return List.of(names);
    }

    /**
     * A duration: Agrona's {@code SystemUtil.parseDuration}, a number with {@code ns}, {@code us}, {@code ms} or
     * {@code s}, a bare number being nanoseconds.
     *
     * @param property  the property to read.
     * @param defaultNs when it is not set.
     * @return the value in nanoseconds.
     * @throws IllegalArgumentException naming the property when its value is not a duration.
     */
    public static long durationNs(final String property, final long defaultNs)
    {
        final String value = value(property);
        return null == value ? defaultNs : parseDurationNs(property, value);
    }

    /**
     * @param property the setting the value is for, named in the error.
     * @param value    a duration such as {@code 300ms}, {@code 1s}, {@code 250us} or nanoseconds.
     * @return the duration in nanoseconds.
     * @throws IllegalArgumentException naming the setting when the value is not a duration.
     */
    public static long parseDurationNs(final String property, final String value)
    {
        try
        {
            return SystemUtil.parseDuration(property, value.trim());
        }
        catch (final RuntimeException ex)
        {
            throw refused(property, value, "is not a duration: write e.g. 300ms, 1s or 250us (a bare number is " +
                "nanoseconds)", ex);
        }
    }

    /**
     * A size in bytes: Agrona's {@code SystemUtil.parseSize}, a number with an optional {@code k}, {@code m} or
     * {@code g}.
     *
     * @param property     the property to read.
     * @param defaultBytes when it is not set.
     * @return the value.
     * @throws IllegalArgumentException naming the property when its value is not a size or exceeds an int.
     */
    public static int sizeAsInt(final String property, final int defaultBytes)
    {
        final String value = value(property);
        if (null == value)
        {
            return defaultBytes;
        }
        final long size = parseSize(property, value);
        if (size > Integer.MAX_VALUE)
        {
            throw refused(property, value, "is too large: at most " + Integer.MAX_VALUE + " bytes (e.g. 1g)", null);
        }
        return (int)size;
    }

    /**
     * @param property     the property to read.
     * @param defaultValue when it is not set.
     * @return the value, which takes Agrona's size suffixes ({@code 64k}, {@code 1m}).
     * @throws IllegalArgumentException naming the property when its value is not a size.
     */
    public static long sizeAsLong(final String property, final long defaultValue)
    {
        final String value = value(property);
        return null == value ? defaultValue : parseSize(property, value);
    }

    /**
     * @param property the setting the value is for, named in the error.
     * @param value    a size such as {@code 64k}, {@code 16m}, {@code 1g} or a number of bytes.
     * @return the size.
     * @throws IllegalArgumentException naming the setting when the value is not a size.
     */
    public static long parseSize(final String property, final String value)
    {
        final long size;
        try
        {
            size = SystemUtil.parseSize(property, value.trim());
        }
        catch (final RuntimeException ex)
        {
            throw refused(property, value, NOT_A_SIZE, ex);
        }
        if (size < 0)
        {
            throw refused(property, value, NOT_A_SIZE, null);
        }
        return size;
    }

    /**
     * @param property     the property to read.
     * @param defaultValue when it is not set.
     * @return the value, a whole number without a suffix.
     * @throws IllegalArgumentException naming the property when its value is not an int.
     */
    public static int integer(final String property, final int defaultValue)
    {
        final String value = value(property);
        if (null == value)
        {
            return defaultValue;
        }
        final long parsed = parseLong(property, value);
        if (parsed < Integer.MIN_VALUE || parsed > Integer.MAX_VALUE)
        {
            throw refused(property, value, "is too large: at most " + Integer.MAX_VALUE, null);
        }
        return (int)parsed;
    }

    /**
     * @param property     the property to read.
     * @param defaultValue when it is not set.
     * @return the value, a whole number without a suffix.
     * @throws IllegalArgumentException naming the property when its value is not a long.
     */
    public static long longInteger(final String property, final long defaultValue)
    {
        final String value = value(property);
        return null == value ? defaultValue : parseLong(property, value);
    }

    /**
     * @param property the setting the value is for, named in the error.
     * @param value    a whole number without a suffix.
     * @return the number.
     * @throws IllegalArgumentException naming the setting when the value is not a long.
     */
    public static long parseLong(final String property, final String value)
    {
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw refused(property, value, "is not a whole number: write digits only, e.g. 1024", ex);
        }
    }

    /**
     * @param property     the property to read.
     * @param defaultValue when it is not set.
     * @return the value: {@code true} or {@code false}, in any case.
     * @throws IllegalArgumentException naming the property when its value is neither.
     */
    public static boolean bool(final String property, final boolean defaultValue)
    {
        final String value = value(property);
        if (null == value)
        {
            return defaultValue;
        }
        final String trimmed = value.trim();
        if ("true".equalsIgnoreCase(trimmed) || "false".equalsIgnoreCase(trimmed))
        {
            return Boolean.parseBoolean(trimmed);
        }
        throw refused(property, value, "is not a boolean: write true or false", null);
    }

    /**
     * @param property     the property to read.
     * @param type         the enum.
     * @param defaultValue when it is not set.
     * @param <E>          the enum type.
     * @return the constant named by the value, in any case.
     * @throws IllegalArgumentException naming the property and the constants when the value names none.
     */
    public static <E extends Enum<E>> E enumValue(final String property, final Class<E> type, final E defaultValue)
    {
        final String value = value(property);
        if (null == value)
        {
            return defaultValue;
        }
        for (final E constant : type.getEnumConstants())
        {
            if (constant.name().equalsIgnoreCase(value.trim()))
            {
                return constant;
            }
        }
        throw refused(property, value, "is not one of " + Arrays.toString(type.getEnumConstants()), null);
    }

    /**
     * Refuse a system property under {@code scope} that no declared list names, and that no downstream component
     * owns (its own context checks those), with the closest declared name: a misspelt setting would otherwise be
     * silently ignored.
     *
     * @param reader         the context that checks, named in the error.
     * @param scope          the prefix this check covers, e.g. {@code flotilla.}.
     * @param ownedElsewhere prefixes under the scope that other components check themselves.
     * @param known          every property read under the scope.
     * @throws IllegalArgumentException naming the unknown property and the closest known one.
     */
    public static void rejectUnknown(
        final String reader, final String scope, final Collection<String> ownedElsewhere, final Collection<String> known)
    {
        final List<String> unknown = unknown(System.getProperties(), scope, ownedElsewhere, known);
        if (!unknown.isEmpty())
        {
            final String name = unknown.get(0);
            throw new IllegalArgumentException("unknown property " + name + ": nothing reads it (" + reader +
                " checks every " + scope + "* property); fix its name or remove it: did you mean " +
                closest(name, known) + "?" +
                (unknown.size() > 1 ? " Also unknown: " + unknown.subList(1, unknown.size()) : ""));
        }
    }

    /**
     * @param properties     the properties set.
     * @param scope          the prefix to check.
     * @param ownedElsewhere prefixes under the scope left to other components.
     * @param known          the declared names.
     * @return the names set under the scope that are neither declared nor owned elsewhere, sorted.
     */
    static List<String> unknown(
        final Properties properties, final String scope, final Collection<String> ownedElsewhere,
        final Collection<String> known)
    {
        final List<String> unknown = new ArrayList<>();
        for (final String name : properties.stringPropertyNames())
        {
            if (name.startsWith(scope) && !known.contains(name) && !ownedElsewhere.stream().anyMatch(name::startsWith))
            {
                unknown.add(name);
            }
        }
        Collections.sort(unknown);
        return unknown;
    }

    /**
     * @param name  a property name.
     * @param known the names to choose from, not empty.
     * @return the known name with the fewest edits (insertions, deletions, substitutions) from {@code name}.
     */
    static String closest(final String name, final Collection<String> known)
    {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String candidate : new TreeSet<>(known))
        {
            final int distance = editDistance(name, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static int editDistance(final String a, final String b)
    {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String value(final String property)
    {
        return System.getProperty(property);
    }

    private static IllegalArgumentException refused(
        final String property, final String value, final String problem, final Throwable cause)
    {
        return new IllegalArgumentException(property + "=" + value + " " + problem, cause);
    }
}
