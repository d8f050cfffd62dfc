// SPDX-License-Identifier: GPL-2.0
/*
 * ksad-bench: the userspace half of the SAD benchmark (bench/bench.sh runs it
 * inside the stock-kernel guest, next to the kernel's XFRM).
 *
 *   ksad-bench add N [FIRST]         SAs FIRST.. FIRST+N-1 through ksad ADD
 *   ksad-bench xfrm-add N [FIRST]    the same SAs through XFRM's NEWSA, as
 *                                    binary messages like ksad's ADDs
 *   ksad-bench xfrm-batch N FIRST FILE  `ip -batch` lines adding the same
 *                                    SAs to XFRM (ip then does the work)
 *   ksad-bench getspi ksad|xfrm [LEN [REFUSALS]]
 *                                    GETSPI (ALLOCSPI for XFRM) latency in a
 *                                    LEN-SPI range (65,536) at 0 %, 99 % and
 *                                    100 % fill, the last as the mean of
 *                                    REFUSALS (100) refused requests; then
 *                                    the refusals met while filling
 *
 * SA i: dst 198.18.(i >> 8 & 255).(i & 255) + 65536 * (i >> 16), SPI
 * 0x10000 + i, AES-GCM-16-128 (bench/bench.sh and kernel/bench.c know this).
 * Prints plain numbers; the script makes the table.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/xfrm.h>

#include "../uapi/linux/ksad.h"
#include "../userspace/lib/genl.h"
#include "../userspace/lib/parse.h"

#define RANGE_MIN 0x100000u
static uint32_t range_len = 65536;

static const uint8_t key20[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t sa_dst(uint32_t i)
{
	return htonl(0xc6120000u + (i & 0xffff) + ((i >> 16) << 16));
}

static int die(const char *what, int err, const struct knl *k)
{
	knl_perror(stderr, "ksad-bench", what, k, err);
	return 1;
}

static int cmd_add(uint32_t n, uint32_t first)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct knl k;
	double t0;
	int err = knl_open(&k);

	if (err)
		return die("open", err, NULL);
	t0 = now();
	for (uint32_t i = first; i < first + n; i++) {
		struct nlmsghdr *nlh = knl_request(&k, buf, 0, KSAD_CMD_ADD, NLM_F_ACK);
		uint32_t dst = sa_dst(i);

		mnl_attr_put_u32(nlh, KSAD_SA_SPI, 0x10000 + i);
		mnl_attr_put_u8(nlh, KSAD_SA_PROTO, KSAD_PROTO_ESP);
		mnl_attr_put(nlh, KSAD_SA_DST_IPV4, 4, &dst);
		mnl_attr_put_u8(nlh, KSAD_SA_DIR, KSAD_DIR_OUT);
		mnl_attr_put_u16(nlh, KSAD_SA_ENC_ALG, KSAD_ENCR_AES_GCM_16);
		mnl_attr_put_u16(nlh, KSAD_SA_ENC_KEY_BITS, 128);
		mnl_attr_put(nlh, KSAD_SA_ENC_KEY, sizeof(key20), key20);
		err = knl_talk(&k, nlh, NULL, NULL);
		if (err)
			return die("add", err, &k);
	}
	printf("%.6f\n", now() - t0);
	knl_close(&k);
	return 0;
}

/* The ACK of the request just sent on @xs: 0 or -errno. */
static int xfrm_ack(struct mnl_socket *xs, char *buf, size_t len)
{
	for (;;) {
		ssize_t r = mnl_socket_recvfrom(xs, buf, len);
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		if (r < 0)
			return -errno;
		if (nlh->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error;
	}
}

/* What `ip xfrm state add` sends for the same SA (lifetimes: none). */
static int cmd_xfrm_add(uint32_t n, uint32_t first)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *xs = mnl_socket_open(NETLINK_XFRM);
	uint32_t src = htonl(0xc6110001);
	union {
		struct xfrm_algo_aead a;
		char bytes[sizeof(struct xfrm_algo_aead) + sizeof(key20)];
	} alg = { .a = { .alg_name = "rfc4106(gcm(aes))",
			 .alg_key_len = sizeof(key20) * 8, .alg_icv_len = 128 } };
	double t0;
	int err;

	memcpy(alg.a.alg_key, key20, sizeof(key20));
	if (!xs || mnl_socket_bind(xs, 0, MNL_SOCKET_AUTOPID) < 0)
		return die("xfrm socket", -errno, NULL);
	t0 = now();
	for (uint32_t i = first; i < first + n; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct xfrm_usersa_info *u;
		uint32_t dst = sa_dst(i);

		nlh->nlmsg_type = XFRM_MSG_NEWSA;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = i + 1;
		u = mnl_nlmsg_put_extra_header(nlh, sizeof(*u));
		memcpy(&u->id.daddr, &dst, 4);
		memcpy(&u->saddr, &src, 4);
		u->id.spi = htonl(0x10000 + i);
		u->id.proto = IPPROTO_ESP;
		u->family = AF_INET;
		u->sel.family = AF_INET;
		u->mode = XFRM_MODE_TRANSPORT;
		u->lft.soft_byte_limit = u->lft.hard_byte_limit = XFRM_INF;
		u->lft.soft_packet_limit = u->lft.hard_packet_limit = XFRM_INF;
		mnl_attr_put(nlh, XFRMA_ALG_AEAD, sizeof(alg), &alg);
		if (mnl_socket_sendto(xs, nlh, nlh->nlmsg_len) < 0)
			return die("xfrm add", -errno, NULL);
		err = xfrm_ack(xs, buf, sizeof(buf));
		if (err)
			return die("xfrm add", err, NULL);
	}
	printf("%.6f\n", now() - t0);
	mnl_socket_close(xs);
	return 0;
}

