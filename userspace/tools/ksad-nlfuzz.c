// SPDX-License-Identifier: GPL-2.0
/*
 * ksad-nlfuzz N SEED: N random and mutated generic-netlink requests against
 * every ksad operation (and some that do not exist).  Half are built from
 * scratch (random commands, flags, attribute types, lengths, nesting), half
 * are valid requests with bytes flipped, lengths cut or attributes added.
 * The netlink header itself stays well-formed: the kernel drops a bad one
 * before ksad could see it.  The kernel's log is the oracle (no KASAN,
 * lockdep or WARN); this program only fails when the socket does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <linux/genetlink.h>

#include "../../uapi/linux/ksad.h"
#include "../lib/genl.h"
#include "../lib/parse.h"

static uint64_t rng;

static uint32_t rnd(uint32_t n)	/* xorshift64*, uniform enough here */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return n ? (uint32_t)((rng * 2685821657736338717ULL) >> 32) % n : 0;
}

static void put_random_attrs(struct nlmsghdr *nlh, int depth)
{
	int n = (int)rnd(8);

	while (n-- > 0) {
		uint16_t type = (uint16_t)rnd(KSAD_SA_MAX + 4);
		uint8_t data[48];
		size_t len = rnd(5) ? rnd(2) ? 4 : rnd(17) : rnd(sizeof(data));

		if (depth < 2 && rnd(6) == 0) {
			struct nlattr *nest = mnl_attr_nest_start(nlh, type);

			put_random_attrs(nlh, depth + 1);
			mnl_attr_nest_end(nlh, nest);
			continue;
		}
		for (size_t i = 0; i < len; i++)
			data[i] = (uint8_t)rnd(256);
		if (rnd(3) == 0)	/* plausible values: small numbers */
			memset(data, 0, len), data[0] = (uint8_t)rnd(4);
		mnl_attr_put(nlh, type, len, data);
	}
}

/* ESP in UDP, mostly well-formed, on a few ports so that SAs collide. */
static void put_encap(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u8(nlh, KSAD_ENCAP_TYPE, rnd(8) ? KSAD_ENCAP_ESPINUDP : (uint8_t)rnd(4));
	if (rnd(8))
		mnl_attr_put_u16(nlh, KSAD_ENCAP_SPORT, htons((uint16_t)(4500 + rnd(3))));
	if (rnd(8))
		mnl_attr_put_u16(nlh, KSAD_ENCAP_DPORT, htons((uint16_t)(rnd(16) ? 4500 + rnd(3) : 0)));
	mnl_attr_nest_end(nlh, nest);
}

/* A valid request of some operation, to be mutated. */
static void put_template(struct nlmsghdr *nlh, uint8_t cmd)
{
	static const uint8_t key[72] = { 1, 2, 3 };
	uint32_t dst = htonl(0xc0000200 | rnd(4));
	struct nlattr *nest;

	mnl_attr_put_u8(nlh, KSAD_SA_PROTO, rnd(2) ? KSAD_PROTO_ESP : KSAD_PROTO_AH);
	mnl_attr_put(nlh, KSAD_SA_DST_IPV4, 4, &dst);
	if (cmd != KSAD_CMD_GETSPI)
		mnl_attr_put_u32(nlh, KSAD_SA_SPI, 256 + rnd(64));
	if (cmd == KSAD_CMD_GETSPI && rnd(2)) {
		mnl_attr_put_u32(nlh, KSAD_SA_SPI_MIN, rnd(600));
		mnl_attr_put_u32(nlh, KSAD_SA_SPI_MAX, rnd(700));
	}
	if (cmd == KSAD_CMD_ADD || cmd == KSAD_CMD_UPDATE) {
		mnl_attr_put_u8(nlh, KSAD_SA_DIR, 1 + rnd(2));
		/* the IKEv2 IDs ksad has and some it refuses, key lengths right or not */
		if (rnd(8)) {
			static const uint16_t encrs[] = { 3, 11, 12, 13, 14, 15, 16,
							  17, 18, 19, 20, 21, 23, 28,
							  1023 };
			static const uint16_t bits[] = { 128, 192, 256, 64, 0 };

			mnl_attr_put_u16(nlh, KSAD_SA_ENC_ALG,
					 encrs[rnd(sizeof(encrs) / sizeof(encrs[0]))]);
			if (rnd(4))
				mnl_attr_put_u16(nlh, KSAD_SA_ENC_KEY_BITS, bits[rnd(5)]);
			mnl_attr_put(nlh, KSAD_SA_ENC_KEY, rnd(4) ? 20 + 8 * rnd(3) - rnd(2) : rnd(65),
				     key);
		}
		if (rnd(3) == 0) {
			static const uint16_t integs[] = { 0, 1, 2, 5, 8, 9, 12, 13, 14, 15 };

			mnl_attr_put_u16(nlh, KSAD_SA_AUTH_ALG, integs[rnd(10)]);
			mnl_attr_put(nlh, KSAD_SA_AUTH_KEY, 16 * (1 + rnd(4)) + 4 * rnd(2), key);
		}
		nest = mnl_attr_nest_start(nlh, rnd(2) ? KSAD_SA_SOFT : KSAD_SA_HARD);
		mnl_attr_put_u64(nlh, KSAD_LIFETIME_ADD_SECONDS, rnd(5));
		mnl_attr_put_u64(nlh, KSAD_LIFETIME_BYTES, rnd(100000));
		mnl_attr_nest_end(nlh, nest);
		if (rnd(2)) {
			nest = mnl_attr_nest_start(nlh, KSAD_SA_SELECTOR);
			mnl_attr_put(nlh, KSAD_SEL_SRC_IPV4, 4, &dst);
			mnl_attr_put(nlh, KSAD_SEL_DST_IPV4, 4, &dst);
			mnl_attr_put_u8(nlh, KSAD_SEL_SRC_PREFIXLEN, (uint8_t)rnd(40));
			mnl_attr_nest_end(nlh, nest);
		}
	}
	/* UDP encapsulation: names outbound SAs, moves SAs (UPDATE) */
	if (cmd != KSAD_CMD_GETSPI && rnd(3) == 0)
		put_encap(nlh, KSAD_SA_ENCAP);
	if (cmd == KSAD_CMD_UPDATE && rnd(3) == 0)
		put_encap(nlh, KSAD_SA_NEW_ENCAP);
}

