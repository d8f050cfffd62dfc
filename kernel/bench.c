// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark hooks, in KSAD_BENCH=y builds only (make bench):
 *
 * The cost of one SA lookup by identity in ksad's table, next to
 * xfrm_state_lookup() in the kernel's XFRM, over the same keys in the
 * caller's namespace (bench/bench.sh, part lookup).  Both sides take and drop a
 * reference, as a datapath would.  Also timed: the hash of ksad's key alone
 * (what its table computes for each lookup).
 *
 *   echo "N M" > /sys/kernel/debug/ksad/lookup   M lookups of random SAs
 *   cat /sys/kernel/debug/ksad/lookup            among SA 0..N-1 of bench/
 *
 * The cost of protecting one packet with ESP, next to the bare AEAD call on
 * a buffer of the same size with the same transform (bench/bench.sh, part esp):
 * ksad_esp_output() -- room in the skb, ESP header, IV, padding, trailer,
 * AAD and scatterlist, request, encryption -- and its completion, which
 * hands the packet back instead of sending it (KSAD_BENCH_MARK).  With
 * "in", the cost of checking one: ksad_esp_input() -- request, AAD,
 * decryption and ICV check -- and ksad_input_finish() up to delivery
 * (replay window and lifetime under the SA's lock, padding, stripping ESP
 * in transport mode, the SA's selector; no policies), next to a bare
 * decryption of the same size.  Not in it: what ksad_input_ipsec() does
 * first (the SA lookup and the replay pre-check) and the delivery.
 *
 *   echo "ALG SIZE COUNT [out|in]" > /sys/kernel/debug/ksad/esp
 *   cat /sys/kernel/debug/ksad/esp        ALG: gcm128, chacha
 *
 * The cost of one inbound policy lookup among the N policies that
 * bench/bench.sh (part policy) installs in both SPDs of the caller's namespace
 * (policy i: 10.i.1 -> 11.i.1 with prefix length P, i as two bytes): ksad's
 * ksad_spd_lookup_rcu() next to XFRM's __xfrm_policy_check() on a packet of
 * that flow (its policy lookup, with an "allow" policy without templates).
 *
 *   echo "N M P" > /sys/kernel/debug/ksad/policy   M lookups, random i < N
 *   cat /sys/kernel/debug/ksad/policy
 *
 * Where an SA lookup's time goes as the tables grow (part lookup): how many
 * entries a lookup that finds its SA compares in each table (the chains
 * walked, counted), on how many distinct cache lines of an entry the
 * fields it reads lie, and the time of one dependent load from a random one
 * of N objects of an SA's slab size -- a pointer chase over the same kind of
 * memory and footprint as N SAs, with nothing else in it.
 *
 *   echo "N M" > /sys/kernel/debug/ksad/lookupmem   M loads among N objects
 *   cat /sys/kernel/debug/ksad/lookupmem
 */
#include <crypto/aead.h>
#include <linux/debugfs.h>
#include <linux/rhashtable.h>
#include <linux/ip.h>
#include <linux/nsproxy.h>
#include <linux/scatterlist.h>
#include <linux/udp.h>
#include <net/xfrm.h>

#include "datapath.h"

static struct dentry *ksad_bench_dir;
static char ksad_bench_result[200];
static DEFINE_MUTEX(ksad_bench_lock);

/* A request written to a hook, as a string in @buf. */
static int bench_request(char *buf, size_t size, const char __user *ubuf,
			 size_t len)
{
	if (len >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	return 0;
}

/* Each hook's read: what its last write measured (the file's data). */
static ssize_t ksad_bench_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	const char *result = file->private_data;
	ssize_t ret;

	mutex_lock(&ksad_bench_lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, result, strlen(result));
	mutex_unlock(&ksad_bench_lock);
	return ret;
}

/* SA i of bench/ksad-bench.c. */
static __be32 bench_dst(u32 i)
{
	return htonl(0xc6120000u + (i & 0xffff) + ((i >> 16) << 16));
}

static u32 bench_next(u32 *state, u32 n)
{
	*state = *state * 1664525u + 1013904223u;
	return *state % n;
}

static u64 bench_ksad(struct net *net, u32 n, u32 m, u32 *found)
{
	struct ksad_net *kn = ksad_net(net);
	struct ksad_sa_key key = { .proto = KSAD_PROTO_ESP, .family = AF_INET };
	u32 seed = 1, i, j;
	struct ksad_sa *sa;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < m; i += 1024) {
		rcu_read_lock();
		for (j = i; j < m && j < i + 1024; j++) {
			u32 k = bench_next(&seed, n);

			key.daddr.a4 = bench_dst(k);
			key.spi = 0x10000 + k;
			sa = ksad_sad_lookup_rcu(kn, &key);
			if (sa && refcount_inc_not_zero(&sa->refcnt)) {
				(*found)++;
				ksad_sa_put(sa);
			}
		}
		rcu_read_unlock();
		cond_resched();
	}
	return ktime_get_ns() - t0;
}

