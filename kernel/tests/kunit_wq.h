/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the KUnit suites that free SAs share: a workqueue of their own for
 * the SAs' deferred frees.  KUnit runs a module's suites before its init on
 * 6.1 and after it on 6.12, so the module's workqueue is put back at exit.
 */
#ifndef KSAD_KUNIT_WQ_H
#define KSAD_KUNIT_WQ_H

#include <linux/rcupdate.h>
#include <linux/workqueue.h>

#include "../ksad.h"

static inline int ksad_kunit_wq_get(struct workqueue_struct **saved,
				    const char *name)
{
	*saved = ksad_wq;
	ksad_wq = alloc_workqueue(name, WQ_UNBOUND, 0);
	return ksad_wq ? 0 : -ENOMEM;
}

static inline void ksad_kunit_wq_put(struct workqueue_struct *saved)
{
	rcu_barrier();
	if (ksad_wq)
		destroy_workqueue(ksad_wq);
	ksad_wq = saved;
}

#endif
