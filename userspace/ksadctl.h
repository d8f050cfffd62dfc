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
};

/* sa_msg.c: parsing of kernel messages (untrusted input: fuzzed) */
int sa_view_parse(const struct nlmsghdr *nlh, struct sa_view *v);

/* print.c */
extern bool opt_json;
const char *name_proto(uint8_t p);
const char *name_event(uint32_t e);
void sa_print(FILE *f, const struct sa_view *v);

/* sa.c, monitor.c, config.c: the subcommands */
int cmd_sa(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_config(int argc, char **argv);

/* ksadctl.c */
int open_or_explain(struct knl *k);
int report_error(const struct knl *k, int err, const char *what);
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