/* ns for @m of the hashes that ksad's table computes for the same keys */
static u64 bench_ksad_hash(u32 n, u32 m, u32 *sink)
{
	struct ksad_sa_key key = { .proto = KSAD_PROTO_ESP, .family = AF_INET };
	u32 seed = 1, i, k;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < m; i++) {
		k = bench_next(&seed, n);
		key.daddr.a4 = bench_dst(k);
		key.spi = 0x10000 + k;
		*sink += ksad_sa_key_hash(&key, i);
	}
	return ktime_get_ns() - t0;
}

static u64 bench_xfrm(struct net *net, u32 n, u32 m, u32 *found)
{
	u32 seed = 1, i, k;
	xfrm_address_t d = {};
	struct xfrm_state *x;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < m; i++) {
		k = bench_next(&seed, n);
		d.a4 = bench_dst(k);
		x = xfrm_state_lookup(net, 0, &d, htonl(0x10000 + k), IPPROTO_ESP,
				      AF_INET);
		if (x) {
			(*found)++;
			xfrm_state_put(x);
		}
		if ((i & 1023) == 1023)
			cond_resched();
	}
	return ktime_get_ns() - t0;
}

static ssize_t ksad_bench_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct net *net = current->nsproxy->net_ns;
	u32 n, m, fk = 0, fx = 0, sink = 0;
	struct bucket_table *tbl;
	u64 tk, tx, th;
	char buf[32];
	int err;

	err = bench_request(buf, sizeof(buf), ubuf, len);
	if (err)
		return err;
	if (sscanf(buf, "%u %u", &n, &m) != 2 || !n || !m)
		return -EINVAL;
	mutex_lock(&ksad_bench_lock);
	tk = bench_ksad(net, n, m, &fk);
	tx = bench_xfrm(net, n, m, &fx);
	th = bench_ksad_hash(n, m, &sink);
	rcu_read_lock();
	tbl = rcu_dereference(ksad_net(net)->sa_table.tbl);
	snprintf(ksad_bench_result, sizeof(ksad_bench_result),
		 "ksad_ns %llu xfrm_ns %llu found %u %u buckets %u nested %u rehashing %d hash_ns %llu sink %u\n",
		 div_u64(tk, m), div_u64(tx, m), fk, fx, tbl->size, tbl->nest,
		 !!rcu_access_pointer(tbl->future_tbl), div_u64(th, m), sink & 1);
	rcu_read_unlock();
	mutex_unlock(&ksad_bench_lock);
	return len;
}

#define BENCH_BATCH	256

static char ksad_bench_esp_result[200];

/*
 * The packets of a batch that ksad_output_finish() or ksad_input_finish()
 * gave back, kept until the batch's timing ends (freeing them is not
 * timed, as allocating them is not).
 */
static struct sk_buff *bench_back[BENCH_BATCH];
/* a batch on its way in (under ksad_bench_lock, as all of the above) */
static struct sk_buff *bench_pkts[BENCH_BATCH];
static atomic_t bench_slot, bench_sent, bench_errors;
static int bench_want;

