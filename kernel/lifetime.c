// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes: soft and hard limits on bytes, packets, seconds since the SA got
 * its keys and seconds since its first use (RFC 2367 2.3.4, RFC 4301 4.4.2.1),
 * and the timeout of a larval SA that was never UPDATEd.
 *
 * One timer per SA fires at its next time deadline; the datapath kicks the
 * same work when a byte or packet count crosses a limit.  The timer runs in
 * softirq context, so it only queues the work, which takes the namespace's
 * lock and acts: a soft limit sends one EXPIRE and marks the SA dying; a hard
 * limit sends EXPIRE(hard) and removes the SA.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>

#include "ksad.h"
#include "sa.h"
#include "trace.h"

/* A deadline @limit seconds after @base (ns), if there is a limit. */
static unsigned int ksad_deadline(u64 limit, u64 base, u64 now,
				  unsigned int flag, u64 *next)
{
	u64 at;

	if (!limit || !base)
		return 0;
	at = base + min_t(u64, limit, U64_MAX / 2 / NSEC_PER_SEC) * NSEC_PER_SEC;
	if (now >= at)
		return flag;
	if (!*next || at < *next)
		*next = at;
	return 0;
}

static unsigned int ksad_count_limit(u64 limit, u64 count, unsigned int flag)
{
	return limit && count >= limit ? flag : 0;
}

/* Which of the limits in @lt has an SA with counters @st reached? */
static unsigned int ksad_limits(const struct ksad_lifetime *lt,
				const struct ksad_sa_stats *st, u64 now,
				unsigned int flag, u64 *next)
{
	return ksad_deadline(lt->add_seconds, st->add_boot, now, flag, next) |
	       ksad_deadline(lt->use_seconds, st->first_use_boot, now, flag,
			     next) |
	       ksad_count_limit(lt->bytes, st->bytes, flag) |
	       ksad_count_limit(lt->packets, st->packets, flag);
}

/**
 * ksad_lifetime_check() - which limits has an SA reached?
 * @sa: the SA; its lock held (the datapath counts and reads the limits
 *      under it; UPDATE changes them under it)
 * @now: boottime in ns
 * @larval_timeout: seconds a larval SA may live
 * @next: set to the next time deadline (boottime ns), or 0 for none
 *
 * A soft limit that already fired is not reported again.
 * Return: KSAD_LT_SOFT and/or KSAD_LT_HARD.
 */
unsigned int ksad_lifetime_check(const struct ksad_sa *sa, u64 now,
				 u32 larval_timeout, u64 *next)
{
	const struct ksad_sa_stats *st = &sa->stats;
	unsigned int due = 0;

	lockdep_assert_held(&sa->lock);
	*next = 0;
	if (sa->state == KSAD_STATE_LARVAL)
		return ksad_deadline(larval_timeout, st->add_boot, now,
				     KSAD_LT_HARD, next);

	due |= ksad_limits(&sa->hard, st, now, KSAD_LT_HARD, next);
	if (READ_ONCE(sa->seq_exhausted))
		due |= KSAD_LT_HARD;
	if (!sa->soft_expired)
		due |= ksad_limits(&sa->soft, st, now, KSAD_LT_SOFT, next);
	return due;
}

/* Arm the timer for the next deadline, or run the work now if one is due. */
void ksad_lifetime_arm(struct ksad_sa *sa)
{
	u64 now = ktime_get_boottime_ns(), next;
	unsigned int due;

	lockdep_assert_held(&sa->kn->lock);
	spin_lock_bh(&sa->lock);
	due = ksad_lifetime_check(sa, now, sa->kn->larval_timeout, &next);
	spin_unlock_bh(&sa->lock);
	if (due)
		mod_timer(&sa->timer, jiffies);
	else if (next)	/* rounded up: a timer never fires early */
		mod_timer(&sa->timer, jiffies + (unsigned long)
			  min_t(u64, nsecs_to_jiffies64(next - now) + 1,
				MAX_JIFFY_OFFSET));
	else
		del_timer(&sa->timer);
}

/* Have the expiry work look at @sa soon.  Any context. */
void ksad_lifetime_kick(struct ksad_sa *sa)
{
	/* The queued work holds a reference. */
	if (refcount_inc_not_zero(&sa->refcnt) &&
	    !queue_work(ksad_wq, &sa->expire_work))
		ksad_sa_put(sa);
}

void ksad_lifetime_timer(struct timer_list *t)
{
	struct ksad_sa *sa = from_timer(sa, t, timer);

	ksad_lifetime_kick(sa);
}

/**
 * ksad_lifetime_use() - count a packet of @len bytes on @sa
 * @sa: the SA; its lock held
 * @len: bytes
 *
 * Return: -EKEYEXPIRED if a hard limit was already reached (drop the
 * packet), 1 if the expiry work must look at the SA (ksad_lifetime_kick()
 * once the lock is dropped), else 0.
 */
int ksad_lifetime_use(struct ksad_sa *sa, unsigned int len)
{
	struct ksad_sa_stats *st = &sa->stats;
	int kick = 0;

	if (ksad_count_limit(sa->hard.bytes, st->bytes, 1) ||
	    ksad_count_limit(sa->hard.packets, st->packets, 1))
		return -EKEYEXPIRED;
	st->last_use = ktime_get_real_seconds();
	if (!st->first_use_boot) {
		st->first_use = st->last_use;
		st->first_use_boot = ktime_get_boottime_ns();
		/* use-time deadlines start now: rearm the timer */
		kick = sa->soft.use_seconds || sa->hard.use_seconds;
	}
	st->bytes += len;
	st->packets++;
	if (ksad_count_limit(sa->hard.bytes, st->bytes, 1) ||
	    ksad_count_limit(sa->hard.packets, st->packets, 1) ||
	    (!sa->soft_expired &&
	     (ksad_count_limit(sa->soft.bytes, st->bytes, 1) ||
	      ksad_count_limit(sa->soft.packets, st->packets, 1))))
		kick = 1;
	return kick;
}

void ksad_lifetime_expire_work(struct work_struct *work)
{
	struct ksad_sa *sa = container_of(work, struct ksad_sa, expire_work);
	struct ksad_net *kn = sa->kn;
	unsigned int due;
	u64 next;

	mutex_lock(&kn->lock);
	if (!sa->state)		/* removed meanwhile */
		goto out;
	spin_lock_bh(&sa->lock);
	due = ksad_lifetime_check(sa, ktime_get_boottime_ns(),
				  kn->larval_timeout, &next);
	if ((due & KSAD_LT_SOFT) && !(due & KSAD_LT_HARD))
		sa->soft_expired = true;
	spin_unlock_bh(&sa->lock);
	if (due & KSAD_LT_HARD) {
		if (sa->state == KSAD_STATE_LARVAL) {
			ksad_sad_remove(sa, KSAD_EVENT_LARVAL_EXPIRED);
		} else {
			ksad_notify_expire(sa, true);
			trace_ksad_expire(&sa->key, sa->dir, sa->state,
					  KSAD_LT_HARD, 0);
			ksad_sad_remove(sa, KSAD_EVENT_EXPIRED);
		}
		goto out;
	}
	if (due & KSAD_LT_SOFT) {	/* soft_expired set above */
		WRITE_ONCE(sa->state, KSAD_STATE_DYING);
		ksad_notify_expire(sa, false);
		trace_ksad_expire(&sa->key, sa->dir, sa->state, KSAD_LT_SOFT, 0);
	}
	ksad_lifetime_arm(sa);
out:
	mutex_unlock(&kn->lock);
	ksad_sa_put(sa);
}