static int cmd_xfrm_batch(uint32_t n, uint32_t first, const char *file)
{
	FILE *f = fopen(file, "w");
	char d[INET_ADDRSTRLEN];

	if (!f)
		return perror(file), 1;
	for (uint32_t i = first; i < first + n; i++) {
		uint32_t dst = sa_dst(i);

		inet_ntop(AF_INET, &dst, d, sizeof(d));
		fprintf(f, "xfrm state add src 198.17.0.1 dst %s proto esp spi 0x%x "
			"mode transport aead rfc4106(gcm(aes)) 0x", d, 0x10000 + i);
		for (size_t j = 0; j < sizeof(key20); j++)
			fprintf(f, "%02x", key20[j]);
		fprintf(f, " 128\n");
	}
	return fclose(f) ? 1 : 0;
}

/* One GETSPI (ksad) or ALLOCSPI (XFRM) in the bench range; 0 or -errno. */
static int one_getspi(struct knl *k, struct mnl_socket *xs)
{
	static uint32_t reqs;	/* XFRM: a new reqid, a new larval state */
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t dst = htonl(0xc6110001);

	if (k) {
		struct nlmsghdr *nlh = knl_request(k, buf, 0, KSAD_CMD_GETSPI, NLM_F_ACK);

		mnl_attr_put_u8(nlh, KSAD_SA_PROTO, KSAD_PROTO_ESP);
		mnl_attr_put(nlh, KSAD_SA_DST_IPV4, 4, &dst);
		mnl_attr_put_u32(nlh, KSAD_SA_SPI_MIN, RANGE_MIN);
		mnl_attr_put_u32(nlh, KSAD_SA_SPI_MAX, RANGE_MIN + range_len - 1);
		return knl_talk(k, nlh, NULL, NULL);
	} else {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct xfrm_userspi_info *u;

		nlh->nlmsg_type = XFRM_MSG_ALLOCSPI;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = ++reqs;
		u = mnl_nlmsg_put_extra_header(nlh, sizeof(*u));
		memcpy(&u->info.id.daddr, &dst, 4);
		u->info.id.proto = IPPROTO_ESP;
		u->info.family = AF_INET;
		u->info.mode = XFRM_MODE_TRANSPORT;
		u->info.reqid = reqs;
		u->min = RANGE_MIN;
		u->max = RANGE_MIN + range_len - 1;
		if (mnl_socket_sendto(xs, nlh, nlh->nlmsg_len) < 0)
			return -errno;
		return xfrm_ack(xs, buf, sizeof(buf));	/* after the new state */
	}
}