void ksad_bench_sent(struct sk_buff *skb, int err)
{
	int i = atomic_fetch_inc(&bench_slot);

	if (err)
		atomic_inc(&bench_errors);
	if (i < BENCH_BATCH)
		bench_back[i] = skb;
	else
		kfree_skb(skb);
	if (atomic_inc_return(&bench_sent) >= READ_ONCE(bench_want))
		wake_up_var(&bench_sent);
}

static void bench_expect(int n)
{
	atomic_set(&bench_slot, 0);
	atomic_set(&bench_sent, 0);
	WRITE_ONCE(bench_want, n);
}

/* Wait for the @n packets of bench_expect(); they are in bench_back[]. */
static void bench_wait(int n)
{
	wait_var_event(&bench_sent, atomic_read(&bench_sent) >= n);
	smp_rmb();	/* bench_back[] as ksad_bench_sent() wrote it */
}

static void bench_free_back(int n)
{
	while (n--)
		kfree_skb(bench_back[n]);
}

static const u8 bench_key[36] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

/* The outbound SA (@dir OUT) or its inbound twin (same SPI and keys). */
static struct ksad_sa *bench_esp_sa(struct net *net, bool chacha, u8 dir)
{
	struct ksad_sa_cfg c = {};

	c.key.family = AF_INET;
	/* 198.18.255.254, or .253: the twins differ in address only */
	c.key.daddr.a4 = htonl(dir == KSAD_DIR_OUT ? 0xc612fffe : 0xc612fffd);
	c.key.proto = KSAD_PROTO_ESP;
	c.key.spi = 0xbe0000;
	c.dir = dir;
	c.enc_alg = chacha ? KSAD_ENCR_CHACHA20_POLY1305 : KSAD_ENCR_AES_GCM_16;
	c.enc_key_bits = chacha ? 256 : 128;
	c.enc_key = bench_key;
	c.enc_key_len = chacha ? 36 : 20;
	c.set = BIT_ULL(KSAD_SA_PROTO) | BIT_ULL(KSAD_SA_DST_IPV4) |
		BIT_ULL(KSAD_SA_SPI) | BIT_ULL(KSAD_SA_DIR) |
		BIT_ULL(KSAD_SA_ENC_ALG) | BIT_ULL(KSAD_SA_ENC_KEY) |
		BIT_ULL(KSAD_SA_ENC_KEY_BITS);
	if (dir == KSAD_DIR_IN) {
		c.replay_window = 128;
		c.set |= BIT_ULL(KSAD_SA_REPLAY_WINDOW);
	}
	return ksad_sad_add(ksad_net(net), &c, NULL);
}

static struct sk_buff *bench_esp_skb(unsigned int size)
{
	struct sk_buff *skb = alloc_skb(LL_MAX_HEADER + 64 + size + 64,
					GFP_KERNEL);
	struct iphdr *iph;

	if (!skb)
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER + 64);
	iph = skb_put_zero(skb, sizeof(*iph) + size);
	iph->version = 4;
	iph->ihl = 5;
	iph->protocol = IPPROTO_UDP;
	skb_reset_network_header(skb);
	skb->mark = KSAD_BENCH_MARK;
	return skb;
}

/*
 * @n packets of @size bytes through ksad_esp_output() on @sa, sequence
 * numbers @seq + 1..; ns taken, or 0 if the packets could not be made.
 * The results are in bench_back[].
 */
static u64 bench_esp_out_batch(struct ksad_sa *sa, unsigned int size,
			       u32 seq, int n)
{
	struct sk_buff **batch = bench_pkts;
	int i;
	u64 t0;

	for (i = 0; i < n; i++) {
		batch[i] = bench_esp_skb(size);
		if (!batch[i]) {
			while (i--)
				kfree_skb(batch[i]);
			return 0;
		}
	}
	bench_expect(n);
	t0 = ktime_get_ns();
	local_bh_disable();
	for (i = 0; i < n; i++) {
		refcount_inc(&sa->refcnt);
		ksad_esp_output(sa, batch[i], sizeof(struct iphdr), IPPROTO_UDP,
				seq + i + 1);
	}
	local_bh_enable();
	bench_wait(n);
	return ktime_get_ns() - t0 ?: 1;
}

