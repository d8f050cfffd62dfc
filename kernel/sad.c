// SPDX-License-Identifier: GPL-2.0
/*
 * The Security Association Database of one network namespace.
 *
 * Two indexes hold every SA: an rhashtable by identity (SPI, destination,
 * protocol), read under RCU by the datapath, and an XArray by a per-namespace
 * id, so that a dump resumes where it stopped in O(log n) and a flush walks
 * the SAs in order.  A third holds the outbound SAs by destination and
 * protocol only, for the policies' templates, which choose an SA per packet
 * (spd.c).  All changes are made under kn->lock, in process context;
 * the lifetime timer only queues work (lifetime.c).
 *
 * References: the indexes own one; lookups for callers take another; queued
 * expiry work holds one.  The last put frees the SA after an RCU grace period,
 * in process context, so that datapath readers and the crypto API are happy.
 */
#include <linux/bitmap.h>
#include <linux/jhash.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "datapath.h"
#include "ksad.h"
#include "sa.h"
#include "trace.h"

/*
 * SAs alive in the whole module.  The lab kernel's kmemleak misses frees made
 * after an RCU grace period (README, "kmemleak"), so leaks of SAs are caught
 * by counting: module exit warns unless this is zero again.
 */
static atomic_t ksad_sa_live = ATOMIC_INIT(0);

int ksad_sa_live_count(void)
{
	return atomic_read(&ksad_sa_live);
}

/**
 * ksad_sa_key_hash() - the hash of an SA's identity in kn->sa_table
 * @key: the identity
 * @seed: the table's random seed
 *
 * Three words for jhash_3words(): the SPI, the destination folded to one
 * word, and protocol, family and UDP ports in the third.  rhashtable's
 * default, jhash2 over all 28 bytes, took about as long as the rest of a
 * lookup in a small table (make bench, part lookup: "key hash alone").
 *
 * Return: the hash.
 */
u32 ksad_sa_key_hash(const struct ksad_sa_key *key, u32 seed)
{
	const __be32 *a = key->daddr.a6.s6_addr32;

	return jhash_3words(key->spi, (__force u32)(a[0] ^ a[1] ^ a[2] ^ a[3]),
			    ((__force u32)key->encap_sport << 16 |
			     (__force u32)key->encap_dport) ^
			    (key->proto | key->family << 8), seed);
}

static u32 ksad_sa_hashfn(const void *data, u32 len, u32 seed)
{
	return ksad_sa_key_hash(data, seed);
}

/* 0 if the SA has the key, compared as the words it is made of */
static int ksad_sa_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const u32 *a = arg->key;
	const u32 *b = (const u32 *)&((const struct ksad_sa *)obj)->key;
	unsigned int i;

	BUILD_BUG_ON(sizeof(struct ksad_sa_key) % sizeof(u32));
	for (i = 0; i < sizeof(struct ksad_sa_key) / sizeof(u32); i++)
		if (a[i] != b[i])
			return 1;
	return 0;
}

static const struct rhashtable_params ksad_sa_params = {
	.key_len = sizeof(struct ksad_sa_key),
	.key_offset = offsetof(struct ksad_sa, key),
	.head_offset = offsetof(struct ksad_sa, node),
	.hashfn = ksad_sa_hashfn,
	.obj_cmpfn = ksad_sa_cmpfn,
	.automatic_shrinking = true,
};

/* Where an outbound SA goes: the key of kn->out_sas. */
struct ksad_dest {
	union ksad_addr daddr;
	u8 family;
	u8 proto;
};

static u32 ksad_dest_hash(const union ksad_addr *a, u8 family, u8 proto,
			  u32 seed)
{
	return jhash2((const u32 *)a, family == AF_INET ? 1 : 4,
		      seed ^ (family << 8 | proto));
}

static u32 ksad_dest_hashfn(const void *data, u32 len, u32 seed)
{
	const struct ksad_dest *d = data;

	return ksad_dest_hash(&d->daddr, d->family, d->proto, seed);
}

static u32 ksad_dest_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct ksad_sa *sa = data;

	return ksad_dest_hash(&sa->key.daddr, sa->key.family, sa->key.proto,
			      seed);
}

static int ksad_dest_cmpfn(struct rhashtable_compare_arg *arg,
			   const void *obj)
{
	const struct ksad_dest *d = arg->key;
	const struct ksad_sa *sa = obj;

	return sa->key.family != d->family || sa->key.proto != d->proto ||
	       !ksad_addr_eq(d->family, &sa->key.daddr, &d->daddr);
}

static const struct rhashtable_params ksad_out_params = {
	.key_len = sizeof(struct ksad_dest),
	.head_offset = offsetof(struct ksad_sa, out_node),
	.hashfn = ksad_dest_hashfn,
	.obj_hashfn = ksad_dest_obj_hashfn,
	.obj_cmpfn = ksad_dest_cmpfn,
	.automatic_shrinking = true,
};

int ksad_sad_init(struct ksad_net *kn)
{
	int err;

	xa_init_flags(&kn->sas, XA_FLAGS_ALLOC);
	ksad_encap_init(kn);
	ksad_spi_table_init(&kn->spis);
	kn->larval_timeout = KSAD_LARVAL_TIMEOUT_DEFAULT;
	err = rhltable_init(&kn->out_sas, &ksad_out_params);
	if (err)
		return err;
	err = rhashtable_init(&kn->sa_table, &ksad_sa_params);
	if (err)
		rhltable_destroy(&kn->out_sas);
	return err;
}

