package io.flotilla.admin.cli;

import picocli.CommandLine;

/**
 * A rate option, in events per second: {@code 1000/s}, {@code 10k/s} (10,000: k and m are powers of ten here, unlike
 * a size's), {@code 2m/s}, or a plain number such as {@code 1000}. Zero and negative rates are refused.
 */
public final class RateConverter implements CommandLine.ITypeConverter<Long>
{
    private static final String PER_SECOND = "/s";

    public Long convert(final String value)
    {
        final String count = value.endsWith(PER_SECOND) ? value.substring(0, value.length() - PER_SECOND.length()) :
            value;
        final long multiplier = multiplier(count);
        final String digits = 1 == multiplier ? count : count.substring(0, count.length() - 1);
        try
        {
            if (digits.isEmpty() || !Character.isDigit(digits.charAt(0)))
            {
                throw new NumberFormatException(digits);
            }
            final long rate = Math.multiplyExact(Long.parseLong(digits), multiplier);
            if (rate > 0)
            {
                return rate;
            }
        }
        catch (final NumberFormatException | ArithmeticException ex)
        {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a rate: give a whole number per " +
                "second, with k or m for thousands or millions if you like, e.g. 1000/s, 10k/s or 1000");
        }
        throw new CommandLine.TypeConversionException("'" + value + "': a rate must be above zero");
    }

    private static long multiplier(final String count)
    {
        if (count.endsWith("k") || count.endsWith("K"))
        {
            return 1_000;
        }
        if (count.endsWith("m") || count.endsWith("M"))
        {
            return 1_000_000;
        }
        return 1;
    }
}
