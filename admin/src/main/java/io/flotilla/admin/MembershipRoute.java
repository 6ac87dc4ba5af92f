package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.Membership;
import io.flotilla.engine.MembershipException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /membership} with {@code {"op":"add"|"add-learner"|"promote"|"remove"|"replace", "id":N,
 * "endpoint":"host:consensusPort:ingressPort", "replaces":M}}: a membership change on the leader
 * ({@link ClusterNode#addMember} and the others), answered with the committed members or the change's named error
 * (409 for what the cluster's state refuses, 400 for a request that is wrong, 503 when the outcome is not known).
 */
final class MembershipRoute implements AdminRoute
{
    private final ClusterNode node;
    private final long timeoutNs;

    MembershipRoute(final ClusterNode node, final long timeoutNs)
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
        return Set.of("op", "id", "endpoint", "replaces");
    }

    public AdminResponse handle(final Map<String, Object> body) throws AdminException
    {
        final String op = AdminJson.requiredString(body, "op");
        final Integer id = AdminJson.optionalInt(body, "id");
        if (null == id)
        {
            throw new AdminException(400, "BAD_REQUEST", "'id' is missing: the member the change is about");
        }
        final CompletableFuture<Membership> change;
        switch (op)
        {
            case "add":
                change = node.addMember(id, AdminJson.requiredString(body, "endpoint"));
                break;
            case "add-learner":
                change = node.addLearner(id, AdminJson.requiredString(body, "endpoint"));
                break;
            case "promote":
                change = node.promote(id);
                break;
            case "remove":
                change = node.removeMember(id);
                break;
            case "replace":
                final Integer replaced = AdminJson.optionalInt(body, "replaces");
                if (null == replaced)
                {
                    throw new AdminException(400, "BAD_REQUEST", "'replaces' is missing: the voter to replace");
                }
                change = node.replaceMember(replaced, id, AdminJson.requiredString(body, "endpoint"));
                break;
            default:
                throw new AdminException(400, "BAD_REQUEST", "'op' must be add, add-learner, promote, remove or " +
                    "replace, got '" + op + "'");
        }
        try
        {
            return AdminResponse.ok(json(change.get(timeoutNs, TimeUnit.NANOSECONDS)));
        }
        catch (final ExecutionException ex)
        {
            throw refusal(ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new AdminException(504, "TIMEOUT", "the change did not finish within " +
                TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms: it may still complete (watch GET /status members)");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AdminException(503, "CLOSED", "the admin endpoint is stopping");
        }
    }

    /**
     * @return the members as JSON: the configuration entry's index, and the voters and learners with endpoints.
     */
    static Map<String, Object> json(final Membership membership)
    {
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("index", membership.index());
        json.put("voters", members(membership, membership.voters()));
        json.put("learners", members(membership, membership.learners()));
        return json;
    }

    private static List<Map<String, Object>> members(final Membership membership, final int[] ids)
    {
        final List<Map<String, Object>> list = new ArrayList<>();
        for (final int id : ids)
        {
            final Map<String, Object> member = new LinkedHashMap<>();
            member.put("memberId", id);
            member.put("endpoint", membership.endpoint(id));
            list.add(member);
        }
        return list;
    }

    private static AdminException refusal(final Throwable cause)
    {
        if (!(cause instanceof MembershipException))
        {
            return new AdminException(500, "FAILED", String.valueOf(cause));
        }
        final MembershipException failure = (MembershipException)cause;
        final String message = failure.getMessage() +
            (failure.leaderEndpoint().isEmpty() ? "" : " (leader ingress " + failure.leaderEndpoint() + ")");
        switch (failure.status())
        {
            case INVALID_MEMBER:
            case INVALID_ENDPOINT:
                return new AdminException(400, failure.status().name(), message);
            case TERM_NOT_COMMITTED:
            case LEADERSHIP_LOST:
            case CLOSED:
                return new AdminException(503, failure.status().name(), message);
            default:
                return new AdminException(409, failure.status().name(), message);
        }
    }
}
