// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the SPD (spd.c) and ACQUIRE (acquire.c): the index finds
 * what a walk of the policies in search order finds; templates choose an SA
 * per destination; ACQUIRE is pending once per (policy, destination).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/prandom.h>
#include <linux/socket.h>
#include <uapi/linux/ksad.h>

#include "../datapath.h"
#include "../ksad.h"
#include "../sa.h"
#include "kunit_wq.h"

#define A(x) BIT_ULL(KSAD_SA_##x)
#define NET10(x) cpu_to_be32(0x0a000000 | (x))

static const u8 key20[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };

static struct workqueue_struct *spd_saved_wq;

static int spd_suite_init(struct kunit_suite *suite)
{
	return ksad_kunit_wq_get(&spd_saved_wq, "ksad-kunit-spd");
}

static void spd_suite_exit(struct kunit_suite *suite)
{
	ksad_kunit_wq_put(spd_saved_wq);
}

static int spd_test_init(struct kunit *test)
{
	struct ksad_net *kn = kunit_kzalloc(test, sizeof(*kn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, kn);
	KUNIT_ASSERT_EQ(test, 0, ksad_net_setup(kn, &init_net));
	test->priv = kn;
	return 0;
}

static void spd_test_exit(struct kunit *test)
{
	ksad_net_teardown(test->priv);
}

/* The first policy of @dir covering @fl, by a walk of the list. */
static struct ksad_policy *walk_lookup(struct ksad_net *kn, u8 dir,
				       const struct ksad_flow *fl)
{
	struct ksad_policy *pol;

	list_for_each_entry(pol, &kn->policies, list)
		if (pol->dir == dir && ksad_sel_match(&pol->sel, fl))
			return pol;
	return NULL;
}

static struct ksad_policy *index_lookup(struct ksad_net *kn, u8 dir,
					const struct ksad_flow *fl)
{
	struct ksad_policy *pol;

	rcu_read_lock();
	pol = ksad_spd_lookup_rcu(kn, dir, fl);
	rcu_read_unlock();
	return pol;
}

/* An address of 10.0.0.0/16 (or fd00::/16) from a small set, so they meet. */
static void rnd_addr(struct rnd_state *r, u8 family, union ksad_addr *a)
{
	u32 v = prandom_u32_state(r);

	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->a4 = NET10((v & 3) << 8 | ((v >> 2) & 3) << 4 | ((v >> 4) & 3));
		return;
	}
	a->a6.s6_addr[0] = 0xfd;
	a->a6.s6_addr[8] = v & 3;
	a->a6.s6_addr[15] = (v >> 2) & 3;
}

static u8 rnd_prefix(struct rnd_state *r, u8 family)
{
	static const u8 p4[] = { 0, 8, 16, 24, 28, 32 };
	static const u8 p6[] = { 0, 16, 64, 120, 128 };
	u32 v = prandom_u32_state(r);

	return family == AF_INET ? p4[v % ARRAY_SIZE(p4)] :
				   p6[v % ARRAY_SIZE(p6)];
}

static void rnd_policy(struct rnd_state *r, struct ksad_policy *pol)
{
	static const u8 protos[] = { 0, IPPROTO_UDP, IPPROTO_TCP };
	static const u32 prios[] = { 10, 1000, 1000, 5000 };
	u32 v = prandom_u32_state(r);
	struct ksad_sel *sel = &pol->sel;

	pol->dir = KSAD_DIR_IN + v % 3;
	pol->action = KSAD_ACTION_BYPASS + (v >> 2) % 2;
	pol->priority = prios[(v >> 4) % ARRAY_SIZE(prios)];
	switch ((v >> 8) % 8) {
	case 0:
		return;		/* no family: covers all */
	case 1:
	case 2:
		sel->family = AF_INET6;
		break;
	default:
		sel->family = AF_INET;
	}
	sel->sprefix = rnd_prefix(r, sel->family);
	sel->dprefix = rnd_prefix(r, sel->family);
	rnd_addr(r, sel->family, &sel->saddr);
	rnd_addr(r, sel->family, &sel->daddr);
	sel->proto = protos[(v >> 12) % ARRAY_SIZE(protos)];
	if (sel->proto && ((v >> 16) & 1))
		sel->dport = htons(53);
}

