package io.flotilla.samples;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.ReadConsistency;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.client.FlotillaClientException;
import io.flotilla.samples.codecs.KvStatus;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Command-line client of the KV cache sample.
 * <pre>
 *   KvClient [--endpoints SPEC] put KEY VALUE [TTL_MS]
 *   KvClient [--endpoints SPEC] [--get-mode read-index|lease|log] [--prefer-followers] get KEY
 *   KvClient [--endpoints SPEC] delete KEY
 *   KvClient [--endpoints SPEC] clear
 *   KvClient [--endpoints SPEC] cas KEY EXPECTED|- NEW [TTL_MS]      (- : the key must be absent)
 *   KvClient [--endpoints SPEC] load [--rate N/s] [--duration S] [--warmup S] [--value-size B] [--acks FILE]
 *                                   [--hgrm FILE]
 *   KvClient [--endpoints SPEC] [--get-mode read-index|lease|log] [--prefer-followers] verify ACKS_FILE
 *   KvClient digest [--wait S] DATA_DIR...                             (compares replica state files)
 * </pre>
 * SPEC is a members spec or host:ingressPort list; without --endpoints, {@code flotilla.client.ingress.endpoints}
 * or {@code flotilla.members} is used. Against a cluster that authenticates with a shared secret, add
 * {@code --principal NAME --secret-file FILE} (the file holds the secret in hexadecimal) before the command, or set
 * {@code flotilla.client.principal} and {@code flotilla.client.secret.file}. A GET is a query (no log entry), by
 * default a ReadIndex one; {@code --get-mode lease} makes it a lease read and {@code --get-mode log} sends it through
 * the log as a command, as before queries existed (for comparison). {@code --prefer-followers} sends queries to the
 * followers. Exit status: 0 done, 1 the command failed or a check found a difference, 2 usage error.
 */
public final class KvClient
{
    static final long CALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    /** Options that take no value. */
    private static final String PREFER_FOLLOWERS = "prefer-followers";

