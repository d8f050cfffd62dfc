// SPDX-License-Identifier: GPL-2.0
/*
 * The Security Policy Database of one namespace (RFC 4301 4.4.1), changed
 * under kn->lock.  The first policy (lowest priority value, then oldest)
 * whose direction and selector match decides: protect, bypass or discard.
 *
 * The search is not a walk of every policy.  Policies are hashed (an
 * rhltable) by direction, family, the selector's prefix lengths and its
 * addresses masked by them; the (family, prefix lengths) pairs in use are the
 * direction's classes.  A lookup masks the packet's addresses once per class
 * and looks in one bucket each: its cost grows with the number of classes
 * (host-to-host policies are one class, /24-to-/24 another), not with the
 * number of policies.  Of what matches, the first in search order wins, so
 * priorities and overlaps mean what they meant in a list.  The list itself
 * (kn->policies) stays, in search order, for dumps.
 *
 * An outbound protect policy is a template (as XFRM's): it names the
 * protocol, mode and reqid of its SA, and in tunnel mode the endpoints.  The
 * SA is chosen per packet, among the outbound SAs to the packet's destination
 * (transport mode) or to the tunnel's (tunnel mode): the newest of that
 * protocol, mode and reqid whose source and selector fit.  So one policy for
 * a /24 carries traffic to each peer in it through that peer's own SA.
 * Without one the packet is dropped and ACQUIRE asks for it (acquire.c).
 */
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "datapath.h"

#define KSAD_POLICY_PRIORITY_DEFAULT	1000

/* The policies of one direction, family and pair of prefix lengths. */
struct ksad_pol_class {
	struct list_head list;		/* kn->pol_classes[dir]; RCU */
	struct rcu_head rcu;
	u32 refs;			/* its policies; kn->lock */
	u8 family, sprefix, dprefix;
};

const struct nla_policy ksad_policy_policy[KSAD_POLICY_MAX + 1] = {
	[KSAD_POLICY_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KSAD_POLICY_DIR] = NLA_POLICY_RANGE(NLA_U8, KSAD_DIR_IN, KSAD_DIR_FWD),
	[KSAD_POLICY_ACTION] = NLA_POLICY_RANGE(NLA_U8, KSAD_ACTION_PROTECT,
						KSAD_ACTION_DISCARD),
	[KSAD_POLICY_PRIORITY] = { .type = NLA_U32 },
	[KSAD_POLICY_SELECTOR] = NLA_POLICY_NESTED(ksad_sel_policy),
	[KSAD_POLICY_PROTO] = NLA_POLICY_RANGE(NLA_U8, KSAD_PROTO_ESP,
					       KSAD_PROTO_AH),
	[KSAD_POLICY_MODE] = NLA_POLICY_RANGE(NLA_U8, KSAD_MODE_TRANSPORT,
					      KSAD_MODE_TUNNEL),
	[KSAD_POLICY_REQID] = { .type = NLA_U32 },
	[KSAD_POLICY_TUN_SRC_IPV4] = { .type = NLA_BE32 },
	[KSAD_POLICY_TUN_SRC_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[KSAD_POLICY_TUN_DST_IPV4] = { .type = NLA_BE32 },
	[KSAD_POLICY_TUN_DST_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[KSAD_POLICY_SPI] = { .type = NLA_REJECT },
	[KSAD_POLICY_PACKETS] = { .type = NLA_REJECT },
	[KSAD_POLICY_ADD_TIME] = { .type = NLA_REJECT },
	[KSAD_POLICY_LAST_USE] = { .type = NLA_REJECT },
};

static const struct rhashtable_params ksad_pol_params = {
	.key_len = sizeof(struct ksad_pol_key),
	.key_offset = offsetof(struct ksad_policy, key),
	.head_offset = offsetof(struct ksad_policy, node),
	.automatic_shrinking = true,
};

/* Policies alive in the module: module exit warns unless none (as for SAs). */
static atomic_t ksad_policy_live = ATOMIC_INIT(0);

int ksad_policy_live_count(void)
{
	return atomic_read(&ksad_policy_live);
}

static void ksad_policy_free_rcu(struct rcu_head *head)
{
	struct ksad_policy *pol = container_of(head, struct ksad_policy, rcu);

	free_percpu(pol->packets);
	kfree(pol);
	atomic_dec(&ksad_policy_live);
}

/* Packets the policy matched, summed over the CPUs. */
static u64 ksad_policy_packets(const struct ksad_policy *pol)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(pol->packets, cpu);
	return sum;
}

/* @a masked to its first @plen bits; the rest of @out is zero. */
static void ksad_addr_mask(u8 family, union ksad_addr *out,
			   const union ksad_addr *a, u8 plen)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET)
		out->a4 = plen ? a->a4 & htonl(~0U << (32 - plen)) : 0;
	else
		ipv6_addr_prefix(&out->a6, &a->a6, plen);
}

