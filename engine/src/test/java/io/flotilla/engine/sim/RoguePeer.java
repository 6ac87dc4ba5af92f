package io.flotilla.engine.sim;

import io.flotilla.engine.raft.Configuration;
import io.flotilla.engine.raft.RaftNode;
import io.flotilla.engine.Role;

import java.util.SplittableRandom;

/**
 * A host on the network that forges consensus messages, built at the moment of delivery from what the target node
 * holds then. Without authentication a forged message naming a member with plausible terms and indices cannot be told
 * from a real one, and could break safety; so this peer sends only what the core must recognise:
 * <ul>
 *     <li><b>noise</b>, which must have no effect at all on the target (term, vote, role, leader, commit and log
 *     unchanged): messages from outside the member id space, and messages from a member with a term or an index out of bounds
 *     (negative, above {@link RaftNode#MAX_TERM} or {@link RaftNode#MAX_INDEX}) or impossible for the target
 *     (an acknowledgement beyond a leader's log, a vote request whose log ends after its term, a TimeoutNow from a
 *     member that does not lead the target, an AppendEntries whose previous entry is newer than its term);
 *     the bounds violations and the strangers must also be counted as dropped;</li>
 *     <li><b>disruption</b>, which Raft tolerates from any member: an answer (AppendResponse, refused vote) carrying
 *     a higher term within the bound, which deposes or delays but must never break a safety invariant or push a term
 *     past the bound.</li>
 * </ul>
 */
final class RoguePeer
{
    private final SplittableRandom random;
    private final int members;

    /**
     * One forged message and what the target must make of it.
     */
    static final class Forgery
    {
        final SimMessage message;
        final boolean noise;
        final boolean counted;

        Forgery(final SimMessage message, final boolean noise, final boolean counted)
        {
            this.message = message;
            this.noise = noise;
            this.counted = counted;
        }
    }

    RoguePeer(final SplittableRandom random, final int members)
    {
        this.random = random;
        this.members = members;
    }

    /**
     * @param target an up node.
     * @return a forged message to it.
     */
    Forgery forge(final SimNode target)
    {
        final int pick = random.nextInt(10);
        if (pick < 3)
        {
            // Beyond the member id space: a leader's messages are taken from any member id, even one the target
            // does not know yet (it has not received the entry that added it).
            return new Forgery(anyMessage(
                Configuration.MAX_MEMBER_ID + 1 + random.nextInt(1000), target, anyTerm(), anyIndex()), true, true);
        }
        if (pick < 6)
        {
            return outOfBounds(member(target), target);
        }
        if (pick < 8)
        {
            return impossible(member(target), target);
        }

        return disruption(member(target), target);
    }

    private Forgery outOfBounds(final int from, final SimNode target)
    {
        final long term = target.raft().currentTerm() + random.nextInt(3);
        final boolean poisonTerm = random.nextBoolean();
        final SimMessage message = anyMessage(
            from, target, poisonTerm ? badTerm() : term, poisonTerm ? anyIndex() : badIndex());
        // A message without index fields carries its poison in the term.
        final boolean poisoned = poisonTerm || SimMessage.Kind.VOTE_RESPONSE != message.kind &&
            SimMessage.Kind.TIMEOUT_NOW != message.kind;

        return poisoned ?
            new Forgery(message, true, true) :
            new Forgery(anyMessage(from, target, badTerm(), anyIndex()), true, true);
    }