static void rnd_flow(struct rnd_state *r, struct ksad_flow *fl)
{
	u32 v = prandom_u32_state(r);

	memset(fl, 0, sizeof(*fl));
	fl->family = v % 3 ? AF_INET : AF_INET6;
	rnd_addr(r, fl->family, &fl->saddr);
	rnd_addr(r, fl->family, &fl->daddr);
	fl->proto = (v >> 2) & 1 ? IPPROTO_UDP : IPPROTO_TCP;
	fl->dport = (v >> 3) & 1 ? htons(53) : htons(80);
	fl->sport = htons(40000);
}

/* Compare the index with the walk on @n random flows; the mismatches. */
static int compare_lookups(struct ksad_net *kn, struct rnd_state *r, int n,
			   int *found)
{
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		struct ksad_flow fl;
		u8 dir = KSAD_DIR_IN + i % 3;
		struct ksad_policy *want;

		rnd_flow(r, &fl);
		want = walk_lookup(kn, dir, &fl);
		if (index_lookup(kn, dir, &fl) != want)
			bad++;
		if (want)
			(*found)++;
	}
	return bad;
}

/*
 * Random policies (overlapping prefixes, priorities, ports, both families,
 * some for everything) and random flows: the index's answer is the walk's,
 * also after half of the policies are gone.
 */
static void spd_index_is_search_order(struct kunit *test)
{
	struct ksad_net *kn = test->priv;
	const int n = 400;
	u32 *ids = kunit_kcalloc(test, n, sizeof(*ids), GFP_KERNEL);
	struct rnd_state r;
	int i, found = 0;

	KUNIT_ASSERT_NOT_NULL(test, ids);
	prandom_seed_state(&r, 20261206);
	for (i = 0; i < n; i++) {
		struct ksad_policy *pol = ksad_policy_alloc();
		int err;

		KUNIT_ASSERT_NOT_NULL(test, pol);
		rnd_policy(&r, pol);
		mutex_lock(&kn->lock);
		err = ksad_spd_insert(kn, pol);
		mutex_unlock(&kn->lock);
		KUNIT_ASSERT_EQ(test, 0, err);
		ids[i] = pol->id;
	}
	KUNIT_EXPECT_EQ(test, 0, compare_lookups(kn, &r, 6000, &found));
	/* the flows did meet policies, and not only the catch-alls */
	KUNIT_EXPECT_GT(test, found, 3000);

	mutex_lock(&kn->lock);
	for (i = 0; i < n; i += 2)
		KUNIT_EXPECT_EQ(test, 0, ksad_spd_remove(kn, ids[i]));
	KUNIT_EXPECT_EQ(test, -ENOENT, ksad_spd_remove(kn, ids[0]));
	mutex_unlock(&kn->lock);
	KUNIT_EXPECT_EQ(test, n / 2, kn->policy_count);
	KUNIT_EXPECT_EQ(test, 0, compare_lookups(kn, &r, 6000, &found));
}

