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

/**
 * {@code POST /propose} {@code {"command":"<base64>"}}: the command proposed to the node, answered with the state
 * machine's response (OK or REJECTED, with the entry's index) or a named error: NOT_LEADER (421, naming the leader),
 * BACK_PRESSURED, DROPPED or CLOSED (503: not applied, retry), UNKNOWN (500: may or may not have been applied),
 * TIMEOUT (504: may still be applied).
 */
final class ProposeHandler implements RouteHandler
{
    private static final Set<String> FIELDS = Set.of("command");

    private final ClusterNode node;
    private final long timeoutNs;

    ProposeHandler(final ClusterNode node, final long timeoutNs)
    {
        this.node = node;
        this.timeoutNs = timeoutNs;
    }

    public AdminReply handle(final byte[] body)
    {
        final String encoded = JsonRequest.parse(body, FIELDS).requiredString("command");
        final byte[] command;
        try
        {
            command = Base64.getDecoder().decode(encoded);
        }
        catch (final IllegalArgumentException ex)
        {
            throw AdminRefusal.badRequest("field 'command' is not base64: " + ex.getMessage());
        }
        if (command.length > node.maxCommandLength())
        {
            return AdminReply.error(413, "PAYLOAD_TOO_LARGE", "the command is " + command.length + " bytes, longer " +
                "than the node accepts (" + node.maxCommandLength() + ": raise flotilla.proposal.queue.bytes)");
        }

        final CompletableFuture<Outcome> future = new CompletableFuture<>();
        // The callback runs on the node's thread (or this one when not queued): copy the view, complete, no more.
        node.propose(new UnsafeBuffer(command), 0, command.length, (result) -> future.complete(new Outcome(result)));
        final Outcome outcome = Await.outcome(future, timeoutNs);
        if (null == outcome)
        {
            return AdminReply.error(504, "TIMEOUT", "no outcome within " + Await.describe(timeoutNs) + " (" +
                AdminServer.Context.REQUEST_TIMEOUT_PROP + "): the command may still be applied");
        }
        return reply(outcome);
    }

    private static AdminReply reply(final Outcome outcome)
    {
        switch (outcome.status)
        {
            case OK:
            case REJECTED:
            {
                final Map<String, Object> json = new LinkedHashMap<>();
                json.put("status", outcome.status.name());
                json.put("index", outcome.index);
                json.put("response", Base64.getEncoder().encodeToString(outcome.response));
                return AdminReply.json(200, json);
            }
            case NOT_LEADER:
            {
                final Map<String, Object> json = AdminJson.error("NOT_LEADER", outcome.leaderMemberId < 0 ?
                    "this node does not lead and no leader is known: retry later" :
                    "this node does not lead: send the command to member " + outcome.leaderMemberId);
                json.put("leaderMemberId", outcome.leaderMemberId);
                json.put("leaderIngressEndpoint", outcome.leaderEndpoint.isEmpty() ? null : outcome.leaderEndpoint);
                return AdminReply.json(421, json);
            }
            case BACK_PRESSURED:
                return AdminReply.error(503, "BACK_PRESSURED", "too much is in flight: not applied, retry later");
            case DROPPED:
                return AdminReply.error(503, "DROPPED", "leadership was lost before the command committed: " +
                    "not applied, retry");
            case CLOSED:
                return AdminReply.error(503, "CLOSED", "the node is closed: not applied");
            default:
                return AdminReply.error(500, outcome.status.name(), "the command may or may not have been applied " +
                    "(this node installed a snapshot covering its index): check before retrying");
        }
    }

    /**
     * A copy of a {@link ProposalResult}, which is a view valid only during its callback.
     */
    private static final class Outcome
    {
        private final ProposalStatus status;
        private final long index;
        private final int leaderMemberId;
        private final String leaderEndpoint;
        private final byte[] response;

        Outcome(final ProposalResult result)
        {
            status = result.status();
            index = result.logIndex();
            leaderMemberId = result.leaderMemberId();
            leaderEndpoint = result.leaderEndpoint();
            response = new byte[result.length()];
            result.buffer().getBytes(result.offset(), response);
        }
    }
}
