// SPDX-License-Identifier: GPL-2.0
/* Talking to ksad over generic netlink with libmnl; see genl.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "genl.h"
#include "../../uapi/linux/ksad.h"

struct nlmsghdr *knl_request(struct knl *k, void *buf, uint16_t family,
			     uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family ? family : k->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++k->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = family == GENL_ID_CTRL ? 1 : KSAD_GENL_VERSION;
	return nlh;
}

/* mnl_cb_run2() hands the same pointer to data and control callbacks. */
struct talk {
	struct knl *k;
	mnl_cb_t cb;
	void *data;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

/* NLMSG_ERROR: keep the errno and the extended-ACK message. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct knl *k = ((struct talk *)data)->k;
	const struct nlattr *attr;
	size_t off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return MNL_CB_ERROR;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		goto out;
	off = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(err->msg);
	mnl_attr_for_each_payload((const void *)((const char *)err + off),
				  mnl_nlmsg_get_payload_len(nlh) - off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(k->errmsg, sizeof(k->errmsg), "%s",
				 mnl_attr_get_str(attr));
	}
out:
	if (err->error) {
		errno = -err->error;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* NLMSG_DONE ends a dump; a dump that failed says so in it. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct knl *k = ((struct talk *)data)->k;
	const int *err = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(*err) && *err < 0) {
		snprintf(k->errmsg, sizeof(k->errmsg), "the dump failed");
		errno = -*err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

int knl_talk(struct knl *k, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	/* With a control array libmnl applies no defaults: name them all. */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct talk t = { .k = k, .cb = cb, .data = data };
	char buf[32768];	/* a dump batch; the kernel sends at most this */
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	k->errmsg[0] = '\0';
	if (mnl_socket_sendto(k->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(k->sock, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run2(buf, n, seq, k->portid, data_cb, &t, ctl,
				  NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EPROTO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

int knl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct knl *k = data;
	const struct nlattr *attr, *grp, *a;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
				k->family = mnl_attr_get_u16(attr);
			break;
		case CTRL_ATTR_VERSION:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
				k->version = mnl_attr_get_u32(attr);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(grp, attr) {
				struct knl_group g = { "", 0 };

				mnl_attr_for_each_nested(a, grp) {
					if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
					    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
						snprintf(g.name, sizeof(g.name), "%s",
							 mnl_attr_get_str(a));
					else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
						 mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
						g.id = mnl_attr_get_u32(a);
				}
				if (k->ngroups < KNL_MAX_GROUPS)
					k->groups[k->ngroups++] = g;
			}
			break;
		}
	}
	return MNL_CB_OK;
}

int knl_open(struct knl *k)
{
	return knl_open_family(k, KSAD_GENL_NAME);
}

int knl_open_family(struct knl *k, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int one = 1, ret;

	memset(k, 0, sizeof(*k));
	k->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!k->sock)
		return -errno;
	if (mnl_socket_bind(k->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err;
	}
	k->portid = mnl_socket_get_portid(k->sock);
	k->seq = (uint32_t)time(NULL);
	/* Extended ACKs carry the kernel's reason for an error. */
	mnl_socket_setsockopt(k->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(k->sock, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = knl_request(k, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	ret = knl_talk(k, nlh, knl_family_cb, k);
	if (ret)
		goto err;
	if (!k->family) {
		ret = -ENOENT;
		goto err;
	}
	return 0;
err:
	mnl_socket_close(k->sock);
	k->sock = NULL;
	return ret;
}

void knl_close(struct knl *k)
{
	if (k->sock)
		mnl_socket_close(k->sock);
	k->sock = NULL;
}

uint32_t knl_group_id(const struct knl *k, const char *name)
{
	for (int i = 0; i < k->ngroups; i++)
		if (!strcmp(k->groups[i].name, name))
			return k->groups[i].id;
	return 0;
}

void knl_perror(FILE *f, const char *prog, const char *what,
		const struct knl *k, int err)
{
	fprintf(f, "%s: %s: %s%s%s\n", prog, what, strerror(-err),
		k && k->errmsg[0] ? ": " : "", k ? k->errmsg : "");
}

void knl_put_addr(struct nlmsghdr *nlh, uint16_t a4, uint16_t a6, int family,
		  const void *addr)
{
	if (family == AF_INET)
		mnl_attr_put(nlh, a4, 4, addr);
	else
		mnl_attr_put(nlh, a6, 16, addr);
}
