package io.flotilla.samples.verify;

import io.flotilla.samples.KvChange;
import io.flotilla.samples.codecs.ChangeKind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Checks what subscribers of the KV change feed received against each other and against the writes the clients
 * made. A write is named by its key and value ({@link #write}: {@code key=value}), unique in the workloads that feed
 * this (unique values, or unique keys). Per subscription:
 * <ul>
 *   <li>its messages' sequences run on from its marker without a gap or a repeat, and their log indices never go
 *       back and exceed the subscription's; no change (index, kind, key) appears twice, nor a write;</li>
 *   <li>every write it received was made by some client (no phantom);</li>
 *   <li>every acknowledged write whose log index it covers (after its SUBSCRIBE entry, up to its last change or its
 *       fence) appears in it: the index of a write is known from any subscription that received it; a write no
 *       subscription received must be missing from no fenced subscription (one live to the end of the run) that had
 *       subscribed before the write was invoked;</li>
 *   <li>a write is received at one log index only, and two subscriptions whose index ranges overlap received their
 *       common changes in the same order with the same values (they read the same log).</li>
 * </ul>
 */
public final class FeedChecker
{
    /** Anomalies listed in full; beyond it they are counted. */
    static final int MAX_LISTED = 20;

    /**
     * The checker's findings.
     *
     * @param changes       changes received, markers not included, every subscription together.
     * @param subscriptions subscriptions made.
     * @param fenced        subscriptions live to the end of the run.
     * @param anomalies     everything wrong, the first {@link #MAX_LISTED} in full; empty when clean.
     */
    public record Result(long changes, int subscriptions, int fenced, List<String> anomalies)
    {
        @Override
        public String toString()
        {
            return changes + " changes received in " + subscriptions + " subscriptions (" + fenced +
                " live to the end), " + (anomalies.isEmpty() ? "no anomaly" : anomalies.size() + " anomalies");
        }
    }

    private final List<String> anomalies = new ArrayList<>();
    private int unlisted;

    private FeedChecker()
    {
    }

    /**
     * @param subscriptions every subscription of every feed client.
     * @param acknowledged  every acknowledged write (PUT, successful CAS; {@link #write}) to the time it was invoked
     *                      ({@link System#nanoTime()}).
     * @param written       whether a write was made by some client, acknowledged or not.
     * @param repeated      whether a write was made more than once on purpose (one command sent again and again, as
     *                      the nemesis's rogue client floods): it may be received at several indices.
     * @return the findings.
     */
    public static Result check(
        final List<FeedSubscription> subscriptions,
        final Map<String, Long> acknowledged,
        final Predicate<String> written,
        final Predicate<String> repeated)
    {
        final FeedChecker checker = new FeedChecker();
        final Map<String, Long> indexOfValue = new HashMap<>();
        final List<Set<String>> valuesOf = new ArrayList<>();
        long changes = 0;
        int fenced = 0;
        for (final FeedSubscription subscription : subscriptions)
        {
            valuesOf.add(checker.checkOne(subscription, indexOfValue, written, repeated));
            changes += subscription.changes().size();
            fenced += subscription.fenceIndex() > 0 ? 1 : 0;
        }
        checker.checkComplete(subscriptions, valuesOf, indexOfValue, acknowledged);
        for (int i = 0; i < subscriptions.size(); i++)
        {
            for (int j = i + 1; j < subscriptions.size(); j++)
            {
                checker.checkSameOrder(subscriptions.get(i), subscriptions.get(j));
            }
        }
        if (checker.unlisted > 0)
        {
            checker.anomalies.add("... and " + checker.unlisted + " more feed anomalies");
        }
        return new Result(changes, subscriptions.size(), fenced, List.copyOf(checker.anomalies));
    }

    private Set<String> checkOne(
        final FeedSubscription subscription,
        final Map<String, Long> indexOfValue,
        final Predicate<String> written,
        final Predicate<String> repeated)
    {
        final Set<String> values = new HashSet<>();
        final Set<String> identities = new HashSet<>();
        long expectedSequence = subscription.markerSequence() + 1;
        long previousIndex = subscription.subscribedIndex();
        for (int i = 0; i < subscription.changes().size(); i++)
        {
            final KvChange change = subscription.changes().get(i);
            final long sequence = subscription.sequences().get(i);
            if (sequence != expectedSequence)
            {
                anomaly(subscription + ": message " + sequence + " where " + expectedSequence + " was due (" +
                    change + ")");
            }
            expectedSequence = sequence + 1;
            final boolean after = i > 0 ? change.logIndex() >= previousIndex : change.logIndex() > previousIndex;
            if (!after)
            {
                anomaly(subscription + ": change at index " + change.logIndex() + " after index " + previousIndex +
                    " (" + change + ")");
            }
            previousIndex = Math.max(previousIndex, change.logIndex());
            if (!identities.add(identity(change)))
            {
                anomaly(subscription + ": received twice: " + change);
            }
            if (ChangeKind.PUT == change.kind())
            {
                final String value = write(change.key(), change.valueText());
                if (repeated.test(value))
                {
                    continue;
                }
                if (!values.add(value))
                {
                    anomaly(subscription + ": write " + value + " received twice, again at index " + change.logIndex());
                }
                if (!written.test(value))
                {
                    anomaly(subscription + ": a write no client made: " + change);
                }
                final Long known = indexOfValue.putIfAbsent(value, change.logIndex());
                if (null != known && known != change.logIndex())
                {
                    anomaly("write " + value + " received at index " + known + " and at index " + change.logIndex() +
                        " (" + subscription + ")");
                }
            }
        }
        return values;
    }

    private void checkComplete(
        final List<FeedSubscription> subscriptions,
        final List<Set<String>> valuesOf,
        final Map<String, Long> indexOfValue,
        final Map<String, Long> acknowledged)
    {
        acknowledged.forEach((value, invokedNs) ->
        {
            final Long index = indexOfValue.get(value);
            for (int i = 0; i < subscriptions.size(); i++)
            {
                final FeedSubscription subscription = subscriptions.get(i);
                final boolean covered = null != index ?
                    index > subscription.subscribedIndex() && index <= subscription.lastIndex() :
                    subscription.fenceIndex() > 0 && invokedNs - subscription.subscribedAtNs() > 0;
                if (covered && !valuesOf.get(i).contains(value))
                {
                    anomaly(subscription + ": lost the acknowledged write of " + value +
                        (null != index ? " at index " + index : " (no subscription received it)"));
                }
            }
        });
    }

    private void checkSameOrder(final FeedSubscription a, final FeedSubscription b)
    {
        if (a.lastIndex() <= b.subscribedIndex() || b.lastIndex() <= a.subscribedIndex())
        {
            return;
        }
        final Map<String, String> valueInA = new HashMap<>();
        for (final KvChange change : a.changes())
        {
            valueInA.put(identity(change), change.valueText());
        }
        final Set<String> inB = new HashSet<>();
        final List<String> commonInB = new ArrayList<>();
        for (final KvChange change : b.changes())
        {
            final String identity = identity(change);
            inB.add(identity);
            final String valueA = valueInA.get(identity);
            if (null != valueA)
            {
                commonInB.add(identity);
                if (!valueA.equals(change.valueText()))
                {
                    anomaly(a + " and " + b + " disagree on " + identity + ": " + valueA + " and " +
                        change.valueText());
                }
            }
        }
        int next = 0;
        for (final KvChange change : a.changes())
        {
            final String identity = identity(change);
            if (inB.contains(identity) && (next == commonInB.size() || !identity.equals(commonInB.get(next++))))
            {
                anomaly(a + " and " + b + " received their common changes in different orders, first at " + identity);
                return;
            }
        }
    }

    /**
     * @return how the checker names a write.
     */
    public static String write(final String key, final String value)
    {
        return key + "=" + value;
    }

    private static String identity(final KvChange change)
    {
        return change.logIndex() + " " + change.kind() + " " + change.key();
    }

    private void anomaly(final String text)
    {
        if (anomalies.size() < MAX_LISTED)
        {
            anomalies.add(text);
        }
        else
        {
            unlisted++;
        }
    }
}
