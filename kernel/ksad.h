/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-wide declarations: per-namespace state and what each file of
 * kernel/ offers the others (the SA itself is in sa.h).
 */
#ifndef _KSAD_KSAD_H
#define _KSAD_KSAD_H

#include <linux/list.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/percpu-refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <uapi/linux/ksad.h>

#include "compat.h"

struct ksad_stats;
struct net_device;

/* netns.c: per network namespace state */
struct ksad_net {
	struct net *net;
	/*
	 * Serialises every change to the SAD of this namespace.  Readers on
	 * the datapath use RCU (sa_table) and take no lock.
	 */
	struct mutex lock;
	struct rhashtable sa_table;	/* struct ksad_sa by identity */
	/*
	 * Held for writing while SA_MIGRATE moves an SA between its places in
	 * the indexes: a datapath lookup that misses meanwhile looks again.
	 */
	seqlock_t migrate_lock;
	/* outbound SAs by (destination, protocol), for templates (spd.c) */
	struct rhltable out_sas;
	struct xarray sas;		/* struct ksad_sa by id, for dumps */
	u32 next_id;
	u64 sa_gen;			/* the last SA's ksad_sa.gen */
	struct xarray spis;		/* inbound SPIs in use; see spi.c */
	/* UDP ports of inbound ESP-in-UDP SAs: port -> SA count (encap.c) */
	struct xarray encap_ports;
	u32 larval_timeout;		/* seconds */
	/* limits (netns.c) and the counts they bound; under lock */
	u32 max_sas, max_larval, max_policies;
	u32 larval_count, policy_count;

	struct list_head policies;	/* the SPD, in search order; RCU */
	/*
	 * The SPD's index (spd.c): policies hashed by direction, family,
	 * prefix lengths and masked addresses; one class per such
	 * (family, prefix lengths) of each direction, listed under RCU.
	 */
	struct rhltable pol_table;
	struct list_head pol_classes[KSAD_DIR_FWD + 1];
	struct xarray policy_ids;	/* struct ksad_policy by id */
	struct rhashtable bypass;	/* exempt sockets (bypass.c) */
	u32 next_policy_id;
	u64 policy_seq;			/* order of adding */
	/* ACQUIREs pending per (policy, destination) (acquire.c) */
	struct rhltable acquires;
	spinlock_t acquire_lock;	/* changes to them, and what follows */
	struct list_head acquire_list;	/* oldest deadline first */
	u32 acquire_count;
	struct delayed_work acquire_gc;
	struct ksad_stats __percpu *stats;	/* datapath counters */
	struct net_device __rcu *dev;	/* ksad0 */
	bool defrag4, defrag6;		/* reassembly enabled (hooks.c) */
	/*
	 * This namespace's requests in the crypto API (esp.c, ah.c): its
	 * teardown waits for them, and only for them (netns.c).
	 */
	struct percpu_ref inflight;
	struct completion inflight_done;
#ifdef KSAD_KUNIT
	u32 fail_inserts;		/* sad.c: inserts to fail, for tests */
#endif
};

struct ksad_net *ksad_net(const struct net *net);
int ksad_net_setup(struct ksad_net *kn, struct net *net);
void ksad_net_teardown(struct ksad_net *kn);
int ksad_netns_init(void);
void ksad_netns_uninit(void);

/* main.c: the module's workqueue (expiry work, deferred frees) */
extern struct workqueue_struct *ksad_wq;

/* spi.c: locally unique inbound SPIs */
void ksad_spi_table_init(struct xarray *spis);
void ksad_spi_table_destroy(struct xarray *spis);
int ksad_spi_alloc(struct xarray *spis, u32 min, u32 max, u32 *spi);
int ksad_spi_hold(struct xarray *spis, u32 spi);
void ksad_spi_release(struct xarray *spis, u32 spi);

/* bench.c: lookup benchmark hook, in KSAD_BENCH=y builds only */
#ifdef KSAD_BENCH
int ksad_bench_init(void);
void ksad_bench_uninit(void);
#else
static inline int ksad_bench_init(void) { return 0; }
static inline void ksad_bench_uninit(void) { }
#endif

/* netlink.c: the generic-netlink family */
enum ksad_mcgrp {
	KSAD_GRP_SA, KSAD_GRP_EXPIRE, KSAD_GRP_ACQUIRE, KSAD_GRP_MAPPING
};

extern struct genl_family ksad_genl_family;
extern const struct nla_policy ksad_sel_policy[KSAD_SEL_MAX + 1];
struct sk_buff;

/* notify.c: multicast */
bool ksad_listening(struct ksad_net *kn, enum ksad_mcgrp grp);
void ksad_multicast(struct ksad_net *kn, struct sk_buff *skb,
		    enum ksad_mcgrp grp, gfp_t gfp);
int ksad_genl_init(void);
void ksad_genl_uninit(void);

#endif /* _KSAD_KSAD_H */
