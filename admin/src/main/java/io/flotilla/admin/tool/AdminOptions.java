package io.flotilla.admin.tool;

import io.flotilla.admin.cli.DurationConverter;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The options of every subcommand that talks to the nodes' admin endpoints: which nodes, the token, the timeout.
 */
final class AdminOptions
{
    static final String NODES_ENV = "FLOTILLA_ADMIN_NODES";
    static final String TOKEN_FILE_ENV = "FLOTILLA_ADMIN_TOKEN_FILE";
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    @Option(names = "--nodes", paramLabel = "HOST:PORT[,HOST:PORT...]",
        description = "The nodes' admin endpoints (default: $" + NODES_ENV + ").")
    String nodes;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "File holding the admin token, needed for changes (default: $" + TOKEN_FILE_ENV + ").")
    Path tokenFile;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
        description = "How long to wait for each node's answer, e.g. 500ms, 10s (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /**
     * @return the nodes named by {@code --nodes}, or by the environment.
     * @throws CommandLine.ParameterException when neither names any, or one is not host:port.
     */
    List<NodeAddress> nodes(final CommandSpec spec, final Map<String, String> environment)
    {
        final String list = null != nodes ? nodes : environment.get(NODES_ENV);
        if (null == list || list.isBlank())
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "no nodes: give --nodes host:port,host:port (the nodes' admin endpoints) or set " + NODES_ENV);
        }
        try
        {
            return NodeAddress.parseList(list);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "bad " +
                (null != nodes ? "--nodes" : NODES_ENV) + ": " + ex.getMessage());
        }
    }

    /**
     * @param required whether the subcommand changes the cluster and so cannot go on without a token.
     * @return a client for the nodes, with the token when one is given.
     */
    AdminClient client(final CommandSpec spec, final Map<String, String> environment, final boolean required)
    {
        final Duration requestTimeout = requestTimeout(spec);
        final Duration connectTimeout =
            requestTimeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? requestTimeout : MAX_CONNECT_TIMEOUT;
        return new AdminClient(connectTimeout, requestTimeout, token(spec, environment, required));
    }

    private Duration requestTimeout(final CommandSpec spec)
    {
        if (timeout.compareTo(Duration.ofMillis(1)) < 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be at least 1ms");
        }
        return timeout;
    }

    private String token(final CommandSpec spec, final Map<String, String> environment, final boolean required)
    {
        final String envFile = environment.get(TOKEN_FILE_ENV);
        final Path file = null != tokenFile ? tokenFile : null == envFile || envFile.isBlank() ? null : Path.of(envFile);
        if (null == file)
        {
            if (required)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), spec.name() + " changes the cluster " +
                    "and needs the admin token: give --token-file FILE or set " + TOKEN_FILE_ENV);
            }
            return null;
        }

        final String token;
        try
        {
            token = Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        catch (final IOException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read the token file " + file + ": " + ex);
        }
        if (token.isEmpty())
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "the token file " + file + " is empty");
        }
        return token;
    }
}