/* Two policies, one hashed bucket: the older of two equal priorities wins. */
static void spd_equal_priority_older_first(struct kunit *test)
{
	struct ksad_net *kn = test->priv;
	struct ksad_policy *pol[2];
	struct ksad_flow fl = {
		.family = AF_INET, .saddr.a4 = NET10(1), .daddr.a4 = NET10(2),
		.proto = IPPROTO_UDP, .dport = htons(53),
	};
	int i;

	for (i = 0; i < 2; i++) {
		int err;

		pol[i] = ksad_policy_alloc();
		KUNIT_ASSERT_NOT_NULL(test, pol[i]);
		pol[i]->dir = KSAD_DIR_OUT;
		pol[i]->action = i ? KSAD_ACTION_DISCARD : KSAD_ACTION_BYPASS;
		pol[i]->priority = 1000;
		pol[i]->sel.family = AF_INET;
		pol[i]->sel.sprefix = 32;
		pol[i]->sel.dprefix = 32;
		pol[i]->sel.saddr.a4 = NET10(1);
		pol[i]->sel.daddr.a4 = NET10(2);
		mutex_lock(&kn->lock);
		err = ksad_spd_insert(kn, pol[i]);
		mutex_unlock(&kn->lock);
		KUNIT_ASSERT_EQ(test, 0, err);
	}
	KUNIT_EXPECT_PTR_EQ(test, pol[0], index_lookup(kn, KSAD_DIR_OUT, &fl));
	KUNIT_EXPECT_NULL(test, index_lookup(kn, KSAD_DIR_IN, &fl));
	/* matched: counted, and its last use is now */
	KUNIT_EXPECT_GE(test, READ_ONCE(pol[0]->last_use), pol[0]->add_time);
	KUNIT_EXPECT_EQ(test, 0, READ_ONCE(pol[1]->last_use));
	mutex_lock(&kn->lock);
	KUNIT_EXPECT_EQ(test, 0, ksad_spd_remove(kn, pol[0]->id));
	mutex_unlock(&kn->lock);
	KUNIT_EXPECT_PTR_EQ(test, pol[1], index_lookup(kn, KSAD_DIR_OUT, &fl));
}

static struct sk_buff *reply_fails(void *ctx, struct ksad_net *kn,
				   struct ksad_policy *pol)
{
	return ERR_PTR(-ENOMEM);
}

static struct sk_buff *reply_ok(void *ctx, struct ksad_net *kn,
				struct ksad_policy *pol)
{
	return alloc_skb(64, GFP_KERNEL) ?: ERR_PTR(-ENOMEM);
}

static struct ksad_policy *discard_policy(struct kunit *test)
{
	struct ksad_policy *pol = ksad_policy_alloc();

	KUNIT_ASSERT_NOT_NULL(test, pol);
	pol->dir = KSAD_DIR_OUT;
	pol->action = KSAD_ACTION_DISCARD;
	pol->priority = 1000;
	pol->sel.family = AF_INET;
	pol->sel.sprefix = 32;
	pol->sel.dprefix = 32;
	pol->sel.saddr.a4 = NET10(1);
	pol->sel.daddr.a4 = NET10(2);
	return pol;
}

/*
 * A POLICY_ADD whose reply cannot be built adds nothing (issue 17, point
 * 8): the policy used to be linked first, so the caller got an error for a
 * policy that was installed, and a retry added it twice.
 */
static void spd_add_reply_fails(struct kunit *test)
{
	struct ksad_net *kn = test->priv;
	struct ksad_policy *pol = discard_policy(test);
	struct ksad_flow fl = {
		.family = AF_INET, .saddr.a4 = NET10(1), .daddr.a4 = NET10(2),
		.proto = IPPROTO_UDP,
	};
	struct sk_buff *msg = NULL;

	KUNIT_EXPECT_EQ(test, -ENOMEM,
			ksad_spd_add(kn, pol, reply_fails, NULL, &msg, NULL));
	KUNIT_EXPECT_EQ(test, 0, kn->policy_count);
	KUNIT_EXPECT_TRUE(test, list_empty(&kn->policies));
	KUNIT_EXPECT_TRUE(test, xa_empty(&kn->policy_ids));
	KUNIT_EXPECT_TRUE(test, list_empty(&kn->pol_classes[KSAD_DIR_OUT]));
	KUNIT_EXPECT_NULL(test, index_lookup(kn, KSAD_DIR_OUT, &fl));
	ksad_policy_discard(pol);

	/* the retry: one policy, found */
	pol = discard_policy(test);
	KUNIT_ASSERT_EQ(test, 0,
			ksad_spd_add(kn, pol, reply_ok, NULL, &msg, NULL));
	kfree_skb(msg);
	KUNIT_EXPECT_EQ(test, 1, kn->policy_count);
	KUNIT_EXPECT_PTR_EQ(test, pol, index_lookup(kn, KSAD_DIR_OUT, &fl));
}