    private Forgery impossible(final int from, final SimNode target)
    {
        final RaftNode raft = target.raft();
        final long term = raft.currentTerm();
        final long lastIndex = target.store().lastIndex();
        switch (random.nextInt(5))
        {
            case 0:
                // Of this term, about a log the target would lead: beyond it, or durable beyond the match.
                final long beyond = lastIndex + 1 + random.nextInt(1000);
                final boolean durableBeyondMatch = random.nextBoolean();
                return new Forgery(SimMessage.appendResponse(from, target.id(), term, random.nextBoolean(),
                    durableBeyondMatch ? lastIndex : beyond, durableBeyondMatch ? lastIndex + 1 : beyond, 0, 0, 0),
                    true, Role.LEADER == raft.role());

            case 1:
                return new Forgery(SimMessage.appendResponse(from, target.id(), term, false, 0, 0,
                    random.nextBoolean() ? lastIndex + 2 + random.nextInt(1000) : 1, term + 1 + random.nextInt(10), 0),
                    true, Role.LEADER == raft.role());

            case 2:
            {
                final long voteTerm = term + 1 + random.nextInt(5);
                final boolean lastAfterTerm = random.nextBoolean();
                return new Forgery(SimMessage.requestVote(from, target.id(), voteTerm,
                    lastAfterTerm ? lastIndex + random.nextInt(100) + 1 : 0,
                    lastAfterTerm ? voteTerm + 1 + random.nextInt(10) : 1 + random.nextInt(10),
                    random.nextBoolean(), random.nextBoolean()), true, true);
            }

            case 3:
            {
                // A TimeoutNow of a later term, or of this one from a member the target does not follow.
                final boolean later = random.nextBoolean() || from == raft.leaderId();
                final long timeoutTerm = later ? term + 1 + random.nextInt(5) : term;
                return new Forgery(SimMessage.timeoutNow(from, target.id(), timeoutTerm), true, true);
            }

            default:
            {
                final long appendTerm = term + random.nextInt(3);
                return new Forgery(SimMessage.appendEntries(from, target.id(), appendTerm, random.nextInt(100),
                    appendTerm + 1 + random.nextInt(10), random.nextInt(100), 0, new byte[0]), true, true);
            }
        }
    }

    private Forgery disruption(final int from, final SimNode target)
    {
        final long term = target.raft().currentTerm() + 1 + random.nextInt(1000);
        final SimMessage message = random.nextBoolean() ?
            SimMessage.appendResponse(from, target.id(), term, random.nextBoolean(), random.nextInt(100),
                random.nextInt(100), random.nextInt(100), random.nextInt(10), 0) :
            SimMessage.voteResponse(from, target.id(), term, random.nextBoolean(), false);

        return new Forgery(message, false, false);
    }

    /**
     * A message of a random core kind with random fields around the given term and index.
     */
    private SimMessage anyMessage(final int from, final SimNode target, final long term, final long index)
    {
        final int to = target.id();
        switch (random.nextInt(5))
        {
            case 0:
                return SimMessage.requestVote(
                    from, to, term, index, anyTerm(), random.nextBoolean(), random.nextBoolean());
            case 1:
                return SimMessage.voteResponse(from, to, term, random.nextBoolean(), random.nextBoolean());
            case 2:
                return SimMessage.appendEntries(from, to, term, index, anyTerm(), anyIndex(), 0, new byte[0]);
            case 3:
                return SimMessage.appendResponse(
                    from, to, term, random.nextBoolean(), index, anyIndex(), anyIndex(), anyTerm(), 0);
            default:
                return SimMessage.timeoutNow(from, to, term);
        }
    }

    private int member(final SimNode target)
    {
        final int other = random.nextInt(members - 1);
        return other >= target.id() ? other + 1 : other;
    }

    private long badTerm()
    {
        switch (random.nextInt(4))
        {
            case 0:
                return Long.MAX_VALUE;
            case 1:
                return RaftNode.MAX_TERM + 1 + random.nextLong(1L << 40);
            case 2:
                return -1 - random.nextInt(1000);
            default:
                return Long.MIN_VALUE;
        }
    }

    private long badIndex()
    {
        switch (random.nextInt(3))
        {
            case 0:
                return Long.MAX_VALUE;
            case 1:
                return RaftNode.MAX_INDEX + 1 + random.nextLong(1L << 40);
            default:
                return -1 - random.nextInt(1000);
        }
    }

    private long anyTerm()
    {
        return random.nextBoolean() ? random.nextInt(100) : random.nextLong();
    }

    private long anyIndex()
    {
        return random.nextBoolean() ? random.nextInt(1000) : random.nextLong();
    }
}
