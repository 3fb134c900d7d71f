/**
 * Hook mode, the Linux integration of the AFPA seed ({@code ../shared/seeds/000_e72d5458a6362c1e.txt}):
 * the accelerator takes the connections of the user-level server's listening socket through an accept
 * hook, replaces their data-arrival upcall with its own, answers at softint level from the cache, and
 * sends large responses in 64 KB chunks whose flagged last frame's buffer-free hook queues the next.
 */
package io.jrump.afpa.hook;
