package io.flotilla.samples.verify;

/**
 * What the checker concluded about a history or one key of it.
 */
public enum Verdict
{
    /** A legal sequential order exists that respects real time. */
    LINEARIZABLE,

    /** No such order exists: the history shows an anomaly. */
    NOT_LINEARIZABLE,

    /** The search ran out of its budget before it could decide: neither a pass nor a failure. */
    UNKNOWN
}
