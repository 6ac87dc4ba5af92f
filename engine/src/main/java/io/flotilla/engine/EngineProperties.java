package io.flotilla.engine;

import io.flotilla.archive.ArchiveLogStore;
import io.flotilla.archive.NodeMedia;
import io.flotilla.archive.Settings;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.raft.RaftConfig;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every {@code flotilla.*} system property the engine reads (the node, its Raft core and snapshots, the shared-secret
 * authenticator, the client) and the archive module beneath it reads, as one set: the node's and the client's contexts
 * refuse any other {@code flotilla.*} property at start, except under the prefixes that downstream modules read and
 * check in their own contexts. Each name is declared once, in the list of the component that reads it.
 */
public final class EngineProperties
{
    /**
     * Prefixes whose properties modules built on the engine read, and check themselves: the admin endpoint
     * ({@code AdminServer.Context}) and the linearizability checker of the samples.
     */
    public static final List<String> OWNED_DOWNSTREAM = List.of("flotilla.admin.", "flotilla.verify.");

    /** Every property of the engine and the archive module. */
    public static final Set<String> KNOWN = Stream.of(
        ClusterNode.Context.PROPERTIES,
        RaftConfig.PROPERTIES,
        SnapshotConfig.PROPERTIES,
        SharedSecretAuthenticator.PROPERTIES,
        FlotillaClient.Context.PROPERTIES,
        NodeMedia.Context.PROPERTIES,
        ArchiveLogStore.Context.PROPERTIES).flatMap(List::stream).collect(Collectors.toUnmodifiableSet());

    private EngineProperties()
    {
    }

    /**
     * @param reader the context checking, named in the error.
     * @throws IllegalArgumentException naming a {@code flotilla.*} property that is set but that neither the engine
     *                                  nor a downstream module reads, and the closest known one.
     */
    public static void rejectUnknown(final String reader)
    {
        Settings.rejectUnknown(reader, Settings.PREFIX, OWNED_DOWNSTREAM, KNOWN);
    }
}