static void ksad_pol_key_make(struct ksad_pol_key *key, u8 dir, u8 family,
			      u8 sprefix, u8 dprefix,
			      const union ksad_addr *saddr,
			      const union ksad_addr *daddr)
{
	memset(key, 0, sizeof(*key));
	key->dir = dir;
	key->family = family;
	if (!family)		/* a selector without family covers all */
		return;
	key->sprefix = sprefix;
	key->dprefix = dprefix;
	ksad_addr_mask(family, &key->saddr, saddr, sprefix);
	ksad_addr_mask(family, &key->daddr, daddr, dprefix);
}

int ksad_spd_init(struct ksad_net *kn)
{
	int dir;

	INIT_LIST_HEAD(&kn->policies);
	for (dir = 0; dir <= KSAD_DIR_FWD; dir++)
		INIT_LIST_HEAD(&kn->pol_classes[dir]);
	xa_init_flags(&kn->policy_ids, XA_FLAGS_ALLOC1);
	return rhltable_init(&kn->pol_table, &ksad_pol_params);
}

/* @pol's class, made if it is the first of it.  kn->lock held. */
static struct ksad_pol_class *ksad_class_get(struct ksad_net *kn,
					     const struct ksad_policy *pol)
{
	struct list_head *head = &kn->pol_classes[pol->dir];
	struct ksad_pol_class *c;

	list_for_each_entry(c, head, list) {
		if (c->family == pol->key.family &&
		    c->sprefix == pol->key.sprefix &&
		    c->dprefix == pol->key.dprefix) {
			c->refs++;
			return c;
		}
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return NULL;
	c->family = pol->key.family;
	c->sprefix = pol->key.sprefix;
	c->dprefix = pol->key.dprefix;
	c->refs = 1;
	list_add_tail_rcu(&c->list, head);
	return c;
}

static void ksad_class_put(struct ksad_pol_class *c)
{
	if (--c->refs)
		return;
	list_del_rcu(&c->list);
	kfree_rcu(c, rcu);
}

/* Take @pol out of the SPD and free it after a grace period.  kn->lock. */
static void ksad_policy_unlink(struct ksad_net *kn, struct ksad_policy *pol)
{
	rhltable_remove(&kn->pol_table, &pol->node, ksad_pol_params);
	ksad_class_put(pol->cls);
	list_del_rcu(&pol->list);
	xa_erase(&kn->policy_ids, pol->id);
	kn->policy_count--;
	call_rcu(&pol->rcu, ksad_policy_free_rcu);
}

/* kn->lock held, or the namespace going away */
static void ksad_spd_flush(struct ksad_net *kn)
{
	struct ksad_policy *pol, *tmp;

	list_for_each_entry_safe(pol, tmp, &kn->policies, list) {
		ksad_policy_unlink(kn, pol);
		cond_resched();
	}
}

void ksad_spd_uninit(struct ksad_net *kn)
{
	mutex_lock(&kn->lock);
	ksad_spd_flush(kn);
	mutex_unlock(&kn->lock);
	rhltable_destroy(&kn->pol_table);
	WARN_ON_ONCE(!xa_empty(&kn->policy_ids));
	xa_destroy(&kn->policy_ids);
}

/* Does @a come before @b in search order? */
static bool ksad_policy_before(const struct ksad_policy *a,
			       const struct ksad_policy *b)
{
	return a->priority < b->priority ||
	       (a->priority == b->priority && a->seq < b->seq);
}

/**
 * ksad_spd_lookup_rcu() - the policy that decides for a packet
 * @kn: the namespace
 * @dir: enum ksad_dir
 * @fl: the packet's flow
 *
 * Under RCU.  Counts the packet on the policy it returns.
 *
 * Return: the first policy of direction @dir, in search order, whose selector
 * covers @fl; NULL if none.
 */
struct ksad_policy *ksad_spd_lookup_rcu(struct ksad_net *kn, u8 dir,
					const struct ksad_flow *fl)
{
	struct ksad_policy *pol, *best = NULL;
	struct rhlist_head *list, *pos;
	struct ksad_pol_class *c;
	struct ksad_pol_key key;
	time64_t now;

	list_for_each_entry_rcu(c, &kn->pol_classes[dir], list) {
		if (c->family && c->family != fl->family)
			continue;
		ksad_pol_key_make(&key, dir, c->family, c->sprefix, c->dprefix,
				  &fl->saddr, &fl->daddr);
		list = rhltable_lookup(&kn->pol_table, &key, ksad_pol_params);
		rhl_for_each_entry_rcu(pol, pos, list, node)
			if ((!best || ksad_policy_before(pol, best)) &&
			    ksad_sel_match(&pol->sel, fl))
				best = pol;
	}
	if (!best)
		return NULL;
	this_cpu_inc(*best->packets);
	/* written once a second at most: no cache line bounces per packet */
	now = ktime_get_real_seconds();
	if (READ_ONCE(best->last_use) != now)
		WRITE_ONCE(best->last_use, now);
	return best;
}

/**
 * ksad_policy_sa_rcu() - the SA an outbound protect policy uses
 * @kn: the namespace
 * @pol: the policy, a template
 * @fl: the packet's flow; NULL: the SA for the policy's own single
 *	destination (replies), if it has one
 *
 * Under RCU; no reference taken.
 *
 * Return: the newest outbound SA of the policy's protocol, mode and reqid (if
 * it names one) to the packet's destination (transport mode) or the tunnel's
 * (tunnel mode), whose source, if it has one, is the packet's (the tunnel's)
 * and whose selector covers @fl; NULL if there is none.
 */
struct ksad_sa *ksad_policy_sa_rcu(struct ksad_net *kn,
				   const struct ksad_policy *pol,
				   const struct ksad_flow *fl)
{
	const union ksad_addr *daddr, *saddr = NULL;
	struct ksad_sa *sa, *best = NULL;
	struct rhlist_head *list, *pos;
	u8 family;

	if (pol->mode == KSAD_MODE_TUNNEL) {
		family = pol->tun_family;
		daddr = &pol->tun_dst;
		if (!ksad_addr_any(&pol->tun_src))
			saddr = &pol->tun_src;
	} else if (fl) {
		family = fl->family;
		daddr = &fl->daddr;
		saddr = &fl->saddr;
	} else {
		/* a host-to-host (or net-to-host) policy has one SA */
		family = pol->sel.family;
		if (!family || pol->sel.dprefix != (family == AF_INET ? 32 : 128))
			return NULL;
		daddr = &pol->sel.daddr;
		if (pol->sel.sprefix == pol->sel.dprefix)
			saddr = &pol->sel.saddr;
	}
	if (!family)
		return NULL;
	list = ksad_sad_dest_rcu(kn, family, daddr, pol->proto);
	rhl_for_each_entry_rcu(sa, pos, list, out_node) {
		/*
		 * An SA that SA_MIGRATE moved to another destination's list
		 * while this walk stood on it leads there: not this one's.
		 */
		if (sa->key.family != family || sa->key.proto != pol->proto ||
		    !ksad_addr_eq(family, &sa->key.daddr, daddr))
			continue;
		if (!READ_ONCE(sa->state) || sa->mode != pol->mode ||
		    (pol->reqid && sa->reqid != pol->reqid))
			continue;
		if (saddr && !ksad_addr_any(&sa->saddr) &&
		    !ksad_addr_eq(family, &sa->saddr, saddr))
			continue;
		if (fl && !ksad_sel_match(&sa->sel, fl))
			continue;
		if (!best || sa->gen > best->gen)
			best = sa;
	}
	return best;
}

/**
 * ksad_spd_migrating() - the policies whose tunnel ends follow an SA
 * @kn: the namespace; kn->lock held
 * @sa: the SA, where it still is
 * @n: how many, set
 *
 * The tunnel-mode protect policies of @sa's direction (outbound; inbound and
 * forward for an inbound SA), protocol and reqid (or any) whose tunnel goes
 * to @sa's destination, from its source or from anywhere.  Collected before
 * SA_MIGRATE's switch, so that the switch itself (which datapath readers
 * wait for) does not walk the SPD.
 *
 * Return: an array of @n (kfree() it), NULL if none or no memory (@n < 0).
 */
struct ksad_policy **ksad_spd_migrating(struct ksad_net *kn,
					const struct ksad_sa *sa, int *n)
{
	bool out = sa->dir == KSAD_DIR_OUT;
	u8 family = sa->key.family;
	struct ksad_policy *pol, **pols;
	int i = 0, count = 0;

	lockdep_assert_held(&kn->lock);
	for (;;) {
		list_for_each_entry(pol, &kn->policies, list) {
			bool pol_out = pol->dir == KSAD_DIR_OUT;

			if (pol->action != KSAD_ACTION_PROTECT ||
			    pol->mode != KSAD_MODE_TUNNEL ||
			    pol->tun_family != family || pol_out != out ||
			    pol->proto != sa->key.proto ||
			    (pol->reqid && pol->reqid != sa->reqid) ||
			    !ksad_addr_eq(family, &pol->tun_dst,
					  &sa->key.daddr) ||
			    (!ksad_addr_any(&pol->tun_src) &&
			     !ksad_addr_eq(family, &pol->tun_src, &sa->saddr)))
				continue;
			if (count)
				pols[i] = pol;
			i++;
			cond_resched();
		}
		if (count || !i)
			break;
		count = i;
		i = 0;
		pols = kmalloc_array(count, sizeof(*pols), GFP_KERNEL);
		if (!pols) {
			*n = -ENOMEM;
			return NULL;
		}
	}
	*n = i;
	return count ? pols : NULL;
}

/*
 * The switch: @pols (from ksad_spd_migrating()) go where @sa is now.
 * kn->lock and kn->migrate_lock held; the datapath reads them under the
 * latter (output.c, acquire.c).
 */
void ksad_spd_migrate(const struct ksad_sa *sa, struct ksad_policy **pols,
		      int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct ksad_policy *pol = pols[i];

		pol->tun_family = sa->key.family;
		pol->tun_dst = sa->key.daddr;
		if (!ksad_addr_any(&pol->tun_src))
			pol->tun_src = sa->saddr;
	}
}

