// SPDX-License-Identifier: GPL-2.0
/*
 * ACQUIRE: asking the keying daemon for an SA that a protect policy needs
 * and has not got (RFC 2367's SADB_ACQUIRE, XFRM_MSG_ACQUIRE).
 *
 * One ACQUIRE per (policy, destination) while it is pending, as XFRM keeps a
 * larval "acquire" state: the destination is the packet's in transport mode,
 * the tunnel's in tunnel mode.  An entry is pending until an outbound SA to
 * that destination is added, or until the namespace's larval timeout has
 * passed (the time a daemon has to key an SA, as after GETSPI); then the
 * next packet asks again.  Meanwhile packets that find no SA are dropped and
 * counted (out-no-sa), as XFRM does by default (xfrm_larval_drop): TCP and
 * the like send again.
 *
 * Pending entries are bounded by the namespace's max-larval; beyond that a
 * policy asks at most once a second, whatever the destination.
 */
#include <linux/jiffies.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "datapath.h"

struct ksad_acq_key {
	union ksad_addr daddr;
	u8 family;
};

/* A pending ACQUIRE. */
struct ksad_acq {
	struct rhlist_head node;	/* kn->acquires, by destination */
	struct ksad_acq_key key;
	u32 policy_id;
	unsigned long expires;		/* jiffies; under kn->acquire_lock */
	struct list_head lru;		/* kn->acquire_list */
	struct rcu_head rcu;
};

static const struct rhashtable_params ksad_acq_params = {
	.key_len = sizeof(struct ksad_acq_key),
	.key_offset = offsetof(struct ksad_acq, key),
	.head_offset = offsetof(struct ksad_acq, node),
	.automatic_shrinking = true,
};

static void ksad_acq_make_key(struct ksad_acq_key *key, u8 family,
			      const union ksad_addr *daddr)
{
	memset(key, 0, sizeof(*key));
	key->family = family;
	if (family == AF_INET)
		key->daddr.a4 = daddr->a4;
	else
		key->daddr.a6 = daddr->a6;
}

/* kn->acquire_lock held */
static void ksad_acq_unlink(struct ksad_net *kn, struct ksad_acq *acq)
{
	rhltable_remove(&kn->acquires, &acq->node, ksad_acq_params);
	list_del(&acq->lru);
	kn->acquire_count--;
	kfree_rcu(acq, rcu);
}

/*
 * Queue @acq by its deadline (from the end: deadlines mostly come in order).
 * True if it is the first now.  kn->acquire_lock held.
 */
static bool ksad_acq_queue(struct ksad_net *kn, struct ksad_acq *acq)
{
	struct list_head *at = &kn->acquire_list;
	struct ksad_acq *pos;

	list_for_each_entry_reverse(pos, &kn->acquire_list, lru) {
		if (!time_after(pos->expires, acq->expires)) {
			at = &pos->lru;
			break;
		}
	}
	list_add(&acq->lru, at);
	return kn->acquire_list.next == &acq->lru;
}

/* The collector runs at the first deadline.  kn->acquire_lock held. */
static void ksad_acq_schedule(struct ksad_net *kn, bool first)
{
	struct ksad_acq *acq = list_first_entry(&kn->acquire_list,
						struct ksad_acq, lru);
	unsigned long delay = time_after(acq->expires, jiffies) ?
			      acq->expires - jiffies : 0;

	/* sooner than planned: move it; else leave it where it is */
	if (first)
		mod_delayed_work(ksad_wq, &kn->acquire_gc, delay);
	else
		queue_delayed_work(ksad_wq, &kn->acquire_gc, delay);
}

/* Forget what has expired; come back at the next deadline. */
static void ksad_acquire_gc(struct work_struct *work)
{
	struct ksad_net *kn = container_of(to_delayed_work(work),
					   struct ksad_net, acquire_gc);
	struct ksad_acq *acq;

	spin_lock_bh(&kn->acquire_lock);
	while ((acq = list_first_entry_or_null(&kn->acquire_list,
					       struct ksad_acq, lru))) {
		if (time_before(jiffies, acq->expires))
			break;
		ksad_acq_unlink(kn, acq);
	}
	if (acq)
		ksad_acq_schedule(kn, false);
	spin_unlock_bh(&kn->acquire_lock);
}

int ksad_acquire_init(struct ksad_net *kn)
{
	spin_lock_init(&kn->acquire_lock);
	INIT_LIST_HEAD(&kn->acquire_list);
	kn->acquire_count = 0;
	INIT_DELAYED_WORK(&kn->acquire_gc, ksad_acquire_gc);
	return rhltable_init(&kn->acquires, &ksad_acq_params);
}

static void ksad_acq_free(void *ptr, void *arg)
{
	struct ksad_acq *acq = ptr;

	kfree_rcu(acq, rcu);
}

void ksad_acquire_uninit(struct ksad_net *kn)
{
	cancel_delayed_work_sync(&kn->acquire_gc);
	rhltable_free_and_destroy(&kn->acquires, ksad_acq_free, NULL);
}

/* How many ACQUIREs are pending (ksadctl config, tests). */
u32 ksad_acquire_pending(struct ksad_net *kn)
{
	return READ_ONCE(kn->acquire_count);
}