static void ksad_dest_of(struct ksad_dest *d, const struct ksad_sa *sa)
{
	memset(d, 0, sizeof(*d));
	d->family = sa->key.family;
	d->proto = sa->key.proto;
	if (d->family == AF_INET)
		d->daddr.a4 = sa->key.daddr.a4;
	else
		d->daddr.a6 = sa->key.daddr.a6;
}

/*
 * Into kn->out_sas, on the list of its destination.  The key is given: the
 * SA holds none in the shape of struct ksad_dest (rhltable_insert() would
 * take the SA itself for one).
 */
static int ksad_out_insert(struct ksad_net *kn, struct ksad_sa *sa)
{
	struct ksad_dest d;

	ksad_dest_of(&d, sa);
	return rhltable_insert_key(&kn->out_sas, &d, &sa->out_node,
				   ksad_out_params);
}

/* The outbound SAs to @daddr of @proto, a list to walk under RCU. */
struct rhlist_head *ksad_sad_dest_rcu(struct ksad_net *kn, u8 family,
				      const union ksad_addr *daddr, u8 proto)
{
	struct ksad_dest d = { .family = family, .proto = proto };

	if (family == AF_INET)
		d.daddr.a4 = daddr->a4;
	else
		d.daddr.a6 = daddr->a6;
	return rhltable_lookup(&kn->out_sas, &d, ksad_out_params);
}

static void ksad_sa_free_work(struct work_struct *work)
{
	struct ksad_sa *sa = container_of(to_rcu_work(work), struct ksad_sa,
					  free_work);

	ksad_crypto_destroy(&sa->crypto);
	ksad_replay_destroy(&sa->replay);
	kfree(sa);
	atomic_dec(&ksad_sa_live);
}

void ksad_sa_put(struct ksad_sa *sa)
{
	if (refcount_dec_and_test(&sa->refcnt))
		queue_rcu_work(ksad_wq, &sa->free_work);
}

static struct ksad_sa *ksad_sa_alloc(struct ksad_net *kn,
				     const struct ksad_sa_key *key)
{
	/* charged to the caller's memory cgroup, as all of a namespace's */
	struct ksad_sa *sa = kzalloc(sizeof(*sa), GFP_KERNEL_ACCOUNT);

	if (!sa)
		return NULL;
	atomic_inc(&ksad_sa_live);
	sa->key = *key;
	/* an outbound SA's ports: ksad_sa_configure() */
	sa->key.encap_sport = 0;
	sa->key.encap_dport = 0;
	sa->key.pad = 0;
	sa->kn = kn;
	refcount_set(&sa->refcnt, 1);
	spin_lock_init(&sa->lock);
	timer_setup(&sa->timer, ksad_lifetime_timer, 0);
	INIT_WORK(&sa->expire_work, ksad_lifetime_expire_work);
	INIT_RCU_WORK(&sa->free_work, ksad_sa_free_work);
	sa->stats.add_time = ktime_get_real_seconds();
	sa->stats.add_boot = ktime_get_boottime_ns();
	return sa;
}

/*
 * Every insert into sa_table, refused (-EEXIST) where another SA has the
 * identity.  It fails too (-ENOMEM, -EBUSY) when the table must grow and no
 * memory can be had in atomic context; KUnit builds can make the next
 * @kn->fail_inserts fail so (sad_test.c).
 */
static int ksad_sa_hash_insert(struct ksad_net *kn, struct ksad_sa *sa)
{
	lockdep_assert_held(&kn->lock);
#ifdef KSAD_KUNIT
	if (kn->fail_inserts) {
		kn->fail_inserts--;
		return -ENOMEM;
	}
#endif
	return rhashtable_lookup_insert_fast(&kn->sa_table, &sa->node,
					     ksad_sa_params);
}

/* Count an inbound SA's UDP port (encap.c), once.  kn->lock held. */
static int ksad_sa_hold_port(struct ksad_sa *sa)
{
	int err;

	if (sa->dir != KSAD_DIR_IN || !sa->encap.type || sa->encap_port_held)
		return 0;
	err = ksad_encap_port_get(sa->kn, sa->encap.dport);
	if (!err)
		sa->encap_port_held = true;
	return err;
}

static void ksad_sa_release_port(struct ksad_sa *sa)
{
	if (!sa->encap_port_held)
		return;
	ksad_encap_port_put(sa->kn, sa->encap.dport);
	sa->encap_port_held = false;
}

/* Undo ksad_sa_alloc() for an SA that was never linked. */
static void ksad_sa_discard(struct ksad_sa *sa)
{
	ksad_sa_release_port(sa);
	if (sa->spi_reserved)
		ksad_spi_release(&sa->kn->spis, sa->key.spi);
	ksad_crypto_destroy(&sa->crypto);
	ksad_replay_destroy(&sa->replay);
	kfree(sa);
	atomic_dec(&ksad_sa_live);
}

