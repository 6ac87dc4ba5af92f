package io.flotilla.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedSecretAuthenticatorTest
{
    private static final byte[] SECRET = SharedSecretCredentials.parseHex("00112233445566778899aabbccddeeff");
    private static final long SKEW_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long NOW_NS = TimeUnit.DAYS.toNanos(20_000);
    private static final String CHANNEL = "aeron:udp?endpoint=localhost:20123";

    @TempDir
    Path tempDir;

    private final SharedSecretAuthenticator authenticator =
        new SharedSecretAuthenticator(Map.of("alice", SECRET), SKEW_NS);
    private final SharedSecretCredentials credentials = new SharedSecretCredentials();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);

    @Test
    void acceptsFreshCredentialsOnceAndNamesThePrincipal()
    {
        final int length = write("alice", SECRET, NOW_NS, 1, 7, 42);
        assertEquals("alice", authenticator.authenticate(connect(7, 42, length, NOW_NS)));
        assertNull(authenticator.authenticate(connect(7, 42, length, NOW_NS + 1)), "a replay is refused");

        final int next = write("alice", SECRET, NOW_NS + 1, 2, 8, 42);
        assertEquals("alice", authenticator.authenticate(connect(8, 42, next, NOW_NS + 2)));
    }

    @Test
    void refusesStaleWrongOrMisdirectedCredentials()
    {
        assertNull(authenticator.authenticate(connect(7, 42, write("alice", SECRET, NOW_NS - SKEW_NS - 1, 1, 7, 42),
            NOW_NS)), "stale");
        assertNull(authenticator.authenticate(connect(7, 42, write("alice", SECRET, NOW_NS + SKEW_NS + 1, 2, 7, 42),
            NOW_NS)), "from the future");
        final byte[] wrong = SECRET.clone();
        wrong[0]++;
        assertNull(authenticator.authenticate(connect(7, 42, write("alice", wrong, NOW_NS, 3, 7, 42), NOW_NS)));
        assertNull(authenticator.authenticate(connect(7, 42, write("mallory", SECRET, NOW_NS, 4, 7, 42), NOW_NS)));
        assertNull(authenticator.authenticate(connect(8, 42, write("alice", SECRET, NOW_NS, 5, 7, 42), NOW_NS)),
            "another connect's correlation id");
        assertNull(authenticator.authenticate(connect(7, 43, write("alice", SECRET, NOW_NS, 6, 7, 42), NOW_NS)),
            "sent on another publication");
        assertNull(authenticator.authenticate(connect(7, 42, 0, NOW_NS)), "no credentials");
        assertNull(authenticator.authenticate(connect(7, 42, 19, NOW_NS)), "truncated");
    }

    @Test
    void aForgottenNonceCannotComeBack()
    {
        final int first = write("alice", SECRET, NOW_NS, -1, 1, 42);
        final byte[] captured = new byte[first];
        buffer.getBytes(0, captured);
        assertEquals("alice", authenticator.authenticate(connect(1, 42, first, NOW_NS)));
        for (int i = 0; i < SharedSecretAuthenticator.NONCES_KEPT; i++)
        {
            final int length = write("alice", SECRET, NOW_NS + 1 + i, i, 100 + i, 42);
            assertEquals("alice", authenticator.authenticate(connect(100 + i, 42, length, NOW_NS + 1 + i)));
        }
        buffer.putBytes(0, captured);
        assertNull(authenticator.authenticate(connect(1, 42, first, NOW_NS + 1)), "evicted, still refused");
    }

    @Test
    void loadsPrincipalsFromAFileAndNamesThePropertyWhenItIsMalformed() throws IOException
    {
        final Path file = tempDir.resolve("secrets");
        Files.writeString(file, "# principals\nalice:00112233445566778899aabbccddeeff\n\nbob:ffeeddccbbaa99887766554433221100\n");
        final Map<String, byte[]> secrets = SharedSecretAuthenticator.loadSecrets(file);
        assertArrayEquals(SECRET, secrets.get("alice"));
        assertEquals(2, secrets.size());

        Files.writeString(file, "alice:not-hex\n");
        final IllegalArgumentException malformed =
            assertThrows(IllegalArgumentException.class, () -> SharedSecretAuthenticator.loadSecrets(file));
        assertTrue(malformed.getMessage().contains(SharedSecretAuthenticator.SECRETS_FILE_PROP));
        final IllegalArgumentException shortSecret = assertThrows(IllegalArgumentException.class,
            () -> new SharedSecretAuthenticator(Map.of("alice", new byte[8]), SKEW_NS));
        assertTrue(shortSecret.getMessage().contains(SharedSecretAuthenticator.SECRETS_FILE_PROP));
    }

    private int write(
        final String principal,
        final byte[] secret,
        final long timestampNs,
        final long nonce,
        final long correlationId,
        final int aeronSessionId)
    {
        return credentials.encode(buffer, 0, principal, new SecretKeySpec(secret, SharedSecretCredentials.ALGORITHM),
            timestampNs, nonce, correlationId, 11, aeronSessionId, CHANNEL);
    }

    private ConnectRequest connect(final long correlationId, final int aeronSessionId, final int length, final long nowNs)
    {
        return new ConnectRequest()
        {
            public long correlationId()
            {
                return correlationId;
            }

            public int responseStreamId()
            {
                return 11;
            }

            public String responseChannel()
            {
                return CHANNEL;
            }

            public int aeronSessionId()
            {
                return aeronSessionId;
            }

            public DirectBuffer credentials()
            {
                return buffer;
            }

            public int credentialsOffset()
            {
                return 0;
            }

            public int credentialsLength()
            {
                return length;
            }

            public long nowNs()
            {
                return nowNs;
            }
        };
    }
}