/*
 * A policy message: @acquired is the flow of an ACQUIRE, which goes out as
 * the selector, else the policy's own selector does.
 */
int ksad_policy_fill(struct sk_buff *skb, struct ksad_net *kn,
		     struct ksad_policy *pol, const struct ksad_flow *acquired,
		     u32 portid, u32 seq, int flags, u8 cmd)
{
	struct ksad_sa *sa;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ksad_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KSAD_POLICY_ID, pol->id) ||
	    nla_put_u8(skb, KSAD_POLICY_DIR, pol->dir) ||
	    nla_put_u8(skb, KSAD_POLICY_ACTION, pol->action) ||
	    nla_put_u32(skb, KSAD_POLICY_PRIORITY, pol->priority) ||
	    ksad_put_u64(skb, KSAD_POLICY_PACKETS, ksad_policy_packets(pol)) ||
	    ksad_put_u64(skb, KSAD_POLICY_ADD_TIME, pol->add_time) ||
	    ksad_put_u64(skb, KSAD_POLICY_LAST_USE, READ_ONCE(pol->last_use)))
		goto fail;
	if (acquired) {
		struct ksad_sel sel = {
			.family = acquired->family,
			.saddr = acquired->saddr,
			.daddr = acquired->daddr,
			.sprefix = acquired->family == AF_INET ? 32 : 128,
			.dprefix = acquired->family == AF_INET ? 32 : 128,
			.proto = acquired->proto,
			.sport = acquired->sport,
			.dport = acquired->dport,
		};

		if (ksad_put_sel(skb, KSAD_POLICY_SELECTOR, &sel))
			goto fail;
	} else if (ksad_put_sel(skb, KSAD_POLICY_SELECTOR, &pol->sel)) {
		goto fail;
	}
	if (pol->action == KSAD_ACTION_PROTECT &&
	    (nla_put_u8(skb, KSAD_POLICY_PROTO, pol->proto) ||
	     nla_put_u8(skb, KSAD_POLICY_MODE, pol->mode) ||
	     nla_put_u32(skb, KSAD_POLICY_REQID, pol->reqid)))
		goto fail;
	if (pol->tun_family &&
	    (ksad_put_addr(skb, KSAD_POLICY_TUN_SRC_IPV4,
			   KSAD_POLICY_TUN_SRC_IPV6, pol->tun_family,
			   &pol->tun_src) ||
	     ksad_put_addr(skb, KSAD_POLICY_TUN_DST_IPV4,
			   KSAD_POLICY_TUN_DST_IPV6, pol->tun_family,
			   &pol->tun_dst)))
		goto fail;
	/* the SA it would use now, if it has one destination */
	rcu_read_lock();
	sa = pol->dir == KSAD_DIR_OUT && pol->action == KSAD_ACTION_PROTECT ?
	     ksad_policy_sa_rcu(kn, pol, NULL) : NULL;
	if (sa && nla_put_u32(skb, KSAD_POLICY_SPI, sa->key.spi)) {
		rcu_read_unlock();
		goto fail;
	}
	rcu_read_unlock();
	genlmsg_end(skb, hdr);
	return 0;
