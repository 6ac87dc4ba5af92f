package io.flotilla.codecs;

/**
 * What {@link FrameValidator} found in a buffer slice. Only {@link #VALID} frames may be decoded.
 */
public enum FrameVerdict
{
    VALID,
    /** Fewer bytes than the header, block or a length prefix says there are. */
    TRUNCATED,
    UNKNOWN_SCHEMA,
    UNSUPPORTED_VERSION,
    UNKNOWN_TEMPLATE,
    /** The header's block length is not the template's. */
    BAD_BLOCK_LENGTH,
    /** An enum field holds a value the schema does not define. */
    BAD_ENUM_VALUE,
    /** A variable-length field is longer than its bound. */
    BAD_VAR_LENGTH,
    /** Bytes left over after the message's last field. */
    TRAILING_BYTES,
    /** A log entry's CRC32C does not match its bytes. */
    BAD_CHECKSUM,
    /** Entries in a block are not consecutive or do not start where expected. */
    BAD_INDEX_SEQUENCE,
    /** An entry term is not positive, or decreases within a block. */
    BAD_TERM,
    /** An AppendEntries entry count does not match its block. */
    BAD_ENTRY_COUNT,
    /** A field holds a value outside its meaningful range (a negative index or term, say). */
    BAD_FIELD_VALUE,
    /** A term above {@link FrameValidator#MAX_TERM}: never adopted, never persisted. */
    TERM_OUT_OF_BOUNDS;

    /**
     * @return true only for {@link #VALID}.
     */
    public boolean isValid()
    {
        return this == VALID;
    }
}