/*
 * ns for @count packets through ksad's ESP output transform (@in NULL) or,
 * with @in, through its input transform and what ksad_input_finish() does
 * before delivery (ICV check, replay window, padding, decapsulation, the
 * SA's selector) on packets that @sa encrypted untimed.
 */
static u64 bench_esp_datapath(struct ksad_sa *sa, struct ksad_sa *in,
			      unsigned int size, u32 count)
{
	struct sk_buff **batch = bench_pkts;
	static u32 seqs[BENCH_BATCH];	/* under ksad_bench_lock */
	u32 done = 0;
	u64 t = 0, t0, to;
	int i, n;

	while (done < count) {
		n = min_t(u32, count - done, BENCH_BATCH);
		to = bench_esp_out_batch(sa, size, done, n);
		if (!to)
			return 0;
		if (!in) {
			t += to;
			bench_free_back(n);
			done += n;
			cond_resched();
			continue;
		}
		/* in the order they completed: each keeps its number */
		memcpy(batch, bench_back, n * sizeof(*batch));
		for (i = 0; i < n; i++) {
			struct iphdr *iph = ip_hdr(batch[i]);
			struct ip_esp_hdr *esph = (void *)(iph + 1);

			iph->protocol = IPPROTO_ESP;
			iph->tot_len = htons(batch[i]->len);
			seqs[i] = ntohl(esph->seq_no);
		}
		bench_expect(n);
		t0 = ktime_get_ns();
		local_bh_disable();
		for (i = 0; i < n; i++) {
			refcount_inc(&in->refcnt);
			ksad_esp_input(in, batch[i], sizeof(struct iphdr),
				       seqs[i]);
		}
		local_bh_enable();
		/* every packet comes back, dropped ones with their error */
		bench_wait(n);
		t += ktime_get_ns() - t0;
		bench_free_back(n);
		done += n;
		cond_resched();
	}
	return t;
}

/*
 * ns for @count bare AEAD calls of the same size with the same transform:
 * encryptions in place or, if @decrypt, decryptions of one genuine
 * ciphertext into another buffer (each must succeed).
 */
static u64 bench_esp_aead(struct ksad_sa *sa, unsigned int size, u32 count,
			  bool decrypt)
{
	struct crypto_aead *aead = sa->crypto.aead;
	unsigned int icv = sa->crypto.icv_len, ivlen = sa->crypto.iv_len;
	unsigned int clen = ALIGN(size + 2, sa->crypto.align);
	struct scatterlist sg[2], dsg[2];
	struct aead_request *req;
	DECLARE_CRYPTO_WAIT(wait);
	u8 *buf, *ad, *dbuf, iv[16] = {};
	u64 t0, t = 0;
	int err;
	u32 i;

	buf = kzalloc(2 * (clen + icv), GFP_KERNEL);
	ad = kzalloc(2 * (8 + ivlen), GFP_KERNEL);
	req = aead_request_alloc(aead, GFP_KERNEL);
	if (!buf || !ad || !req)
		goto out;
	dbuf = buf + clen + icv;
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], ad, 8 + ivlen);
	sg_set_buf(&sg[1], buf, clen + icv);
	sg_init_table(dsg, 2);
	sg_set_buf(&dsg[0], ad + 8 + ivlen, 8 + ivlen);
	sg_set_buf(&dsg[1], dbuf, clen + icv);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				  crypto_req_done, &wait);
	aead_request_set_ad(req, 8 + ivlen);
	if (decrypt) {	/* the ciphertext, made once */
		aead_request_set_crypt(req, sg, sg, clen, iv);
		if (crypto_wait_req(crypto_aead_encrypt(req), &wait))
			goto out;
	}
	t0 = ktime_get_ns();
	for (i = 0; i < count; i++) {
		local_bh_disable();	/* as the datapath runs */
		if (decrypt) {
			aead_request_set_crypt(req, sg, dsg, clen + icv, iv);
			err = crypto_aead_decrypt(req);
		} else {
			aead_request_set_crypt(req, sg, sg, clen, iv);
			err = crypto_aead_encrypt(req);
		}
		local_bh_enable();
		if (crypto_wait_req(err, &wait))
			atomic_inc(&bench_errors);
		if ((i & 1023) == 1023)
			cond_resched();
	}
	t = ktime_get_ns() - t0;
