/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksad's messages as the programs read them: an SA (GETSPI, ADD, GET, DUMP
 * answers; EXPIRE, MAPPING and the other events), a policy (POLICY_*,
 * ACQUIRE) or the counters (GET_STATS), parsed into plain structs.  The
 * input comes from the kernel but is treated as untrusted: every attribute
 * is length-checked (ksadctl/tests/fuzz_sa_msg.c fuzzes it).  Used by
 * ksadctl, ksad-ike and the tools.
 */
#ifndef KSAD_SA_MSG_H
#define KSAD_SA_MSG_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "../../uapi/linux/ksad.h"
#include "parse.h"

struct sa_lifetime {
	uint64_t bytes, packets, add_seconds, use_seconds;
	bool set;
};

struct sa_sel {
	struct ksad_addr src, dst;
	uint8_t sprefix, dprefix, proto;
	uint16_t sport, dport;	/* host order */
	bool set;
};

struct sa_stats {
	uint64_t bytes, packets, replay_fail, integrity_fail;
	uint64_t add_time, first_use, last_use;
	bool set;
};

/* An SA message from the kernel, as parsed by sa_view_parse(). */
struct sa_view {
	uint8_t cmd;
	bool has[KSAD_SA_MAX + 1];
	uint32_t spi, reqid, replay_window, event;
	uint16_t enc_alg, enc_key_bits, auth_alg;	/* IKEv2 transform IDs */
	uint8_t proto, dir, mode, state;
	struct ksad_addr dst, src;
	bool esn, expire_hard;
	struct sa_sel sel;
	struct sa_lifetime soft, hard;
	struct sa_stats stats;
	/* UDP encapsulation (type 0: none); MAPPING: the new source */
	uint8_t encap_type;
	uint16_t encap_sport, encap_dport, mapping_sport;
	struct ksad_addr mapping_src;
};

/* A policy message from the kernel (POLICY_*, ACQUIRE). */
struct policy_view {
	uint8_t cmd;
	uint32_t id, priority, reqid, spi;
	uint8_t dir, action, proto, mode;
	struct ksad_addr tun_src, tun_dst;
	struct sa_sel sel;
	uint64_t packets;
	uint64_t add_time, last_use;	/* seconds since the Epoch; 0: never */
	bool has_spi;
};

/* Each returns 0, or -1 when the message is not one of its kind or broken. */
int sa_view_parse(const struct nlmsghdr *nlh, struct sa_view *v);
int policy_view_parse(const struct nlmsghdr *nlh, struct policy_view *v);
/* GET_STATS: @c[KSAD_STAT_*] */
int stats_view_parse(const struct nlmsghdr *nlh, uint64_t c[KSAD_STAT_MAX + 1]);

#endif
