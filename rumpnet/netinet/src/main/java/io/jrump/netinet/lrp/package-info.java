/**
 * Lazy Receiver Processing (seed 003), netinet's half: the early demultiplexer the interfaces consult,
 * the per-socket channels' processing in the receiver's context (UDP, inside {@code recv}) or by
 * asynchronous protocol processing at the owning process's priority (TCP), the sysctls
 * {@code net.inet.lrp.enable} and {@code net.inet.lrp.channel_len}, and the drop counters.
 */
package io.jrump.netinet.lrp;