fail:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* The attributes POLICY_ADD accepts (its request in ksad.yaml). */
#define P(x) BIT_ULL(KSAD_POLICY_##x)
static const u64 ksad_policy_add_attrs = P(DIR) | P(ACTION) | P(PRIORITY) |
	P(SELECTOR) | P(PROTO) | P(MODE) | P(REQID) | P(TUN_SRC_IPV4) |
	P(TUN_SRC_IPV6) | P(TUN_DST_IPV4) | P(TUN_DST_IPV6);

static int ksad_policy_parse(struct nlattr **tb, struct ksad_policy *pol,
			     struct netlink_ext_ack *extack)
{
	u8 sfam = 0;
	int err;

	err = ksad_nl_only(tb, KSAD_POLICY_MAX, ksad_policy_add_attrs, extack);
	if (err)
		return err;
	if (!tb[KSAD_POLICY_DIR] || !tb[KSAD_POLICY_ACTION]) {
		NL_SET_ERR_MSG(extack, "a policy needs a direction and an action");
		return -EINVAL;
	}
	pol->dir = nla_get_u8(tb[KSAD_POLICY_DIR]);
	pol->action = nla_get_u8(tb[KSAD_POLICY_ACTION]);
	pol->priority = tb[KSAD_POLICY_PRIORITY] ?
			nla_get_u32(tb[KSAD_POLICY_PRIORITY]) :
			KSAD_POLICY_PRIORITY_DEFAULT;
	if (tb[KSAD_POLICY_SELECTOR]) {
		err = ksad_nl_sel(tb[KSAD_POLICY_SELECTOR], &pol->sel, extack);
		if (err)
			return err;
	}
	if (pol->action != KSAD_ACTION_PROTECT) {
		if (tb[KSAD_POLICY_PROTO] || tb[KSAD_POLICY_MODE] ||
		    tb[KSAD_POLICY_REQID] || tb[KSAD_POLICY_TUN_DST_IPV4] ||
		    tb[KSAD_POLICY_TUN_DST_IPV6] || tb[KSAD_POLICY_TUN_SRC_IPV4] ||
		    tb[KSAD_POLICY_TUN_SRC_IPV6]) {
			NL_SET_ERR_MSG(extack,
				       "protocol, mode, reqid and tunnel are for protect policies");
			return -EINVAL;
		}
		return 0;
	}
	pol->proto = tb[KSAD_POLICY_PROTO] ? nla_get_u8(tb[KSAD_POLICY_PROTO]) :
					     KSAD_PROTO_ESP;
	pol->mode = tb[KSAD_POLICY_MODE] ? nla_get_u8(tb[KSAD_POLICY_MODE]) :
					   KSAD_MODE_TRANSPORT;
	pol->reqid = tb[KSAD_POLICY_REQID] ?
		     nla_get_u32(tb[KSAD_POLICY_REQID]) : 0;
	err = ksad_nl_addr(tb, KSAD_POLICY_TUN_SRC_IPV4, KSAD_POLICY_TUN_SRC_IPV6,
			   &sfam, &pol->tun_src, extack) ?:
	      ksad_nl_addr(tb, KSAD_POLICY_TUN_DST_IPV4, KSAD_POLICY_TUN_DST_IPV6,
			   &pol->tun_family, &pol->tun_dst, extack);
	if (err)
		return err;
	if (pol->mode == KSAD_MODE_TUNNEL && pol->dir == KSAD_DIR_OUT &&
	    !pol->tun_family) {
		NL_SET_ERR_MSG(extack, "an outbound tunnel-mode policy needs a tunnel destination");
		return -EINVAL;
	}
	if (pol->mode == KSAD_MODE_TRANSPORT && (pol->tun_family || sfam)) {
		NL_SET_ERR_MSG(extack, "tunnel endpoints are for tunnel mode");
		return -EINVAL;
	}
	if (sfam && sfam != pol->tun_family) {
		NL_SET_ERR_MSG(extack, "tunnel endpoints must be of one family");
		return -EINVAL;
	}
	return 0;
}

