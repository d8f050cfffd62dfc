// SPDX-License-Identifier: GPL-2.0
/* Unit tests for parse.c. */
#include <arpa/inet.h>
#include <string.h>

#include "../parse.h"
#include "../tap.h"

int main(void)
{
	struct ksad_addr a;
	uint8_t key[36];
	uint32_t v;

	ok(parse_u32("0x1234", &v) == 0 && v == 0x1234, "hex SPI");
	ok(parse_u32("4096", &v) == 0 && v == 4096, "decimal SPI");
	ok(parse_u32("0xffffffff", &v) == 0 && v == UINT32_MAX, "largest SPI");
	ok(parse_u32("0x100000000", &v) < 0, "33-bit value refused");
	ok(parse_u32("-1", &v) < 0, "negative refused");
	ok(parse_u32("12abc", &v) < 0, "trailing junk refused");
	ok(parse_u32("", &v) < 0, "empty refused");
	ok(parse_u32(" 1", &v) < 0, "leading space refused");

	ok(parse_addr("10.0.0.1", &a) == 0 && a.family == AF_INET &&
	   a.v4.s_addr == htonl(0x0a000001), "IPv4 address");
	ok(parse_addr("fd00::2", &a) == 0 && a.family == AF_INET6 &&
	   a.v6.s6_addr[0] == 0xfd && a.v6.s6_addr[15] == 2, "IPv6 address");
	ok(parse_addr("10.0.0.256", &a) < 0, "bad IPv4 refused");
	ok(parse_addr("host", &a) < 0, "name refused");

	ok(parse_hex("0x0102ff", key, sizeof(key)) == 3 && key[0] == 1 &&
	   key[2] == 0xff, "hex key");
	ok(parse_hex("0xAbCd", key, sizeof(key)) == 2 && key[0] == 0xab &&
	   key[1] == 0xcd, "mixed-case hex");
	ok(parse_hex("0x123", key, sizeof(key)) < 0, "odd length refused");
	ok(parse_hex("0x12zz", key, sizeof(key)) < 0, "non-hex refused");
	ok(parse_hex("1234", key, sizeof(key)) < 0, "missing 0x refused");
	ok(parse_hex("0x", key, sizeof(key)) < 0, "empty key refused");
	ok(parse_hex("0x0102", key, 1) < 0, "too long for buffer refused");
	return tap_done();
}
