// SPDX-License-Identifier: GPL-2.0
/*
 * ksad's notifications to charon, on a socket of their own read by
 * charon's watcher thread:
 *
 *   EXPIRE (soft)        -> expire(..., hard = FALSE): charon rekeys
 *   EXPIRE (hard)        -> expire(..., hard = TRUE): charon deletes
 *   ACQUIRE              -> acquire(reqid, the packet's selectors): a trap
 *                           policy met traffic, charon negotiates
 *   MAPPING              -> mapping(): the peer's NAT mapping changed
 *
 * The socket also listens to the generic-netlink controller: when ksad is
 * unloaded its groups are gone (and so are its SAs); when it is loaded
 * again the socket joins the new groups, so that charon keeps working
 * without a restart.
 */
#include <errno.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "kernel_ksad_private.h"

static const char *const groups[] = {
	KSAD_MCGRP_EXPIRE, KSAD_MCGRP_ACQUIRE, KSAD_MCGRP_MAPPING,
};

/* Join ksad's groups as @k names them; FALSE if one is missing */
static bool join(private_kernel_ksad_ipsec_t *this, const struct knl *k)
{
	unsigned int i;
	uint32_t id;

	for (i = 0; i < countof(groups); i++) {
		id = knl_group_id(k, groups[i]);
		if (!id || mnl_socket_setsockopt(this->ev, NETLINK_ADD_MEMBERSHIP,
						 &id, sizeof(id)) < 0) {
			DBG1(DBG_KNL, "kernel-ksad: cannot join ksad's group %s",
			     groups[i]);
			return FALSE;
		}
	}
	this->ev_family = k->family;
	return TRUE;
}

static void expire(const struct nlmsghdr *nlh)
{
	struct sa_view v;
	host_t *dst;

	if (sa_view_parse(nlh, &v) || !v.has[KSAD_SA_SPI] || !v.dst.family)
		return;
	dst = ksad_host(&v.dst, 0);
	if (!dst)
		return;
	DBG1(DBG_KNL, "kernel-ksad: %s EXPIRE of SA %.8x", v.expire_hard ? "hard" : "soft",
	     v.spi);
	charon->kernel->expire(charon->kernel, v.proto, htonl(v.spi), dst,
			       v.expire_hard);
	dst->destroy(dst);
}

static void acquire(const struct nlmsghdr *nlh)
{
	kernel_acquire_data_t data = {};
	struct policy_view v;

	if (policy_view_parse(nlh, &v) || !v.sel.set)
		return;
	data.src = ksad_sel_ts(&v.sel, TRUE);
	data.dst = ksad_sel_ts(&v.sel, FALSE);
	if (data.src && data.dst) {
		DBG1(DBG_KNL, "kernel-ksad: ACQUIRE for reqid %u: %R === %R", v.reqid,
		     data.src, data.dst);
		charon->kernel->acquire(charon->kernel, v.reqid, &data);
	}
	DESTROY_IF(data.src);
	DESTROY_IF(data.dst);
}

static void mapping(const struct nlmsghdr *nlh)
{
	struct sa_view v;
	host_t *dst, *remote;

	if (sa_view_parse(nlh, &v) || !v.has[KSAD_SA_SPI] || !v.dst.family ||
	    !v.mapping_src.family)
		return;
	dst = ksad_host(&v.dst, 0);
	remote = ksad_host(&v.mapping_src, v.mapping_sport);
	if (dst && remote) {
		DBG1(DBG_KNL, "kernel-ksad: MAPPING of SA %.8x: the peer is now %#H",
		     v.spi, remote);
		charon->kernel->mapping(charon->kernel, v.proto, htonl(v.spi), dst,
					remote);
	}
	DESTROY_IF(dst);
	DESTROY_IF(remote);
}

static bool is_ksad(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			return streq(mnl_attr_get_str(a), KSAD_GENL_NAME);
	return FALSE;
}

/*
 * NEWFAMILY or DELFAMILY of ksad.  A request may have found the new family
 * first (ksad_talk): then only the groups are joined here, and a late
 * DELFAMILY of the old family changes nothing.
 */
