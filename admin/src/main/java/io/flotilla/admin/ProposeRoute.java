package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.ProposalResult;
import io.flotilla.engine.ProposalStatus;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /propose} with {@code {"command":"<base64>"}}: one command through the log, answered with the state
 * machine's response once applied (OK or REJECTED), or a named error: NOT_LEADER (421, naming the leader), DROPPED,
 * BACK_PRESSURED, CLOSED or UNKNOWN (503), TIMEOUT (504: the command may still commit).
 */
final class ProposeRoute implements AdminRoute
{
    private final ClusterNode node;
    private final long timeoutNs;

    ProposeRoute(final ClusterNode node, final long timeoutNs)
    {
        this.node = node;
        this.timeoutNs = timeoutNs;
    }

    public String method()
    {
        return "POST";
    }

    public Set<String> fields()
    {
        return Set.of("command");
    }

    public AdminResponse handle(final Map<String, Object> body) throws AdminException
    {
        final byte[] command;
        try
        {
            command = Base64.getDecoder().decode(AdminJson.requiredString(body, "command"));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new AdminException(400, "BAD_REQUEST", "'command' is not base64: " + ex.getMessage());
        }
        if (command.length > node.maxCommandLength())
        {
            throw new AdminException(413, "PAYLOAD_TOO_LARGE",
                "the command is " + command.length + " bytes, at most " + node.maxCommandLength());
        }

        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        node.propose(new UnsafeBuffer(command), 0, command.length, (result) -> outcome.complete(Outcome.of(result)));
        final Outcome result;
        try
        {
            result = outcome.get(timeoutNs, TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new AdminException(504, "TIMEOUT", "no outcome within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) +
                " ms: the command may still commit");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AdminException(503, "CLOSED", "the admin endpoint is stopping");
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException(ex.getCause());
        }
        return result.toResponse();
    }

    /**
     * A copy of a proposal's result, made on the node's thread.
     */
    private record Outcome(ProposalStatus status, long index, int leaderMemberId, String leaderEndpoint, byte[] response)
    {
        static Outcome of(final ProposalResult result)
        {
            final byte[] response = new byte[result.length()];
            if (null != result.buffer())
            {
                result.buffer().getBytes(result.offset(), response);
            }
            return new Outcome(
                result.status(), result.logIndex(), result.leaderMemberId(), result.leaderEndpoint(), response);
        }

        AdminResponse toResponse()
        {
            final Map<String, Object> json = new LinkedHashMap<>();
            switch (status)
            {
                case OK:
                case REJECTED:
                    json.put("status", status.name());
                    json.put("index", index);
                    json.put("response", Base64.getEncoder().encodeToString(response));
                    return AdminResponse.ok(json);
                case NOT_LEADER:
                    json.put("error", status.name());
                    json.put("message", "this node does not lead: send the command to the leader");
                    json.put("leaderMemberId", leaderMemberId);
                    json.put("leaderIngressEndpoint", leaderEndpoint);
                    return AdminResponse.json(421, json);
                default:
                    json.put("error", status.name());
                    json.put("message", message(status));
                    return AdminResponse.json(503, json);
            }
        }

        private static String message(final ProposalStatus status)
        {
            switch (status)
            {
                case DROPPED:
                    return "leadership was lost before the command committed: it was not applied";
                case BACK_PRESSURED:
                    return "too much is in flight: retry later";
                case CLOSED:
                    return "the node closed: the command's outcome is unknown";
                default:
                    return "the command may or may not have been applied (" + status + ")";
            }
        }
    }
}
