package io.flotilla.admin.cli;

import org.agrona.SystemUtil;
import picocli.CommandLine;

/**
 * A size option in bytes, read by Agrona's {@link SystemUtil#parseSize(String, String)} as the {@code flotilla.*}
 * size settings are: {@code 32} bytes, {@code 64k} (64 KiB), {@code 16m}, {@code 1g}.
 */
public final class SizeConverter implements CommandLine.ITypeConverter<Long>
{
    public Long convert(final String value)
    {
        try
        {
            return SystemUtil.parseSize("size", value);
        }
        catch (final NumberFormatException ex)
        {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size: give bytes, or a whole " +
                "number with k, m or g (KiB, MiB, GiB), e.g. 32, 64k or 1g");
        }
    }
}