static void family(private_kernel_ksad_ipsec_t *this, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct knl k;

	if (!is_ksad(nlh))
		return;
	memset(&k, 0, sizeof(k));
	knl_family_cb(nlh, &k);
	this->mutex->lock(this->mutex);
	if (g->cmd == CTRL_CMD_DELFAMILY) {
		if (this->nl_open && this->nl.family == k.family) {
			DBG1(DBG_KNL, "kernel-ksad: ksad was unloaded: its SAs and "
			     "policies are gone");
			ksad_lost(this);
		}
	} else if (!this->nl_open || this->nl.family != k.family) {
		if (this->nl_open)
			ksad_lost(this);
		if (!ksad_open(this))
			ksad_resync(this);
	}
	this->mutex->unlock(this->mutex);
	if (g->cmd == CTRL_CMD_NEWFAMILY && join(this, &k))
		DBG1(DBG_KNL, "kernel-ksad: listening to ksad again (family %u)", k.family);
}

/*
 * Events were lost: one may have been ksad's NEWFAMILY.  Look the family up
 * and, if it is new, do what NEWFAMILY does.
 */
static void recheck(private_kernel_ksad_ipsec_t *this)
{
	struct knl k;

	if (knl_open(&k))
		return;
	if (k.family != this->ev_family) {
		this->mutex->lock(this->mutex);
		if (!this->nl_open || this->nl.family != k.family) {
			if (this->nl_open)
				ksad_lost(this);
			if (!ksad_open(this))
				ksad_resync(this);
		}
		this->mutex->unlock(this->mutex);
		join(this, &k);
	}
	knl_close(&k);
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	private_kernel_ksad_ipsec_t *this = data;
	const struct genlmsghdr *g;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g))
		return MNL_CB_OK;
	g = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		if (g->cmd == CTRL_CMD_NEWFAMILY || g->cmd == CTRL_CMD_DELFAMILY)
			family(this, nlh);
		return MNL_CB_OK;
	}
	if (nlh->nlmsg_type != this->ev_family)
		return MNL_CB_OK;
	switch (g->cmd) {
	case KSAD_CMD_EXPIRE:
		expire(nlh);
		break;
	case KSAD_CMD_ACQUIRE:
		acquire(nlh);
		break;
	case KSAD_CMD_MAPPING:
		mapping(nlh);
		break;
	}
	return MNL_CB_OK;
}

CALLBACK(receive_events, bool,
	private_kernel_ksad_ipsec_t *this, int fd, watcher_event_t event)
{
	char buf[16384];
	bool lost = FALSE;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				DBG1(DBG_KNL, "kernel-ksad: events were lost (receive buffer full)");
				lost = TRUE;
			}
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			break;
		}
		mnl_cb_run(buf, n, 0, 0, event_cb, this);
	}
	if (lost)
		recheck(this);
	return TRUE;
}

bool ksad_events_init(private_kernel_ksad_ipsec_t *this)
{
	struct knl ctrl;
	uint32_t notify;
	int size = 1 << 20;

	this->ev = mnl_socket_open(NETLINK_GENERIC);
	if (!this->ev || mnl_socket_bind(this->ev, 0, MNL_SOCKET_AUTOPID) < 0)
		return FALSE;
	setsockopt(mnl_socket_get_fd(this->ev), SOL_SOCKET, SO_RCVBUF, &size,
		   sizeof(size));
	if (!join(this, &this->nl))
		return FALSE;
	/* the controller's "notify" group: families come and go */
	if (knl_open_family(&ctrl, "nlctrl"))
		return FALSE;
	notify = knl_group_id(&ctrl, "notify");
	knl_close(&ctrl);
	if (!notify || mnl_socket_setsockopt(this->ev, NETLINK_ADD_MEMBERSHIP,
					     &notify, sizeof(notify)) < 0)
		return FALSE;
	lib->watcher->add(lib->watcher, mnl_socket_get_fd(this->ev), WATCHER_READ,
			  receive_events, this);
	return TRUE;
}

void ksad_events_destroy(private_kernel_ksad_ipsec_t *this)
{
	if (!this->ev)
		return;
	lib->watcher->remove(lib->watcher, mnl_socket_get_fd(this->ev));
	mnl_socket_close(this->ev);
	this->ev = NULL;
}
