package io.flotilla.admin;

import com.sun.net.httpserver.Headers;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may do what: changes always need the admin token ({@code Authorization: Bearer <token>}), reads need it
 * unless the endpoint is bound to loopback, probes never do. The token is compared in constant time.
 */
final class AdminAuth
{
    /** What a route does, and so what it needs. */
    enum Access
    {
        /** Health probes: open to load balancers and orchestrators. */
        PROBE,
        /** Status and metrics: open on loopback, token otherwise. */
        READ,
        /** Anything that changes the cluster: token always. */
        CHANGE
    }

    private static final String BEARER = "Bearer ";

    private final byte[] token;
    private final boolean readsNeedToken;

    /**
     * @param token          the admin token, or null when none is configured (changes are then refused).
     * @param readsNeedToken true when the endpoint is reachable beyond loopback.
     */
    AdminAuth(final String token, final boolean readsNeedToken)
    {
        this.token = null == token ? null : token.getBytes(StandardCharsets.UTF_8);
        this.readsNeedToken = readsNeedToken;
    }

    /**
     * @param access  the route needs.
     * @param headers of the request.
     * @return null when allowed, otherwise the refusal to send.
     */
    AdminReply refusal(final Access access, final Headers headers)
    {
        if (Access.PROBE == access || (Access.READ == access && !readsNeedToken))
        {
            return null;
        }
        if (null == token)
        {
            return AdminReply.error(403, "FORBIDDEN",
                "admin changes are disabled: set " + AdminServer.Context.TOKEN_FILE_PROP);
        }
        final String authorization = headers.getFirst("Authorization");
        if (null == authorization || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length()))
        {
            return AdminReply.error(401, "UNAUTHORIZED", "this request needs the admin token: send " +
                "'Authorization: Bearer <token>'").header("WWW-Authenticate", "Bearer");
        }
        final byte[] presented = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(token, presented))
        {
            return AdminReply.error(403, "FORBIDDEN", "the admin token is wrong");
        }
        return null;
    }
}
