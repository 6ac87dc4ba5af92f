package io.flotilla.samples.verify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The definition of linearizability, searched by brute force over the whole history (every key at once, no
 * split by key, no list tricks), for small histories only: find a sequence that holds every completed operation
 * and any subset of the unknown ones, respects real time (a before b when a completed before b was invoked) and
 * is legal for a map.
 */
final class ReferenceChecker
{
    private final List<Operation> operations = new ArrayList<>();
    private final Set<String> explored = new HashSet<>();

    ReferenceChecker(final History history)
    {
        for (final Operation operation : history.operations())
        {
            if (Outcome.FAIL != operation.outcome())
            {
                operations.add(operation);
            }
        }
        if (operations.size() > 20)
        {
            throw new IllegalArgumentException("brute force is for small histories");
        }
    }

    boolean isLinearizable()
    {
        return search(0, new HashMap<>());
    }

    private boolean search(final int placed, final Map<String, String> store)
    {
        if (allCompletedPlaced(placed))
        {
            return true;
        }
        if (!explored.add(placed + " " + new TreeMap<>(store)))
        {
            return false;
        }
        for (int i = 0; i < operations.size(); i++)
        {
            if (0 != (placed & (1 << i)) || !predecessorsPlaced(placed, i))
            {
                continue;
            }
            final Map<String, String> after = apply(operations.get(i), store);
            if (null != after && search(placed | (1 << i), after))
            {
                return true;
            }
        }
        return false;
    }

    private boolean allCompletedPlaced(final int placed)
    {
        for (int i = 0; i < operations.size(); i++)
        {
            if (Outcome.OK == operations.get(i).outcome() && 0 == (placed & (1 << i)))
            {
                return false;
            }
        }
        return true;
    }

    private boolean predecessorsPlaced(final int placed, final int candidate)
    {
        for (int i = 0; i < operations.size(); i++)
        {
            final Operation before = operations.get(i);
            if (Outcome.OK == before.outcome() && before.completeNs() < operations.get(candidate).invokeNs() &&
                0 == (placed & (1 << i)))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the store after the operation, or null when its recorded result is impossible on this store.
     */
    private static Map<String, String> apply(final Operation operation, final Map<String, String> store)
    {
        final KvOp op = operation.op();
        final boolean known = Outcome.OK == operation.outcome();
        final String current = store.get(op.key());
        final Map<String, String> after = new HashMap<>(store);
        switch (op.kind())
        {
            case PUT:
                after.put(op.key(), op.value());
                return after;
            case DELETE:
                after.remove(op.key());
                return after;
            case GET:
                return !known || Objects.equals(current, operation.readValue()) ? after : null;
            case CAS:
                final boolean matches = Objects.equals(current, op.expected());
                if (known && matches != operation.swapped())
                {
                    return null;
                }
                if (matches)
                {
                    after.put(op.key(), op.value());
                }
                return after;
            default:
                throw new IllegalArgumentException(op.toString());
        }
    }
}
