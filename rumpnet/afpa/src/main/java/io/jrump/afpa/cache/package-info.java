/**
 * The accelerator's document cache: files read through rumpvfs into prebuilt frame buffers carved
 * from 128 KB blocks of kernel memory ({@link io.jrump.afpa.cache.BlockAllocator}), each frame with
 * room for its headers and its payload checksum computed once ({@link io.jrump.afpa.cache.CacheObject},
 * the Linux AFPA seed), the same bytes seen as 64 KB chunks with pin counts for the transport-driver
 * mode ({@link io.jrump.afpa.cache.PinArray}, the Windows 2000 seed), and the lookup, invalidation and
 * LRU eviction over them ({@link io.jrump.afpa.cache.AfpaCache}).
 */
package io.jrump.afpa.cache;
