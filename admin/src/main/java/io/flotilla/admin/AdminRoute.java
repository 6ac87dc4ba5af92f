package io.flotilla.admin;

import java.util.Map;
import java.util.Set;

/**
 * One path of the admin endpoint: its method, who may call it ({@link Access}), the JSON fields its body may hold,
 * and what it does. Handlers run on the endpoint's HTTP threads and call only the node's
 * thread-safe methods.
 */
interface AdminRoute
{
    /**
     * @return "GET" or "POST".
     */
    String method();

    /**
     * Who may call a route.
     */
    enum Access
    {
        /** Health probes: anyone who reaches the endpoint. */
        PROBE,
        /** Status and metrics: anyone on loopback, else only with the admin token. */
        READ,
        /** What changes the cluster: only with the admin token. */
        CHANGE
    }

    /**
     * @return who may call the route: by default READ for GET and CHANGE for POST.
     */
    default Access access()
    {
        return "POST".equals(method()) ? Access.CHANGE : Access.READ;
    }

    /**
     * @return the names the request's JSON object may hold; any other is refused with 400.
     */
    default Set<String> fields()
    {
        return Set.of();
    }

    /**
     * @param body the request's JSON object, checked against {@link #fields()}; empty when there was no body.
     * @return the answer.
     * @throws AdminException when the request is refused, or its outcome is not known in time.
     */
    AdminResponse handle(Map<String, Object> body) throws AdminException;
}
