// SPDX-License-Identifier: GPL-2.0
/* Values from command lines and files; see parse.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int parse_addr(const char *s, struct ksad_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, &out->v4) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &out->v6) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t len, n;

	if (!s || strncmp(s, "0x", 2))
		return -1;
	s += 2;
	len = strlen(s);
	if (len == 0 || len % 2 || len / 2 > max)
		return -1;
	for (n = 0; n < len / 2; n++) {
		int hi = hexval(s[2 * n]), lo = hexval(s[2 * n + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[n] = (uint8_t)(hi << 4 | lo);
	}
	return (int)n;
}
