package io.flotilla.engine;

import io.flotilla.engine.client.FlotillaClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedding API (issue 18): what a user of {@code io.flotilla.engine} and {@code io.flotilla.engine.client} can
 * reach names no type of the node's internals, the Raft core or the archive module, so that those stay free to change.
 * Every public type of the two packages is checked, nested ones included: its supertypes, and the types (with their
 * type arguments) of its public and protected fields, constructors and methods, parameters, results and exceptions.
 * No exception is allowed.
 */
class PublicApiTest
{
    private static final List<String> PUBLIC_PACKAGES = List.of("io.flotilla.engine", "io.flotilla.engine.client");
    private static final List<String> INTERNAL_PACKAGES =
        List.of("io.flotilla.engine.raft", "io.flotilla.engine.node", "io.flotilla.archive", "io.flotilla.codecs");

    @Test
    void publicTypesOfThePublicPackagesNameNoInternalType() throws Exception
    {
        final List<Class<?>> types = publicTypes();
        assertTrue(types.contains(ClusterNode.Context.class) && types.contains(FlotillaClient.Context.class),
            "the scan of the compiled classes finds the contexts: " + types);

        assertEquals(Set.of(), leaks(types), "public API naming internal types");
    }

    @Test
    void theCheckFindsInternalTypesWhereverThePublicSurfaceNamesThem()
    {
        assertEquals(Set.of(
            "io.flotilla.engine.PublicApiTest$Leaky implements: io.flotilla.engine.raft.RaftOutbox",
            "io.flotilla.engine.PublicApiTest$Leaky.<init>(List) takes: io.flotilla.engine.raft.RaftConfig",
            "io.flotilla.engine.PublicApiTest$Leaky.members: io.flotilla.engine.node.ClusterMembers",
            "io.flotilla.engine.PublicApiTest$Leaky.threading(Supplier) returns: " +
                "io.flotilla.archive.NodeMedia$Threading",
            "io.flotilla.engine.PublicApiTest$Leaky.threading(Supplier) takes: io.flotilla.archive.Durability"),
            leaks(List.of(Leaky.class)));
    }

    /**
     * Leaks in each place the check looks; the private and package-private members are not surface.
     */
    @SuppressWarnings("unused")
    public abstract static class Leaky implements io.flotilla.engine.raft.RaftOutbox
    {
        protected io.flotilla.engine.node.ClusterMembers members;
        io.flotilla.engine.raft.RaftConfig hidden;

        public Leaky(final List<? extends io.flotilla.engine.raft.RaftConfig> configs)
        {
        }

        public io.flotilla.archive.NodeMedia.Threading[] threading(
            final java.util.function.Supplier<io.flotilla.archive.Durability> durability)
        {
            return null;
        }

        private io.flotilla.engine.raft.RaftConfig config()
        {
            return hidden;
        }
    }

    private static Set<String> leaks(final List<Class<?>> types)
    {
        final Set<String> leaks = new TreeSet<>();
        for (final Class<?> type : types)
        {
            check(type.getName() + " extends", type.getGenericSuperclass(), leaks);
            for (final Type implemented : type.getGenericInterfaces())
            {
                check(type.getName() + " implements", implemented, leaks);
            }
            for (final Field field : type.getDeclaredFields())
            {
                if (isVisible(field))
                {
                    check(name(field), field.getGenericType(), leaks);
                }
            }
            for (final Executable executable : executables(type))
            {
                if (isVisible(executable))
                {
                    if (executable instanceof Method)
                    {
                        check(name(executable) + " returns", ((Method)executable).getGenericReturnType(), leaks);
                    }
                    for (final Type parameter : executable.getGenericParameterTypes())
                    {
                        check(name(executable) + " takes", parameter, leaks);
                    }
                    for (final Type thrown : executable.getGenericExceptionTypes())
                    {
                        check(name(executable) + " throws", thrown, leaks);
                    }
                }
            }
        }
        return leaks;
    }

