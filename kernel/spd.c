// SPDX-License-Identifier: GPL-2.0
/*
 * The Security Policy Database of one namespace (RFC 4301 4.4.1): an ordered
 * list of policies, searched by the datapath under RCU, changed under
 * kn->lock.  The first policy (lowest priority value, then oldest) whose
 * direction and selector match decides: protect, bypass or discard.
 *
 * An outbound protect policy uses one SA at a time: the newest outbound SA of
 * its protocol, mode and reqid going to its tunnel endpoint (tunnel mode) or
 * into its destination selector (transport mode).  The binding is kept up to
 * date when SAs come and go, so the datapath reads one pointer.  Without an
 * SA the packet is dropped and ACQUIRE asks the keying daemon for one.
 */
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "datapath.h"

#define KSAD_POLICY_PRIORITY_DEFAULT	1000

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

static void ksad_policy_free(struct ksad_policy *pol)
{
	call_rcu(&pol->rcu, ksad_policy_free_rcu);
}

void ksad_spd_init(struct ksad_net *kn)
{
	INIT_LIST_HEAD(&kn->policies);
}

/* kn->lock held, or the namespace going away */
static void ksad_spd_flush(struct ksad_net *kn)
{
	struct ksad_policy *pol, *tmp;

	list_for_each_entry_safe(pol, tmp, &kn->policies, list) {
		list_del_rcu(&pol->list);
		ksad_policy_free(pol);
	}
	kn->policy_count = 0;
}

void ksad_spd_uninit(struct ksad_net *kn)
{
	mutex_lock(&kn->lock);
	ksad_spd_flush(kn);
	mutex_unlock(&kn->lock);
}

/* The first policy of direction @dir covering @fl, or NULL.  Under RCU. */
struct ksad_policy *ksad_spd_lookup_rcu(struct ksad_net *kn, u8 dir,
					const struct ksad_flow *fl)
{
	struct ksad_policy *pol;

	list_for_each_entry_rcu(pol, &kn->policies, list) {
		if (pol->dir == dir && ksad_sel_match(&pol->sel, fl)) {
			this_cpu_inc(*pol->packets);
			return pol;
		}
	}
	return NULL;
}

/* May @pol send its traffic through @sa? */
static bool ksad_policy_uses(const struct ksad_policy *pol,
			     const struct ksad_sa *sa)
{
	if (pol->dir != KSAD_DIR_OUT || pol->action != KSAD_ACTION_PROTECT ||
	    sa->dir != KSAD_DIR_OUT || sa->key.proto != pol->proto ||
	    sa->mode != pol->mode || (pol->reqid && sa->reqid != pol->reqid))
		return false;
	if (pol->mode == KSAD_MODE_TUNNEL)
		return pol->tun_family == sa->key.family &&
		       ksad_addr_eq(sa->key.family, &pol->tun_dst,
				    &sa->key.daddr);
	/* transport: the SA goes to one of the policy's destinations */
	if (!pol->sel.family)
		return true;
	return pol->sel.family == sa->key.family &&
	       ksad_addr_in_prefix(sa->key.family, &pol->sel.daddr,
				   &sa->key.daddr, pol->sel.dprefix);
}

/* Bind @pol to the newest SA it may use (or none).  kn->lock held. */
static void ksad_policy_rebind(struct ksad_net *kn, struct ksad_policy *pol,
			       const struct ksad_sa *except)
{
	struct ksad_sa *sa, *best = NULL;
	unsigned long id;

	/* only outbound protect policies use SAs (not a walk of the SAD per add) */
	if (pol->dir != KSAD_DIR_OUT || pol->action != KSAD_ACTION_PROTECT)
		return;
	/* newest by ksad_sa.gen: ids wrap on a long-running rekeying host */
	xa_for_each(&kn->sas, id, sa)
		if (sa != except && sa->state && ksad_policy_uses(pol, sa) &&
		    (!best || sa->gen > best->gen))
			best = sa;
	rcu_assign_pointer(pol->sa, best);
}

/* A new outbound SA: the policies that may use it take it.  kn->lock held. */
void ksad_spd_sa_added(struct ksad_net *kn, struct ksad_sa *sa)
{
	struct ksad_policy *pol;

	lockdep_assert_held(&kn->lock);
	list_for_each_entry(pol, &kn->policies, list)
		if (ksad_policy_uses(pol, sa))
			rcu_assign_pointer(pol->sa, sa);
}

/* An outbound SA is going: its policies move on.  kn->lock held. */
void ksad_spd_sa_removed(struct ksad_net *kn, struct ksad_sa *sa)
{
	struct ksad_policy *pol;

	lockdep_assert_held(&kn->lock);
	list_for_each_entry(pol, &kn->policies, list)
		if (rcu_access_pointer(pol->sa) == sa)
			ksad_policy_rebind(kn, pol, sa);
}

static int ksad_policy_fill(struct sk_buff *skb, struct ksad_policy *pol,
			    const struct ksad_flow *acquired, u32 portid,
			    u32 seq, int flags, u8 cmd)
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
	    ksad_put_u64(skb, KSAD_POLICY_PACKETS, ksad_policy_packets(pol)))
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
	rcu_read_lock();
	sa = rcu_dereference(pol->sa);
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

