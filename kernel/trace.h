/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints, one per SAD operation: the standard tracing tools see them
 * (e.g. `echo 1 > /sys/kernel/tracing/events/ksad/enable`).  Keys are never
 * traced.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ksad

#if !defined(_KSAD_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KSAD_TRACE_H

#include <linux/socket.h>
#include <linux/tracepoint.h>

#include "sa.h"

DECLARE_EVENT_CLASS(ksad_sa_op,
		    TP_PROTO(const struct ksad_sa_key *key, u8 dir, u8 state,
			     u32 what, int err),
		    TP_ARGS(key, dir, state, what, err),
		    TP_STRUCT__entry(__field(u32, spi)
				     __field(u8, proto)
				     __field(u8, dir)
				     __field(u8, state)
				     __field(u32, what)
				     __field(int, err)
				     __array(char, dst, 48)),
		    TP_fast_assign(__entry->spi = key->spi;
				   __entry->proto = key->proto;
				   __entry->dir = dir;
				   __entry->state = state;
				   __entry->what = what;
				   __entry->err = err;
				   snprintf(__entry->dst, sizeof(__entry->dst),
					    key->family == AF_INET6 ? "%pI6c" : "%pI4",
					    &key->daddr);),
		    TP_printk("spi=0x%08x proto=%s dst=%s dir=%s state=%u what=%u err=%d",
			      __entry->spi, __entry->proto == 51 ? "ah" : "esp",
			      __entry->dst,
			      __entry->dir == 1 ? "in" :
			      __entry->dir == 2 ? "out" : "-",
			      __entry->state, __entry->what, __entry->err)
);

#define KSAD_DEFINE_SA_OP(name)						\
DEFINE_EVENT(ksad_sa_op, name,						\
	TP_PROTO(const struct ksad_sa_key *key, u8 dir, u8 state,	\
		 u32 what, int err),					\
	TP_ARGS(key, dir, state, what, err))

KSAD_DEFINE_SA_OP(ksad_getspi);
KSAD_DEFINE_SA_OP(ksad_add);
KSAD_DEFINE_SA_OP(ksad_update);
KSAD_DEFINE_SA_OP(ksad_remove);		/* what: enum ksad_event */
KSAD_DEFINE_SA_OP(ksad_expire);		/* what: KSAD_LT_SOFT/HARD */

#endif /* _KSAD_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
