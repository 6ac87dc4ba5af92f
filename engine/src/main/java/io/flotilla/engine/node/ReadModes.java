package io.flotilla.engine.node;

import io.flotilla.codecs.ReadMode;
import io.flotilla.engine.ReadConsistency;

/**
 * The wire mode of each {@link ReadConsistency}: the public enum names no codec type, the node and the client map it
 * here.
 */
public final class ReadModes
{
    private ReadModes()
    {
    }

    /**
     * @param consistency of a query.
     * @return the mode its Query message (or in-process request) carries.
     */
    public static ReadMode of(final ReadConsistency consistency)
    {
        return switch (consistency)
        {
            case LINEARIZABLE -> ReadMode.READ_INDEX;
            case LEASE -> ReadMode.LEASE;
        };
    }
}