static int ksad_sa_link(struct ksad_net *kn, struct ksad_sa *sa,
			struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&kn->lock);
	if (ksad_sad_count(kn) >= READ_ONCE(kn->max_sas)) {
		NL_SET_ERR_MSG(extack,
			       "this namespace holds as many SAs as its limit allows (max-sas)");
		return -ENOSPC;
	}
	if (sa->state == KSAD_STATE_LARVAL &&
	    kn->larval_count >= READ_ONCE(kn->max_larval)) {
		NL_SET_ERR_MSG(extack,
			       "this namespace holds as many larval SAs as its limit allows (max-larval)");
		return -ENOSPC;
	}
	err = xa_alloc_cyclic(&kn->sas, &sa->id, sa, xa_limit_32b,
			      &kn->next_id, GFP_KERNEL_ACCOUNT);
	if (err < 0)
		return err;
	/* before the datapath can see it (spd.c picks the newest) */
	sa->gen = ++kn->sa_gen;
	err = ksad_sa_hash_insert(kn, sa);
	if (err) {
		xa_erase(&kn->sas, sa->id);
		if (err == -EEXIST)
			NL_SET_ERR_MSG(extack,
				       "an SA with this SPI, destination and protocol exists");
		return err;
	}
	if (sa->dir == KSAD_DIR_OUT) {
		err = ksad_out_insert(kn, sa);
		if (err) {
			rhashtable_remove_fast(&kn->sa_table, &sa->node,
					       ksad_sa_params);
			xa_erase(&kn->sas, sa->id);
			return err;
		}
	}
	if (sa->state == KSAD_STATE_LARVAL)
		kn->larval_count++;
	return 0;
}

/**
 * ksad_sad_remove() - take an SA out of the database and drop its reference
 * @sa: a linked SA; kn->lock held
 * @event: enum ksad_event to announce on the "sa" group, or 0 for none
 */
void ksad_sad_remove(struct ksad_sa *sa, u32 event)
{
	struct ksad_net *kn = sa->kn;

	lockdep_assert_held(&kn->lock);
	rhashtable_remove_fast(&kn->sa_table, &sa->node, ksad_sa_params);
	xa_erase(&kn->sas, sa->id);
	if (sa->state == KSAD_STATE_LARVAL)
		kn->larval_count--;
	if (sa->dir == KSAD_DIR_OUT)
		rhltable_remove(&kn->out_sas, &sa->out_node, ksad_out_params);
	if (sa->spi_reserved)
		ksad_spi_release(&kn->spis, sa->key.spi);
	ksad_sa_release_port(sa);
	if (event)
		ksad_notify_sa(sa, event);
	trace_ksad_remove(&sa->key, sa->dir, sa->state, event, 0);
	WRITE_ONCE(sa->state, 0);
	del_timer_sync(&sa->timer);
	ksad_sa_put(sa);
}

#define KSAD_NO_SA_MSG \
	"no SA with this SPI, destination and protocol (and UDP ports, if outbound with encapsulation)"

/*
 * The SA a request names.  Encapsulation ports are part of the identity of
 * outbound SAs only: an inbound SA is found with or without them.
 */
static struct ksad_sa *ksad_sad_find(struct ksad_net *kn,
				     const struct ksad_sa_key *key)
{
	struct ksad_sa_key bare;
	struct ksad_sa *sa;

	lockdep_assert_held(&kn->lock);
	sa = rhashtable_lookup_fast(&kn->sa_table, key, ksad_sa_params);
	if (sa || (!key->encap_sport && !key->encap_dport))
		return sa;
	bare = *key;
	bare.encap_sport = 0;
	bare.encap_dport = 0;
	sa = rhashtable_lookup_fast(&kn->sa_table, &bare, ksad_sa_params);
	return sa && sa->dir == KSAD_DIR_IN ? sa : NULL;
}

/* The SA a request names, or ERR_PTR(-ESRCH) saying so.  kn->lock held. */
static struct ksad_sa *ksad_sad_named(struct ksad_net *kn,
				      const struct ksad_sa_key *key,
				      struct netlink_ext_ack *extack)
{
	struct ksad_sa *sa = ksad_sad_find(kn, key);

	if (sa)
		return sa;
	NL_SET_ERR_MSG(extack, KSAD_NO_SA_MSG);
	return ERR_PTR(-ESRCH);
}

/*
 * The datapath's lookup: rcu_read_lock() held, no reference taken.  A miss
 * while SA_MIGRATE moves an SA is looked up again once it has.
 */
struct ksad_sa *ksad_sad_lookup_rcu(struct ksad_net *kn,
				    const struct ksad_sa_key *key)
{
	struct ksad_sa *sa;
	unsigned int seq;

	do {
		seq = read_seqbegin(&kn->migrate_lock);
		sa = rhashtable_lookup(&kn->sa_table, key, ksad_sa_params);
	} while (!sa && read_seqretry(&kn->migrate_lock, seq));
	return sa;
}

static int ksad_need_identity(const struct ksad_sa_cfg *cfg, bool spi,
			      struct netlink_ext_ack *extack)
{
	if (!cfg->key.family) {
		NL_SET_ERR_MSG(extack, "a destination address is required");
		return -EINVAL;
	}
	if (!ksad_cfg_has(cfg, KSAD_SA_PROTO)) {
		NL_SET_ERR_MSG(extack, "a protocol (ESP or AH) is required");
		return -EINVAL;
	}
	if (spi && !ksad_cfg_has(cfg, KSAD_SA_SPI)) {
		NL_SET_ERR_MSG(extack, "an SPI is required");
		return -EINVAL;
	}
	return 0;
}

