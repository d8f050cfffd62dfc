/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers for values given on command lines and in files: numbers,
 * addresses, hex keys (untrusted input; lib/tests/parse_test.c).
 */
#ifndef KSAD_PARSE_H
#define KSAD_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct ksad_addr {
	int family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/* A 32-bit number, decimal or 0x-hex, as `ip xfrm` takes an SPI. */
int parse_u32(const char *s, uint32_t *out);
/* An IPv4 or IPv6 address. */
int parse_addr(const char *s, struct ksad_addr *out);
/*
 * Key material as 0x-prefixed hex (`ip xfrm` style); returns its length in
 * bytes, or -1 on bad input or when it exceeds @max bytes.
 */
int parse_hex(const char *s, uint8_t *out, size_t max);

#endif
