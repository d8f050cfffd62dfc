/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small layer over libmnl for talking to ksad's generic-netlink family:
 * the socket and the family's id, version and multicast groups, requests,
 * the answers (dumps included) with the kernel's extended-ACK message, and
 * the attribute helpers every user needs.  Shared by ksadctl, ksad-ike, the
 * tools and the benchmark.
 */
#ifndef KSAD_GENL_H
#define KSAD_GENL_H

#include <stdint.h>
#include <stdio.h>
#include <libmnl/libmnl.h>

#define KNL_MAX_GROUPS 8

struct knl_group {
	char name[32];
	uint32_t id;
};

struct knl {
	struct mnl_socket *sock;
	unsigned int portid;
	uint32_t seq;
	uint16_t family;
	uint32_t version;
	struct knl_group groups[KNL_MAX_GROUPS];
	int ngroups;
	/* The kernel's extended-ACK message for the last error, if any. */
	char errmsg[256];
};

/* Open a socket and resolve the family; -ENOENT when ksad is not loaded. */
int knl_open(struct knl *k);
/* The same for another generic-netlink family (e.g. "nlctrl"). */
int knl_open_family(struct knl *k, const char *name);
void knl_close(struct knl *k);

/* Start a request of the ksad family (or of @family when non-zero). */
struct nlmsghdr *knl_request(struct knl *k, void *buf, uint16_t family,
			     uint8_t cmd, uint16_t flags);

/*
 * Send @nlh and run @cb on every reply until the ACK or the end of a dump.
 * Returns 0 or a negative errno; on error k->errmsg holds the kernel's
 * extended-ACK text, if it sent one.
 */
int knl_talk(struct knl *k, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/*
 * A CTRL_CMD_GETFAMILY answer or a NEWFAMILY notification (a libmnl
 * callback, @data a struct knl): fills family, version and groups.
 */
int knl_family_cb(const struct nlmsghdr *nlh, void *data);

/* Multicast group id by name, or 0. */
uint32_t knl_group_id(const struct knl *k, const char *name);

/*
 * "PROG: WHAT: strerror(-err)[: the kernel's extended-ACK message]" and a
 * newline, on @f.
 */
void knl_perror(FILE *f, const char *prog, const char *what,
		const struct knl *k, int err);

/* An address attribute: @a4 (4 bytes) for AF_INET, else @a6 (16 bytes). */
void knl_put_addr(struct nlmsghdr *nlh, uint16_t a4, uint16_t a6, int family,
		  const void *addr);

#endif
