package io.flotilla.engine;

import io.flotilla.engine.node.HmacSha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterKeysTest
{
    private static final String KEY_A = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private static final String KEY_B = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

    @TempDir
    Path tempDir;

    @Test
    void theFingerprintIsTheFirstFourBytesOfTheKeysSha256()
    {
        final ClusterKeys keys = ClusterKeys.fromHex(KEY_A, KEY_B);
        final byte[] digest = HmacSha256.sha256().digest(keys.key(0));
        assertEquals(2, keys.count());
        assertEquals(String.format("%02x%02x%02x%02x", digest[0], digest[1], digest[2], digest[3]),
            ClusterKeys.toHex(keys.fingerprint(0)));
        assertNotEquals(keys.fingerprint(0), keys.fingerprint(1));
        assertEquals(ClusterKeys.toHex(keys.fingerprint(0)) + ", " + ClusterKeys.toHex(keys.fingerprint(1)),
            keys.toString());
        assertFalse(keys.toString().contains(KEY_A.substring(0, 8)));
    }

    @Test
    void aWrittenFileLoadsBackAndOnlyItsOwnerMayReadIt() throws IOException
    {
        final ClusterKeys keys = ClusterKeys.generate();
        final Path file = tempDir.resolve("cluster.key");
        keys.write(file);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        final ClusterKeys loaded = ClusterKeys.load(file);
        assertEquals(1, loaded.count());
        assertEquals(keys.fingerprint(0), loaded.fingerprint(0));
    }

    @Test
    void aFileHoldsOneKeyPerLineTheSigningKeyFirstWithComments() throws IOException
    {
        final Path file = tempDir.resolve("rotating.key");
        Files.writeString(file, "# new key signs, old one still accepted\n" + KEY_B + "\n\n  " + KEY_A + "  \n");
        final ClusterKeys keys = ClusterKeys.load(file);
        assertEquals(2, keys.count());
        assertEquals(ClusterKeys.fromHex(KEY_B).fingerprint(0), keys.fingerprint(0));
        assertEquals(ClusterKeys.fromHex(KEY_A).fingerprint(0), keys.fingerprint(1));
    }

    @Test
    void badKeysAndFilesAreRejectedClearly() throws IOException
    {
        assertMessage(() -> ClusterKeys.fromHex(), "no cluster key");
        assertMessage(() -> ClusterKeys.fromHex(KEY_A.substring(1)), "even number of hex digits");
        assertMessage(() -> ClusterKeys.fromHex(KEY_A.replace('a', 'g')), "hex digits only");
        assertMessage(() -> ClusterKeys.fromHex(KEY_A.substring(2)), "31 bytes is too short", "at least 32");

        final Path empty = tempDir.resolve("empty.key");
        Files.writeString(empty, "# nothing here\n\n");
        assertMessage(() -> ClusterKeys.load(empty), "holds no key", empty.toString());

        final Path bad = tempDir.resolve("bad.key");
        Files.writeString(bad, KEY_A + "\nnot-hex\n");
        assertMessage(() -> ClusterKeys.load(bad), bad + " line 2", "hex");

        final Path missing = tempDir.resolve("missing.key");
        assertMessage(() -> ClusterKeys.load(missing), "cannot be read", missing.toString());
    }

    private static void assertMessage(final Runnable action, final String... fragments)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, action::run);
        for (final String fragment : fragments)
        {
            assertTrue(ex.getMessage().contains(fragment), "'" + ex.getMessage() + "' should mention '" + fragment + "'");
        }
    }
}
