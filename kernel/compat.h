/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels ksad builds on (Debian's 6.1 and 6.12,
 * PREEMPT_RT included), behind helpers named for the feature, so that the
 * rest of kernel/ has no version test.  Kbuild finds each feature in the
 * headers it builds against (KSAD_HAVE_*), not by version number: stable
 * releases backport interface changes (6.12.y has 6.15's netns_immutable).
 * Each entry names the mainline release that changed the interface.
 */
#ifndef _KSAD_COMPAT_H
#define _KSAD_COMPAT_H

#include <linux/crypto.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>

/* 6.4: the GSO helpers (skb_gso_segment) moved to a header of their own. */
#ifdef KSAD_HAVE_NET_GSO_H
#include <net/gso.h>
#endif

/*
 * 6.3: an async crypto completion is called with its request's data
 * pointer instead of the crypto_async_request.  A completion is declared
 * static void name(KSAD_CRYPTO_DONE_PARAM, int err) and finds its data
 * with ksad_crypto_done_data(data).
 */
#ifdef KSAD_HAVE_CRYPTO_DONE_DATA
#define KSAD_CRYPTO_DONE_PARAM void *data
static inline void *ksad_crypto_done_data(void *data)
{
	return data;
}
#else
#define KSAD_CRYPTO_DONE_PARAM struct crypto_async_request *data
static inline void *ksad_crypto_done_data(struct crypto_async_request *areq)
{
	return areq->data;
}
#endif

/*
 * 6.6: a dump's parsed attributes live in a struct genl_info, as a doit's
 * do (genl_info_dump()).
 */
static inline struct nlattr **ksad_genl_dump_attrs(struct netlink_callback *cb)
{
#ifdef KSAD_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * 6.12: "lockless transmit" and "stays in its namespace" are flags of the
 * device (dev->lltx, dev->netns_local), no longer feature bits; 6.15
 * renamed netns_local to netns_immutable.
 */
static inline void ksad_dev_set_lltx_netns_local(struct net_device *dev)
{
#ifdef KSAD_HAVE_DEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
#if defined(KSAD_HAVE_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#elif defined(KSAD_HAVE_NETNS_LOCAL)
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

/*
 * After 6.1 (6.12 has it): a dump's .start may refuse the request with an
 * extack message (cb->extack), which the caller gets in an ordinary
 * NLMSG_ERROR.  6.1 gives .start no extack: there ksad checks a dump's
 * filter in the first .dumpit instead, whose error travels with its message
 * inside NLMSG_DONE, rather than lose the message.
 */
static inline bool ksad_dump_start_has_extack(void)
{
#ifdef KSAD_HAVE_DUMP_START_EXTACK
	return true;
#else
	return false;
#endif
}

/*
 * 6.7 (and later 6.1.y): multicast groups that need CAP_NET_ADMIN to join.
 * Older kernels let anyone listen.
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define KSAD_MCAST_FLAGS GENL_MCAST_CAP_NET_ADMIN
#else
#define KSAD_MCAST_FLAGS 0
#endif

/* The UDP socket table of @net: per namespace since 6.2 (bypass.c). */
#include <net/udp.h>

static inline struct udp_table *ksad_udp_table(struct net *net)
{
#ifdef KSAD_HAVE_NETNS_UDP_TABLE
	return net->ipv4.udp_table;
#else
	return &udp_table;
#endif
}

#endif /* _KSAD_COMPAT_H */
