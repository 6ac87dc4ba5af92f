package io.flotilla.archive;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Where the log begins once it no longer begins where {@link ArchiveLogStore.Context#logStart(long, long)} said: the
 * recording position of its first entry and the index and term of the entry before it, written by compaction before
 * it purges segments and by a reset before it empties the recording, so recovery can finish either after a crash.
 * A small file in the data directory, little-endian, replaced atomically (write a temp file, force it, rename it,
 * force the directory):
 * <pre>
 *   0  int   checksum       CRC32C of bytes 4..35
 *   4  int   magic          "FLLS"
 *   8  long  start position recording position of the log's first entry
 *  16  long  previous index
 *  24  long  previous term
 *  32  int   flags          {@link #RESET_PENDING}: the recording is to be emptied down to the start position
 * </pre>
 * A missing file means the log begins where the Context says; a damaged one stops the open with
 * {@link LogCorruptionException}: it is never read as zeros.
 */
final class LogStartFile
{
    /** The file's name in the node's data directory. */
    static final String FILE_NAME = "log-start.dat";
    /** A reset was decided and the recording may still hold the entries it discards. */
    static final int RESET_PENDING = 1;

    private static final int MAGIC = 'F' | 'L' << 8 | 'L' << 16 | 'S' << 24;
    private static final int CHECKSUM_OFFSET = 0;
    private static final int MAGIC_OFFSET = 4;
    private static final int START_POSITION_OFFSET = 8;
    private static final int PREVIOUS_INDEX_OFFSET = 16;
    private static final int PREVIOUS_TERM_OFFSET = 24;
    private static final int FLAGS_OFFSET = 32;
    private static final int LENGTH = 36;

    private final Path directory;
    private final Path file;
    private final Path tempFile;
    private final ByteBuffer byteBuffer = ByteBuffer.allocate(LENGTH);
    private final UnsafeBuffer buffer = new UnsafeBuffer(byteBuffer);
    private boolean exists;
    private long startPosition;
    private long previousIndex;
    private long previousTerm;
    private int flags;

    /**
     * @param directory the node's data directory.
     * @throws LogCorruptionException when the file exists but is damaged.
     */
    LogStartFile(final File directory)
    {
        this.directory = directory.toPath();
        this.file = this.directory.resolve(FILE_NAME);
        this.tempFile = this.directory.resolve(FILE_NAME + ".tmp");
        exists = Files.exists(file);
        if (exists)
        {
            load();
        }
    }

    /**
     * Replace the record durably: on return it survives a crash.
     *
     * @param startPosition recording position of the log's first entry.
     * @param previousIndex index of the entry before it.
     * @param previousTerm  term of that entry.
     * @param flags         0 or {@link #RESET_PENDING}.
     */
    void write(final long startPosition, final long previousIndex, final long previousTerm, final int flags)
    {
        buffer.putInt(MAGIC_OFFSET, MAGIC, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(START_POSITION_OFFSET, startPosition, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(PREVIOUS_INDEX_OFFSET, previousIndex, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(PREVIOUS_TERM_OFFSET, previousTerm, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(FLAGS_OFFSET, flags, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(CHECKSUM_OFFSET, checksum(), ByteOrder.LITTLE_ENDIAN);

        try
        {
            byteBuffer.clear();
            DurableFiles.replace(file, tempFile, byteBuffer);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to write log start file " + file, ex);
        }

        this.exists = true;
        this.startPosition = startPosition;
        this.previousIndex = previousIndex;
        this.previousTerm = previousTerm;
        this.flags = flags;
    }

    boolean exists()
    {
        return exists;
    }

    long startPosition()
    {
        return startPosition;
    }

    long previousIndex()
    {
        return previousIndex;
    }

    long previousTerm()
    {
        return previousTerm;
    }

    boolean isResetPending()
    {
        return 0 != (flags & RESET_PENDING);
    }

    File file()
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
            throw new UncheckedIOException("cannot read log start file " + file, ex);
        }
        if (bytes.length != LENGTH)
        {
            throw new LogCorruptionException(file.toFile(), 0, "log start file is " + bytes.length + " bytes, expected " +
                LENGTH + ": damaged; wipe this node's data directory and let it rejoin from its peers");
        }

        buffer.putBytes(0, bytes);
        if (MAGIC != buffer.getInt(MAGIC_OFFSET, ByteOrder.LITTLE_ENDIAN) ||
            checksum() != buffer.getInt(CHECKSUM_OFFSET, ByteOrder.LITTLE_ENDIAN))
        {
            throw new LogCorruptionException(file.toFile(), 0, "log start file fails its checksum: damaged; wipe this " +
                "node's data directory and let it rejoin from its peers");
        }

        startPosition = buffer.getLong(START_POSITION_OFFSET, ByteOrder.LITTLE_ENDIAN);
        previousIndex = buffer.getLong(PREVIOUS_INDEX_OFFSET, ByteOrder.LITTLE_ENDIAN);
        previousTerm = buffer.getLong(PREVIOUS_TERM_OFFSET, ByteOrder.LITTLE_ENDIAN);
        flags = buffer.getInt(FLAGS_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    private int checksum()
    {
        final CRC32C crc = new CRC32C();
        crc.update(byteBuffer.array(), MAGIC_OFFSET, LENGTH - MAGIC_OFFSET);
        return (int)crc.getValue();
    }
}
