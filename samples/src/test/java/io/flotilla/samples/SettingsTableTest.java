package io.flotilla.samples;

import io.flotilla.admin.AdminServer;
import io.flotilla.engine.EngineProperties;
import io.flotilla.samples.verify.LinearizabilityChecker;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps docs/operations.md's settings table true: every {@code flotilla.*} system property that a component declares
 * it reads (the lists the contexts check unknown properties against: {@link EngineProperties#KNOWN}, the admin
 * endpoint's and the linearizability checker's) has exactly one row there, every row names such a property, no
 * property named by a string literal in any module's main sources is missing from those lists, and no other document
 * has a table row of its own for one (they link to the table instead). Samples depends on every library module, so
 * its tests run after all of them; the scan itself reads the sources from the repository root.
 */
class SettingsTableTest
{
    /** A property name as a Java string literal; a name never ends with a dot. */
    private static final Pattern PROPERTY_LITERAL = Pattern.compile("\"(flotilla\\.[a-z0-9.]*[a-z0-9])\"");
    /** The first cell of a table row that is a property name and nothing else. */
    private static final Pattern PROPERTY_CELL = Pattern.compile("`(flotilla\\.[a-z0-9.]*[a-z0-9])`");
    private static final String OPERATIONS = "docs/operations.md";
    private static final String SETTINGS_HEADING = "## Settings";
    private static final int MAX_DEPTH_TO_ROOT = 8;

    private final Path root = repositoryRoot();

    @Test
    void everyDeclaredPropertyHasARow()
    {
        final Set<String> missing = declared();
        missing.removeAll(tableRows());
        assertTrue(missing.isEmpty(), () -> "properties declared by a component but missing from the table in " +
            OPERATIONS + " (add a row with the default and meaning): " + missing);
    }

    @Test
    void everyRowNamesADeclaredProperty()
    {
        final Set<String> stale = new TreeSet<>(tableRows());
        stale.removeAll(declared());
        assertTrue(stale.isEmpty(), () -> "rows of the table in " + OPERATIONS + " naming a property no component " +
            "declares (remove the row, or fix its name): " + stale);
    }

    @Test
    void everyPropertyNamedInTheSourcesIsDeclared()
    {
        final Set<String> declared = declared();
        final List<String> undeclared = new ArrayList<>();
        propertiesInCode().forEach((property, file) ->
        {
            if (!declared.contains(property))
            {
                undeclared.add(property + " (" + root.relativize(file) + ")");
            }
        });
        assertTrue(undeclared.isEmpty(), () -> "properties named in the code but in no component's PROPERTIES list " +
            "(a context would refuse them as unknown): " + undeclared);
    }

    @Test
    void theEngineLeavesExactlyTheDownstreamPrefixesToTheirOwners()
    {
        assertEquals(Set.of(AdminServer.Context.PREFIX, LinearizabilityChecker.PREFIX),
            Set.copyOf(EngineProperties.OWNED_DOWNSTREAM));
        assertTrue(AdminServer.Context.PROPERTIES.stream().allMatch((p) -> p.startsWith(AdminServer.Context.PREFIX)));
        assertTrue(LinearizabilityChecker.PROPERTIES.stream()
            .allMatch((p) -> p.startsWith(LinearizabilityChecker.PREFIX)));
        assertTrue(EngineProperties.KNOWN.stream()
            .noneMatch((p) -> EngineProperties.OWNED_DOWNSTREAM.stream().anyMatch(p::startsWith)));
    }

    @Test
    void noPropertyHasTwoRows()
    {
        final Set<String> seen = new TreeSet<>();
        final Set<String> twice = new TreeSet<>();
        for (final String property : tableRows())
        {
            if (!seen.add(property))
            {
                twice.add(property);
            }
        }
        assertTrue(twice.isEmpty(), () -> "properties listed more than once in the table in " + OPERATIONS +
            ": " + twice);
    }

    @Test
    void noOtherDocumentHasARowForAProperty() throws IOException
    {
        final List<String> elsewhere = new ArrayList<>();
        try (Stream<Path> docs = Files.list(root.resolve("docs")))
        {
            for (final Path doc : docs.filter((path) -> path.toString().endsWith(".md")).sorted()
                .collect(Collectors.toList()))
            {
                if (doc.equals(root.resolve(OPERATIONS)))
                {
                    continue;
                }
                for (final String line : Files.readAllLines(doc, StandardCharsets.UTF_8))
                {
                    final String property = propertyOfRow(line);
                    if (null != property)
                    {
                        elsewhere.add(property + " (" + root.relativize(doc) + ")");
                    }
                }
            }
        }
        assertTrue(elsewhere.isEmpty(), () -> "settings rows outside the table in " + OPERATIONS + " (move them " +
            "there and link to it): " + elsewhere);
    }

    /**
     * @return every property a component declares, sorted (a fresh set).
     */
    private static Set<String> declared()
    {
        final Set<String> declared = new TreeSet<>(EngineProperties.KNOWN);
        declared.addAll(AdminServer.Context.PROPERTIES);
        declared.addAll(LinearizabilityChecker.PROPERTIES);
        return declared;
    }

    /**
     * @return every property named in a main source file, with the first file naming it.
     */
    private Map<String, Path> propertiesInCode()
    {
        final Map<String, Path> properties = new TreeMap<>();
        try (Stream<Path> modules = Files.list(root))
        {
            for (final Path sources : modules.map((module) -> module.resolve("src/main/java"))
                .filter(Files::isDirectory).sorted().collect(Collectors.toList()))
            {
                try (Stream<Path> files = Files.walk(sources))
                {
                    for (final Path file : files.filter((path) -> path.toString().endsWith(".java")).sorted()
                        .collect(Collectors.toList()))
                    {
                        final Matcher matcher = PROPERTY_LITERAL.matcher(Files.readString(file));
                        while (matcher.find())
                        {
                            properties.putIfAbsent(matcher.group(1), file);
                        }
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        assertFalse(properties.isEmpty(), () -> "no flotilla.* property found in the main sources under " + root);
        return properties;
    }

    /**
     * @return the property of each row of the settings table, in order, duplicates kept.
     */
    private List<String> tableRows()
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(root.resolve(OPERATIONS), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final int start = lines.indexOf(SETTINGS_HEADING);
        assertTrue(start >= 0, () -> OPERATIONS + " has no '" + SETTINGS_HEADING + "' section");

        final List<String> rows = new ArrayList<>();
        final List<String> malformed = new ArrayList<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++)
        {
            final String line = lines.get(i);
            if (!line.startsWith("|") || line.startsWith("| property |") || line.startsWith("|---"))
            {
                continue;
            }
            final String property = propertyOfRow(line);
            if (null == property)
            {
                malformed.add(line);
            }
            else
            {
                rows.add(property);
            }
        }
        assertTrue(malformed.isEmpty(), () -> "rows of the table in " + OPERATIONS + " whose first cell is not " +
            "one `flotilla.*` property: " + malformed);
        assertFalse(rows.isEmpty(), () -> "no settings table under '" + SETTINGS_HEADING + "' in " + OPERATIONS);
        return rows;
    }

    /**
     * @return the property a Markdown table row's first cell names alone, or null.
     */
    private static String propertyOfRow(final String line)
    {
        if (!line.startsWith("|"))
        {
            return null;
        }
        final int end = line.indexOf('|', 1);
        final String firstCell = (end < 0 ? line.substring(1) : line.substring(1, end)).trim();
        final Matcher matcher = PROPERTY_CELL.matcher(firstCell);
        return matcher.matches() ? matcher.group(1) : null;
    }

    /**
     * Maven runs the test in the module's directory and an IDE may run it in the repository's: the root is the
     * nearest directory up that holds the operations guide.
     */
    private static Path repositoryRoot()
    {
        Path dir = Path.of("").toAbsolutePath();
        for (int depth = 0; null != dir && depth < MAX_DEPTH_TO_ROOT; depth++)
        {
            if (Files.isRegularFile(dir.resolve(OPERATIONS)))
            {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no " + OPERATIONS + " in " + Path.of("").toAbsolutePath() +
            " or the directories above it");
    }
}