static int ksad_spi_error(int err, struct netlink_ext_ack *extack)
{
	switch (err) {
	case -EINVAL:
		NL_SET_ERR_MSG(extack,
			       "empty SPI range (0-255 are reserved, min must not exceed max)");
		break;
	case -EEXIST:
		NL_SET_ERR_MSG(extack, "the SPI asked for is in use");
		break;
	case -ENOSPC:
		NL_SET_ERR_MSG(extack, "no free SPI in the range");
		break;
	}
	return err;
}

/* Parameters of a complete SA, from an ADD or the UPDATE of a larval SA. */
static int ksad_sa_configure(struct ksad_sa *sa, const struct ksad_sa_cfg *cfg,
			     struct netlink_ext_ack *extack)
{
	int err;

	if (ksad_cfg_has(cfg, KSAD_SA_REPLAY_WINDOW) && sa->dir != KSAD_DIR_IN &&
	    cfg->replay_window) {
		NL_SET_ERR_MSG(extack, "a replay window is for inbound SAs");
		return -EINVAL;
	}
	if (cfg->sel.family && cfg->mode != KSAD_MODE_TUNNEL &&
	    cfg->sel.family != sa->key.family) {
		NL_SET_ERR_MSG(extack, "in transport mode the selector's family is the SA's");
		return -EINVAL;
	}
	if (ksad_cfg_has(cfg, KSAD_SA_ENCAP) &&
	    sa->key.proto != KSAD_PROTO_ESP) {
		NL_SET_ERR_MSG(extack, "UDP encapsulation is for ESP SAs");
		return -EINVAL;
	}
	if (ksad_cfg_has(cfg, KSAD_SA_NEW_ENCAP)) {
		NL_SET_ERR_MSG(extack, "NEW_ENCAP moves a mature SA; give ENCAP");
		return -EINVAL;
	}
	err = ksad_crypto_validate(sa->key.proto, cfg, extack);
	if (err)
		return err;
	err = ksad_crypto_init(&sa->crypto, sa->key.proto, cfg, extack);
	if (err)
		return err;
	if (sa->dir == KSAD_DIR_IN) {
		err = ksad_replay_init(&sa->replay, cfg->replay_window);
		if (err) {
			ksad_crypto_destroy(&sa->crypto);
			return err;
		}
	}

	sa->mode = ksad_cfg_has(cfg, KSAD_SA_MODE) ? cfg->mode :
						     KSAD_MODE_TRANSPORT;
	if (ksad_cfg_has(cfg, KSAD_SA_SRC_IPV4) ||
	    ksad_cfg_has(cfg, KSAD_SA_SRC_IPV6))
		sa->saddr = cfg->saddr;
	sa->reqid = cfg->reqid;
	sa->replay_window = cfg->replay_window;
	sa->esn = cfg->esn;
	sa->sel = cfg->sel;
	sa->soft = cfg->soft;
	sa->hard = cfg->hard;
	if (ksad_cfg_has(cfg, KSAD_SA_ENCAP)) {
		sa->encap = cfg->encap;
		if (sa->dir == KSAD_DIR_OUT) {	/* not linked yet: ADD */
			sa->key.encap_sport = sa->encap.sport;
			sa->key.encap_dport = sa->encap.dport;
		}
	}
	return 0;
}

/*
 * The second half of GETSPI and ADD, kn->lock held and the SPI reserved:
 * link the new SA, arm its timer, announce it; the caller gets a reference.
 */
static int ksad_sa_publish(struct ksad_sa *sa, u32 event,
			   struct netlink_ext_ack *extack)
{
	int err = ksad_sa_link(sa->kn, sa, extack);

	if (err)
		return err;
	ksad_lifetime_arm(sa);
	ksad_notify_sa(sa, event);
	if (event == KSAD_EVENT_LARVAL)
		trace_ksad_getspi(&sa->key, sa->dir, sa->state, 0, 0);
	else
		trace_ksad_add(&sa->key, sa->dir, sa->state, 0, 0);
	refcount_inc(&sa->refcnt);
	return 0;
}

struct ksad_sa *ksad_sad_getspi(struct ksad_net *kn,
				const struct ksad_sa_cfg *cfg,
				struct netlink_ext_ack *extack)
{
	u32 min = ksad_cfg_has(cfg, KSAD_SA_SPI_MIN) ? cfg->spi_min : 0;
	u32 max = ksad_cfg_has(cfg, KSAD_SA_SPI_MAX) ? cfg->spi_max : U32_MAX;
	struct ksad_sa *sa;
	int err;

	err = ksad_need_identity(cfg, false, extack);
	if (err)
		return ERR_PTR(err);
	sa = ksad_sa_alloc(kn, &cfg->key);
	if (!sa)
		return ERR_PTR(-ENOMEM);
	sa->state = KSAD_STATE_LARVAL;
	sa->dir = KSAD_DIR_IN;
	sa->saddr = cfg->saddr;

	mutex_lock(&kn->lock);
	err = ksad_spi_alloc(&kn->spis, min, max, &sa->key.spi);
	if (err) {
		ksad_spi_error(err, extack);
		goto fail;
	}
	sa->spi_reserved = true;
	err = ksad_sa_publish(sa, KSAD_EVENT_LARVAL, extack);
	if (err)
		goto fail;
	mutex_unlock(&kn->lock);
	return sa;
fail:
	ksad_sa_discard(sa);
	mutex_unlock(&kn->lock);
	return ERR_PTR(err);
}