/*
 * Mean microseconds of @count GETSPIs; *@taken counts those that got an
 * SPI, *@refused the others.
 */
static double timed(struct knl *k, struct mnl_socket *xs, uint32_t count,
		    uint32_t *taken, uint32_t *refused)
{
	double t0 = now();

	for (uint32_t i = 0; i < count; i++) {
		if (one_getspi(k, xs))
			++*refused;
		else
			++*taken;
	}
	return (now() - t0) * 1e6 / count;
}

/*
 * GETSPIs until @target SPIs of the range are taken, or 10 * the range's
 * size tried: XFRM probes at random and can refuse while SPIs are free.
 * Returns the refusals met.
 */
static uint32_t fill_to(struct knl *k, struct mnl_socket *xs, uint32_t *taken,
			uint32_t target)
{
	uint32_t refused = 0;

	for (uint32_t tries = 0; *taken < target && tries < 10 * range_len; tries++)
		timed(k, xs, 1, taken, &refused);
	return refused;
}

static int cmd_getspi(const char *which, uint32_t refusals)
{
	uint32_t taken = 0, fill = range_len * 99 / 100, missed = 0, last = 0;
	uint32_t refused = 0, n99, got = 0;
	struct mnl_socket *xs = NULL;
	struct knl k, *kp = NULL;
	double t0, t99, tlast, tfull = 0;
	int err;

	if (!strcmp(which, "ksad")) {
		err = knl_open(&k);
		if (err)
			return die("open", err, NULL);
		kp = &k;
	} else {
		xs = mnl_socket_open(NETLINK_XFRM);
		if (!xs || mnl_socket_bind(xs, 0, MNL_SOCKET_AUTOPID) < 0)
			return die("xfrm socket", -errno, NULL);
	}
	t0 = timed(kp, xs, 100, &taken, &missed);
	missed += fill_to(kp, xs, &taken, fill);
	/* At 99 %: up to 100 requests, at most half of what is left. */
	n99 = (range_len - taken) / 2 < 100 ? (range_len - taken) / 2 : 100;
	t99 = n99 ? timed(kp, xs, n99, &taken, &missed) : 0;
	missed += fill_to(kp, xs, &taken, range_len - 1);
	/* The last free SPI: XFRM may miss it. */
	tlast = timed(kp, xs, 1, &got, &last);
	taken += got;
	/* A full range: refusals change nothing; averaged. */
	for (uint32_t i = 0; i < refusals; i++)
		tfull += timed(kp, xs, 1, &taken, &refused) / refusals;
	printf("%.1f %.1f %.1f %s %.1f %u/%u %u\n", t0, t99, tlast,
	       last ? "missed" : "found", tfull, refused, refusals, missed);
	if (xs)
		mnl_socket_close(xs);
	else
		knl_close(&k);
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t n, first = 0;

	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "add") &&
	    !parse_u32(argv[2], &n) && (argc == 3 || !parse_u32(argv[3], &first)))
		return cmd_add(n, first);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "xfrm-add") &&
	    !parse_u32(argv[2], &n) && (argc == 3 || !parse_u32(argv[3], &first)))
		return cmd_xfrm_add(n, first);
	if (argc == 5 && !strcmp(argv[1], "xfrm-batch") && !parse_u32(argv[2], &n) &&
	    !parse_u32(argv[3], &first))
		return cmd_xfrm_batch(n, first, argv[4]);
	if (argc >= 3 && argc <= 5 && !strcmp(argv[1], "getspi")) {
		uint32_t refusals = 100;

		if ((argc >= 4 && (parse_u32(argv[3], &range_len) || range_len < 200)) ||
		    (argc == 5 && (parse_u32(argv[4], &refusals) || !refusals)))
			return fprintf(stderr, "ksad-bench: bad LEN or REFUSALS\n"), 2;
		return cmd_getspi(argv[2], refusals);
	}
	fprintf(stderr, "usage: ksad-bench add N [FIRST] | xfrm-add N [FIRST] | xfrm-batch N FIRST FILE | getspi ksad|xfrm [LEN [REFUSALS]]\n");
	return 2;
}
