package io.flotilla.engine;

import io.flotilla.archive.Settings;
import org.agrona.collections.LongArrayQueue;
import org.agrona.collections.LongHashSet;

import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Authenticates connects whose {@link SharedSecretCredentials} carry a valid MAC under the secret of their
 * principal, a timestamp within {@code maxSkewNs} of the node's clock and a nonce not seen from that principal
 * within that window. Selected with {@code flotilla.authenticator=io.flotilla.engine.SharedSecretAuthenticator},
 * which reads the secrets from {@code flotilla.authenticator.secrets.file} ({@code principal:hexsecret} per line,
 * {@code #} comments) and the skew from {@code flotilla.authenticator.max.skew} (default 30s).
 * <p>
 * Replay memory is per member and bounded: per principal the last {@link #NONCES_KEPT} nonces; once one is
 * forgotten, connects from that principal stamped at or before it are refused, so a forgotten nonce cannot come
 * back. Called on the node thread only.
 */
public final class SharedSecretAuthenticator implements Authenticator
{
    /** File of {@code principal:hexsecret} lines. */
    public static final String SECRETS_FILE_PROP = "flotilla.authenticator.secrets.file";

    /** Largest difference between a client's timestamp and the node's clock, e.g. 30s. */
    public static final String MAX_SKEW_PROP = "flotilla.authenticator.max.skew";
    public static final long MAX_SKEW_DEFAULT_NS = TimeUnit.SECONDS.toNanos(30);

    /** Every property this authenticator reads. */
    public static final List<String> PROPERTIES = Settings.names(SECRETS_FILE_PROP, MAX_SKEW_PROP);

    /** Nonces remembered per principal. */
    public static final int NONCES_KEPT = 4096;

    /** Shortest secret accepted, in bytes. */
    public static final int MIN_SECRET_LENGTH = 16;

    private final Map<String, SecretKeySpec> secrets = new HashMap<>();
    private final Map<String, RecentNonces> recentNonces = new HashMap<>();
    private final SharedSecretCredentials credentials = new SharedSecretCredentials();
    private final long maxSkewNs;

    /**
     * From the system properties: {@value #SECRETS_FILE_PROP} (required) and {@value #MAX_SKEW_PROP}.
     *
     * @throws IllegalArgumentException naming the property when the file is missing or malformed.
     */
    public SharedSecretAuthenticator()
    {
        this(requiredFile());
    }

    /**
     * From a secrets file, with the skew of {@value #MAX_SKEW_PROP}.
     *
     * @param secretsFile of {@code principal:hexsecret} lines.
     */
    public SharedSecretAuthenticator(final Path secretsFile)
    {
        this(loadSecrets(secretsFile), Settings.durationNs(MAX_SKEW_PROP, MAX_SKEW_DEFAULT_NS));
    }

    /**
     * @param secrets   principal to secret, each at least {@link #MIN_SECRET_LENGTH} bytes.
     * @param maxSkewNs largest accepted difference between a client's timestamp and the node's clock.
     */
    public SharedSecretAuthenticator(final Map<String, byte[]> secrets, final long maxSkewNs)
    {
        if (maxSkewNs <= 0)
        {
            throw new IllegalArgumentException(MAX_SKEW_PROP + "=" + maxSkewNs + "ns: must be positive");
        }
        if (secrets.isEmpty())
        {
            throw new IllegalArgumentException("no principals (" + SECRETS_FILE_PROP + ")");
        }
        for (final Map.Entry<String, byte[]> entry : secrets.entrySet())
        {
            final String principal = entry.getKey();
            if (!isValidPrincipal(principal))
            {
                throw new IllegalArgumentException("principal '" + principal + "': 1 to " + MAX_PRINCIPAL_LENGTH +
                    " printable ASCII characters, no ':' (" + SECRETS_FILE_PROP + ")");
            }
            if (entry.getValue().length < MIN_SECRET_LENGTH)
            {
                throw new IllegalArgumentException("the secret of " + principal + " has " +
                    entry.getValue().length + " bytes, fewer than " + MIN_SECRET_LENGTH + " (" + SECRETS_FILE_PROP + ")");
            }
            this.secrets.put(principal, new SecretKeySpec(entry.getValue(), SharedSecretCredentials.ALGORITHM));
            recentNonces.put(principal, new RecentNonces());
        }
        this.maxSkewNs = maxSkewNs;
    }

    /**
     * Read {@code principal:hexsecret} lines; blank lines and lines starting with {@code #} are skipped.
     *
     * @param file to read.
     * @return principal to secret.
     * @throws IllegalArgumentException naming the file and line when it cannot be read or a line is malformed.
     */
    public static Map<String, byte[]> loadSecrets(final Path file)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read " + SECRETS_FILE_PROP + "=" + file + ": " + ex, ex);
        }
        final Map<String, byte[]> secrets = new HashMap<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int colon = line.lastIndexOf(':');
            final byte[] secret = colon > 0 ? SharedSecretCredentials.parseHex(line.substring(colon + 1)) : null;
            if (null == secret || null != secrets.put(line.substring(0, colon), secret))
            {
                throw new IllegalArgumentException(file + " line " + (i + 1) +
                    ": expected a new principal:hexsecret (" + SECRETS_FILE_PROP + ")");
            }
        }
        return secrets;
    }

    /**
     * {@inheritDoc}
     */
    public String authenticate(final ConnectRequest connect)
    {
        final int offset = connect.credentialsOffset();
        if (!SharedSecretCredentials.isWellFormed(connect.credentials(), offset, connect.credentialsLength()))
        {
            return null;
        }
        final String principal = SharedSecretCredentials.principal(connect.credentials(), offset);
        final SecretKeySpec secret = secrets.get(principal);
        final long timestampNs = SharedSecretCredentials.timestampNs(connect.credentials(), offset);
        if (null == secret || Math.abs(connect.nowNs() - timestampNs) > maxSkewNs ||
            !credentials.verify(connect.credentials(), offset, secret, connect.correlationId(),
                connect.responseStreamId(), connect.aeronSessionId(), connect.responseChannel()) ||
            !recentNonces.get(principal).accept(
                SharedSecretCredentials.nonce(connect.credentials(), offset), timestampNs, connect.nowNs() - maxSkewNs))
        {
            return null;
        }
        return principal;
    }

    private static boolean isValidPrincipal(final String principal)
    {
        if (principal.isEmpty() || principal.length() > MAX_PRINCIPAL_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < principal.length(); i++)
        {
            final char c = principal.charAt(i);
            if (c <= ' ' || c > '~' || ':' == c)
            {
                return false;
            }
        }
        return true;
    }

    private static Path requiredFile()
    {
        final String file = System.getProperty(SECRETS_FILE_PROP);
        if (null == file)
        {
            throw new IllegalArgumentException(SharedSecretAuthenticator.class.getName() + " needs " +
                SECRETS_FILE_PROP + " (a file of principal:hexsecret lines)");
        }
        return Path.of(file);
    }

    /**
     * One principal's nonces within the skew window, oldest first, with the timestamp below which none is accepted.
     */
    private static final class RecentNonces
    {
        private final LongHashSet nonces = new LongHashSet();
        private final LongArrayQueue order = new LongArrayQueue();
        private final LongArrayQueue timestamps = new LongArrayQueue();
        private long floorNs = Long.MIN_VALUE;

        boolean accept(final long nonce, final long timestampNs, final long windowStartNs)
        {
            while (!order.isEmpty() && timestamps.peekLong() < windowStartNs)
            {
                // Out of the window: its replay would be refused as stale.
                nonces.remove(order.pollLong());
                timestamps.pollLong();
            }
            if (timestampNs <= floorNs || !nonces.add(nonce))
            {
                return false;
            }
            order.addLong(nonce);
            timestamps.addLong(timestampNs);
            if (order.size() > NONCES_KEPT)
            {
                nonces.remove(order.pollLong());
                floorNs = Math.max(floorNs, timestamps.pollLong());
            }
            return true;
        }
    }
}
