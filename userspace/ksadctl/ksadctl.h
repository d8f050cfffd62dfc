/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of ksadctl share: the subcommands (sa.c, policy.c,
 * monitor.c, config.c), the printing of what ksad answers (print.c) and
 * the talking to it (ksadctl.c).
 */
#ifndef KSADCTL_H
#define KSADCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/netlink.h>

#include "../../uapi/linux/ksad.h"
#include "../lib/genl.h"
#include "../lib/parse.h"
#include "../lib/sa_msg.h"

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_NOT_LOADED = 3 };

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
int cmd_socket(int argc, char **argv);

/* sa.c: argument helpers shared with policy.c */
int parse_sel(struct nlmsghdr *nlh, uint16_t type, int argc, char **argv, int i);
int parse_l4proto(const char *s, uint8_t *p);
int need(int argc, char **argv, int i, int n);
/* An address attribute of @a's family: @a4 or @a6. */
static inline void put_addr(struct nlmsghdr *nlh, uint16_t a4, uint16_t a6,
			    const struct ksad_addr *a)
{
	knl_put_addr(nlh, a4, a6, a->family, a->family == AF_INET ?
		     (const void *)&a->v4 : (const void *)&a->v6);
}

/* ksadctl.c */
int open_or_explain(struct knl *k);
int report_error(const struct knl *k, int err, const char *what);
/* Send @nlh; @print each answer (after @sep); one JSON array for a @list. */
int talk_print(struct knl *k, struct nlmsghdr *nlh, bool list,
	       int (*print)(const struct nlmsghdr *nlh, const char *sep));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
