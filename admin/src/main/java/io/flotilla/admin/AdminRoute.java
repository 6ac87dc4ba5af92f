package io.flotilla.admin;

/**
 * A path, the one method it answers, the access it needs and its handler.
 */
final class AdminRoute
{
    private final String method;
    private final String path;
    private final AdminAuth.Access access;
    private final RouteHandler handler;

    AdminRoute(final String method, final String path, final AdminAuth.Access access, final RouteHandler handler)
    {
        this.method = method;
        this.path = path;
        this.access = access;
        this.handler = handler;
    }

    static AdminRoute get(final String path, final AdminAuth.Access access, final RouteHandler handler)
    {
        return new AdminRoute("GET", path, access, handler);
    }

    static AdminRoute post(final String path, final RouteHandler handler)
    {
        return new AdminRoute("POST", path, AdminAuth.Access.CHANGE, handler);
    }

    String method()
    {
        return method;
    }

    String path()
    {
        return path;
    }

    AdminAuth.Access access()
    {
        return access;
    }

    RouteHandler handler()
    {
        return handler;
    }

    /**
     * @return true when requests to this route carry a body to read.
     */
    boolean readsBody()
    {
        return "POST".equals(method);
    }
}
