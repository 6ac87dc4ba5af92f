package io.flotilla.samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * One replica's state as {@link KvNode} publishes it in its data directory ({@value #FILE_NAME}), one line of
 * {@code name=value} pairs, replaced atomically: applied index, state digest, key count, role, term, leader, and
 * for a node that stopped itself role {@value #FAILED} and {@code failure=<FailureCause>}. Lets a script or
 * {@link KvClient} compare replicas without going through the log, and a supervisor see a node that failed.
 *
 * @param appliedIndex last log index applied to the state machine.
 * @param digest       KV state digest, hex.
 * @param keys         live keys.
 * @param role         Raft role.
 * @param term         current term.
 * @param leader       leader member id, or -1.
 * @param pid          process id of the node.
 * @param failure      why the node stopped itself (a {@code FailureCause} name), or null.
 */
public record ReplicaStatus(
    long appliedIndex, String digest, int keys, String role, long term, int leader, long pid, String failure)
{
    public static final String FILE_NAME = "kv-status";
    /** The role written by a node that stopped itself. */
    public static final String FAILED = "FAILED";

    /**
     * The status of a node that runs (or stopped cleanly).
     */
    public ReplicaStatus(
        final long appliedIndex, final String digest, final int keys, final String role, final long term,
        final int leader, final long pid)
    {
        this(appliedIndex, digest, keys, role, term, leader, pid, null);
    }

    /**
     * Replace the file atomically; when that fails (a full disk refuses the new file), overwrite it in place, which
     * needs no more space than it holds once truncated: a node stopped by a full disk still says FAILED.
     */
    void write(final Path dataDir) throws IOException
    {
        final byte[] line = ("appliedIndex=" + appliedIndex + " digest=" + digest + " keys=" + keys + " role=" + role +
            " term=" + term + " leader=" + leader + " pid=" + pid + (null == failure ? "" : " failure=" + failure) +
            "\n").getBytes(StandardCharsets.US_ASCII);
        final Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
        try
        {
            Files.write(tmp, line);
            Files.move(tmp, dataDir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            Files.deleteIfExists(tmp);
            Files.write(dataDir.resolve(FILE_NAME), line);
        }
    }

    /**
     * @return the status, or null when the file is missing or unreadable.
     */
    public static ReplicaStatus read(final Path dataDir)
    {
        try
        {
            final Map<String, String> fields = new HashMap<>();
            for (final String pair : Files.readString(dataDir.resolve(FILE_NAME), StandardCharsets.US_ASCII).trim().split(" "))
            {
                final int equals = pair.indexOf('=');
                fields.put(pair.substring(0, equals), pair.substring(equals + 1));
            }
            return new ReplicaStatus(
                Long.parseLong(fields.get("appliedIndex")),
                fields.get("digest"),
                Integer.parseInt(fields.get("keys")),
                fields.get("role"),
                Long.parseLong(fields.get("term")),
                Integer.parseInt(fields.get("leader")),
                Long.parseLong(fields.get("pid")),
                fields.get("failure"));
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    @Override
    public String toString()
    {
        return "appliedIndex=" + appliedIndex + " digest=" + digest + " keys=" + keys + " role=" + role + " term=" + term +
            (null == failure ? "" : " failure=" + failure);
    }
}
