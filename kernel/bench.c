// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark hook, in KSAD_BENCH=y builds only (bench/sad.sh): the cost of one
 * SA lookup by identity in ksad's table, next to xfrm_state_lookup() in the
 * kernel's XFRM, over the same keys in the caller's namespace.
 *
 *   echo "N M" > /sys/kernel/debug/ksad/lookup   M lookups of random SAs
 *   cat /sys/kernel/debug/ksad/lookup            among SA 0..N-1 of bench/
 *
 * Both sides take and drop a reference, as a datapath would.
 */
#include <linux/debugfs.h>
#include <linux/nsproxy.h>
#include <net/xfrm.h>

#include "ksad.h"
#include "sa.h"

static struct dentry *ksad_bench_dir;
static char ksad_bench_result[160];
static DEFINE_MUTEX(ksad_bench_lock);

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
	u32 n, m, fk = 0, fx = 0;
	u64 tk, tx;
	char buf[32];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%u %u", &n, &m) != 2 || !n || !m)
		return -EINVAL;
	mutex_lock(&ksad_bench_lock);
	tk = bench_ksad(net, n, m, &fk);
	tx = bench_xfrm(net, n, m, &fx);
	snprintf(ksad_bench_result, sizeof(ksad_bench_result),
		 "ksad_ns %llu xfrm_ns %llu found %u %u\n",
		 div_u64(tk, m), div_u64(tx, m), fk, fx);
	mutex_unlock(&ksad_bench_lock);
	return len;
}

static ssize_t ksad_bench_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&ksad_bench_lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, ksad_bench_result,
				      strlen(ksad_bench_result));
	mutex_unlock(&ksad_bench_lock);
	return ret;
}

static const struct file_operations ksad_bench_fops = {
	.owner = THIS_MODULE,
	.write = ksad_bench_write,
	.read = ksad_bench_read,
	.llseek = default_llseek,
};

int ksad_bench_init(void)
{
	ksad_bench_dir = debugfs_create_dir("ksad", NULL);
	debugfs_create_file("lookup", 0600, ksad_bench_dir, NULL,
			    &ksad_bench_fops);
	return 0;
}

void ksad_bench_uninit(void)
{
	debugfs_remove_recursive(ksad_bench_dir);
}