/* A new policy, in no SPD yet; ksad_policy_discard() undoes it. */
struct ksad_policy *ksad_policy_alloc(void)
{
	/* charged to the caller's memory cgroup, as all of a namespace's */
	struct ksad_policy *pol = kzalloc(sizeof(*pol), GFP_KERNEL_ACCOUNT);

	if (!pol)
		return NULL;
	/* counted per CPU: every packet the policy sees increments it */
	pol->packets = alloc_percpu_gfp(u64, GFP_KERNEL_ACCOUNT);
	if (!pol->packets) {
		kfree(pol);
		return NULL;
	}
	atomic_inc(&ksad_policy_live);
	return pol;
}

void ksad_policy_discard(struct ksad_policy *pol)
{
	free_percpu(pol->packets);
	kfree(pol);
	atomic_dec(&ksad_policy_live);
}

/*
 * Give @pol its id, its key and its class; not linked yet, so not found by
 * lookups.  ksad_policy_unprepare() undoes it.  kn->lock held.
 */
static int ksad_policy_prepare(struct ksad_net *kn, struct ksad_policy *pol,
			       struct netlink_ext_ack *extack)
{
	int err;

	if (kn->policy_count >= READ_ONCE(kn->max_policies)) {
		NL_SET_ERR_MSG(extack,
			       "this namespace holds as many policies as its limit allows (max-policies)");
		return -ENOSPC;
	}
	ksad_pol_key_make(&pol->key, pol->dir, pol->sel.family,
			  pol->sel.sprefix, pol->sel.dprefix, &pol->sel.saddr,
			  &pol->sel.daddr);
	pol->cls = ksad_class_get(kn, pol);
	if (!pol->cls)
		return -ENOMEM;
	/* reserved, not visible: xa_load() of it is NULL until linked */
	err = xa_alloc_cyclic(&kn->policy_ids, &pol->id, NULL, xa_limit_32b,
			      &kn->next_policy_id, GFP_KERNEL_ACCOUNT);
	if (err < 0) {
		ksad_class_put(pol->cls);
		return err;
	}
	pol->add_time = ktime_get_real_seconds();
	return 0;
}