struct ksad_sa *ksad_sad_add(struct ksad_net *kn, const struct ksad_sa_cfg *cfg,
			     struct netlink_ext_ack *extack)
{
	bool want_spi = !ksad_cfg_has(cfg, KSAD_SA_SPI);
	struct ksad_sa *sa;
	int err;

	err = ksad_need_identity(cfg, false, extack);
	if (err)
		return ERR_PTR(err);
	if (!ksad_cfg_has(cfg, KSAD_SA_DIR)) {
		NL_SET_ERR_MSG(extack, "a direction (in or out) is required");
		return ERR_PTR(-EINVAL);
	}
	if (want_spi && cfg->dir != KSAD_DIR_IN) {
		NL_SET_ERR_MSG(extack, "an outbound SA carries the peer's SPI: an SPI is required");
		return ERR_PTR(-EINVAL);
	}
	sa = ksad_sa_alloc(kn, &cfg->key);
	if (!sa)
		return ERR_PTR(-ENOMEM);
	sa->state = KSAD_STATE_MATURE;
	sa->dir = cfg->dir;
	/* The transforms may take long to set up: outside the lock. */
	err = ksad_sa_configure(sa, cfg, extack);
	if (err) {
		ksad_sa_discard(sa);
		return ERR_PTR(err);
	}

	mutex_lock(&kn->lock);
	if (want_spi) {
		err = ksad_spi_alloc(&kn->spis, 0, U32_MAX, &sa->key.spi);
		if (err) {
			ksad_spi_error(err, extack);
			goto fail;
		}
		sa->spi_reserved = true;
	} else if (sa->dir == KSAD_DIR_IN) {
		err = ksad_spi_hold(&kn->spis, sa->key.spi);
		if (err)
			goto fail;
		sa->spi_reserved = true;
	}
	err = ksad_sa_hold_port(sa);
	if (err)
		goto fail;
	err = ksad_sa_publish(sa, KSAD_EVENT_ADDED, extack);
	if (err)
		goto fail;
	if (sa->dir == KSAD_DIR_OUT)	/* what was asked for is here */
		ksad_acquire_done(kn, sa->key.family, &sa->key.daddr);
	mutex_unlock(&kn->lock);
	return sa;
fail:
	ksad_sa_discard(sa);
	mutex_unlock(&kn->lock);
	return ERR_PTR(err);
}

/* What UPDATE may change on a mature SA (besides naming it). */
#define KSAD_MATURE_MUTABLE (BIT_ULL(KSAD_SA_SPI) | BIT_ULL(KSAD_SA_PROTO) | \
			     BIT_ULL(KSAD_SA_DST_IPV4) |		    \
			     BIT_ULL(KSAD_SA_DST_IPV6) |		    \
			     BIT_ULL(KSAD_SA_SOFT) | BIT_ULL(KSAD_SA_HARD) | \
			     BIT_ULL(KSAD_SA_REPLAY_WINDOW) |		    \
			     BIT_ULL(KSAD_SA_ENCAP) | BIT_ULL(KSAD_SA_NEW_ENCAP))

/*
 * New UDP ports for a mature SA (the NAT's mapping changed).  An outbound
 * SA is named by them: it is rehashed, and refused if another outbound SA
 * has that identity.  kn->lock held.
 */
static int ksad_sa_move_encap(struct ksad_sa *sa, const struct ksad_encap *e,
			      struct netlink_ext_ack *extack)
{
	struct ksad_net *kn = sa->kn;
	struct ksad_sa_key old = sa->key;
	struct ksad_sa *found;
	int err;

	if (!sa->encap.type || e->type != sa->encap.type) {
		NL_SET_ERR_MSG(extack,
			       "only the ports of an SA with UDP encapsulation can change");
		return -EINVAL;
	}
	if (sa->dir == KSAD_DIR_IN && e->dport != sa->encap.dport) {
		err = ksad_encap_port_get(kn, e->dport);
		if (err)
			return err;
		ksad_encap_port_put(kn, sa->encap.dport);
	} else if (sa->dir == KSAD_DIR_OUT) {
		struct ksad_sa_key new = old;

		/*
		 * Refused before the SA leaves the table, so that a collision
		 * never leaves it out (changes are serialised by kn->lock).
		 * The datapath finds outbound SAs by destination (kn->out_sas),
		 * not here.
		 */
		new.encap_sport = e->sport;
		new.encap_dport = e->dport;
		found = rhashtable_lookup_fast(&kn->sa_table, &new,
					       ksad_sa_params);
		if (found == sa)	/* the ports it has */
			goto set;
		if (found) {
			NL_SET_ERR_MSG(extack,
				       "an outbound SA with this SPI, destination and these ports exists");
			return -EEXIST;
		}
		/* seen by the datapath where it was or where it is (output.c) */
		write_seqlock_bh(&kn->migrate_lock);
		rhashtable_remove_fast(&kn->sa_table, &sa->node, ksad_sa_params);
		sa->key = new;
		err = ksad_sa_hash_insert(kn, sa);
		if (err) {	/* no memory to grow the table: as it was */
			sa->key = old;
			WARN_ON(ksad_sa_hash_insert(kn, sa));
			write_sequnlock_bh(&kn->migrate_lock);
			return err;
		}
		write_sequnlock_bh(&kn->migrate_lock);
	}
set:
	write_seqlock_bh(&kn->migrate_lock);
	spin_lock(&sa->lock);
	WRITE_ONCE(sa->encap.sport, e->sport);
	WRITE_ONCE(sa->encap.dport, e->dport);
	spin_unlock(&sa->lock);
	write_sequnlock_bh(&kn->migrate_lock);
	return 0;
}

