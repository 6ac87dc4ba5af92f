package io.flotilla.samples.verify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text form of a history: one event per line, fields separated by single spaces, in time order.
 * <pre>
 * # comment
 * &lt;timeNs&gt; invoke &lt;id&gt; &lt;process&gt; put "key" "value"
 * &lt;timeNs&gt; invoke &lt;id&gt; &lt;process&gt; get "key"
 * &lt;timeNs&gt; invoke &lt;id&gt; &lt;process&gt; delete "key"
 * &lt;timeNs&gt; invoke &lt;id&gt; &lt;process&gt; cas "key" &lt;expected&gt; "new"
 * &lt;timeNs&gt; invoke &lt;id&gt; &lt;process&gt; clear
 * &lt;timeNs&gt; ok &lt;id&gt; &lt;process&gt;                 (put, delete, clear)
 * &lt;timeNs&gt; ok &lt;id&gt; &lt;process&gt; &lt;value&gt;         (get)
 * &lt;timeNs&gt; ok &lt;id&gt; &lt;process&gt; true|false      (cas: swapped or not)
 * &lt;timeNs&gt; fail &lt;id&gt; &lt;process&gt;
 * &lt;timeNs&gt; info &lt;id&gt; &lt;process&gt;
 * </pre>
 * A value is {@code nil} (absent) or a double-quoted string with Java escapes ({@code \\ \" \n \r \t \\uXXXX}).
 * An invocation with no completion line is an operation that never completed ({@link Outcome#UNKNOWN}).
 */
final class HistoryFormat
{
    static final String HEADER = "# flotilla kv history v1";

    private static final String ABSENT = "nil";

    private HistoryFormat()
    {
    }

    static void write(final History history, final Writer writer) throws IOException
    {
        final List<Operation> completions = new ArrayList<>();
        for (final Operation operation : history.operations())
        {
            if (operation.completed())
            {
                completions.add(operation);
            }
        }
        completions.sort((a, b) -> Long.compare(a.completeNs(), b.completeNs()));

        writer.write(HEADER);
        writer.write('\n');
        final List<Operation> invocations = history.operations();
        int i = 0;
        int c = 0;
        while (i < invocations.size() || c < completions.size())
        {
            // Merge the two time-ordered streams; an invocation goes first on a tie.
            if (c == completions.size() ||
                (i < invocations.size() && invocations.get(i).invokeNs() <= completions.get(c).completeNs()))
            {
                writer.write(invocationLine(invocations.get(i++)));
            }
            else
            {
                writer.write(completionLine(completions.get(c++)));
            }
            writer.write('\n');
        }
    }

    static History read(final BufferedReader reader) throws IOException
    {
        final Map<Long, Operation> pending = new HashMap<>();
        final Set<Long> completedIds = new HashSet<>();
        final List<Operation> operations = new ArrayList<>();
        int lineNumber = 0;
        String line;
        while (null != (line = reader.readLine()))
        {
            lineNumber++;
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            try
            {
                parseEvent(tokens(line), pending, completedIds, operations);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("line " + lineNumber + ": " + ex.getMessage() + ": " + line, ex);
            }
        }
        operations.addAll(pending.values());
        return History.of(operations);
    }

    static String quote(final String value)
    {
        if (null == value)
        {
            return ABSENT;
        }
        final StringBuilder builder = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char ch = value.charAt(i);
            switch (ch)
            {
                case '"':
                    builder.append("\\\"");
                    break;
                case '\\':
                    builder.append("\\\\");
                    break;
                case '\n':
                    builder.append("\\n");
                    break;
                case '\r':
                    builder.append("\\r");
                    break;
                case '\t':
                    builder.append("\\t");
                    break;
                default:
                    if (ch < 0x20 || 0x7f == ch || (Character.isSurrogate(ch) && !validSurrogateAt(value, i)))
                    {
                        builder.append(String.format("\\u%04x", (int)ch));
                    }
                    else
                    {
                        builder.append(ch);
                    }
            }
        }
        return builder.append('"').toString();
    }

    private static boolean validSurrogateAt(final String value, final int i)
    {
        final char ch = value.charAt(i);
        if (Character.isHighSurrogate(ch))
        {
            return i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
    }

    static String invocationLine(final Operation operation)
    {
        return operation.invokeNs() + " invoke " + operation.id() + " " + operation.process() + " " + operation.op();
    }

    static String completionLine(final Operation operation)
    {
        final String prefix = operation.completeNs() + " " + completionType(operation.outcome()) + " " +
            operation.id() + " " + operation.process();
        if (Outcome.OK != operation.outcome())
        {
            return prefix;
        }
        switch (operation.op().kind())
        {
            case GET:
                return prefix + " " + quote(operation.readValue());
            case CAS:
                return prefix + " " + operation.swapped();
            default:
                return prefix;
        }
    }

    private static String completionType(final Outcome outcome)
    {
        switch (outcome)
        {
            case OK:
                return "ok";
            case FAIL:
                return "fail";
            default:
                return "info";
        }
    }

    private static void parseEvent(
        final List<String> tokens,
        final Map<Long, Operation> pending,
        final Set<Long> completedIds,
        final List<Operation> operations)
    {
        if (tokens.size() < 4)
        {
            throw new IllegalArgumentException("expected <timeNs> <type> <id> <process> ...");
        }
        final long timeNs = parseLong(tokens.get(0), "time");
        final String type = tokens.get(1);
        final long id = parseLong(tokens.get(2), "id");
        final int process = (int)parseLong(tokens.get(3), "process");
        final List<String> rest = tokens.subList(4, tokens.size());

        if ("invoke".equals(type))
        {
            if (pending.containsKey(id) || completedIds.contains(id))
            {
                throw new IllegalArgumentException("operation #" + id + " invoked twice");
            }
            pending.put(id, new Operation(id, process, parseOp(rest), timeNs, Outcome.UNKNOWN, Operation.NEVER,
                null, false));
            return;
        }

        final Operation invoked = pending.remove(id);
        if (null == invoked)
        {
            throw new IllegalArgumentException("completion of operation #" + id + " which is not in flight");
        }
        if (invoked.process() != process)
        {
            throw new IllegalArgumentException("operation #" + id + " was invoked by process " + invoked.process());
        }
        completedIds.add(id);
        switch (type)
        {
            case "ok":
                operations.add(completeOk(invoked, timeNs, rest));
                break;
            case "fail":
                expectArity(rest, 0, "fail");
                operations.add(complete(invoked, Outcome.FAIL, timeNs, null, false));
                break;
            case "info":
                expectArity(rest, 0, "info");
                operations.add(complete(invoked, Outcome.UNKNOWN, timeNs, null, false));
                break;
            default:
                throw new IllegalArgumentException("unknown event type '" + type + "'");
        }
    }

    private static Operation completeOk(final Operation invoked, final long timeNs, final List<String> rest)
    {
        switch (invoked.op().kind())
        {
            case GET:
                expectArity(rest, 1, "ok of a get");
                return complete(invoked, Outcome.OK, timeNs, unquote(rest.get(0)), false);
            case CAS:
                expectArity(rest, 1, "ok of a cas");
                if (!"true".equals(rest.get(0)) && !"false".equals(rest.get(0)))
                {
                    throw new IllegalArgumentException("a cas completes with true or false");
                }
                return complete(invoked, Outcome.OK, timeNs, null, Boolean.parseBoolean(rest.get(0)));
            default:
                expectArity(rest, 0, "ok of a " + invoked.op().kind().name().toLowerCase());
                return complete(invoked, Outcome.OK, timeNs, null, false);
        }
    }

    private static Operation complete(
        final Operation invoked,
        final Outcome outcome,
        final long timeNs,
        final String readValue,
        final boolean swapped)
    {
        return new Operation(
            invoked.id(), invoked.process(), invoked.op(), invoked.invokeNs(), outcome, timeNs, readValue, swapped);
    }

    private static KvOp parseOp(final List<String> args)
    {
        if (args.isEmpty())
        {
            throw new IllegalArgumentException("missing operation");
        }
        final String name = args.get(0);
        switch (name)
        {
            case "put":
                expectArity(args, 3, name);
                return KvOp.put(unquoteNonNull(args.get(1)), unquoteNonNull(args.get(2)));
            case "get":
                expectArity(args, 2, name);
                return KvOp.get(unquoteNonNull(args.get(1)));
            case "delete":
                expectArity(args, 2, name);
                return KvOp.delete(unquoteNonNull(args.get(1)));
            case "cas":
                expectArity(args, 4, name);
                return KvOp.cas(unquoteNonNull(args.get(1)), unquote(args.get(2)), unquoteNonNull(args.get(3)));
            case "clear":
                expectArity(args, 1, name);
                return KvOp.clear();
            default:
                throw new IllegalArgumentException("unknown operation '" + name + "'");
        }
    }

    private static void expectArity(final List<String> args, final int count, final String what)
    {
        if (args.size() != count)
        {
            throw new IllegalArgumentException(what + " takes " + count + " fields, found " + args.size());
        }
    }

    private static long parseLong(final String token, final String what)
    {
        try
        {
            return Long.parseLong(token);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad " + what + " '" + token + "'", ex);
        }
    }

    private static String unquoteNonNull(final String token)
    {
        final String value = unquote(token);
        if (null == value)
        {
            throw new IllegalArgumentException("a key or written value cannot be nil");
        }
        return value;
    }

    /**
     * @param token a value token as split by {@link #tokens(String)}, quotes included.
     * @return the string, or {@code null} for {@code nil}.
     */
    private static String unquote(final String token)
    {
        if (ABSENT.equals(token))
        {
            return null;
        }
        if (token.length() < 2 || '"' != token.charAt(0) || '"' != token.charAt(token.length() - 1))
        {
            throw new IllegalArgumentException("expected nil or a quoted string, found " + token);
        }
        final StringBuilder builder = new StringBuilder(token.length());
        for (int i = 1; i < token.length() - 1; i++)
        {
            final char ch = token.charAt(i);
            if ('\\' != ch)
            {
                builder.append(ch);
                continue;
            }
            final char escaped = token.charAt(++i);
            switch (escaped)
            {
                case 'n':
                    builder.append('\n');
                    break;
                case 'r':
                    builder.append('\r');
                    break;
                case 't':
                    builder.append('\t');
                    break;
                case 'u':
                    if (i + 4 > token.length() - 2)
                    {
                        throw new IllegalArgumentException("truncated \\u escape in " + token);
                    }
                    builder.append((char)Integer.parseInt(token.substring(i + 1, i + 5), 16));
                    i += 4;
                    break;
                default:
                    builder.append(escaped);
            }
        }
        return builder.toString();
    }

    /**
     * Split a line on spaces, keeping a double-quoted string (with its escapes and quotes) as one token.
     */
    private static List<String> tokens(final String line)
    {
        final List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < line.length())
        {
            final char ch = line.charAt(i);
            if (' ' == ch)
            {
                i++;
                continue;
            }
            final int start = i;
            if ('"' == ch)
            {
                i++;
                while (i < line.length() && '"' != line.charAt(i))
                {
                    i += '\\' == line.charAt(i) ? 2 : 1;
                }
                if (i >= line.length())
                {
                    throw new IllegalArgumentException("unterminated string");
                }
                i++;
            }
            else
            {
                while (i < line.length() && ' ' != line.charAt(i))
                {
                    i++;
                }
            }
            tokens.add(line.substring(start, i));
        }
        return tokens;
    }
}