static void ksad_policy_unprepare(struct ksad_net *kn, struct ksad_policy *pol)
{
	xa_release(&kn->policy_ids, pol->id);
	ksad_class_put(pol->cls);
}

/*
 * Link a prepared @pol after the policies of its priority: into the index,
 * where lookups find it, and the list.  kn->lock held.
 */
static int ksad_policy_link(struct ksad_net *kn, struct ksad_policy *pol)
{
	struct list_head *at = &kn->policies;
	struct ksad_policy *pos;
	int err;

	pol->seq = ++kn->policy_seq;
	err = rhltable_insert(&kn->pol_table, &pol->node, ksad_pol_params);
	if (err)
		return err;
	xa_store(&kn->policy_ids, pol->id, pol, 0);	/* reserved: no alloc */
	/* from the end: policies of one priority are added in order */
	list_for_each_entry_reverse(pos, &kn->policies, list) {
		if (pos->priority <= pol->priority) {
			at = &pos->list;
			break;
		}
	}
	list_add_rcu(&pol->list, at);
	kn->policy_count++;
	return 0;
}

/* Put @pol into the SPD of @kn (the KUnit suites).  kn->lock held. */
int ksad_spd_insert(struct ksad_net *kn, struct ksad_policy *pol)
{
	int err;

	lockdep_assert_held(&kn->lock);
	err = ksad_policy_prepare(kn, pol, NULL);
	if (err)
		return err;
	err = ksad_policy_link(kn, pol);
	if (err)
		ksad_policy_unprepare(kn, pol);
	return err;
}