/*
 * A new window size for a live inbound SA.  The history of the old window is
 * lost, so everything up to the highest number seen counts as received: a
 * late packet may be dropped, a replayed one never passes.
 */
static int ksad_replay_resize(struct ksad_sa *sa, u32 window)
{
	struct ksad_replay r, old;
	int err;

	if (sa->dir != KSAD_DIR_IN)
		return 0;
	err = ksad_replay_init(&r, window);
	if (err)
		return err;
	if (r.bits)
		bitmap_fill(r.bits, r.nbits);
	spin_lock_bh(&sa->lock);
	old = sa->replay;
	r.top = old.top;
	sa->replay = r;
	spin_unlock_bh(&sa->lock);
	ksad_replay_destroy(&old);
	return 0;
}

static int ksad_update_mature(struct ksad_sa *sa, const struct ksad_sa_cfg *cfg,
			      struct netlink_ext_ack *extack)
{
	int err;

	if (cfg->set & ~KSAD_MATURE_MUTABLE) {
		NL_SET_ERR_MSG(extack,
			       "only the lifetimes, the replay window and the UDP ports of a mature SA can change");
		return -EINVAL;
	}
	if (ksad_cfg_has(cfg, KSAD_SA_ENCAP) &&
	    !ksad_encap_eq(&cfg->encap, &sa->encap)) {
		NL_SET_ERR_MSG(extack,
			       "ENCAP names the SA as it is; new ports go in NEW_ENCAP");
		return -EINVAL;
	}
	if (ksad_cfg_has(cfg, KSAD_SA_NEW_ENCAP)) {
		err = ksad_sa_move_encap(sa, &cfg->new_encap, extack);
		if (err)
			return err;
	}
	if (ksad_cfg_has(cfg, KSAD_SA_REPLAY_WINDOW)) {
		if (sa->dir != KSAD_DIR_IN && cfg->replay_window) {
			NL_SET_ERR_MSG(extack, "a replay window is for inbound SAs");
			return -EINVAL;
		}
		err = ksad_replay_resize(sa, cfg->replay_window);
		if (err)
			return err;
		WRITE_ONCE(sa->replay_window, cfg->replay_window);
	}
	/* the datapath reads the limits under sa->lock (lifetime.c) */
	spin_lock_bh(&sa->lock);
	if (ksad_cfg_has(cfg, KSAD_SA_SOFT)) {
		sa->soft = cfg->soft;
		sa->soft_expired = false;
		if (sa->state == KSAD_STATE_DYING)
			WRITE_ONCE(sa->state, KSAD_STATE_MATURE);
	}
	if (ksad_cfg_has(cfg, KSAD_SA_HARD))
		sa->hard = cfg->hard;
	spin_unlock_bh(&sa->lock);
	return 0;
}

struct ksad_sa *ksad_sad_update(struct ksad_net *kn,
				const struct ksad_sa_cfg *cfg,
				struct netlink_ext_ack *extack)
{
	struct ksad_sa *sa;
	int err;

	err = ksad_need_identity(cfg, true, extack);
	if (err)
		return ERR_PTR(err);

	mutex_lock(&kn->lock);
	sa = ksad_sad_named(kn, &cfg->key, extack);
	if (IS_ERR(sa)) {
		err = PTR_ERR(sa);
		sa = NULL;
		goto out;
	}
	if (sa->state == KSAD_STATE_LARVAL) {
		if (ksad_cfg_has(cfg, KSAD_SA_DIR) && cfg->dir != KSAD_DIR_IN) {
			NL_SET_ERR_MSG(extack, "an SA from GETSPI is inbound");
			err = -EINVAL;
			goto out;
		}
		err = ksad_sa_configure(sa, cfg, extack);
		if (err)
			goto out;
		err = ksad_sa_hold_port(sa);
		if (err) {
			/* back to larval: no transforms, no encapsulation */
			ksad_crypto_destroy(&sa->crypto);
			ksad_replay_destroy(&sa->replay);
			memset(&sa->encap, 0, sizeof(sa->encap));
			goto out;
		}
		/* Lifetimes count from the moment the SA has keys. */
		sa->stats.add_time = ktime_get_real_seconds();
		sa->stats.add_boot = ktime_get_boottime_ns();
		/* the datapath reads the transforms once it sees MATURE */
		smp_store_release(&sa->state, KSAD_STATE_MATURE);
		kn->larval_count--;
	} else {
		err = ksad_update_mature(sa, cfg, extack);
		if (err)
			goto out;
	}
	ksad_lifetime_arm(sa);
	ksad_notify_sa(sa, KSAD_EVENT_UPDATED);
	refcount_inc(&sa->refcnt);
out:
	trace_ksad_update(&cfg->key, sa ? sa->dir : 0, sa ? sa->state : 0, 0,
			  err);
	mutex_unlock(&kn->lock);
	return err ? ERR_PTR(err) : sa;
}

