package io.flotilla.engine.node;

import io.flotilla.engine.raft.ConfigHistory;
import io.flotilla.engine.raft.Configuration;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The cluster configuration as of the applied index: the bootstrap (the members spec) until a configuration entry
 * is applied, then the last one applied. It goes into every snapshot, so that a node restarting from a snapshot, or
 * installing one, knows the members (and their endpoints) even when the entries that changed them were compacted
 * away; recovery starts the core's {@link ConfigHistory} from it. Node thread only.
 */
final class AppliedConfiguration
{
    private final String[] bootstrapEndpoints;
    private Configuration configuration;
    private long index;

    /**
     * @param bootstrap the configuration before any configuration entry, with the spec's endpoints.
     */
    AppliedConfiguration(final Configuration bootstrap)
    {
        configuration = bootstrap;
        bootstrapEndpoints = new String[Configuration.MAX_MEMBER_ID + 1];
        for (int id = 0; id <= Configuration.MAX_MEMBER_ID; id++)
        {
            bootstrapEndpoints[id] = bootstrap.endpoint(id);
        }
    }

    /**
     * A configuration entry was applied.
     *
     * @throws IllegalStateException when the payload is not a configuration (the log was validated: damage).
     */
    void onEntry(final long index, final DirectBuffer buffer, final int offset, final int length)
    {
        final Configuration decoded = Configuration.decode(buffer, offset, length);
        if (null == decoded)
        {
            throw new IllegalStateException("configuration entry at index " + index + " does not decode");
        }
        configuration = withKnownEndpoints(decoded);
        this.index = index;
    }

    /**
     * @return the configuration as of the applied index.
     */
    Configuration configuration()
    {
        return configuration;
    }

    /**
     * @return where the core's configuration history begins: the applied configuration and the index it was
     * applied at (0 for the bootstrap).
     */
    ConfigHistory history()
    {
        return new ConfigHistory(index, configuration);
    }

    /**
     * @param decoded a configuration read from the log (entries written before endpoints were carried have none).
     * @return it with the spec's endpoints for the members it gives none.
     */
    Configuration withKnownEndpoints(final Configuration decoded)
    {
        return decoded.withEndpoints(bootstrapEndpoints);
    }

    /**
     * Write the configuration into a snapshot being taken at the applied index.
     */
    void writeTo(final DataOutputStream out) throws IOException
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[configuration.encodedLength()]);
        final int length = configuration.encode(buffer, 0);
        out.writeInt(length);
        out.write(buffer.byteArray(), 0, length);
    }

    /**
     * Take the configuration of a snapshot being loaded.
     *
     * @param snapshotIndex the snapshot's last included index, from which the configuration is in effect.
     * @throws IOException when the bytes are not a configuration.
     */
    void loadFrom(final DataInputStream in, final long snapshotIndex) throws IOException
    {
        final int length = in.readInt();
        if (length < 0 || length > 64 * 1024)
        {
            throw new IOException("snapshot configuration length " + length);
        }
        final byte[] bytes = new byte[length];
        in.readFully(bytes);
        final Configuration decoded = Configuration.decode(new UnsafeBuffer(bytes), 0, length);
        if (null == decoded)
        {
            throw new IOException("snapshot configuration does not decode");
        }
        configuration = withKnownEndpoints(decoded);
        index = snapshotIndex;
    }

    /**
     * Take the configuration of a snapshot written before snapshots held one: its header's voters.
     */
    void loadVoters(final int[] voters, final long snapshotIndex)
    {
        configuration = withKnownEndpoints(Configuration.ofVoters(voters));
        index = snapshotIndex;
    }
}
