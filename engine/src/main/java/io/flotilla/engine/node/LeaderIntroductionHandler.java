package io.flotilla.engine.node;

/**
 * Leader introductions, in: the {@link ConsensusAdapter} hands each authenticated, validated LeaderIntroduction here,
 * of any term, so that the node can answer a leader its configurations do not name yet.
 */
@FunctionalInterface
public interface LeaderIntroductionHandler
{
    /**
     * @param leaderId of the leader that introduced itself.
     * @param endpoint where it is reached, {@code host:consensusPort:ingressPort} (printable ASCII, checked).
     */
    void onLeaderIntroduction(int leaderId, String endpoint);
}