static struct ksad_policy *protect_policy(struct kunit *test,
					  struct ksad_net *kn, u8 mode,
					  u32 reqid)
{
	struct ksad_policy *pol = ksad_policy_alloc();
	int err;

	KUNIT_ASSERT_NOT_NULL(test, pol);
	pol->dir = KSAD_DIR_OUT;
	pol->action = KSAD_ACTION_PROTECT;
	pol->proto = KSAD_PROTO_ESP;
	pol->mode = mode;
	pol->reqid = reqid;
	pol->sel.family = AF_INET;
	pol->sel.sprefix = 24;
	pol->sel.dprefix = 24;
	pol->sel.saddr.a4 = NET10(0);
	pol->sel.daddr.a4 = NET10(0);
	if (mode == KSAD_MODE_TUNNEL) {
		pol->tun_family = AF_INET;
		pol->tun_dst.a4 = cpu_to_be32(0xc0000201);
	}
	mutex_lock(&kn->lock);
	err = ksad_spd_insert(kn, pol);
	mutex_unlock(&kn->lock);
	KUNIT_ASSERT_EQ(test, 0, err);
	return pol;
}

/* An outbound SA (ESP, AES-GCM) to @dst; @src 0: none. */
static struct ksad_sa *out_sa(struct kunit *test, struct ksad_net *kn,
			      u32 spi, __be32 dst, __be32 src, u8 mode,
			      u32 reqid)
{
	struct ksad_sa_cfg c = {};
	struct ksad_sa *sa;

	c.key.family = AF_INET;
	c.key.daddr.a4 = dst;
	c.key.proto = KSAD_PROTO_ESP;
	c.key.spi = spi;
	c.dir = KSAD_DIR_OUT;
	c.mode = mode;
	c.reqid = reqid;
	c.enc_alg = KSAD_ENCR_AES_GCM_16;
	c.enc_key_bits = 128;
	c.enc_key = key20;
	c.enc_key_len = sizeof(key20);
	c.set = A(PROTO) | A(DST_IPV4) | A(SPI) | A(DIR) | A(MODE) |
		A(REQID) | A(ENC_ALG) | A(ENC_KEY) | A(ENC_KEY_BITS);
	if (src) {
		c.saddr.a4 = src;
		c.set |= A(SRC_IPV4);
	}
	sa = ksad_sad_add(kn, &c, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sa));
	ksad_sa_put(sa);	/* the SAD keeps its own */
	return sa;
}

static struct ksad_sa *sa_for(struct ksad_net *kn, struct ksad_policy *pol,
			      __be32 src, __be32 dst, __be16 dport)
{
	struct ksad_flow fl = {
		.family = AF_INET, .saddr.a4 = src, .daddr.a4 = dst,
		.proto = IPPROTO_UDP, .sport = htons(40000), .dport = dport,
	};
	struct ksad_sa *sa;

	rcu_read_lock();
	sa = ksad_policy_sa_rcu(kn, pol, &fl);
	rcu_read_unlock();
	return sa;
}

/*
 * One transport-mode policy for 10.0.0.0/24: each destination's packets go
 * through that destination's SA; reqid, the SA's source and its selector
 * must fit too.  A tunnel-mode policy uses the SA to its tunnel's end.
 */
