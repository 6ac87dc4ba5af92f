package io.flotilla.perf.harness;

/**
 * A system under load: something that takes messages of N bytes and echoes (or acknowledges) each one back.
 * <p>
 * Every implementation (the raw Aeron ping floor, Aeron Cluster, Flotilla) carries the send timestamp written by
 * {@link Payload#writeSendTime} in the first {@link Payload#MIN_LENGTH} bytes of each message and hands it back,
 * unchanged, through {@link #poll(EchoHandler)}. The runners drive a target from one thread: {@link #start(int)},
 * then {@link #offer(long)} and {@link #poll(EchoHandler)} interleaved in a loop, then {@link #close()}.
 * {@code offer} and {@code poll} must not allocate in steady state and must never block.
 */
public interface LoadTarget extends AutoCloseable
{
    /**
     * Name used in result files and the comparison table, e.g. {@code aeron-cluster}.
     *
     * @return the target's name.
     */
    String name();

    /**
     * How the system is configured (durability, threading, idle strategies), printed in every summary line.
     *
     * @return {@code key=value} pairs separated by single spaces, no spaces inside a value.
     */
    String config();

    /**
     * Start the system and connect the load generator's client; returns when messages can be offered.
     *
     * @param messageLength length in bytes of every message that will be offered, at least {@link Payload#MIN_LENGTH}.
     * @throws Exception if the system cannot be started within the target's own deadline.
     */
    void start(int messageLength) throws Exception;

    /**
     * Offer one message of the length given to {@link #start(int)}, carrying {@code sendTimeNs}.
     *
     * @param sendTimeNs {@link System#nanoTime()} at which the message was meant to be sent (the intended time).
     * @return true if the message was accepted, false if back pressured (the caller retries with the same time).
     */
    boolean offer(long sendTimeNs);

    /**
     * Poll for echoes, calling {@code handler} once for each echo received.
     *
     * @param handler called with the send time carried by each echo.
     * @return the amount of work done (0 when nothing arrived).
     */
    int poll(EchoHandler handler);

    /**
     * Echoes that arrived malformed (wrong length) and were dropped rather than counted.
     *
     * @return the count of malformed echoes.
     */
    long malformedEchoes();

    /**
     * Stop the system, release its resources and remove its directories.
     */
    void close();
}