out:
	aead_request_free(req);
	kfree(ad);
	kfree(buf);
	return t;
}

static int bench_esp_run(struct net *net, bool chacha, bool in,
			 unsigned int size, u32 count)
{
	struct crypto_aead *aead;
	struct ksad_sa *sa, *isa = NULL;
	u64 td, ta, async;
	int err = 0;

	sa = bench_esp_sa(net, chacha, KSAD_DIR_OUT);
	if (IS_ERR(sa))
		return PTR_ERR(sa);
	if (in) {
		isa = bench_esp_sa(net, chacha, KSAD_DIR_IN);
		if (IS_ERR(isa)) {
			err = PTR_ERR(isa);
			isa = NULL;
			goto out;
		}
	}
	aead = sa->crypto.aead;
	atomic_set(&bench_errors, 0);
	async = ksad_stat_sum(sa->kn, KSAD_STAT_CRYPTO_ASYNC);
	td = bench_esp_datapath(sa, isa, size, count);
	async = ksad_stat_sum(sa->kn, KSAD_STAT_CRYPTO_ASYNC) - async;
	ta = bench_esp_aead(in ? isa : sa, size, count, in);
	if (!td || !ta) {
		err = -ENOMEM;
		goto out;
	}
	/* a figure with failed packets in it is no figure */
	if (atomic_read(&bench_errors))
		err = -EIO;
	snprintf(ksad_bench_esp_result, sizeof(ksad_bench_esp_result),
		 "datapath_ns %llu aead_ns %llu driver %s async %u completions_async %llu errors %d\n",
		 div_u64(td, count), div_u64(ta, count),
		 crypto_tfm_alg_driver_name(crypto_aead_tfm(aead)),
		 !!(crypto_aead_alg(aead)->base.cra_flags & CRYPTO_ALG_ASYNC),
		 async, atomic_read(&bench_errors));
out:
	if (isa) {
		ksad_sad_delete(isa->kn, &isa->key, NULL);
		ksad_sa_put(isa);
	}
	ksad_sad_delete(sa->kn, &sa->key, NULL);
	ksad_sa_put(sa);
	return err;
}

/* "ALG SIZE COUNT [out|in]" */
static ssize_t ksad_bench_esp_write(struct file *file,
				    const char __user *ubuf, size_t len,
				    loff_t *ppos)
{
	char buf[48], alg[16], dir[4] = "out";
	unsigned int size;
	u32 count;
	int err;

	err = bench_request(buf, sizeof(buf), ubuf, len);
	if (err)
		return err;
	if (sscanf(buf, "%15s %u %u %3s", alg, &size, &count, dir) < 3 ||
	    !count || size < 8 || size > 9000 ||
	    (strcmp(alg, "gcm128") && strcmp(alg, "chacha")) ||
	    (strcmp(dir, "out") && strcmp(dir, "in")))
		return -EINVAL;
	mutex_lock(&ksad_bench_lock);
	err = bench_esp_run(current->nsproxy->net_ns, !strcmp(alg, "chacha"),
			    !strcmp(dir, "in"), size, count);
	mutex_unlock(&ksad_bench_lock);
	return err ?: len;
}

static char ksad_bench_pol_result[160];

/* Flow i of bench/bench.sh's part policy: 10.x.y.1 -> 11.x.y.1, x.y = i. */
static void bench_pol_addrs(u32 i, __be32 *src, __be32 *dst)
{
	*src = htonl(0x0a000001u | (i & 0xffff) << 8);
	*dst = htonl(0x0b000001u | (i & 0xffff) << 8);
}

