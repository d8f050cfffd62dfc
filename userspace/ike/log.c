// SPDX-License-Identifier: GPL-2.0
/*
 * What ksad-ike says: failures (level 0), events (1) and every IKE message
 * (2) on stdout, prefixed with the connection's name when there are
 * several; with --trace the same as NOTE lines of the trace that
 * `ksad-ike columns` draws.
 */
#include <stdarg.h>
#include <stdio.h>

#include "daemon.h"

struct ike_ksad *trace_ks;	/* with --trace: events go to the trace */
int log_level = 1;		/* 0 errors, 1 events, 2 messages too */
static char conn_tag[72];		/* "NAME: " with several connections */

bool tracing;			/* --trace */

int die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ksad-ike: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return 2;
}

/*
 * What happened, for the log (level 1: events; failures use level 0, each
 * IKE message level 2); with --trace a NOTE line of the trace.
 */
void say_at(int level, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (trace_ks)
		ike_ksad_note(trace_ks, "NOTE", "%s%s", conn_tag, msg);
	else
		printf("ksad-ike: %s%s\n", conn_tag, msg);
}

/* Log and trace as connection @d from here on. */
void log_as(struct daemon *d)
{
	trace_ks = tracing ? d->ks : NULL;
	if (d->stay)
		snprintf(conn_tag, sizeof(conn_tag), "%.63s: ", d->name);
}

/* The trace's name for a message we send. */
const char *msg_label(const struct ike_sa *sa, const uint8_t *msg)
{
	static const char *const req[] = {
		[IKE_REQ_DPD] = "INFORMATIONAL (liveness)",
		[IKE_REQ_REKEY_CHILD] = "CREATE_CHILD_SA (rekey CHILD SA)",
		[IKE_REQ_REKEY_IKE] = "CREATE_CHILD_SA (rekey IKE SA)",
		[IKE_REQ_DELETE_CHILD] = "INFORMATIONAL (Delete CHILD SA)",
		[IKE_REQ_DELETE_OLD_CHILD] = "INFORMATIONAL (Delete old CHILD SA)",
		[IKE_REQ_DELETE_IKE] = "INFORMATIONAL (Delete IKE SA)",
		[IKE_REQ_NEW_CHILD] = "CREATE_CHILD_SA (new CHILD SA)",
		[IKE_REQ_DELETE_EXTRA] = "INFORMATIONAL (Delete redundant CHILD SA)",
	};
	static char buf[64];
	static const char *const xchg[] = { "IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA",
					    "INFORMATIONAL" };
	const char *x = msg[18] >= IKE_SA_INIT && msg[18] <= IKE_INFORMATIONAL ?
			xchg[msg[18] - IKE_SA_INIT] : "?";

	if (!(msg[19] & IKE_FLAG_RESPONSE) && msg[18] > IKE_AUTH && sa->pending &&
	    (size_t)sa->pending < sizeof(req) / sizeof(req[0]) && req[sa->pending])
		return req[sa->pending];
	snprintf(buf, sizeof(buf), "%s %s", x, msg[19] & IKE_FLAG_RESPONSE ? "response" : "request");
	return buf;
}

const char *state_name(enum ike_state s)
{
	static const char *const names[] = { "idle", "IKE_SA_INIT sent",
		"IKE_AUTH sent", "IKE_SA_INIT answered", "established", "failed",
		"rekeyed", "deleted" };

	return names[s];
}
