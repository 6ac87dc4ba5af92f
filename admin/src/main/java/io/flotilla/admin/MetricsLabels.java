package io.flotilla.admin;

/**
 * Label names of the node's metrics.
 */
final class MetricsLabels
{
    /** The member id of the node the metric describes. */
    static final String MEMBER = "member";

    /** The member id of the follower a leader's metric describes. */
    static final String PEER = "peer";

    /** The Flotilla version the node runs. */
    static final String VERSION = "version";

    private MetricsLabels()
    {
    }
}
