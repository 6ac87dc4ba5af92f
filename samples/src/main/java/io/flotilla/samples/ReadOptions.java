package io.flotilla.samples;

import io.flotilla.engine.ReadConsistency;
import io.flotilla.engine.client.FlotillaClient;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * How the KV client's {@code get} and {@code verify} read: as a query answered without the log (ReadIndex, or the
 * leader's lease), or as a GET command through the log, as before queries existed (for comparison); at the leader
 * or at the followers.
 */
final class ReadOptions
{
    @Option(names = "--get-mode", paramLabel = "MODE", defaultValue = "read-index", converter = GetModeConverter.class,
        description = "read-index (a linearizable query), lease (a query answered from the leader's lease) or log " +
            "(a GET command through the log) (default: ${DEFAULT-VALUE}).")
    private GetMode getMode;

    @Option(names = "--prefer-followers", description = "Send the queries to the followers.")
    private boolean preferFollowers;

    /**
     * @return how a GET is read as a query, or null to send it through the log.
     */
    ReadConsistency consistency()
    {
        return getMode.consistency;
    }

    /**
     * @return ctx, sending queries to the followers if asked.
     */
    FlotillaClient.Context apply(final FlotillaClient.Context ctx)
    {
        return ctx.preferFollowerReads(preferFollowers);
    }

    private enum GetMode
    {
        READ_INDEX("read-index", ReadConsistency.LINEARIZABLE),
        LEASE("lease", ReadConsistency.LEASE),
        LOG("log", null);

        private final String label;
        private final ReadConsistency consistency;

        GetMode(final String label, final ReadConsistency consistency)
        {
            this.label = label;
            this.consistency = consistency;
        }

        public String toString()
        {
            return label;
        }
    }

    static final class GetModeConverter implements CommandLine.ITypeConverter<GetMode>
    {
        public GetMode convert(final String value)
        {
            for (final GetMode mode : GetMode.values())
            {
                if (mode.label.equals(value))
                {
                    return mode;
                }
            }
            throw new CommandLine.TypeConversionException(
                "'" + value + "' is not a get mode: give read-index, lease or log");
        }
    }
}
