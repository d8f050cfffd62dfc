/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel-ksad plugin's files share: the backend object, its
 * request socket to ksad and the helpers that turn strongSwan's hosts and
 * traffic selectors into ksad's attributes.
 *
 *   kernel_ksad_plugin.c   the plugin: its name and the feature it provides
 *   kernel_ksad_ipsec.c    kernel_ipsec_t: SPIs, SAs, sockets
 *   kernel_ksad_policy.c   the policies charon installs, counted per selector
 *   kernel_ksad_events.c   ksad's EXPIRE, ACQUIRE and MAPPING to charon
 */
#ifndef KERNEL_KSAD_PRIVATE_H_
#define KERNEL_KSAD_PRIVATE_H_

#include <daemon.h>
#include <collections/hashtable.h>
#include <threading/mutex.h>

#include "../lib/genl.h"
#include "../lib/sa_msg.h"
#include "kernel_ksad_ipsec.h"

/* strongSwan's SPIs are in network order, ksad's in host order */
#define KSAD_SPI(spi)	ntohl(spi)

typedef struct private_kernel_ksad_ipsec_t private_kernel_ksad_ipsec_t;

struct private_kernel_ksad_ipsec_t {
	kernel_ksad_ipsec_t public;

	/* the request socket, the SA table and the policy table */
	mutex_t *mutex;
	struct knl nl;
	bool nl_open;

	/* sa_entry_t by (protocol, SPI, destination): what names them */
	hashtable_t *sas;
	/* policy_entry_t by (direction, selector) */
	hashtable_t *policies;

	/* the event socket and the family it listens to (watcher thread only) */
	struct mnl_socket *ev;
	uint32_t ev_family;

	/* the sockets charon exempted (SOCKET_BYPASS), to restore and remove */
	uint64_t *cookies;
	unsigned int ncookies;

	/* ksad_resync() running (its requests must not start another) */
	bool resyncing;

	uint32_t spi_min, spi_max;
	/* seconds a GETSPI's SPI waits for its UPDATE (ksad's larval timeout) */
	uint32_t larval_timeout;
};

/*
 * Send a request built with ksad_request() and run @cb on the answers.
 * this->mutex held.  Returns 0 or -errno; the extended-ACK text is in
 * this->nl.errmsg.  -EAGAIN: ksad was unloaded (and maybe loaded again)
 * since the last request; what it held is forgotten, charon's CHILD SAs
 * are expired, and, if it is back, the policies and socket exemptions are
 * installed again: the request was not sent.
 */
int ksad_talk(private_kernel_ksad_ipsec_t *this, struct nlmsghdr *nlh,
	      mnl_cb_t cb, void *data);
struct nlmsghdr *ksad_request(private_kernel_ksad_ipsec_t *this, void *buf,
			      uint8_t cmd, uint16_t flags);

/* An address attribute (A4 for IPv4, A6 for IPv6) from a host */
void ksad_put_host(struct nlmsghdr *nlh, uint16_t a4, uint16_t a6, host_t *host);
/* A host from ksad's address and a port (host order) */
host_t *ksad_host(const struct ksad_addr *a, uint16_t port);
/*
 * A selector nest (ksad_sel_attrs) from two traffic selectors; FALSE if
 * they cannot be one (families differ).  A port range that is neither one
 * port nor all of them is widened to all, with a log line (ksad's
 * selectors, like XFRM's, take one port or any).
 */
bool ksad_put_sel(struct nlmsghdr *nlh, uint16_t type, traffic_selector_t *src,
		  traffic_selector_t *dst);
/* The traffic selectors of a selector ksad sent (ACQUIRE) */
traffic_selector_t *ksad_sel_ts(const struct sa_sel *sel, bool src);

/*
 * ksad went away (its family is gone, or new): forget what it held and
 * expire charon's CHILD SAs; then, if it is back, install the policies
 * and socket exemptions again.  this->mutex held.
 */
void ksad_lost(private_kernel_ksad_ipsec_t *this);
void ksad_resync(private_kernel_ksad_ipsec_t *this);
/* Open the request socket if it is not; 0 or -errno.  this->mutex held */
int ksad_open(private_kernel_ksad_ipsec_t *this);

/* kernel_ksad_policy.c */
void ksad_policies_init(private_kernel_ksad_ipsec_t *this);
void ksad_policies_destroy(private_kernel_ksad_ipsec_t *this);
/* ksad went away: no policy of ours is installed any more. this->mutex held */
void ksad_policies_forget(private_kernel_ksad_ipsec_t *this);
/* ksad is back: install every policy that has users again. this->mutex held */
void ksad_policies_resync(private_kernel_ksad_ipsec_t *this);
status_t ksad_add_policy(private_kernel_ksad_ipsec_t *this,
			 kernel_ipsec_policy_id_t *id,
			 kernel_ipsec_manage_policy_t *data);
status_t ksad_del_policy(private_kernel_ksad_ipsec_t *this,
			 kernel_ipsec_policy_id_t *id,
			 kernel_ipsec_manage_policy_t *data);
status_t ksad_query_policy(private_kernel_ksad_ipsec_t *this,
			   kernel_ipsec_policy_id_t *id, time_t *use_time);
status_t ksad_flush_policies(private_kernel_ksad_ipsec_t *this);

/* kernel_ksad_events.c */
bool ksad_events_init(private_kernel_ksad_ipsec_t *this);
void ksad_events_destroy(private_kernel_ksad_ipsec_t *this);

/* kernel_ksad_ipsec.c: forget the SAs (@expire: tell charon). mutex held */
void ksad_sas_forget(private_kernel_ksad_ipsec_t *this, bool expire);

/* A Unix time (seconds since the Epoch) as charon's monotonic clock */
time_t ksad_monotonic(uint64_t epoch);

#endif
