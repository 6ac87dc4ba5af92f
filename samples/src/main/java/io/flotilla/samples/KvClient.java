package io.flotilla.samples;

import io.flotilla.admin.cli.CommandLines;
import io.flotilla.admin.cli.FlotillaVersion;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.client.FlotillaClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Command-line client of the KV cache sample (docs/kv-sample.md; {@code --help} on it and on every command):
 * <pre>
 *   KvClient [--endpoints SPEC] [--principal NAME --secret-file FILE] COMMAND
 *     put KEY VALUE [TTL_MS] | get [--get-mode read-index|lease|log] [--prefer-followers] KEY | delete KEY | clear
 *     | cas KEY EXPECTED|- NEW [TTL_MS]
 *     | load [--rate RATE] [--duration DURATION] [--warmup DURATION] [--value-size SIZE] [--acks FILE] [--hgrm FILE]
 *     | verify [--get-mode ...] [--prefer-followers] ACKS_FILE
 *     | feed [--duration DURATION] [--stop-file FILE] [--acks FILE]... [--quiet]
 *     | digest [--wait DURATION] DATA_DIR...     (compares replica state files; no cluster connection)
 * </pre>
 * Without {@code --endpoints}, {@value FlotillaClient.Context#INGRESS_ENDPOINTS_PROP} or
 * {@value ClusterNode.Context#MEMBERS_PROP} names the cluster; credentials default to
 * {@value FlotillaClient.Context#PRINCIPAL_PROP} and {@value FlotillaClient.Context#SECRET_FILE_PROP}.
 * Exit status: 0 done, 1 the command failed or a check found a difference, 2 usage error.
 */
@Command(
    name = "KvClient",
    mixinStandardHelpOptions = true,
    versionProvider = FlotillaVersion.class,
    description = "Client of the replicated KV cache sample: one request, a load run, a read-back of its " +
        "acknowledged writes, the change feed, or a comparison of the replicas' state files.",
    subcommands = {
        KvRequest.Put.class,
        KvRequest.Get.class,
        KvRequest.Delete.class,
        KvRequest.Clear.class,
        KvRequest.Cas.class,
        LoadCommand.class,
        VerifyCommand.class,
        FeedCommand.class,
        DigestCommand.class,
        CommandLine.HelpCommand.class
    },
    footer = {
        "",
        "Exit codes: 0 done, 1 the command failed or a check found a difference, 2 usage error."
    })
public final class KvClient implements Runnable
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--endpoints", paramLabel = "SPEC",
        description = "The cluster: a members spec (id=host:consensusPort:ingressPort,...) or host:ingressPort " +
            "list (default: -D" + FlotillaClient.Context.INGRESS_ENDPOINTS_PROP + ", else -D" +
            ClusterNode.Context.MEMBERS_PROP + ").")
    private String endpoints;

    @Option(names = "--principal", paramLabel = "NAME",
        description = "Principal to open the session as, against nodes that check credentials " +
            "(default: -D" + FlotillaClient.Context.PRINCIPAL_PROP + ").")
    private String principal;

    @Option(names = "--secret-file", paramLabel = "FILE",
        description = "File holding the principal's secret in hexadecimal (default: -D" +
            FlotillaClient.Context.SECRET_FILE_PROP + ").")
    private String secretFile;

    private final PrintStream out;

    private KvClient(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * @param out where the commands' results and the usage go; errors go to the command line's err.
     * @return the client as a picocli command line: {@link CommandLine#execute(String...)} gives the exit status.
     */
    static CommandLine commandLine(final PrintStream out)
    {
        final CommandLine commandLine = CommandLines.create(new KvClient(out));
        commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        return commandLine;
    }

    public static void main(final String[] args)
    {
        System.exit(commandLine(System.out).execute(args));
    }

    /**
     * @return the exit status of the command line {@code args}, its results printed on {@code out}.
     */
    static int run(final String[] args, final PrintStream out)
    {
        return commandLine(out).execute(args);
    }

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a command, e.g. 'KvClient get KEY'");
    }

    PrintStream out()
    {
        return out;
    }

    /**
     * @param command the subcommand that needs the cluster, named in the error when no endpoints are given.
     * @return a client context for the cluster, with the credentials given.
     */
    FlotillaClient.Context context(final CommandSpec command)
    {
        final String cluster = null != endpoints ? endpoints :
            System.getProperty(FlotillaClient.Context.INGRESS_ENDPOINTS_PROP,
                System.getProperty(ClusterNode.Context.MEMBERS_PROP));
        if (null == cluster)
        {
            throw new CommandLine.ParameterException(command.commandLine(), "no endpoints: give --endpoints SPEC " +
                "before the command, or -D" + FlotillaClient.Context.INGRESS_ENDPOINTS_PROP);
        }
        final FlotillaClient.Context ctx = new FlotillaClient.Context().ingressEndpoints(cluster);
        if (null != principal)
        {
            ctx.principal(principal);
        }
        if (null != secretFile)
        {
            ctx.secretFile(secretFile);
        }
        return ctx;
    }
}
