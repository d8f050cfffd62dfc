/* SPDX-License-Identifier: GPL-2.0 */
/* What the parts of ksadctl share. */
#ifndef KSADCTL_H
#define KSADCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/netlink.h>

#include "../uapi/linux/ksad.h"
#include "genl.h"
#include "parse.h"

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_NOT_LOADED = 3 };

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
	uint32_t spi, reqid, replay_window, enc_alg, auth_alg, event;
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
	bool has_spi;
};

/* sa_msg.c: parsing of kernel messages (untrusted input: fuzzed) */
int sa_view_parse(const struct nlmsghdr *nlh, struct sa_view *v);
int policy_view_parse(const struct nlmsghdr *nlh, struct policy_view *v);
/* GET_STATS: @c[KSAD_STAT_*]; returns 0 or -1 */
int stats_view_parse(const struct nlmsghdr *nlh, uint64_t c[KSAD_STAT_MAX + 1]);

/* print.c */
extern bool opt_json;
const char *name_proto(uint8_t p);
const char *name_event(uint32_t e);
void sa_print(FILE *f, const struct sa_view *v);
void policy_print(FILE *f, const struct policy_view *v);
void sel_print(FILE *f, const struct sa_sel *s);
const char *stat_name(int i);

/* sa.c, monitor.c, config.c: the subcommands */
int cmd_sa(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_stats(int argc, char **argv);

/* sa.c: argument helpers shared with policy.c */
int parse_sel(struct nlmsghdr *nlh, uint16_t type, int argc, char **argv, int i);
int parse_l4proto(const char *s, uint8_t *p);
int need(int argc, char **argv, int i, int n);
void put_addr(struct nlmsghdr *nlh, uint16_t a4, uint16_t a6,
	      const struct ksad_addr *a);

/* ksadctl.c */
int open_or_explain(struct knl *k);
int report_error(const struct knl *k, int err, const char *what);
/* Send @nlh; @print each answer (after @sep); one JSON array for a @list. */
int talk_print(struct knl *k, struct nlmsghdr *nlh, bool list,
	       int (*print)(const struct nlmsghdr *nlh, const char *sep));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
