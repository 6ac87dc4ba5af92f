package io.flotilla.admin;

/**
 * What one route does, once the router has checked its method, access and body size. Called on an HTTP worker
 * thread, never the node's.
 */
@FunctionalInterface
interface RouteHandler
{
    /**
     * @param body the request body, read within the bound (empty for GET or when none was sent).
     * @return the reply.
     * @throws AdminRefusal when the request is refused (nothing has been changed).
     */
    AdminReply handle(byte[] body);
}
