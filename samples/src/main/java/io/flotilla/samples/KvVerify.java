package io.flotilla.samples;

import io.flotilla.engine.ReadConsistency;
import io.flotilla.engine.client.FlotillaClient;
import io.flotilla.engine.client.QueryListener;
import io.flotilla.engine.client.Outcome;
import io.flotilla.engine.client.ResponseListener;
import io.flotilla.samples.codecs.KvStatus;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code KvClient verify} ({@link VerifyCommand}): reads every acknowledged write recorded by a load run
 * ("key value" lines) back through the cluster and checks each holds its value. The GETs go through the log, or are
 * queries of the command's {@code --get-mode} (answered without the log, at the followers with
 * {@code --prefer-followers}): linearizable either way.
 */
final class KvVerify implements ResponseListener, QueryListener
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private final KvCommands commands = new KvCommands();
    private final String[] keys;
    private final byte[][] values;
    private final long[] indexBySlot =
        new long[Math.max(FlotillaClient.MAX_OUTSTANDING, FlotillaClient.MAX_OUTSTANDING_QUERIES)];
    private final ReadConsistency consistency;
    private final PrintStream out;
    private final String path;
    private long answered;
    private long matched;
    private long reported;

    private KvVerify(
        final List<String> lines, final ReadConsistency consistency, final String path, final PrintStream out)
    {
        this.consistency = consistency;
        this.path = path;
        this.out = out;
        keys = new String[lines.size()];
        values = new byte[lines.size()][];
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            final int space = line.indexOf(' ');
            keys[i] = line.substring(0, space);
            values[i] = line.substring(space + 1).getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * @param consistency of the GET queries, or null to send the GETs through the log.
     */
    static int run(
        final FlotillaClient.Context ctx, final Path acksPath, final ReadConsistency consistency, final PrintStream out)
        throws IOException
    {
        final String path = null == consistency ? "GET through the log" :
            consistency + " queries" + (ctx.preferFollowerReads() ? " at the followers" : " at the leader");
        final KvVerify verify =
            new KvVerify(Files.readAllLines(acksPath, StandardCharsets.UTF_8), consistency, path, out);
        try (FlotillaClient client = FlotillaClient.connect(ctx))
        {
            return verify.check(client) ? 0 : 1;
        }
    }

    private boolean check(final FlotillaClient client)
    {
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        int next = 0;
        while (answered < keys.length)
        {
            int work = 0;
            while (next < keys.length)
            {
                final int length = commands.get(buffer, 0, keys[next]);
                final long sequence = null == consistency ?
                    client.offer(buffer, 0, length) : client.offerQuery(consistency, buffer, 0, length);
                if (sequence == FlotillaClient.BACK_PRESSURED)
                {
                    break;
                }
                if (sequence < 0)
                {
                    out.println("verify: client failed (" + sequence + ") after " + answered + " reads");
                    return false;
                }
                indexBySlot[(int)(sequence % indexBySlot.length)] = next++;
                work++;
            }
            work += client.poll(this, this);
            if (System.nanoTime() - deadlineNs > 0)
            {
                out.println("verify: timed out after " + answered + " of " + keys.length + " reads");
                return false;
            }
            idle.idle(work);
        }

        out.printf("verify: %d acknowledged writes read back (%s): %d hold their acknowledged value, %d do not%n",
            keys.length, path, matched, keys.length - matched);
        return matched == keys.length;
    }

    public void onResponse(
        final long sequence,
        final Outcome outcome,
        final long logIndex,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        answered++;
        final int index = (int)indexBySlot[(int)(sequence % indexBySlot.length)];
        final KvStatus status = Outcome.OK == outcome ? commands.status(buffer, offset, length) : null;
        if (KvStatus.OK == status && Arrays.equals(values[index], commands.value(buffer, offset, length)))
        {
            matched++;
        }
        else if (reported++ < 10)
        {
            out.println("verify: MISSING or WRONG " + keys[index] + ": " + outcome + " " + status);
        }
    }

    public void onQueryResult(
        final long queryId,
        final Outcome outcome,
        final long readIndex,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        onResponse(queryId, outcome, readIndex, buffer, offset, length);
    }
}
