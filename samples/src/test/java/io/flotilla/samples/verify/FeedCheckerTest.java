package io.flotilla.samples.verify;

import io.flotilla.samples.KvChange;
import io.flotilla.samples.codecs.ChangeKind;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeedCheckerTest
{
    private final Map<String, Long> acknowledged = new HashMap<>();
    private final Set<String> written = new HashSet<>();
    private final Set<String> repeated = new HashSet<>();

    private static KvChange put(final long index, final String key, final String value)
    {
        return new KvChange(index, ChangeKind.PUT, key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static KvChange delete(final long index, final String key)
    {
        return new KvChange(index, ChangeKind.DELETE, key, new byte[0]);
    }

    /**
     * A subscription at the index, marker sequence 1, subscribed at time 100, holding the changes with sequences
     * 2, 3, 4...
     */
    private static FeedSubscription subscription(final long sessionId, final long index, final KvChange... changes)
    {
        final FeedSubscription subscription = new FeedSubscription(sessionId, index, 1, 100);
        long sequence = 2;
        for (final KvChange change : changes)
        {
            subscription.add(sequence++, change);
        }
        return subscription;
    }

    private void write(final String key, final String value, final long invokedNs, final boolean ok)
    {
        written.add(FeedChecker.write(key, value));
        if (ok)
        {
            acknowledged.put(FeedChecker.write(key, value), invokedNs);
        }
    }

    private FeedChecker.Result check(final FeedSubscription... subscriptions)
    {
        return FeedChecker.check(List.of(subscriptions), acknowledged, written::contains, repeated::contains);
    }

    private static void assertAnomaly(final FeedChecker.Result result, final String text)
    {
        assertTrue(result.anomalies().stream().anyMatch(anomaly -> anomaly.contains(text)),
            "expected an anomaly with '" + text + "': " + result.anomalies());
    }

    @Test
    void twoFeedsThatReceivedEveryWriteInTheSameOrderAreClean()
    {
        write("a", "1", 50, true);  // before the subscriptions: not required
        write("a", "2", 200, true);
        write("b", "3", 210, false); // unknown outcome, received anyway
        write("b", "4", 220, true);
        final FeedSubscription one = subscription(1, 10, put(11, "a", "2"), put(12, "b", "3"), delete(13, "a"),
            put(14, "b", "4"));
        final FeedSubscription two = subscription(2, 12, delete(13, "a"), put(14, "b", "4"));
        one.fenced(14);
        two.fenced(14);
        final FeedChecker.Result result = check(one, two);
        assertEquals(List.of(), result.anomalies());
        assertEquals(6, result.changes());
        assertEquals(2, result.fenced());
    }

    @Test
    void aGapARepeatAndAnIndexGoingBackAreAnomalies()
    {
        write("a", "1", 200, true);
        write("a", "2", 200, true);
        final FeedSubscription gap = new FeedSubscription(1, 10, 1, 100);
        gap.add(3, put(11, "a", "1"));
        assertAnomaly(check(gap), "message 3 where 2 was due");

        final FeedSubscription repeat = subscription(1, 10, put(11, "a", "1"), put(11, "a", "1"));
        assertAnomaly(check(repeat), "received twice");

        final FeedSubscription back = subscription(1, 10, put(12, "a", "1"), put(11, "a", "2"));
        assertAnomaly(check(back), "change at index 11 after index 12");

        final FeedSubscription beforeItsSubscription = subscription(1, 10, put(10, "a", "1"));
        assertAnomaly(check(beforeItsSubscription), "change at index 10 after index 10");
    }

    @Test
    void anAcknowledgedWriteMissingFromASubscriptionThatCoversItIsLost()
    {
        write("a", "1", 200, true);
        write("a", "2", 300, true);
        final FeedSubscription one = subscription(1, 10, put(11, "a", "1"), put(12, "a", "2"));
        final FeedSubscription two = subscription(2, 10, put(12, "a", "2"));
        assertAnomaly(check(one, two), "session 2 subscribed at index 10: lost the acknowledged write of a=1 at index 11");

        // Known by no feed: lost from a fenced subscription made before it was invoked, not from one that ended.
        write("c", "9", 400, true);
        final FeedSubscription ended = subscription(3, 10, put(11, "a", "1"), put(12, "a", "2"));
        ended.end("session lost");
        assertEquals(List.of(), check(one, ended).anomalies().stream().filter(a -> a.contains("c=9")).toList());
        one.fenced(20);
        assertAnomaly(check(one), "lost the acknowledged write of c=9 (no subscription received it)");
    }

    @Test
    void aWriteNobodyMadeOrAtTwoIndicesAndFeedsThatDisagreeAreAnomalies()
    {
        assertAnomaly(check(subscription(1, 10, put(11, "a", "ghost"))), "a write no client made");

        write("a", "1", 50, false);
        write("b", "2", 50, false);
        assertAnomaly(check(subscription(1, 10, put(11, "a", "1")), subscription(2, 10, put(12, "a", "1"))),
            "write a=1 received at index 11 and at index 12");

        final FeedSubscription one = subscription(1, 10, delete(11, "a"), delete(11, "b"));
        final FeedSubscription two = subscription(2, 10, delete(11, "b"), delete(11, "a"));
        assertAnomaly(check(one, two), "received their common changes in different orders");

        final FeedSubscription three = subscription(3, 10, put(11, "a", "1"));
        final FeedSubscription four = subscription(4, 10, put(11, "a", "2"));
        write("a", "2", 50, false);
        assertAnomaly(check(three, four), "disagree on 11 PUT a");

        // A write made again and again on purpose may be received at several indices.
        repeated.add(FeedChecker.write("flood", "f"));
        assertEquals(List.of(), check(subscription(7, 10, put(11, "flood", "f"), put(12, "flood", "f"))).anomalies());

        // Ranges that do not overlap are not compared.
        final FeedSubscription early = subscription(5, 10, delete(11, "a"), delete(11, "b"));
        final FeedSubscription late = subscription(6, 11, delete(12, "b"), delete(12, "a"));
        assertEquals(List.of(), check(early, late).anomalies());
    }
}
