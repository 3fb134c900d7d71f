/**
 * Interface backends at the frame level (ARCHITECTURE.md section 5): what an Ethernet interface's driver
 * sends into and receives from, before a later step glues them to the kernel's {@code ifnet}.
 *
 * <ul>
 *   <li>{@link io.jrump.virtif.EtherLink} is one attachment to an Ethernet segment, with a
 *       {@link io.jrump.virtif.FrameSink} for what arrives;</li>
 *   <li>{@link io.jrump.virtif.Hub} is an in-process segment for tests and benchmarks, and
 *       {@link io.jrump.virtif.LearningSwitch} one that delivers unicast to one port, for thousands of kernels;</li>
 *   <li>{@link io.jrump.virtif.LinkEmulator} wraps any link with delay, rate, loss, duplication,
 *       reordering and corruption drawn from a seed;</li>
 *   <li>{@link io.jrump.virtif.ShmifBus} is NetBSD's shmif: a bus in a memory-mapped file that kernels in
 *       one JVM or many processes share, and {@link io.jrump.virtif.ShmifDumpbus} is its
 *       {@code shmif_dumpbus}.</li>
 * </ul>
 *
 * <p>As in NetBSD's {@code sys/rump/net/lib/libshmif}, the host side of a backend (files, mappings, host
 * sleeps) sits in one {@code *User} class, {@link io.jrump.virtif.ShmifUser}, mirroring
 * {@code rumpcomp_user.c}; everything else reaches the host only through the hypercall layer.
 */
package io.jrump.virtif;
