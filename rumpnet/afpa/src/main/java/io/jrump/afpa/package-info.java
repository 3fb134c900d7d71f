/**
 * The AFPA accelerator ({@code rumpnet_afpa}): {@code http} parses requests and builds response
 * headers, {@code cache} holds documents as prebuilt frames, and the component's two integrations with
 * the stack are {@code hook} mode (the Linux seed: socket upcalls and buffer-free hooks) and {@code tdi}
 * mode (the Windows 2000 seed: transport-driver events and pin arrays).
 */
package io.jrump.afpa;