/* Where SA_MIGRATE moves @sa; checked against @sa.  kn->lock held. */
static int ksad_migrate_target(struct ksad_sa *sa,
			       const struct ksad_sa_cfg *cfg,
			       struct ksad_sa_key *key, union ksad_addr *saddr,
			       struct ksad_encap *encap,
			       struct netlink_ext_ack *extack)
{
	struct ksad_sa *found;

	*key = sa->key;
	*saddr = sa->saddr;
	*encap = sa->encap;
	if (cfg->new_family) {
		key->family = cfg->new_family;
		key->daddr = cfg->new_daddr;
	}
	if (cfg->new_sfamily) {
		if (cfg->new_sfamily != key->family) {
			NL_SET_ERR_MSG(extack,
				       "source and destination addresses must be of one family");
			return -EINVAL;
		}
		*saddr = cfg->new_saddr;
	} else if (key->family != sa->key.family && !ksad_addr_any(saddr)) {
		NL_SET_ERR_MSG(extack,
			       "the SA has a source address: a new family needs a new one");
		return -EINVAL;
	}
	if (sa->mode == KSAD_MODE_TRANSPORT && sa->sel.family &&
	    sa->sel.family != key->family) {
		NL_SET_ERR_MSG(extack, "in transport mode the selector's family is the SA's");
		return -EINVAL;
	}
	if (ksad_cfg_has(cfg, KSAD_SA_NEW_ENCAP)) {
		if (sa->key.proto != KSAD_PROTO_ESP) {
			NL_SET_ERR_MSG(extack, "UDP encapsulation is for ESP SAs");
			return -EINVAL;
		}
		*encap = cfg->new_encap;
	} else if (ksad_cfg_has(cfg, KSAD_SA_NEW_ENCAP_NONE)) {
		memset(encap, 0, sizeof(*encap));
	}
	if (sa->dir == KSAD_DIR_OUT) {	/* named by its ports */
		key->encap_sport = encap->sport;
		key->encap_dport = encap->dport;
	}
	found = rhashtable_lookup_fast(&sa->kn->sa_table, key, ksad_sa_params);
	if (found && found != sa) {
		NL_SET_ERR_MSG(extack,
			       "an SA with this SPI and protocol is at the new destination (and ports)");
		return -EEXIST;
	}
	return 0;
}

/*
 * Put @sa at @key, @saddr, @encap, in the indexes as in itself; as it was if
 * that fails (-ENOMEM).  kn->lock and kn->migrate_lock held.
 */
static int ksad_sa_move(struct ksad_sa *sa, const struct ksad_sa_key *key,
			const union ksad_addr *saddr,
			const struct ksad_encap *encap)
{
	struct ksad_net *kn = sa->kn;
	int err;

	rhashtable_remove_fast(&kn->sa_table, &sa->node, ksad_sa_params);
	if (sa->dir == KSAD_DIR_OUT)
		rhltable_remove(&kn->out_sas, &sa->out_node, ksad_out_params);
	/* the datapath reads where the SA is under its lock (output.c) */
	spin_lock(&sa->lock);
	sa->key = *key;
	sa->saddr = *saddr;
	sa->encap = *encap;
	spin_unlock(&sa->lock);
	err = ksad_sa_hash_insert(kn, sa);
	if (err)
		return err;
	if (sa->dir == KSAD_DIR_OUT) {
		err = ksad_out_insert(kn, sa);
		if (err)
			rhashtable_remove_fast(&kn->sa_table, &sa->node,
					       ksad_sa_params);
	}
	return err;
}

/**
 * ksad_sad_migrate() - move a mature SA to new addresses or UDP ports
 * @kn: the namespace
 * @cfg: the SA's name, NEW_DST, NEW_SRC, NEW_ENCAP, NEW_ENCAP_NONE,
 *	 MIGRATE_POLICIES
 * @extack: why not
 *
 * Keys, sequence numbers, replay window, lifetimes and counters stay.  The
 * switch happens with kn->migrate_lock held for writing: datapath lookups
 * that miss during it look again after it (ksad_sad_lookup_rcu(), output.c),
 * so no packet finds the SA nowhere.
 *
 * Return: the SA with a reference, or an ERR_PTR.
 */
struct ksad_sa *ksad_sad_migrate(struct ksad_net *kn,
				 const struct ksad_sa_cfg *cfg,
				 struct netlink_ext_ack *extack)
{
	struct ksad_encap encap, old_encap;
	union ksad_addr saddr, old_saddr;
	struct ksad_policy **pols = NULL;
	struct ksad_sa_key key, old_key;
	bool new_port, old_port;
	struct ksad_sa *sa;
	int npols = 0;
	int err;

	err = ksad_need_identity(cfg, true, extack);
	if (err)
		return ERR_PTR(err);
	if (ksad_cfg_has(cfg, KSAD_SA_NEW_ENCAP) &&
	    ksad_cfg_has(cfg, KSAD_SA_NEW_ENCAP_NONE)) {
		NL_SET_ERR_MSG(extack, "NEW_ENCAP or NEW_ENCAP_NONE, not both");
		return ERR_PTR(-EINVAL);
	}
	if (!cfg->new_family && !cfg->new_sfamily &&
	    !ksad_cfg_has(cfg, KSAD_SA_NEW_ENCAP) &&
	    !ksad_cfg_has(cfg, KSAD_SA_NEW_ENCAP_NONE)) {
		NL_SET_ERR_MSG(extack,
			       "MIGRATE needs a new destination, source or encapsulation");
		return ERR_PTR(-EINVAL);
	}

