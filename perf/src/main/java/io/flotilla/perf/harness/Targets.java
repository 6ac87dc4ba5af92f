package io.flotilla.perf.harness;

import io.flotilla.perf.baseline.AeronClusterTarget;
import io.flotilla.perf.baseline.RawPingTarget;
import io.flotilla.perf.flotilla.FlotillaSettings;
import io.flotilla.perf.flotilla.FlotillaTarget;
import io.flotilla.perf.flotilla.ReadLoad;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The targets the command line knows by name. Adding a system under test is one line here (and one word in
 * {@code scripts/perf.sh}). The clustered ones (Aeron Cluster and every {@code flotilla*}) are built with
 * {@link FlotillaSettings#members()} members ({@code --nodes}), so both systems are compared at the same size.
 */
public final class Targets
{
    private static final Map<String, Function<FlotillaSettings, LoadTarget>> TARGETS = new LinkedHashMap<>();

    static
    {
        TARGETS.put("ping", settings -> new RawPingTarget());
        TARGETS.put("aeron-cluster", settings -> new AeronClusterTarget(settings.members()));
        TARGETS.put("flotilla", FlotillaTarget::new);
        TARGETS.put("flotilla-admin-load", FlotillaTarget::withAdminLoad);
        TARGETS.put("flotilla-egress", FlotillaTarget::withEgress);
        for (final ReadLoad reads : List.of(ReadLoad.READ_INDEX, ReadLoad.LEASE, ReadLoad.FOLLOWER))
        {
            TARGETS.put(reads.name(), settings -> new FlotillaTarget(settings, reads));
        }
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
     * @param name     one of {@link #names()}.
     * @param settings Flotilla's settings (durability, threading, members); of them the baselines take only the
     *                 member count (Aeron Cluster), otherwise they have fixed configurations.
     * @return the target.
     * @throws IllegalArgumentException naming the known targets if {@code name} is not one of them.
     */
    public static LoadTarget create(final String name, final FlotillaSettings settings)
    {
        final Function<FlotillaSettings, LoadTarget> supplier = TARGETS.get(name);
        if (null == supplier)
        {
            throw new IllegalArgumentException("unknown target '" + name + "', known: " + names());
        }
        return supplier.apply(settings);
    }
}
