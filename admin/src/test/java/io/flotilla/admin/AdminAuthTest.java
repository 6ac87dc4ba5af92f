package io.flotilla.admin;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token rule and the media type rule, for each kind of route and endpoint.
 */
class AdminAuthTest
{
    private static final String TOKEN = "admin-auth-test-token-0123";

    @Test
    void beyondLoopbackReadsNeedTheTokenAndProbesNever() throws AdminException
    {
        final AdminAuth auth = new AdminAuth(TOKEN, false);
        auth.check(AdminRoute.Access.PROBE, null);
        assertEquals(401, assertThrows(AdminException.class, () -> auth.check(AdminRoute.Access.READ, null)).httpStatus());
        assertEquals(403, assertThrows(AdminException.class,
            () -> auth.check(AdminRoute.Access.READ, "Bearer " + TOKEN + "x")).httpStatus());
        auth.check(AdminRoute.Access.READ, "Bearer " + TOKEN);
        auth.check(AdminRoute.Access.CHANGE, "Bearer " + TOKEN);
    }

    @Test
    void onLoopbackReadsAreOpenAndChangesStillNeedTheToken() throws AdminException
    {
        final AdminAuth auth = new AdminAuth(TOKEN, true);
        auth.check(AdminRoute.Access.READ, null);
        assertEquals(401, assertThrows(AdminException.class,
            () -> auth.check(AdminRoute.Access.CHANGE, "Basic " + TOKEN)).httpStatus());
        assertEquals(403, assertThrows(AdminException.class,
            () -> auth.check(AdminRoute.Access.CHANGE, "Bearer " + TOKEN.substring(1))).httpStatus());
    }

    @Test
    void withoutAConfiguredTokenNothingChanges()
    {
        final AdminAuth auth = new AdminAuth(null, true);
        assertEquals(403, assertThrows(AdminException.class,
            () -> auth.check(AdminRoute.Access.CHANGE, "Bearer anything-at-all-here")).httpStatus());
    }

    @Test
    void onlyApplicationJsonIsABody()
    {
        assertTrue(AdminDispatcher.isJson("application/json"));
        assertTrue(AdminDispatcher.isJson("Application/JSON ; charset=utf-8"));
        assertFalse(AdminDispatcher.isJson("application/jsonx"));
        assertFalse(AdminDispatcher.isJson("application/json-patch+json"));
        assertFalse(AdminDispatcher.isJson("text/plain"));
        assertFalse(AdminDispatcher.isJson(""));
        assertFalse(AdminDispatcher.isJson(null));
    }
}
