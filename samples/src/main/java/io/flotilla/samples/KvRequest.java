package io.flotilla.samples;

import io.flotilla.engine.ReadConsistency;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.client.FlotillaClientException;
import io.flotilla.samples.codecs.KvStatus;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The KV client's one-request commands ({@code put}, {@code get}, {@code delete}, {@code clear}, {@code cas}): one
 * command in a session of its own (a GET as a query unless {@code --get-mode log}); prints the status and the value,
 * and exits 0 when the status is OK, 1 otherwise.
 */
abstract class KvRequest implements Callable<Integer>
{
    private static final long CALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    @ParentCommand
    private KvClient client;

    @Spec
    private CommandSpec spec;

    /**
     * @return the length of the command encoded at the start of {@code buffer}.
     */
    abstract int encode(KvCommands commands, MutableDirectBuffer buffer);

    /**
     * @return how the command is sent as a query, or null to send it through the log.
     */
    ReadConsistency queryConsistency()
    {
        return null;
    }

    /**
     * @return ctx, as this command wants its reads done.
     */
    FlotillaClient.Context readOptions(final FlotillaClient.Context ctx)
    {
        return ctx;
    }

    public Integer call()
    {
        final FlotillaClient.Context ctx = readOptions(client.context(spec));
        final PrintStream out = client.out();
        final KvCommands commands = new KvCommands();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final int length = encode(commands, buffer);
        final ReadConsistency consistency = queryConsistency();
        try (FlotillaClient flotilla = FlotillaClient.connect(ctx))
        {
            final DirectBuffer result = null != consistency ?
                flotilla.query(consistency, buffer, 0, length, CALL_TIMEOUT_NS) :
                flotilla.call(buffer, 0, length, CALL_TIMEOUT_NS);
            final KvStatus status = commands.status(result, 0, result.capacity());
            out.println(status + valueText(commands.value(result, 0, result.capacity())));
            return KvStatus.OK == status ? 0 : 1;
        }
        catch (final FlotillaClientException ex)
        {
            if (FlotillaClientException.Reason.REJECTED == ex.reason())
            {
                final UnsafeBuffer payload = new UnsafeBuffer(ex.payload());
                out.println(commands.status(payload, 0, payload.capacity()) +
                    valueText(commands.value(payload, 0, payload.capacity())));
            }
            else
            {
                out.println(ex.getMessage());
            }
            return 1;
        }
    }

    private static String valueText(final byte[] value)
    {
        return null == value || value.length == 0 ? "" : " " + new String(value, StandardCharsets.UTF_8);
    }

    static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Set KEY to VALUE, with a time to live.")
    static final class Put extends KvRequest
    {
        @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
        private String key;

        @Parameters(index = "1", paramLabel = "VALUE", description = "Its new value.")
        private String value;

        @Parameters(index = "2", arity = "0..1", paramLabel = "TTL_MS", defaultValue = "0",
            description = "Time to live in milliseconds of cluster time (default: ${DEFAULT-VALUE}, for ever).")
        private long ttlMs;

        int encode(final KvCommands commands, final MutableDirectBuffer buffer)
        {
            return commands.put(buffer, 0, key, utf8(value), ttlMs);
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
        description = "Read KEY: a query answered without the log unless --get-mode log.")
    static final class Get extends KvRequest
    {
        @Mixin
        private ReadOptions read;

        @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
        private String key;

        int encode(final KvCommands commands, final MutableDirectBuffer buffer)
        {
            return commands.get(buffer, 0, key);
        }

        ReadConsistency queryConsistency()
        {
            return read.consistency();
        }

        FlotillaClient.Context readOptions(final FlotillaClient.Context ctx)
        {
            return read.apply(ctx);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove KEY.")
    static final class Delete extends KvRequest
    {
        @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
        private String key;

        int encode(final KvCommands commands, final MutableDirectBuffer buffer)
        {
            return commands.delete(buffer, 0, key);
        }
    }

    @Command(name = "clear", mixinStandardHelpOptions = true, description = "Remove every key.")
    static final class Clear extends KvRequest
    {
        int encode(final KvCommands commands, final MutableDirectBuffer buffer)
        {
            return commands.clear(buffer, 0);
        }
    }

    @Command(name = "cas", mixinStandardHelpOptions = true,
        description = "Compare and set: set KEY to NEW if it holds EXPECTED (- : if it is absent).")
    static final class Cas extends KvRequest
    {
        private static final String ABSENT = "-";

        @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
        private String key;

        @Parameters(index = "1", paramLabel = "EXPECTED|-", description = "The value it must hold, or - for none.")
        private String expected;

        @Parameters(index = "2", paramLabel = "NEW", description = "Its new value.")
        private String newValue;

        @Parameters(index = "3", arity = "0..1", paramLabel = "TTL_MS", defaultValue = "0",
            description = "Time to live in milliseconds of cluster time (default: ${DEFAULT-VALUE}, for ever).")
        private long ttlMs;

        int encode(final KvCommands commands, final MutableDirectBuffer buffer)
        {
            return commands.cas(
                buffer, 0, key, ABSENT.equals(expected) ? null : utf8(expected), utf8(newValue), ttlMs);
        }
    }
}