static void spd_template_per_destination(struct kunit *test)
{
	struct ksad_net *kn = test->priv;
	struct ksad_policy *pol = protect_policy(test, kn, KSAD_MODE_TRANSPORT, 0);
	struct ksad_policy *pol7 = protect_policy(test, kn, KSAD_MODE_TRANSPORT, 7);
	struct ksad_policy *tun = protect_policy(test, kn, KSAD_MODE_TUNNEL, 0);
	struct ksad_policy *pol1 = protect_policy(test, kn, KSAD_MODE_TRANSPORT, 1);
	__be32 me = NET10(0xfe), other = NET10(0x63);
	struct ksad_sa *s1, *s2, *s3, *s4, *s5, *st, *older, *newer;
	int i;

	s1 = out_sa(test, kn, 0x101, NET10(1), 0, KSAD_MODE_TRANSPORT, 1);
	s2 = out_sa(test, kn, 0x102, NET10(2), me, KSAD_MODE_TRANSPORT, 1);
	s3 = out_sa(test, kn, 0x103, NET10(3), 0, KSAD_MODE_TRANSPORT, 7);
	s4 = out_sa(test, kn, 0x104, NET10(4), other, KSAD_MODE_TRANSPORT, 1);
	st = out_sa(test, kn, 0x1ff, cpu_to_be32(0xc0000201), 0,
		    KSAD_MODE_TUNNEL, 1);

	KUNIT_EXPECT_PTR_EQ(test, s1, sa_for(kn, pol, me, NET10(1), 0));
	KUNIT_EXPECT_PTR_EQ(test, s2, sa_for(kn, pol, me, NET10(2), 0));
	KUNIT_EXPECT_PTR_EQ(test, s3, sa_for(kn, pol, me, NET10(3), 0));
	/* a destination without SA, and an SA of another mode */
	KUNIT_EXPECT_NULL(test, sa_for(kn, pol, me, NET10(5), 0));
	KUNIT_EXPECT_NULL(test, sa_for(kn, pol, me, cpu_to_be32(0xc0000201), 0));
	/* reqid 7 takes only SAs of reqid 7 */
	KUNIT_EXPECT_NULL(test, sa_for(kn, pol7, me, NET10(1), 0));
	KUNIT_EXPECT_PTR_EQ(test, s3, sa_for(kn, pol7, me, NET10(3), 0));
	/* an SA with a source is for packets from there only */
	KUNIT_EXPECT_NULL(test, sa_for(kn, pol, me, NET10(4), 0));
	KUNIT_EXPECT_PTR_EQ(test, s4, sa_for(kn, pol, other, NET10(4), 0));
	/* an SA's selector must cover the packet */
	s5 = out_sa(test, kn, 0x105, NET10(5), 0, KSAD_MODE_TRANSPORT, 1);
	s5->sel.family = AF_INET;
	s5->sel.proto = IPPROTO_UDP;
	s5->sel.dport = htons(53);
	KUNIT_EXPECT_PTR_EQ(test, s5, sa_for(kn, pol, me, NET10(5), htons(53)));
	KUNIT_EXPECT_NULL(test, sa_for(kn, pol, me, NET10(5), htons(80)));
	/*
	 * One destination, several SAs: an older SA of reqid 1 behind a newer
	 * one of reqid 9 is found by a policy of reqid 1; and more than the
	 * hash table's chain limit (16) to one destination fit.
	 */
	older = out_sa(test, kn, 0x106, NET10(6), 0, KSAD_MODE_TRANSPORT, 1);
	newer = out_sa(test, kn, 0x107, NET10(6), 0, KSAD_MODE_TRANSPORT, 9);
	KUNIT_EXPECT_PTR_EQ(test, newer, sa_for(kn, pol, me, NET10(6), 0));
	KUNIT_EXPECT_PTR_EQ(test, older, sa_for(kn, pol1, me, NET10(6), 0));
	for (i = 0; i < 40; i++)
		newer = out_sa(test, kn, 0x200 + i, NET10(6), 0,
			       KSAD_MODE_TRANSPORT, 3);
	KUNIT_EXPECT_PTR_EQ(test, newer, sa_for(kn, pol, me, NET10(6), 0));
	KUNIT_EXPECT_PTR_EQ(test, older, sa_for(kn, pol1, me, NET10(6), 0));
	/* tunnel mode: any packet, the tunnel's SA */
	KUNIT_EXPECT_PTR_EQ(test, st, sa_for(kn, tun, me, NET10(1), 0));
	KUNIT_EXPECT_PTR_EQ(test, st, sa_for(kn, tun, me, NET10(9), 0));
	/* an SA gone is not used */
	KUNIT_EXPECT_EQ(test, 0, ksad_sad_delete(kn, &s1->key, NULL));
	KUNIT_EXPECT_NULL(test, sa_for(kn, pol, me, NET10(1), 0));
}