/* Take policy @id out of the SPD (the KUnit suites).  kn->lock held. */
int ksad_spd_remove(struct ksad_net *kn, u32 id)
{
	struct ksad_policy *pol = xa_load(&kn->policy_ids, id);

	lockdep_assert_held(&kn->lock);
	if (!pol)
		return -ENOENT;
	ksad_policy_unlink(kn, pol);
	return 0;
}

static struct sk_buff *ksad_policy_msg(struct genl_info *info,
				       struct ksad_net *kn,
				       struct ksad_policy *pol)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return ERR_PTR(-ENOMEM);
	if (ksad_policy_fill(msg, kn, pol, NULL, info->snd_portid,
			     info->snd_seq, 0, info->genlhdr->cmd)) {
		nlmsg_free(msg);
		return ERR_PTR(-EMSGSIZE);
	}
	return msg;
}

static struct sk_buff *ksad_policy_add_reply(void *info, struct ksad_net *kn,
					     struct ksad_policy *pol)
{
	return ksad_policy_msg(info, kn, pol);
}

/**
 * ksad_spd_add() - add a policy, its reply built before it is linked
 * @kn: the namespace
 * @pol: the parsed policy; the SPD owns it on success
 * @reply: builds the answer (netlink: the POLICY_ADD reply); any error
 *	   leaves the SPD as it was, so that a retry cannot add a second copy
 * @ctx: for @reply
 * @msg: the reply, on success
 * @extack: why not
 *
 * Return: 0, or an error with @pol not added (the caller discards it).
 */
int ksad_spd_add(struct ksad_net *kn, struct ksad_policy *pol,
		 ksad_policy_reply_t reply, void *ctx, struct sk_buff **msg,
		 struct netlink_ext_ack *extack)
{
	int err;

