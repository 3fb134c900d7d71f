/**
 * Tdi mode, the Windows 2000 integration of the AFPA seed ({@code ../shared/seeds/001_4c2098c7f46ed350.txt}):
 * the accelerator as a client of netinet's transport driver interface, with a connect event that
 * returns an accept request, receive and disconnect events, and responses sent from the cache object's
 * pin array one 64 KB chunk per send request, each send completion unpinning its chunk and sending the
 * next; chunks not yet in memory are read and pinned by the worker threads.
 */
package io.jrump.afpa.tdi;