static void acquire_for(struct ksad_net *kn, struct ksad_policy *pol,
			__be32 dst)
{
	struct ksad_flow fl = {
		.family = AF_INET, .saddr.a4 = NET10(0xfe), .daddr.a4 = dst,
		.proto = IPPROTO_UDP, .dport = htons(9),
	};

	rcu_read_lock();
	ksad_acquire(kn, pol, &fl);
	rcu_read_unlock();
}

/*
 * ACQUIRE is pending once per (policy, destination): a second packet to the
 * same destination adds nothing, another destination does; a tunnel's
 * destination is its end, whatever the packet's.  An SA to the destination
 * ends it; so does the larval timeout.  Beyond max-larval nothing is kept.
 */
static void spd_acquire_per_destination(struct kunit *test)
{
	struct ksad_net *kn = test->priv;
	struct ksad_policy *pol = protect_policy(test, kn, KSAD_MODE_TRANSPORT, 0);
	struct ksad_policy *tun = protect_policy(test, kn, KSAD_MODE_TUNNEL, 0);

	acquire_for(kn, pol, NET10(7));
	acquire_for(kn, pol, NET10(7));
	KUNIT_EXPECT_EQ(test, 1, ksad_acquire_pending(kn));
	acquire_for(kn, pol, NET10(8));
	KUNIT_EXPECT_EQ(test, 2, ksad_acquire_pending(kn));
	acquire_for(kn, tun, NET10(7));
	acquire_for(kn, tun, NET10(8));
	KUNIT_EXPECT_EQ(test, 3, ksad_acquire_pending(kn));
	/* the SA that was asked for comes: no longer pending */
	out_sa(test, kn, 0x107, NET10(7), 0, KSAD_MODE_TRANSPORT, 1);
	KUNIT_EXPECT_EQ(test, 2, ksad_acquire_pending(kn));

	/* the limit: not remembered, once a second per policy instead */
	WRITE_ONCE(kn->max_larval, 2);
	KUNIT_EXPECT_EQ(test, 0, READ_ONCE(pol->last_acquire));
	acquire_for(kn, pol, NET10(9));
	KUNIT_EXPECT_EQ(test, 2, ksad_acquire_pending(kn));
	KUNIT_EXPECT_NE(test, 0, READ_ONCE(pol->last_acquire));

	/* expiry: a new entry with a 1 s timeout is collected after it */
	WRITE_ONCE(kn->max_larval, 100);
	WRITE_ONCE(kn->larval_timeout, 1);
	acquire_for(kn, pol, NET10(10));
	KUNIT_EXPECT_EQ(test, 3, ksad_acquire_pending(kn));
	msleep(1500);
	flush_delayed_work(&kn->acquire_gc);
	/* the first three had 30 s: only the last one went */
	KUNIT_EXPECT_EQ(test, 2, ksad_acquire_pending(kn));
}

static struct kunit_case spd_cases[] = {
	KUNIT_CASE(spd_index_is_search_order),
	KUNIT_CASE(spd_equal_priority_older_first),
	KUNIT_CASE(spd_add_reply_fails),
	KUNIT_CASE(spd_template_per_destination),
	KUNIT_CASE(spd_acquire_per_destination),
	{}
};

static struct kunit_suite spd_suite = {
	.name = "ksad_spd",
	.suite_init = spd_suite_init,
	.suite_exit = spd_suite_exit,
	.init = spd_test_init,
	.exit = spd_test_exit,
	.test_cases = spd_cases,
};

kunit_test_suite(spd_suite);