static void mutate(struct nlmsghdr *nlh)
{
	uint8_t *p = (uint8_t *)nlh + NLMSG_HDRLEN;
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN;
	int n = 1 + (int)rnd(4);

	while (n-- > 0 && len) {
		switch (rnd(3)) {
		case 0:	/* flip a byte (genl header or attributes) */
			p[rnd((uint32_t)len)] ^= (uint8_t)(1 + rnd(255));
			break;
		case 1:	/* cut the message short */
			nlh->nlmsg_len -= rnd((uint32_t)len / 2 + 1) & ~3u;
			len = nlh->nlmsg_len - NLMSG_HDRLEN;
			break;
		default:	/* one more attribute, maybe nested */
			put_random_attrs(nlh, 1);
			len = nlh->nlmsg_len - NLMSG_HDRLEN;
		}
	}
}

int main(int argc, char **argv)
{
	char buf[16384];
	uint32_t n, seed, i, acks = 0, errs = 0, replies = 0;
	struct timeval tv = { .tv_sec = 2 };
	struct knl k;
	int err;

	if (argc != 3 || parse_u32(argv[1], &n) || parse_u32(argv[2], &seed)) {
		fprintf(stderr, "usage: ksad-nlfuzz N SEED\n");
		return 2;
	}
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	err = knl_open(&k);
	if (err) {
		fprintf(stderr, "ksad-nlfuzz: %s\n", strerror(-err));
		return 1;
	}
	setsockopt(mnl_socket_get_fd(k.sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < n; i++) {
		uint8_t cmd = (uint8_t)rnd(KSAD_CMD_MAX + 3);
		uint16_t flags = NLM_F_ACK | (rnd(8) == 0 ? NLM_F_DUMP : 0);
		struct nlmsghdr *nlh;
		struct genlmsghdr *g;

		/* Keep the table small: flush now and then. */
		if (i % 512 == 0) {
			nlh = knl_request(&k, buf, 0, KSAD_CMD_FLUSH, NLM_F_ACK);
			if (knl_talk(&k, nlh, NULL, NULL))
				return fprintf(stderr, "ksad-nlfuzz: flush failed\n"), 1;
		}
		nlh = knl_request(&k, buf, 0, cmd, flags);
		g = mnl_nlmsg_get_payload(nlh);
		if (rnd(16) == 0)
			g->version = (uint8_t)rnd(256);
		if (rnd(16) == 0)
			g->reserved = (uint16_t)rnd(65536);
		if (rnd(2)) {
			put_template(nlh, cmd);
			mutate(nlh);
		} else {
			put_random_attrs(nlh, 0);
		}
		err = knl_talk(&k, nlh, NULL, NULL);
		if (err == -EAGAIN || err == -EWOULDBLOCK) {
			fprintf(stderr, "ksad-nlfuzz: no answer to request %u\n", i);
			return 1;
		}
		if (err == -ENOBUFS || err == -EBADF)
			return fprintf(stderr, "ksad-nlfuzz: socket: %s\n", strerror(-err)), 1;
		if (err)
			errs++;
		else
			acks++;
		replies++;
	}
	printf("ksad-nlfuzz: %u requests, %u accepted, %u refused\n", replies, acks, errs);
	knl_close(&k);
	return 0;
}
