/**
 * IPv4 (RFC 791, RFC 1122 section 3, RFC 1812 for forwarding): input with header validation and
 * delivery to the transport registered for the protocol number ({@code ip_input.c}), output with
 * routing, source selection and fragmentation ({@code ip_output.c}), forwarding
 * ({@code ip_forward} in {@code ip_input.c}), reassembly ({@code ip_reass.c}), the IP counters
 * ({@code ip_var.h}'s {@code ipstat}), the transport hooks {@code pr_input} and {@code pr_ctlinput},
 * and software TCP segmentation for interfaces that cannot ({@code in_offload.c}'s
 * {@code tcp4_segment}), which IP output applies as it hands a datagram to the link.
 */
package io.jrump.netinet.ip;
