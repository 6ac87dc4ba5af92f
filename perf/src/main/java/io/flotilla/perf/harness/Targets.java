package io.flotilla.perf.harness;

import io.flotilla.perf.baseline.AeronClusterTarget;
import io.flotilla.perf.baseline.RawPingTarget;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The targets the command line knows by name. Adding a system under test is one line here (and one word in
 * {@code scripts/perf.sh}).
 */
public final class Targets
{
    private static final Map<String, Supplier<LoadTarget>> TARGETS = new LinkedHashMap<>();

    static
    {
        TARGETS.put("ping", RawPingTarget::new);
        TARGETS.put("aeron-cluster", AeronClusterTarget::new);
    }

    private Targets()
    {
    }

    /**
     * @return the known target names.
     */
    public static Set<String> names()
    {
        return TARGETS.keySet();
    }

    /**
     * New, unstarted target.
     *
     * @param name one of {@link #names()}.
     * @return the target.
     * @throws IllegalArgumentException naming the known targets if {@code name} is not one of them.
     */
    public static LoadTarget create(final String name)
    {
        final Supplier<LoadTarget> supplier = TARGETS.get(name);
        if (null == supplier)
        {
            throw new IllegalArgumentException("unknown target '" + name + "', known: " + names());
        }
        return supplier.get();
    }
}
