package io.flotilla.engine;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TestPortsTest
{
    @Test
    void portsAreDistinctBindableAndOutsideTheEphemeralRange() throws Exception
    {
        final String[] ephemeral;
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range")))
        {
            ephemeral = reader.readLine().trim().split("\\s+");
        }
        final int low = Integer.parseInt(ephemeral[0]);
        final int high = Integer.parseInt(ephemeral[1]);

        final Set<Integer> seen = new HashSet<>();
        for (int round = 0; round < 3; round++)
        {
            for (final int port : TestPorts.allocate(20))
            {
                assertTrue(port < low || port > high, port + " is outside " + low + ".." + high);
                assertTrue(seen.add(port), port + " given once");
                new DatagramSocket(new InetSocketAddress(port)).close();
            }
        }
    }

    @Test
    void aBoundPortIsSkipped() throws Exception
    {
        final int last = TestPorts.allocate(1)[0];
        // Someone else binds the next ports in turn.
        final DatagramSocket[] held = new DatagramSocket[5];
        try
        {
            for (int i = 0; i < held.length; i++)
            {
                held[i] = new DatagramSocket(new InetSocketAddress(nextInBlock(last, i + 1)));
            }
            assertEquals(nextInBlock(last, held.length + 1), TestPorts.allocate(1)[0]);
        }
        finally
        {
            for (final DatagramSocket socket : held)
            {
                if (null != socket)
                {
                    socket.close();
                }
            }
        }
    }

    /**
     * @return the port {@code steps} after {@code port} in its block, wrapping past the claim at the block's start.
     */
    private static int nextInBlock(final int port, final int steps)
    {
        final int[] range = TestPorts.portsOutsideEphemeralRange();
        final int blockStart = range[0] + (port - range[0]) / TestPorts.BLOCK_LENGTH * TestPorts.BLOCK_LENGTH;
        return blockStart + 1 + (port - blockStart - 1 + steps) % (TestPorts.BLOCK_LENGTH - 1);
    }
}