    private static List<Class<?>> publicTypes() throws IOException, URISyntaxException, ClassNotFoundException
    {
        final Path classes = Path.of(ClusterNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        final List<Class<?>> types = new ArrayList<>();
        for (final String packageName : PUBLIC_PACKAGES)
        {
            final List<String> classNames;
            try (Stream<Path> files = Files.list(classes.resolve(packageName.replace('.', '/'))))
            {
                classNames = files
                    .map((file) -> file.getFileName().toString())
                    .filter((file) -> file.endsWith(".class") && !file.equals("package-info.class"))
                    .map((file) -> packageName + "." + file.substring(0, file.length() - ".class".length()))
                    .sorted()
                    .collect(Collectors.toList());
            }
            for (final String className : classNames)
            {
                final Class<?> type = Class.forName(className, false, PublicApiTest.class.getClassLoader());
                if (isReachable(type))
                {
                    types.add(type);
                }
            }
        }
        return types;
    }

    /**
     * A public top-level type, or a public or protected member type of a reachable type; no local or anonymous class.
     */
    private static boolean isReachable(final Class<?> type)
    {
        if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic())
        {
            return false;
        }
        final Class<?> enclosing = type.getDeclaringClass();
        if (null == enclosing)
        {
            return Modifier.isPublic(type.getModifiers());
        }
        return isVisible(type.getModifiers()) && isReachable(enclosing);
    }

    private static List<Executable> executables(final Class<?> type)
    {
        final List<Executable> executables = new ArrayList<>(List.of(type.getDeclaredConstructors()));
        executables.addAll(List.of(type.getDeclaredMethods()));
        return executables;
    }

    private static boolean isVisible(final Member member)
    {
        return !member.isSynthetic() && isVisible(member.getModifiers()) &&
            !(member instanceof Method && ((Method)member).isBridge());
    }

    private static boolean isVisible(final int modifiers)
    {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String name(final Member member)
    {
        return member.getDeclaringClass().getName() + "." +
            (member instanceof java.lang.reflect.Constructor ? "<init>" : member.getName()) +
            (member instanceof Executable ? parameters((Executable)member) : "");
    }

    private static String parameters(final Executable executable)
    {
        return Stream.of(executable.getParameterTypes())
            .map(Class::getSimpleName)
            .collect(Collectors.joining(", ", "(", ")"));
    }

    private static void check(final String where, final Type type, final Set<String> leaks)
    {
        check(where, type, leaks, new HashSet<>());
    }

    /**
     * @param seen the type variables whose bounds are checked already: a bound may name its own variable
     *             ({@code T extends Comparable<T>}).
     */
    private static void check(final String where, final Type type, final Set<String> leaks, final Set<Type> seen)
    {
        if (type instanceof Class)
        {
            Class<?> raw = (Class<?>)type;
            while (raw.isArray())
            {
                raw = raw.getComponentType();
            }
            if (isInternal(raw))
            {
                leaks.add(where + ": " + raw.getName());
            }
        }
        else if (type instanceof ParameterizedType)
        {
            final ParameterizedType parameterized = (ParameterizedType)type;
            check(where, parameterized.getRawType(), leaks, seen);
            for (final Type argument : parameterized.getActualTypeArguments())
            {
                check(where, argument, leaks, seen);
            }
        }
        else if (type instanceof GenericArrayType)
        {
            check(where, ((GenericArrayType)type).getGenericComponentType(), leaks, seen);
        }
        else if (type instanceof WildcardType)
        {
            final WildcardType wildcard = (WildcardType)type;
            Stream.concat(Stream.of(wildcard.getUpperBounds()), Stream.of(wildcard.getLowerBounds()))
                .forEach((bound) -> check(where, bound, leaks, seen));
        }
        else if (type instanceof TypeVariable && seen.add(type))
        {
            for (final Type bound : ((TypeVariable<?>)type).getBounds())
            {
                check(where, bound, leaks, seen);
            }
        }
    }

    private static boolean isInternal(final Class<?> type)
    {
        final String packageName = type.getPackageName();
        return INTERNAL_PACKAGES.stream()
            .anyMatch((internal) -> packageName.equals(internal) || packageName.startsWith(internal + "."));
    }
}
