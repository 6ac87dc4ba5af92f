package io.flotilla.samples;

import io.flotilla.admin.cli.DurationConverter;
import io.flotilla.samples.verify.FeedChecker;
import io.flotilla.samples.verify.FeedSubscription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code KvClient feed}: subscribes to the KV change feed ({@link KvFeedClient}) and prints every change as it
 * arrives, until the duration passes or the stop file appears; then fences the feed (a write of its own, received)
 * and checks what it received ({@link FeedChecker}), against the acks files of load runs made meanwhile if given.
 */
@Command(
    name = "feed",
    mixinStandardHelpOptions = true,
    description = {
        "Subscribe to the change feed and print every change (log index, PUT/DELETE/EXPIRE/CLEAR, key, value) until " +
            "--duration passes or --stop-file appears; then check what was received: sequences without a gap or a " +
            "repeat, log indices in order, and each write of the --acks files received exactly once.",
        "Exit 1 when a check fails, or, without --acks, when the feed had to subscribe more than once (changes in " +
            "between may have been missed)."
    })
final class FeedCommand implements Callable<Integer>
{
    private static final long FENCE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final String FENCE_KEY = "feed-fence";

    @ParentCommand
    private KvClient client;

    @Spec
    private CommandSpec spec;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "How long to follow the feed (default: until --stop-file appears, or for ever).")
    private Duration duration;

    @Option(names = "--stop-file", paramLabel = "FILE", description = "Stop once this file exists.")
    private Path stopFile;

    @Option(names = "--acks", paramLabel = "FILE", description = "Acks file of a load run made after the feed " +
        "subscribed ('key value' lines): each of its writes must be received exactly once. May be repeated.")
    private List<Path> acks = List.of();

    @Option(names = "--quiet", description = "Print the subscriptions and the summary only, not each change.")
    private boolean quiet;

    public Integer call() throws IOException
    {
        final PrintStream out = client.out();
        final long endNs = null == duration ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        try (KvFeedClient feed = new KvFeedClient(() -> client.context(spec), (subscription, change) ->
        {
            if (!quiet)
            {
                out.println(change);
            }
        }))
        {
            int announced = 0;
            while (endNs - System.nanoTime() > 0 && (null == stopFile || !Files.exists(stopFile)))
            {
                if (0 == feed.doWork())
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                for (; announced < feed.subscriptions().size(); announced++)
                {
                    out.println("subscribed: " + feed.subscriptions().get(announced));
                }
            }
            final boolean fenced = null != feed.fence(FENCE_KEY, System.nanoTime() + FENCE_TIMEOUT_NS);
            return summarise(out, feed, fenced);
        }
    }

    private int summarise(final PrintStream out, final KvFeedClient feed, final boolean fenced) throws IOException
    {
        // Written after every subscription as far as this check knows: required in each one that was fenced.
        final long readNs = System.nanoTime();
        final Map<String, Long> acknowledged = new HashMap<>();
        for (final Path file : acks)
        {
            for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
            {
                final int space = line.indexOf(' ');
                if (space > 0)
                {
                    acknowledged.put(FeedChecker.write(line.substring(0, space), line.substring(space + 1)), readNs);
                }
            }
        }
        // Writes of unknown outcome may be received too, and this command does not know them: no phantom check.
        final List<FeedSubscription> subscriptions = feed.subscriptions();
        final FeedChecker.Result result = FeedChecker.check(subscriptions, acknowledged, write -> true, write -> false);
        final long changes = result.changes() - subscriptions.stream().flatMap(subscription ->
            subscription.changes().stream()).filter(change -> FENCE_KEY.equals(change.key())).count();
        // With acks files, a write missed between two subscriptions is an anomaly; without, only one subscription
        // from start to end shows nothing was missed.
        if (fenced && result.anomalies().isEmpty() && 0 == feed.strayMessages() &&
            (1 == subscriptions.size() || !acks.isEmpty()))
        {
            out.println("feed: " + changes + " changes received, in order, none lost, none duplicated" +
                (acks.isEmpty() ? "" : " (" + acknowledged.size() + " acknowledged writes checked" +
                (1 == subscriptions.size() ? "" : "; " + subscriptions.size() + " subscriptions: the feed subscribed " +
                "again " + (subscriptions.size() - 1) + "x") + ")"));
            return 0;
        }
        out.println("feed: " + changes + " changes received in " + subscriptions.size() + " subscriptions" +
            (fenced ? "" : ", NOT FENCED (the last write of the feed was not received: " + feed.lastFailure() + ")") +
            (feed.strayMessages() > 0 ? ", " + feed.strayMessages() + " stray messages" : ""));
        for (final FeedSubscription subscription : subscriptions)
        {
            out.println("  " + subscription + ": " + subscription.changes().size() + " changes, ended by " +
                (null == subscription.endedBy() ? "the end of the run" : subscription.endedBy()));
        }
        for (final String anomaly : result.anomalies())
        {
            out.println("  " + anomaly);
        }
        return 1;
    }
}