	mutex_lock(&kn->lock);
	sa = ksad_sad_named(kn, &cfg->key, extack);
	if (IS_ERR(sa)) {
		err = PTR_ERR(sa);
		sa = NULL;
		goto out;
	}
	if (sa->state != KSAD_STATE_MATURE && sa->state != KSAD_STATE_DYING) {
		NL_SET_ERR_MSG(extack, "only a mature SA moves; UPDATE completes a larval one");
		err = -EINVAL;
		goto out;
	}
	err = ksad_migrate_target(sa, cfg, &key, &saddr, &encap, extack);
	if (err)
		goto out;
	if (ksad_cfg_has(cfg, KSAD_SA_MIGRATE_POLICIES)) {
		pols = ksad_spd_migrating(kn, sa, &npols);
		if (npols < 0) {
			err = npols;
			goto out;
		}
	}
	/* an inbound SA's UDP port is where ksad takes ESP in UDP */
	old_port = sa->encap_port_held;
	new_port = sa->dir == KSAD_DIR_IN && encap.type &&
		   (!old_port || encap.dport != sa->encap.dport);
	if (new_port) {
		err = ksad_encap_port_get(kn, encap.dport);
		if (err)
			goto out;
	}

	old_key = sa->key;
	old_saddr = sa->saddr;
	old_encap = sa->encap;
	write_seqlock_bh(&kn->migrate_lock);
	err = ksad_sa_move(sa, &key, &saddr, &encap);
	if (err)	/* no memory to grow a table: back where it was */
		WARN_ON(ksad_sa_move(sa, &old_key, &old_saddr, &old_encap));
	else
		ksad_spd_migrate(sa, pols, npols);
	write_sequnlock_bh(&kn->migrate_lock);
	if (err) {
		if (new_port)
			ksad_encap_port_put(kn, encap.dport);
		goto out;
	}
	if (old_port && (new_port || !encap.type)) {
		ksad_encap_port_put(kn, old_encap.dport);
		sa->encap_port_held = false;
	}
	if (new_port)
		sa->encap_port_held = true;
	if (sa->dir == KSAD_DIR_OUT)	/* what was asked for may be here */
		ksad_acquire_done(kn, sa->key.family, &sa->key.daddr);
	ksad_notify_sa(sa, KSAD_EVENT_MIGRATED);
	refcount_inc(&sa->refcnt);
out:
	trace_ksad_update(&cfg->key, sa ? sa->dir : 0, sa ? sa->state : 0, 0,
			  err);
	mutex_unlock(&kn->lock);
	kfree(pols);
	return err ? ERR_PTR(err) : sa;
}

int ksad_sad_delete(struct ksad_net *kn, const struct ksad_sa_key *key,
		    struct netlink_ext_ack *extack)
{
	struct ksad_sa *sa;

	mutex_lock(&kn->lock);
	sa = ksad_sad_find(kn, key);
	if (sa)
		ksad_sad_remove(sa, KSAD_EVENT_DELETED);
	mutex_unlock(&kn->lock);
	if (!sa) {
		NL_SET_ERR_MSG(extack, KSAD_NO_SA_MSG);
		return -ESRCH;
	}
	return 0;
}

/* Returns the SA with a reference, or NULL. */
struct ksad_sa *ksad_sad_get(struct ksad_net *kn, const struct ksad_sa_key *key)
{
	struct ksad_sa *sa;

	mutex_lock(&kn->lock);
	sa = ksad_sad_find(kn, key);
	if (sa)
		refcount_inc(&sa->refcnt);
	mutex_unlock(&kn->lock);
	return sa;
}

/* Remove every SA of @proto (0: all); returns how many went. */
static unsigned int __ksad_sad_flush(struct ksad_net *kn, u8 proto, u32 event)
{
	struct ksad_sa *sa;
	unsigned long id;
	unsigned int n = 0;

	lockdep_assert_held(&kn->lock);
	xa_for_each(&kn->sas, id, sa) {
		if (proto && sa->key.proto != proto)
			continue;
		ksad_sad_remove(sa, event);
		n++;
		cond_resched();
	}
	return n;
}

unsigned int ksad_sad_flush(struct ksad_net *kn, u8 proto)
{
	unsigned int n;

	mutex_lock(&kn->lock);
	n = __ksad_sad_flush(kn, proto, 0);
	ksad_notify_flush(kn, proto);
	mutex_unlock(&kn->lock);
	return n;
}

unsigned int ksad_sad_count(struct ksad_net *kn)
{
	return atomic_read(&kn->sa_table.nelems);
}

void ksad_sad_uninit(struct ksad_net *kn)
{
	/* The namespace is going away: nobody is left to notify. */
	mutex_lock(&kn->lock);
	__ksad_sad_flush(kn, 0, 0);
	mutex_unlock(&kn->lock);
	/* Queued expiry work refers to kn: let it finish first. */
	flush_workqueue(ksad_wq);
	rhashtable_destroy(&kn->sa_table);
	rhltable_destroy(&kn->out_sas);
	WARN_ON_ONCE(!xa_empty(&kn->sas));
	xa_destroy(&kn->sas);
	ksad_spi_table_destroy(&kn->spis);
	ksad_encap_uninit(kn);
}
