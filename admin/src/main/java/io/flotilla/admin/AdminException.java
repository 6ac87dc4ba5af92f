package io.flotilla.admin;

/**
 * A request the admin endpoint refuses or could not complete: its HTTP status, a name for programs and a message for
 * people. Thrown before anything was changed, unless the name says the outcome is unknown (TIMEOUT).
 */
final class AdminException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final String error;

    AdminException(final int httpStatus, final String error, final String message)
    {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.error = error;
    }

    int httpStatus()
    {
        return httpStatus;
    }

    String error()
    {
        return error;
    }
}
