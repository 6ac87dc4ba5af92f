package io.flotilla.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin token rule: changes need {@code Authorization: Bearer <token>}; reads need it too unless the endpoint is
 * bound to loopback; probes never do. Tokens are compared in constant time.
 */
final class AdminAuth
{
    private static final String BEARER = "Bearer ";

    private final byte[] token;
    private final boolean readsOpen;

    /**
     * @param token     the configured token, or null: then nothing that changes the cluster is allowed.
     * @param readsOpen whether reads need no token (bound to loopback).
     */
    AdminAuth(final String token, final boolean readsOpen)
    {
        this.token = null == token ? null : token.getBytes(StandardCharsets.UTF_8);
        this.readsOpen = readsOpen;
    }

    /**
     * @param access        who may call the route asked for.
     * @param authorization the request's Authorization header, or null.
     * @throws AdminException 401 without a token, 403 with a wrong one or when changes are disabled.
     */
    void check(final AdminRoute.Access access, final String authorization) throws AdminException
    {
        if (AdminRoute.Access.PROBE == access || (AdminRoute.Access.READ == access && readsOpen))
        {
            return;
        }
        if (null == token)
        {
            throw new AdminException(403, "FORBIDDEN",
                "admin changes are disabled: set " + AdminServer.Context.TOKEN_FILE_PROP + " on the node");
        }
        if (null == authorization || !authorization.startsWith(BEARER))
        {
            throw new AdminException(401, "UNAUTHORIZED", "send the admin token as 'Authorization: Bearer <token>'");
        }
        final byte[] presented = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(token, presented))
        {
            throw new AdminException(403, "FORBIDDEN", "wrong admin token");
        }
    }
}
