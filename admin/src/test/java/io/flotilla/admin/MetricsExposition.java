package io.flotilla.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The samples, types and help texts of a text-format exposition, read back to check their values. Only as much of
 * the format as {@link PrometheusMetrics} writes (no timestamps, no exemplars); promtool validates the format itself.
 */
final class MetricsExposition
{
    private final Map<String, String> types = new HashMap<>();
    private final Map<String, String> helps = new HashMap<>();
    private final List<Sample> samples = new ArrayList<>();

    /**
     * One line {@code name{labels} value}.
     */
    record Sample(String name, Map<String, String> labels, double value)
    {
    }

    MetricsExposition(final String text)
    {
        for (final String line : text.split("\n"))
        {
            if (line.startsWith("# TYPE "))
            {
                final String[] parts = line.substring("# TYPE ".length()).split(" ", 2);
                types.put(parts[0], parts[1]);
            }
            else if (line.startsWith("# HELP "))
            {
                final String[] parts = line.substring("# HELP ".length()).split(" ", 2);
                helps.put(parts[0], parts[1]);
            }
            else if (!line.isEmpty() && !line.startsWith("#"))
            {
                samples.add(parse(line));
            }
        }
    }

    /**
     * @return the type of a family ({@code counter}, {@code gauge}, {@code histogram}), null when it has none.
     */
    String type(final String family)
    {
        return types.get(family);
    }

    /**
     * @return the help text of a family as written (escaped), null when it has none.
     */
    String help(final String family)
    {
        return helps.get(family);
    }

    /**
     * @return every sample with this name, in the order written.
     */
    List<Sample> samples(final String name)
    {
        return samples.stream().filter((sample) -> sample.name().equals(name)).toList();
    }

    /**
     * @param name        of the sample.
     * @param labelPairs  its labels exactly, as name, value, name, value ...
     * @return its value; fails when there is not exactly one such sample.
     */
    double value(final String name, final String... labelPairs)
    {
        final Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < labelPairs.length; i += 2)
        {
            labels.put(labelPairs[i], labelPairs[i + 1]);
        }
        final List<Sample> found = samples(name).stream().filter((sample) -> sample.labels().equals(labels)).toList();
        assertEquals(1, found.size(), () -> "samples " + name + labels + " in " + samples(name));
        return found.get(0).value();
    }

    private static Sample parse(final String line)
    {
        final int space = line.lastIndexOf(' ');
        final String series = line.substring(0, space);
        final double value = parseValue(line.substring(space + 1));
        final int brace = series.indexOf('{');
        if (brace < 0)
        {
            return new Sample(series, Map.of(), value);
        }
        if (!series.endsWith("}"))
        {
            fail("unexpected sample line: " + line);
        }
        return new Sample(series.substring(0, brace), parseLabels(series.substring(brace + 1, series.length() - 1)),
            value);
    }

    private static Map<String, String> parseLabels(final String text)
    {
        final Map<String, String> labels = new LinkedHashMap<>();
        int i = 0;
        while (i < text.length())
        {
            final int equals = text.indexOf("=\"", i);
            final String name = text.substring(i, equals);
            final StringBuilder value = new StringBuilder();
            int j = equals + 2;
            for (; text.charAt(j) != '"'; j++)
            {
                char c = text.charAt(j);
                if ('\\' == c)
                {
                    j++;
                    c = 'n' == text.charAt(j) ? '\n' : text.charAt(j);
                }
                value.append(c);
            }
            labels.put(name, value.toString());
            i = j + 1;
            if (i < text.length() && ',' == text.charAt(i))
            {
                i++;
            }
        }
        return labels;
    }

    /**
     * @return a sample value or {@code le} bound as written: a Java or Go float, {@code +Inf} or {@code -Inf}.
     */
    static double parseValue(final String text)
    {
        switch (text)
        {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                return Double.parseDouble(text);
        }
    }
}
