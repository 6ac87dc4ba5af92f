package io.flotilla.samples.verify;

import java.util.Objects;

/**
 * One client operation on the replicated KV sample, as a history records it: the call without its result.
 * Keys and values are strings; {@code null} stands for "absent" where a value may be absent (the expected value
 * of a compare-and-set).
 *
 * @param kind     of operation.
 * @param key      it touches; {@code null} only for {@link Kind#CLEAR}.
 * @param value    written by a put, or the new value of a compare-and-set; {@code null} otherwise.
 * @param expected value of a compare-and-set, {@code null} meaning absent; {@code null} for other kinds.
 */
public record KvOp(Kind kind, String key, String value, String expected)
{
    /**
     * Kinds of operation, with the result each one completes with.
     */
    public enum Kind
    {
        /** Write a value; completes with no result. */
        PUT,
        /** Read a value; completes with the value or absent. */
        GET,
        /** Remove a key; completes with no result. */
        DELETE,
        /** Compare-and-set; completes with whether it swapped. */
        CAS,
        /** Remove every key; recorded, but a history holding it cannot be checked per key. */
        CLEAR
    }

    /**
     * Validate the fields for the kind.
     *
     * @param kind     of operation.
     * @param key      it touches.
     * @param value    written.
     * @param expected by a compare-and-set.
     */
    public KvOp
    {
        Objects.requireNonNull(kind, "kind");
        if (Kind.CLEAR == kind)
        {
            if (null != key || null != value || null != expected)
            {
                throw new IllegalArgumentException("clear takes no key or value");
            }
        }
        else
        {
            Objects.requireNonNull(key, "key");
            final boolean writes = Kind.PUT == kind || Kind.CAS == kind;
            if (writes != (null != value))
            {
                throw new IllegalArgumentException(
                    writes ? kind + " needs a value" : kind + " takes no value");
            }
            if (Kind.CAS != kind && null != expected)
            {
                throw new IllegalArgumentException(kind + " takes no expected value");
            }
        }
    }

    /**
     * @param key   to write.
     * @param value to write.
     * @return a put.
     */
    public static KvOp put(final String key, final String value)
    {
        return new KvOp(Kind.PUT, key, value, null);
    }

    /**
     * @param key to read.
     * @return a get.
     */
    public static KvOp get(final String key)
    {
        return new KvOp(Kind.GET, key, null, null);
    }

    /**
     * @param key to remove.
     * @return a delete.
     */
    public static KvOp delete(final String key)
    {
        return new KvOp(Kind.DELETE, key, null, null);
    }

    /**
     * @param key      to compare and set.
     * @param expected current value, {@code null} for absent.
     * @param value    to set when the current value is the expected one.
     * @return a compare-and-set.
     */
    public static KvOp cas(final String key, final String expected, final String value)
    {
        return new KvOp(Kind.CAS, key, value, expected);
    }

    /**
     * @return a clear of every key.
     */
    public static KvOp clear()
    {
        return new KvOp(Kind.CLEAR, null, null, null);
    }

    /**
     * @return the operation as history files and reports write it, e.g. {@code cas "k" nil "v"}.
     */
    public String toString()
    {
        switch (kind)
        {
            case PUT:
                return "put " + HistoryFormat.quote(key) + " " + HistoryFormat.quote(value);
            case CAS:
                return "cas " + HistoryFormat.quote(key) + " " + HistoryFormat.quote(expected) + " " +
                    HistoryFormat.quote(value);
            case CLEAR:
                return "clear";
            default:
                return kind.name().toLowerCase() + " " + HistoryFormat.quote(key);
        }
    }
}