	mutex_lock(&kn->lock);
	err = ksad_policy_prepare(kn, pol, extack);
	if (err)
		goto unlock;
	*msg = reply(ctx, kn, pol);
	if (IS_ERR(*msg)) {
		err = PTR_ERR(*msg);
		goto unprepare;
	}
	err = ksad_policy_link(kn, pol);
	if (err) {
		nlmsg_free(*msg);
		goto unprepare;
	}
	mutex_unlock(&kn->lock);
	return 0;
unprepare:
	ksad_policy_unprepare(kn, pol);
unlock:
	mutex_unlock(&kn->lock);
	return err;
}

/* Once linked, the policy stays even if the reply cannot be delivered. */
int ksad_nl_policy_add(struct sk_buff *skb, struct genl_info *info)
{
	struct ksad_net *kn = ksad_net(genl_info_net(info));
	struct ksad_policy *pol;
	struct sk_buff *msg;
	int err;

	pol = ksad_policy_alloc();
	if (!pol)
		return -ENOMEM;
	err = ksad_policy_parse(info->attrs, pol, info->extack) ?:
	      ksad_spd_add(kn, pol, ksad_policy_add_reply, info, &msg,
			   info->extack);
	if (err) {
		ksad_policy_discard(pol);
		return err;
	}
	genlmsg_reply(msg, info);
	return 0;
}

static int ksad_policy_id(struct genl_info *info, u32 *id)
{
	int err = ksad_nl_only(info->attrs, KSAD_POLICY_MAX, P(ID),
			       info->extack);

	if (err)
		return err;
	if (!info->attrs[KSAD_POLICY_ID]) {
		NL_SET_ERR_MSG(info->extack, "a policy is named by its ID");
		return -EINVAL;
	}
	*id = nla_get_u32(info->attrs[KSAD_POLICY_ID]);
	return 0;
}

/* DELETE or GET of the policy that the request names by its id. */
static int ksad_nl_policy_by_id(struct genl_info *info, bool delete)
{
	struct ksad_net *kn = ksad_net(genl_info_net(info));
	struct ksad_policy *pol;
	u32 id;
	int err = ksad_policy_id(info, &id);

	if (err)
		return err;
	mutex_lock(&kn->lock);
	pol = xa_load(&kn->policy_ids, id);
	if (!pol) {
		NL_SET_ERR_MSG(info->extack, "no policy with this ID");
		err = -ENOENT;
	} else if (delete) {
		ksad_policy_unlink(kn, pol);
	} else {
		struct sk_buff *msg = ksad_policy_msg(info, kn, pol);

		err = IS_ERR(msg) ? PTR_ERR(msg) : genlmsg_reply(msg, info);
	}
	mutex_unlock(&kn->lock);
	return err;
}

int ksad_nl_policy_delete(struct sk_buff *skb, struct genl_info *info)
{
	return ksad_nl_policy_by_id(info, true);
}

int ksad_nl_policy_get(struct sk_buff *skb, struct genl_info *info)
{
	return ksad_nl_policy_by_id(info, false);
}

/* cb->args[0]: how many policies were sent. */
int ksad_nl_policy_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ksad_net *kn = ksad_net(sock_net(skb->sk));
	struct ksad_policy *pol;
	long i = 0;

	mutex_lock(&kn->lock);
	list_for_each_entry(pol, &kn->policies, list) {
		if (i++ < cb->args[0])
			continue;
		if (ksad_policy_fill(skb, kn, pol, NULL,
				     NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI,
				     KSAD_CMD_POLICY_GET))
			break;
		cb->args[0] = i;
	}
	mutex_unlock(&kn->lock);
	return skb->len;
}

int ksad_nl_policy_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct ksad_net *kn = ksad_net(genl_info_net(info));
	int i;

	for (i = 1; i <= KSAD_POLICY_MAX; i++) {
		if (info->attrs[i]) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[i],
					    "FLUSH of policies takes no attribute");
			return -EINVAL;
		}
	}
	mutex_lock(&kn->lock);
	ksad_spd_flush(kn);
	mutex_unlock(&kn->lock);
	return 0;
}
