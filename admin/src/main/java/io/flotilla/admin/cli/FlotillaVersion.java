package io.flotilla.admin.cli;

import io.flotilla.engine.ClusterNode;
import picocli.CommandLine;

/**
 * {@code --version} of every Flotilla command line: the engine's version, as the nodes report theirs.
 */
public final class FlotillaVersion implements CommandLine.IVersionProvider
{
    public String[] getVersion()
    {
        return new String[]{ "flotilla " + ClusterNode.version() };
    }
}
