package io.flotilla.engine;

import io.flotilla.engine.node.HmacSha256;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys members sign their consensus messages with: the first signs, all are accepted when verifying, so a key
 * is rotated by adding the new one second on every member, then moving it first, then removing the old one (a
 * rolling restart each step; see docs/security.md). A key is at least {@link #MIN_KEY_LENGTH} bytes. A key is named
 * by its fingerprint, the first 4 bytes of its SHA-256, in logs and on the wire; the key itself is never printed.
 */
public final class ClusterKeys
{
    /** Shortest key accepted: 256 bits, HMAC-SHA256's own strength. */
    public static final int MIN_KEY_LENGTH = 32;

    private final byte[][] keys;
    private final int[] fingerprints;

    private ClusterKeys(final byte[][] keys)
    {
        this.keys = keys;
        fingerprints = new int[keys.length];
        for (int i = 0; i < keys.length; i++)
        {
            final byte[] digest = HmacSha256.sha256().digest(keys[i]);
            fingerprints[i] = (digest[0] & 0xFF) << 24 | (digest[1] & 0xFF) << 16 | (digest[2] & 0xFF) << 8 |
                (digest[3] & 0xFF);
        }
    }

    /**
     * @return one new random key of {@link #MIN_KEY_LENGTH} bytes, e.g. for a test cluster (give all its members
     * the same instance or {@link #write} it for them).
     */
    public static ClusterKeys generate()
    {
        final byte[] key = new byte[MIN_KEY_LENGTH];
        new SecureRandom().nextBytes(key);
        return new ClusterKeys(new byte[][]{ key });
    }

    /**
     * @param hexKeys the signing key first, then any others accepted; each hex, at least 32 bytes.
     * @return the keys.
     * @throws IllegalArgumentException on no key, bad hex or a short key.
     */
    public static ClusterKeys fromHex(final String... hexKeys)
    {
        if (0 == hexKeys.length)
        {
            throw new IllegalArgumentException("no cluster key given");
        }
        final byte[][] keys = new byte[hexKeys.length][];
        for (int i = 0; i < hexKeys.length; i++)
        {
            keys[i] = parseKey(hexKeys[i], "key " + (i + 1));
        }
        return new ClusterKeys(keys);
    }

    /**
     * Read a key file: one hex key per line, the signing key first; blank lines and lines starting with '#' are
     * ignored.
     *
     * @param file to read.
     * @return the keys.
     * @throws IllegalArgumentException naming the file and line when it cannot be read or holds no or a bad key.
     */
    public static ClusterKeys load(final Path file)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IllegalArgumentException("cluster key file " + file + " cannot be read: " + ex, ex);
        }

        final List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).trim();
            if (!line.isEmpty() && !line.startsWith("#"))
            {
                keys.add(parseKey(line, file + " line " + (i + 1)));
            }
        }
        if (keys.isEmpty())
        {
            throw new IllegalArgumentException("cluster key file " + file + " holds no key: write one hex key of at " +
                "least " + MIN_KEY_LENGTH + " bytes per line (e.g. od -An -tx1 -N32 /dev/urandom | tr -d ' \\n')");
        }
        return new ClusterKeys(keys.toArray(new byte[0][]));
    }

    /**
     * Write the keys as a key file readable by {@link #load}, readable and writable by its owner only.
     *
     * @param file to create or replace.
     * @throws IOException when it cannot be written.
     */
    public void write(final Path file) throws IOException
    {
        final StringBuilder text = new StringBuilder("# flotilla cluster keys: the first signs, all verify\n");
        for (final byte[] key : keys)
        {
            for (final byte b : key)
            {
                text.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            text.append('\n');
        }
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    /**
     * @return how many keys: the signing key and those accepted besides.
     */
    public int count()
    {
        return keys.length;
    }

    /**
     * @param i index of the key, 0 for the signing key.
     * @return the key's fingerprint: the first 4 bytes of its SHA-256, big-endian.
     */
    public int fingerprint(final int i)
    {
        return fingerprints[i];
    }

    /**
     * @param i index of the key, 0 for the signing key.
     * @return a copy of the key's bytes, to key a MAC with.
     */
    public byte[] key(final int i)
    {
        return keys[i].clone();
    }

    /**
     * @param fingerprint a key's fingerprint.
     * @return it as the 8 hex digits logs show.
     */
    public static String toHex(final int fingerprint)
    {
        return String.format("%08x", fingerprint);
    }

    /**
     * @return the fingerprints, the signing key's first; never the keys.
     */
    public String toString()
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < fingerprints.length; i++)
        {
            text.append(0 == i ? "" : ", ").append(toHex(fingerprints[i]));
        }
        return text.toString();
    }

    private static byte[] parseKey(final String hex, final String where)
    {
        final String digits = hex.trim();
        if (0 != digits.length() % 2)
        {
            throw new IllegalArgumentException(where + ": a cluster key must be an even number of hex digits");
        }
        final byte[] key = new byte[digits.length() / 2];
        for (int i = 0; i < key.length; i++)
        {
            final int high = Character.digit(digits.charAt(2 * i), 16);
            final int low = Character.digit(digits.charAt(2 * i + 1), 16);
            if (high < 0 || low < 0)
            {
                throw new IllegalArgumentException(where + ": a cluster key must be hex digits only (0-9, a-f)");
            }
            key[i] = (byte)(high << 4 | low);
        }
        if (key.length < MIN_KEY_LENGTH)
        {
            throw new IllegalArgumentException(where + ": a cluster key of " + key.length + " bytes is too short: " +
                "use at least " + MIN_KEY_LENGTH + " random bytes (" + 2 * MIN_KEY_LENGTH + " hex digits)");
        }
        return key;
    }
}
