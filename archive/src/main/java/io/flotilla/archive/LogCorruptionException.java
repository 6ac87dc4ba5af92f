package io.flotilla.archive;

import java.io.File;

/**
 * The log holds damaged data that recovery must not skip: valid entries follow the damage, so cutting the log
 * there would lose them. The node must stop; the message names the segment file and the recording position.
 */
public final class LogCorruptionException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final File file;
    private final long position;

    /**
     * @param file     segment file holding the damage.
     * @param position recording position of the damage.
     * @param message  what is wrong.
     */
    public LogCorruptionException(final File file, final long position, final String message)
    {
        super(message + " [file=" + file + ", position=" + position + "]");
        this.file = file;
        this.position = position;
    }

    /**
     * @return the segment file holding the damage.
     */
    public File file()
    {
        return file;
    }

    /**
     * @return the recording position of the damage.
     */
    public long position()
    {
        return position;
    }
}