static u64 bench_pol_ksad(struct net *net, u32 n, u32 m, u32 *found)
{
	struct ksad_net *kn = ksad_net(net);
	struct ksad_flow fl = {
		.family = AF_INET, .proto = IPPROTO_UDP,
		.sport = htons(40000), .dport = htons(4000),
	};
	u32 seed = 1, i, j;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < m; i += 1024) {
		rcu_read_lock();
		for (j = i; j < m && j < i + 1024; j++) {
			bench_pol_addrs(bench_next(&seed, n), &fl.saddr.a4,
					&fl.daddr.a4);
			if (ksad_spd_lookup_rcu(kn, KSAD_DIR_IN, &fl))
				(*found)++;
		}
		rcu_read_unlock();
		cond_resched();
	}
	return ktime_get_ns() - t0;
}

static u64 bench_pol_xfrm(struct net *net, u32 n, u32 m, u32 *found,
			  int *err)
{
	struct sk_buff *skb = alloc_skb(128, GFP_KERNEL);
	u32 seed = 1, i;
	struct iphdr *iph;
	struct udphdr *uh;
	u64 t0;

	if (!skb) {
		*err = -ENOMEM;
		return 0;
	}
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->tot_len = htons(sizeof(*iph) + sizeof(*uh));
	skb_set_transport_header(skb, sizeof(*iph));
	uh = skb_put_zero(skb, sizeof(*uh));
	uh->source = htons(40000);
	uh->dest = htons(4000);
	skb->protocol = htons(ETH_P_IP);
	skb->dev = net->loopback_dev;
	t0 = ktime_get_ns();
	for (i = 0; i < m; i++) {
		bench_pol_addrs(bench_next(&seed, n), &iph->saddr, &iph->daddr);
		/* 1: allowed, which only a matching "allow" policy says */
		if (__xfrm_policy_check(NULL, XFRM_POLICY_IN, skb, AF_INET))
			(*found)++;
		if ((i & 1023) == 1023)
			cond_resched();
	}
	t0 = ktime_get_ns() - t0;
	kfree_skb(skb);
	return t0;
}

static ssize_t ksad_bench_pol_write(struct file *file,
				    const char __user *ubuf, size_t len,
				    loff_t *ppos)
{
	struct net *net = current->nsproxy->net_ns;
	u32 n, m, p, fk = 0, fx = 0;
	char buf[48];
	u64 tk, tx;
	int err = 0;

	err = bench_request(buf, sizeof(buf), ubuf, len);
	if (err)
		return err;
	if (sscanf(buf, "%u %u %u", &n, &m, &p) != 3 || !n || !m)
		return -EINVAL;
	mutex_lock(&ksad_bench_lock);
	tk = bench_pol_ksad(net, n, m, &fk);
	tx = bench_pol_xfrm(net, n, m, &fx, &err);
	if (!err)
		snprintf(ksad_bench_pol_result, sizeof(ksad_bench_pol_result),
			 "prefix %u ksad_ns %llu xfrm_ns %llu found %u %u\n", p,
			 div_u64(tk, m), div_u64(tx, m), fk, fx);
	mutex_unlock(&ksad_bench_lock);
	return err ?: len;
}

static char ksad_bench_mem_result[220];

/*
 * Entries compared by the lookups that find each entry once: a chain of c
 * entries costs 1 + 2 + ... + c of them.  In steps of 64k buckets, so that
 * the walk can sleep between them; -EAGAIN if the table was resized
 * meanwhile (both grow in the background), else its size.
 */
#define BENCH_WALK_STEP	65536