    private KvClient()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        System.exit(run(args, System.out));
    }

    static int run(final String[] args, final PrintStream out) throws Exception
    {
        final Map<String, String> options = new HashMap<>();
        final List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            if (("--" + PREFER_FOLLOWERS).equals(args[i]))
            {
                options.put(PREFER_FOLLOWERS, "true");
            }
            else if (args[i].startsWith("--"))
            {
                if (i + 1 >= args.length)
                {
                    return usage("option " + args[i] + " needs a value");
                }
                options.put(args[i].substring(2), args[++i]);
            }
            else
            {
                positional.add(args[i]);
            }
        }
        if (positional.isEmpty())
        {
            return usage("no command");
        }

        final String command = positional.get(0);
        final List<String> rest = positional.subList(1, positional.size());
        if ("digest".equals(command))
        {
            return ReplicaDigests.compare(rest, seconds(options, "wait", 30), out) ? 0 : 1;
        }

        final String endpoints = options.getOrDefault("endpoints", System.getProperty(
            FlotillaClient.Context.INGRESS_ENDPOINTS_PROP, System.getProperty(ClusterNode.Context.MEMBERS_PROP)));
        if (null == endpoints)
        {
            return usage("no endpoints: pass --endpoints or -D" + FlotillaClient.Context.INGRESS_ENDPOINTS_PROP);
        }

        switch (command)
        {
            case "load":
                return KvLoad.run(context(endpoints, options), options, out);
            case "verify":
                if (rest.size() != 1)
                {
                    return usage("verify ACKS_FILE");
                }
                if (null == getMode(options))
                {
                    return usage("--get-mode " + options.get("get-mode") + ": expected read-index, lease or log");
                }
                return KvVerify.run(
                    context(endpoints, options), Path.of(rest.get(0)), readConsistency(getMode(options)), out);
            default:
                if (null == getMode(options))
                {
                    return usage("--get-mode " + options.get("get-mode") + ": expected read-index, lease or log");
                }
                return single(context(endpoints, options), command, rest, readConsistency(getMode(options)), out);
        }
    }

    static FlotillaClient.Context context(final String endpoints, final Map<String, String> options)
    {
        final FlotillaClient.Context ctx = new FlotillaClient.Context().ingressEndpoints(endpoints);
        if (options.containsKey("principal"))
        {
            ctx.principal(options.get("principal"));
        }
        if (options.containsKey("secret-file"))
        {
            ctx.secretFile(options.get("secret-file"));
        }
        return ctx.preferFollowerReads(options.containsKey(PREFER_FOLLOWERS));
    }

    /**
     * @return the {@code --get-mode} given (read-index when none), or null when it is not one of the modes.
     */
    private static String getMode(final Map<String, String> options)
    {
        final String getMode = options.getOrDefault("get-mode", "read-index");
        return "log".equals(getMode) || null != readConsistency(getMode) ? getMode : null;
    }

    /**
     * @return how a GET of this mode is read as a query, or null when it is not a query mode.
     */
    private static ReadConsistency readConsistency(final String getMode)
    {
        switch (getMode)
        {
            case "read-index":
                return ReadConsistency.LINEARIZABLE;
            case "lease":
                return ReadConsistency.LEASE;
            default:
                return null;
        }
    }

    /**
     * @param getConsistency how a GET is sent as a query (its bytes are those of the GET command, which the state
     *                       machine's query parser reads), or null to send it through the log.
     */
    private static int single(
        final FlotillaClient.Context ctx,
        final String command,
        final List<String> args,
        final ReadConsistency getConsistency,
        final PrintStream out)
    {
        final KvCommands commands = new KvCommands();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final int length;
        switch (command)
        {
            case "put":
                if (args.size() < 2 || args.size() > 3)
                {
                    return usage("put KEY VALUE [TTL_MS]");
                }
                length = commands.put(buffer, 0, args.get(0), utf8(args.get(1)), args.size() == 3 ? Long.parseLong(args.get(2)) : 0);
                break;
            case "get":
                if (args.size() != 1)
                {
                    return usage("get KEY");
                }
                length = commands.get(buffer, 0, args.get(0));
                break;
            case "delete":
                if (args.size() != 1)
                {
                    return usage("delete KEY");
                }
                length = commands.delete(buffer, 0, args.get(0));
                break;
            case "clear":
                length = commands.clear(buffer, 0);
                break;
            case "cas":
                if (args.size() < 3 || args.size() > 4)
                {
                    return usage("cas KEY EXPECTED|- NEW [TTL_MS]");
                }
                length = commands.cas(buffer, 0, args.get(0), "-".equals(args.get(1)) ? null : utf8(args.get(1)),
                    utf8(args.get(2)), args.size() == 4 ? Long.parseLong(args.get(3)) : 0);
                break;
            default:
                return usage("unknown command '" + command + "'");
        }

        try (FlotillaClient client = FlotillaClient.connect(ctx))
        {
            final DirectBuffer result = "get".equals(command) && null != getConsistency ?
                client.query(getConsistency, buffer, 0, length, CALL_TIMEOUT_NS) :
                client.call(buffer, 0, length, CALL_TIMEOUT_NS);
            final KvStatus status = commands.status(result, 0, result.capacity());
            final byte[] value = commands.value(result, 0, result.capacity());
            out.println(null == value || value.length == 0 ? String.valueOf(status) :
                status + " " + new String(value, StandardCharsets.UTF_8));
            return KvStatus.OK == status ? 0 : 1;
        }
        catch (final FlotillaClientException ex)
        {
            if (FlotillaClientException.Reason.REJECTED == ex.reason())
            {
                final byte[] payload = ex.payload();
                final byte[] value = commands.value(new UnsafeBuffer(payload), 0, payload.length);
                out.println(commands.status(new UnsafeBuffer(payload), 0, payload.length) +
                    (null == value || value.length == 0 ? "" : " " + new String(value, StandardCharsets.UTF_8)));
            }
            else
            {
                out.println(ex.getMessage());
            }
            return 1;
        }
    }

    static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static long seconds(final Map<String, String> options, final String name, final long defaultValue)
    {
        return Long.parseLong(options.getOrDefault(name, String.valueOf(defaultValue)));
    }

    static List<String> readLines(final Path path) throws IOException
    {
        return Files.readAllLines(path, StandardCharsets.UTF_8);
    }

    private static int usage(final String problem)
    {
        System.err.println("KvClient: " + problem);
        System.err.println("usage: KvClient [--endpoints SPEC] put KEY VALUE [TTL_MS] |" +
            " [--get-mode read-index|lease|log] [--prefer-followers] get KEY | delete KEY | clear |" +
            " cas KEY EXPECTED|- NEW [TTL_MS] | load [--rate N] [--duration S] [--warmup S] [--value-size B] [--acks FILE]" +
            " [--hgrm FILE] | verify ACKS_FILE");
        System.err.println("       KvClient digest [--wait S] DATA_DIR...");
        return 2;
    }
}
