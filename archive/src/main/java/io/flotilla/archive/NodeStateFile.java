package io.flotilla.archive;

import io.flotilla.codecs.Checksums;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.FrameVerdict;
import io.flotilla.codecs.MessageHeaderDecoder;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.NodeStateRecordDecoder;
import io.flotilla.codecs.NodeStateRecordEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The node's small persistent state: current term, vote, and a last-known commit index (a hint for how far
 * recovery may re-apply the log). One SBE {@code NodeStateRecord} protected by a CRC32C, replaced atomically:
 * write a temp file, fsync it, rename it over the file, fsync the directory. A missing file is a fresh node; a
 * short, long or checksum-failing file raises {@link IllegalStateException} naming the file: it is never read
 * as zeros. {@link #write} returns only once the new state is durable.
 */
public final class NodeStateFile
{
    /** The file's name in the node's data directory. */
    public static final String FILE_NAME = "node-state.dat";

    /** Vote value for "no vote cast this term". */
    public static final int NO_VOTE = -1;

    private static final int RECORD_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + NodeStateRecordEncoder.BLOCK_LENGTH;
    private static final int CHECKSUM_END =
        MessageHeaderEncoder.ENCODED_LENGTH + NodeStateRecordEncoder.checksumEncodingOffset() + 4;

    private final Path file;
    private final Path tempFile;
    private final Path directory;
    private final ByteBuffer byteBuffer = ByteBuffer.allocate(RECORD_LENGTH);
    private final UnsafeBuffer buffer = new UnsafeBuffer(byteBuffer);
    private final NodeStateRecordEncoder encoder = new NodeStateRecordEncoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final boolean existed;
    private long currentTerm;
    private int votedFor = NO_VOTE;
    private long commitIndexHint;

    private NodeStateFile(final File directory)
    {
        this.directory = directory.toPath();
        this.file = this.directory.resolve(FILE_NAME);
        this.tempFile = this.directory.resolve(FILE_NAME + ".tmp");
        this.existed = Files.exists(file);
        if (existed)
        {
            load();
        }
    }

    /**
     * Load the node's state from its data directory, or start fresh (term 0, no vote, hint 0) when there is none.
     *
     * @param directory the node's data directory (created if missing).
     * @return the state.
     * @throws IllegalStateException naming the file when it exists but is damaged.
     */
    public static NodeStateFile open(final File directory)
    {
        try
        {
            Files.createDirectories(directory.toPath());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create node data directory " + directory, ex);
        }

        return new NodeStateFile(directory);
    }

    /**
     * Replace the state durably: on return it survives a crash.
     *
     * @param currentTerm     the node's current term.
     * @param votedFor        the member voted for in that term, or {@link #NO_VOTE}.
     * @param commitIndexHint the highest index known committed.
     */
    public void write(final long currentTerm, final int votedFor, final long commitIndexHint)
    {
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .checksum(0)
            .currentTerm(currentTerm)
            .commitIndexHint(commitIndexHint)
            .votedFor(votedFor);
        encoder.checksum(Checksums.crc32c(buffer, CHECKSUM_END, RECORD_LENGTH - CHECKSUM_END) & 0xFFFF_FFFFL);

        try
        {
            byteBuffer.clear();
            DurableFiles.replace(file, tempFile, byteBuffer);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to write node state file " + file, ex);
        }

        this.currentTerm = currentTerm;
        this.votedFor = votedFor;
        this.commitIndexHint = commitIndexHint;
    }

    /**
     * @return whether the file existed when opened (false = fresh node).
     */
    public boolean existed()
    {
        return existed;
    }

    public long currentTerm()
    {
        return currentTerm;
    }

    /**
     * @return the member voted for in {@link #currentTerm()}, or {@link #NO_VOTE}.
     */
    public int votedFor()
    {
        return votedFor;
    }

    public long commitIndexHint()
    {
        return commitIndexHint;
    }

    /**
     * @return the state file's path.
     */
    public File file()
    {
        return file.toFile();
    }

    private void load()
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read node state file " + file, ex);
        }
        if (bytes.length != RECORD_LENGTH)
        {
            throw new IllegalStateException("node state file " + file + " is " + bytes.length + " bytes, expected " +
                RECORD_LENGTH + ": half-written or damaged; restore it or rebuild this node from its peers");
        }

        final UnsafeBuffer record = new UnsafeBuffer(bytes);
        final FrameVerdict verdict = FrameValidator.validate(record, 0, bytes.length);
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(record, 0);
        if (!verdict.isValid() || NodeStateRecordDecoder.TEMPLATE_ID != header.templateId())
        {
            throw new IllegalStateException("node state file " + file + " is damaged (" +
                (verdict.isValid() ? "not a node state record" : verdict) +
                "); restore it or rebuild this node from its peers");
        }

        final NodeStateRecordDecoder decoder = new NodeStateRecordDecoder().wrapAndApplyHeader(record, 0, header);
        currentTerm = decoder.currentTerm();
        votedFor = decoder.votedFor();
        commitIndexHint = decoder.commitIndexHint();
    }
}