static int bench_chains(struct net *net, bool xfrm, u64 *compared,
			u64 *entries)
{
	struct hlist_head *byspi = NULL;
	struct bucket_table *tbl = NULL;
	const void *first = NULL;
	unsigned int seq = 0;
	struct rhash_head *pos;
	struct xfrm_state *x;
	u32 i, end, size;

	for (i = 0, size = 1; i < size; i = end) {
		rcu_read_lock();
		if (xfrm) {	/* as xfrm_hash_ptrs_get(): table and mask */
			do {
				seq = read_seqcount_begin(&net->xfrm.xfrm_state_hash_generation);
				byspi = rcu_dereference(net->xfrm.state_byspi);
				size = READ_ONCE(net->xfrm.state_hmask) + 1;
			} while (read_seqcount_retry(&net->xfrm.xfrm_state_hash_generation,
						     seq));
		} else {
			tbl = rcu_dereference(ksad_net(net)->sa_table.tbl);
			size = rcu_access_pointer(tbl->future_tbl) ? 0 : tbl->size;
		}
		if (!first)
			first = xfrm ? (void *)byspi : (void *)tbl;
		if (!size || first != (xfrm ? (void *)byspi : (void *)tbl)) {
			rcu_read_unlock();
			return -EAGAIN;
		}
		for (end = min(size, i + BENCH_WALK_STEP); i < end; i++) {
			u64 c = 0;

			if (xfrm)
				hlist_for_each_entry_rcu(x, byspi + i, byspi)
					c++;
			else
				rht_for_each_rcu(pos, tbl, i)
					c++;
			*compared += c * (c + 1) / 2;
			*entries += c;
		}
		rcu_read_unlock();
		cond_resched();
	}
	return size;
}

/* distinct 64-byte lines of an object (64-byte aligned) that @n fields span */
static u32 bench_lines(const size_t (*f)[2], int n)
{
	u64 seen = 0;
	int i;

	for (i = 0; i < n; i++) {
		size_t l;

		for (l = f[i][0] / 64; l <= (f[i][0] + f[i][1] - 1) / 64; l++)
			seen |= BIT_ULL(min_t(size_t, l, 63));
	}
	return hweight64(seen);
}

/*
 * What a lookup reads of the entry it finds: the chain link and the key, as
 * of each entry it passes, and the reference count.
 */
static const size_t bench_ksad_fields[][2] = {
	{ offsetof(struct ksad_sa, node),
	  sizeof_field(struct ksad_sa, node) },
	{ offsetof(struct ksad_sa, key),
	  sizeof_field(struct ksad_sa, key) },
	{ offsetof(struct ksad_sa, refcnt),
	  sizeof_field(struct ksad_sa, refcnt) },
};

/* the same in __xfrm_state_lookup(), xfrm_state_hold_rcu() and put */
static const size_t bench_xfrm_fields[][2] = {
	{ offsetof(struct xfrm_state, byspi),
	  sizeof_field(struct xfrm_state, byspi) },
	{ offsetof(struct xfrm_state, props.family),
	  sizeof_field(struct xfrm_state, props.family) },
	{ offsetof(struct xfrm_state, id),
	  sizeof_field(struct xfrm_state, id) },
	{ offsetof(struct xfrm_state, mark),
	  sizeof_field(struct xfrm_state, mark) },
	{ offsetof(struct xfrm_state, refcnt),
	  sizeof_field(struct xfrm_state, refcnt) },
};

/*
 * ns per step of a chase through @n objects of @size bytes from kmalloc (as
 * SAs are allocated), linked in one cycle in random order, @m steps; timed
 * in batches, each ending before the task may yield.
 */
static int bench_chase(u32 n, u32 m, size_t size, u64 *ns, unsigned long *sink)
{
	void **objs, **p;
	u32 i, j;
	u64 t0;
	int err = 0;

	objs = kvmalloc_array(n, sizeof(*objs), GFP_KERNEL | __GFP_ZERO);
	if (!objs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		objs[i] = kmalloc(size, GFP_KERNEL_ACCOUNT);
		if (!objs[i]) {
			err = -ENOMEM;
			goto out;
		}
		if ((i & 1023) == 1023)
			cond_resched();
	}
	for (i = n - 1; i > 0; i--) {
		j = get_random_u32() % (i + 1);
		swap(objs[i], objs[j]);
	}
	for (i = 0; i < n; i++)
		*(void **)objs[i] = objs[(i + 1) % n];
	p = objs[0];
	*ns = 0;
	for (i = 0; i < m; ) {
		t0 = ktime_get_ns();
		for (j = 0; j < 1024 && i < m; j++, i++)
			p = *p;
		*ns += ktime_get_ns() - t0;
		cond_resched();
	}
	*sink = (unsigned long)p;
out:
	for (i = 0; i < n; i++)
		kfree(objs[i]);
	kvfree(objs);
	return err;
}