/* An outbound SA to @daddr was added: nothing is pending for it now. */
void ksad_acquire_done(struct ksad_net *kn, u8 family,
		       const union ksad_addr *daddr)
{
	struct rhlist_head *list, *pos, *tmp;
	struct ksad_acq_key key;
	struct ksad_acq *acq;

	ksad_acq_make_key(&key, family, daddr);
	spin_lock_bh(&kn->acquire_lock);
	rcu_read_lock();
	list = rhltable_lookup(&kn->acquires, &key, ksad_acq_params);
	for (pos = list; pos; pos = tmp) {
		tmp = rcu_dereference(pos->next);
		acq = container_of(pos, struct ksad_acq, node);
		ksad_acq_unlink(kn, acq);
	}
	rcu_read_unlock();
	spin_unlock_bh(&kn->acquire_lock);
}

/*
 * Is an ACQUIRE of @pol for @key still pending?  Under RCU, or with
 * kn->acquire_lock held.
 */
static struct ksad_acq *ksad_acq_find(struct ksad_net *kn, u32 policy_id,
				      const struct ksad_acq_key *key)
{
	struct rhlist_head *list, *pos;
	struct ksad_acq *acq;

	list = rhltable_lookup(&kn->acquires, key, ksad_acq_params);
	rhl_for_each_entry_rcu(acq, pos, list, node)
		if (acq->policy_id == policy_id)
			return acq;
	return NULL;
}

/*
 * Should an ACQUIRE of @pol for @key go out now?  It should unless one is
 * pending; the caller sends it, and it is pending from now on.
 */
static bool ksad_acquire_claim(struct ksad_net *kn, struct ksad_policy *pol,
			       const struct ksad_acq_key *key)
{
	unsigned long timeout = READ_ONCE(kn->larval_timeout) * HZ;
	unsigned long last;
	struct ksad_acq *acq;
	bool send = true;
	int err;

	acq = ksad_acq_find(kn, pol->id, key);
	if (acq && time_before(jiffies, READ_ONCE(acq->expires)))
		return false;
	spin_lock_bh(&kn->acquire_lock);
	acq = ksad_acq_find(kn, pol->id, key);
	if (acq) {
		/* expired, not collected yet: pending again */
		send = !time_before(jiffies, acq->expires);
		if (send) {
			WRITE_ONCE(acq->expires, jiffies + timeout);
			list_del(&acq->lru);
			ksad_acq_schedule(kn, ksad_acq_queue(kn, acq));
		}
		goto out;
	}
	if (kn->acquire_count >= READ_ONCE(kn->max_larval))
		goto full;
	acq = kzalloc(sizeof(*acq), GFP_ATOMIC);
	if (!acq)
		goto full;
	acq->key = *key;
	acq->policy_id = pol->id;
	acq->expires = jiffies + timeout;
	err = rhltable_insert(&kn->acquires, &acq->node, ksad_acq_params);
	if (err) {
		kfree(acq);
		goto full;
	}
	kn->acquire_count++;
	ksad_acq_schedule(kn, ksad_acq_queue(kn, acq));
	goto out;
full:
	/* no room to remember it: once a second per policy */
	last = READ_ONCE(pol->last_acquire);
	send = !last || !time_before(jiffies, last + HZ);
	if (send)
		WRITE_ONCE(pol->last_acquire, jiffies ?: 1);
out:
	spin_unlock_bh(&kn->acquire_lock);
	return send;
}

/**
 * ksad_acquire() - ask for an SA for a packet that @pol wants protected
 * @kn: the namespace
 * @pol: an outbound protect policy that found no SA for the packet
 * @fl: the packet's flow; ACQUIRE carries it as its selector
 *
 * Any context, under RCU.
 */
void ksad_acquire(struct ksad_net *kn, struct ksad_policy *pol,
		  const struct ksad_flow *fl)
{
	struct ksad_acq_key key;
	struct sk_buff *msg;
	unsigned int seq;
	int err;

	/* a tunnel's ends, read as SA_MIGRATE's readers do (sad.c) */
	do {
		seq = read_seqbegin(&kn->migrate_lock);
		if (pol->mode == KSAD_MODE_TUNNEL)
			ksad_acq_make_key(&key, pol->tun_family, &pol->tun_dst);
		else
			ksad_acq_make_key(&key, fl->family, &fl->daddr);
	} while (read_seqretry(&kn->migrate_lock, seq));
	if (!ksad_acquire_claim(kn, pol, &key))
		return;
	if (!ksad_listening(kn, KSAD_GRP_ACQUIRE))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return;
	do {
		seq = read_seqbegin(&kn->migrate_lock);
		skb_trim(msg, 0);
		err = ksad_policy_fill(msg, kn, pol, fl, 0, 0, 0,
				       KSAD_CMD_ACQUIRE);
	} while (!err && read_seqretry(&kn->migrate_lock, seq));
	if (err) {
		nlmsg_free(msg);
		return;
	}
	ksad_multicast(kn, msg, KSAD_GRP_ACQUIRE, GFP_ATOMIC);
}
