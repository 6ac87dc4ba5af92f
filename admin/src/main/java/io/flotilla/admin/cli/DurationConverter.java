package io.flotilla.admin.cli;

import org.agrona.SystemUtil;
import picocli.CommandLine;

import java.time.Duration;

/**
 * A duration option with its unit, read by Agrona's {@link SystemUtil#parseDuration(String, String)} as the
 * {@code flotilla.*} duration settings are: {@code 10s}, {@code 500ms}, {@code 250us}, {@code 100ns}. A number
 * without a unit is refused (but {@code 0}): Agrona would read it as nanoseconds, which nobody typing
 * {@code --duration 10} means.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration>
{
    public Duration convert(final String value)
    {
        if (!value.isEmpty() && !"0".equals(value) && Character.isDigit(value.charAt(value.length() - 1)))
        {
            throw new CommandLine.TypeConversionException(
                "'" + value + "' has no unit: give one, e.g. " + value + "s or " + value + "ms");
        }
        try
        {
            return Duration.ofNanos(SystemUtil.parseDuration("duration", value));
        }
        catch (final NumberFormatException ex)
        {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: give a whole number " +
                "and a unit, s, ms, us or ns, e.g. 10s or 500ms");
        }
    }
}
