package io.flotilla.admin;

/**
 * A request refused while it is being read or checked (a malformed body, a wrong field): thrown to the router, which
 * answers it; nothing has been changed yet.
 */
final class AdminRefusal extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;

    AdminRefusal(final int status, final String error, final String message)
    {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
    }

    static AdminRefusal badRequest(final String message)
    {
        return new AdminRefusal(400, "BAD_REQUEST", message);
    }

    AdminReply reply()
    {
        return AdminReply.error(status, error, getMessage());
    }
}