static ssize_t ksad_bench_mem_write(struct file *file, const char __user *ubuf,
				    size_t len, loff_t *ppos)
{
	struct net *net = current->nsproxy->net_ns;
	u64 kc = 0, ke = 0, xc = 0, xe = 0, ns = 0;
	size_t size = kmalloc_size_roundup(sizeof(struct ksad_sa));
	unsigned long sink = 0;
	int err, kb, xb;
	char buf[32];
	u32 n, m;

	err = bench_request(buf, sizeof(buf), ubuf, len);
	if (err)
		return err;
	if (sscanf(buf, "%u %u", &n, &m) != 2 || n < 2 || !m)
		return -EINVAL;
	mutex_lock(&ksad_bench_lock);
	kb = bench_chains(net, false, &kc, &ke);
	xb = bench_chains(net, true, &xc, &xe);
	err = kb < 0 ? kb : xb < 0 ? xb : bench_chase(n, m, size, &ns, &sink);
	if (!err)
		snprintf(ksad_bench_mem_result, sizeof(ksad_bench_mem_result),
			 "chase_ns %llu object %zu ksad_compared %llu/%llu buckets %d lines %u xfrm_compared %llu/%llu buckets %d lines %u object %zu sink %lu\n",
			 div_u64(ns, m), size, kc, ke, kb,
			 bench_lines(bench_ksad_fields,
				     ARRAY_SIZE(bench_ksad_fields)),
			 xc, xe, xb,
			 bench_lines(bench_xfrm_fields,
				     ARRAY_SIZE(bench_xfrm_fields)),
			 sizeof(struct xfrm_state), sink & 1);
	mutex_unlock(&ksad_bench_lock);
	return err ?: len;
}

#define KSAD_BENCH_FOPS(writer) {			\
	.owner = THIS_MODULE,				\
	.open = simple_open,				\
	.write = writer,				\
	.read = ksad_bench_read,			\
	.llseek = default_llseek,			\
}

static const struct file_operations ksad_bench_lookup_fops =
	KSAD_BENCH_FOPS(ksad_bench_write);
static const struct file_operations ksad_bench_esp_fops =
	KSAD_BENCH_FOPS(ksad_bench_esp_write);
static const struct file_operations ksad_bench_pol_fops =
	KSAD_BENCH_FOPS(ksad_bench_pol_write);
static const struct file_operations ksad_bench_mem_fops =
	KSAD_BENCH_FOPS(ksad_bench_mem_write);

/* the hooks: a file each, with its result and its ops */
static const struct {
	const char *name;
	char *result;
	const struct file_operations *fops;
} ksad_bench_files[] = {
	{ "lookup", ksad_bench_result, &ksad_bench_lookup_fops },
	{ "esp", ksad_bench_esp_result, &ksad_bench_esp_fops },
	{ "policy", ksad_bench_pol_result, &ksad_bench_pol_fops },
	{ "lookupmem", ksad_bench_mem_result, &ksad_bench_mem_fops },
};

int ksad_bench_init(void)
{
	int i;

	ksad_bench_dir = debugfs_create_dir("ksad", NULL);
	for (i = 0; i < ARRAY_SIZE(ksad_bench_files); i++)
		debugfs_create_file(ksad_bench_files[i].name, 0600,
				    ksad_bench_dir, ksad_bench_files[i].result,
				    ksad_bench_files[i].fops);
	return 0;
}

void ksad_bench_uninit(void)
{
	debugfs_remove_recursive(ksad_bench_dir);
}