/* ACQUIRE for a packet of flow @fl that @pol wants protected.  Any context. */
void ksad_acquire(struct ksad_net *kn, struct ksad_policy *pol,
		  const struct ksad_flow *fl)
{
	unsigned long last = READ_ONCE(pol->last_acquire);
	struct sk_buff *msg;

	if (last && time_before(jiffies, last + HZ))
		return;
	WRITE_ONCE(pol->last_acquire, jiffies ?: 1);
	if (!ksad_listening(kn, KSAD_GRP_ACQUIRE))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return;
	if (ksad_policy_fill(msg, pol, fl, 0, 0, 0, KSAD_CMD_ACQUIRE)) {
		nlmsg_free(msg);
		return;
	}
	ksad_multicast(kn, msg, KSAD_GRP_ACQUIRE, GFP_ATOMIC);
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

static struct ksad_policy *ksad_policy_find(struct ksad_net *kn, u32 id)
{
	struct ksad_policy *pol;

	list_for_each_entry(pol, &kn->policies, list)
		if (pol->id == id)
			return pol;
	return NULL;
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

static void ksad_policy_discard(struct ksad_policy *pol)
{
	free_percpu(pol->packets);
	kfree(pol);
	atomic_dec(&ksad_policy_live);
}

/* Give @pol its id and its SA (not linked yet).  kn->lock held. */
static void ksad_policy_prepare(struct ksad_net *kn, struct ksad_policy *pol)
{
	do {
		pol->id = ++kn->next_policy_id;
	} while (!pol->id || ksad_policy_find(kn, pol->id));
	ksad_policy_rebind(kn, pol, NULL);
}

/* Link @pol after the policies of its priority.  kn->lock held. */
static void ksad_policy_link(struct ksad_net *kn, struct ksad_policy *pol)
{
	struct list_head *at = &kn->policies;
	struct ksad_policy *pos;

	list_for_each_entry(pos, &kn->policies, list) {
		if (pos->priority > pol->priority) {
			at = &pos->list;
			break;
		}
	}
	list_add_tail_rcu(&pol->list, at);
	kn->policy_count++;
}

/* Put @pol into the SPD of @kn (the KUnit suites).  kn->lock held. */
void ksad_spd_insert(struct ksad_net *kn, struct ksad_policy *pol)
{
	lockdep_assert_held(&kn->lock);
	ksad_policy_prepare(kn, pol);
	ksad_policy_link(kn, pol);
}

static struct sk_buff *ksad_policy_msg(struct genl_info *info,
				       struct ksad_policy *pol)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return ERR_PTR(-ENOMEM);
	if (ksad_policy_fill(msg, pol, NULL, info->snd_portid, info->snd_seq,
			     0, info->genlhdr->cmd)) {
		nlmsg_free(msg);
		return ERR_PTR(-EMSGSIZE);
	}
	return msg;
}

static int ksad_policy_reply(struct genl_info *info, struct ksad_policy *pol)
{
	struct sk_buff *msg = ksad_policy_msg(info, pol);

	if (IS_ERR(msg))
		return PTR_ERR(msg);
	return genlmsg_reply(msg, info);
}

/*
 * The reply is built before the policy is linked: an error means the SPD is
 * as it was, so that a retry cannot add a second copy.  Once linked, the
 * policy stays even if the reply cannot be delivered.
 */
int ksad_nl_policy_add(struct sk_buff *skb, struct genl_info *info)
{
	struct ksad_net *kn = ksad_net(genl_info_net(info));
	struct ksad_policy *pol;
	struct sk_buff *msg;
	int err;

	pol = ksad_policy_alloc();
	if (!pol)
		return -ENOMEM;
	err = ksad_policy_parse(info->attrs, pol, info->extack);
	if (err) {
		ksad_policy_discard(pol);
		return err;
	}
	mutex_lock(&kn->lock);
	if (kn->policy_count >= READ_ONCE(kn->max_policies)) {
		mutex_unlock(&kn->lock);
		ksad_policy_discard(pol);
		NL_SET_ERR_MSG(info->extack,
			       "this namespace holds as many policies as its limit allows (max-policies)");
		return -ENOSPC;
	}
	ksad_policy_prepare(kn, pol);
	msg = ksad_policy_msg(info, pol);
	if (IS_ERR(msg)) {
		mutex_unlock(&kn->lock);
		ksad_policy_discard(pol);
		return PTR_ERR(msg);
	}
	ksad_policy_link(kn, pol);
	mutex_unlock(&kn->lock);
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
	pol = ksad_policy_find(kn, id);
	if (!pol) {
		NL_SET_ERR_MSG(info->extack, "no policy with this ID");
		err = -ENOENT;
	} else if (delete) {
		list_del_rcu(&pol->list);
		kn->policy_count--;
		ksad_policy_free(pol);
	} else {
		err = ksad_policy_reply(info, pol);
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
		if (ksad_policy_fill(skb, pol, NULL, NETLINK_CB(cb->skb).portid,
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
