// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon at work: the poll loop over the IKE sockets, the control
 * socket and each connection's ksad socket; retransmission timers (1, 2,
 * 4, 8 s, then the peer is dead), NAT keepalives, what ksad's ACQUIRE and
 * EXPIRE ask for (initiate, rekey, delete), and the orderly stop on
 * SIGTERM/SIGINT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../uapi/linux/ksad.h"
#include "daemon.h"

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int daemon_slot(const struct daemon *d, const struct ike_sa *sa)
{
	return sa == &d->sas[1];
}

/* Send what an SA produced; a request is retransmitted 1, 2, 4, 8 s on. */
void daemon_emit(struct daemon *d, struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	if (!len)
		return;
	if (trace_ks)
		ike_ksad_note(trace_ks, "SEND", "%s", msg_label(sa, msg));
	else
		say_at(2, "sent %s, %zu bytes", msg_label(sa, msg), len);
	send_ike(d->fds[d->to_natt], d->to_natt, msg, len, &d->to, d->to_len);
	if (!(msg[19] & IKE_FLAG_RESPONSE)) {
		d->tries[daemon_slot(d, sa)] = 0;
		d->due[daemon_slot(d, sa)] = now_ms() + 1000;
	}
}

bool daemon_awaiting(const struct ike_sa *sa)
{
	return sa->state == IKE_INIT_SENT || sa->state == IKE_AUTH_SENT ||
	       ((sa->state == IKE_ESTABLISHED || sa->state == IKE_REKEYED) &&
		sa->pending);
}

void daemon_report(struct daemon *d, struct ike_sa *sa, enum ike_state before)
{
	if (sa->event[0])
		say("%s", sa->event);
	sa->event[0] = 0;
	if (sa->state != before && sa->state != IKE_REKEYED && sa != d->old)
		say("%s", state_name(sa->state));
	if (sa->state == IKE_ESTABLISHED && before != IKE_ESTABLISHED && sa->child_up[0] &&
	    (before == IKE_AUTH_SENT || before == IKE_INIT_DONE))
		say("CHILD SA up: in 0x%08x out 0x%08x",
		       sa->child[0].spi_in, sa->child[0].spi_out);
	if (sa->rekeyed) {
		/* an IKE rekey: the new SA takes over, the old one waits for its Delete */
		sa->rekeyed = false;
		d->old = sa;
		d->sa = sa->successor;
		d->due[daemon_slot(d, d->sa)] = 0;
	}
	if (d->old && d->old->state == IKE_DELETED) {
		d->due[daemon_slot(d, d->old)] = 0;
		ike_sa_free(d->old);
		d->old = NULL;
	}
	d->sa->successor = d->old ? NULL : &d->sas[!daemon_slot(d, d->sa)];
}

int daemon_start(struct daemon *d)
{
	uint8_t out[4096];
	size_t len;

	d->sa = &d->sas[0];
	ike_sa_free(d->sa);
	if (ike_sa_initiate(d->sa, &d->cfg, &d->k, out, sizeof(out), &len))
		return -1;
	d->to_len = to_sockaddr(&d->cfg.remote, &d->to);
	d->to_natt = false;
	daemon_emit(d, d->sa, out, len);
	return 0;
}

/* A retransmission timer ran out. Return: 1 when the daemon should exit. */
static int expire(struct daemon *d, struct ike_sa *sa)
{
	int s = daemon_slot(d, sa);

	if (!daemon_awaiting(sa)) {
		d->due[s] = 0;
		return 0;
	}
	if (++d->tries[s] > 4) {
		d->due[s] = 0;
		if (sa->state == IKE_INIT_SENT || sa->state == IKE_AUTH_SENT) {
			say_at(0, "no answer from the peer, giving up");
			sa->state = IKE_FAILED;
			return !d->stay;
		}
		say_at(0, "no answer from the peer: it is dead; its SAs go");
		ike_sa_dead(sa);
		daemon_report(d, sa, IKE_ESTABLISHED);
		return d->initiate && !d->on_demand && sa == d->sa && !d->stay;
	}
	if (trace_ks)
		ike_ksad_note(trace_ks, "SEND", "%s (again)", msg_label(sa, sa->req));
	send_ike(d->fds[d->to_natt], d->to_natt, sa->req, sa->req_len, &d->to, d->to_len);
	d->due[s] = now_ms() + (1000LL << d->tries[s]);
	return 0;
}

/*
 * Behind a NAT, one byte 0xFF to the peer's NAT-T port every keepalive_s
 * seconds keeps the NAT's mapping for IKE and ESP in UDP (RFC 3948 4);
 * ksad on the other side drops it (in-nat-keepalive).
 */
static void keepalive(struct daemon *d)
{
	static const uint8_t ka = 0xff;
	struct ike_sa *sa = d->sa;

	if (sa->state != IKE_ESTABLISHED || !sa->nat_local || !d->to_natt ||
	    !d->keepalive_s) {
		d->keepalive_due = 0;
		return;
	}
	if (!d->keepalive_due) {
		d->keepalive_due = now_ms() + d->keepalive_s * 1000LL;
		return;
	}
	if (now_ms() < d->keepalive_due)
		return;
	sendto(d->fds[1], &ka, 1, 0, (const struct sockaddr *)&d->to, d->to_len);
	d->keepalive_due = now_ms() + d->keepalive_s * 1000LL;
}

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * SIGTERM or SIGINT: tell the peer the IKE SA is gone (one Delete, no
 * waiting for the answer), take our CHILD SAs, their policies and our
 * bypass and trap policies out of ksad, as charon does when it stops.
 */
static void shut_down(struct daemon *d)
{
	struct ike_sa *sa = d->sa;
	uint8_t out[4096];
	size_t len = 0;

	say("stopping: deleting the IKE SA and everything it keyed");
	/* (with a request of ours outstanding, the window is full: no Delete) */
	if (sa->state == IKE_ESTABLISHED &&
	    !ike_sa_request(sa, IKE_REQ_DELETE_IKE, out, sizeof(out), &len))
		daemon_emit(d, sa, out, len);
	if (sa->state == IKE_ESTABLISHED || sa->state == IKE_REKEYED)
		ike_sa_dead(sa);
	if (d->old)
		ike_sa_dead(d->old);
	ike_ksad_cleanup(d->ks);
}

/* Send a request on the current IKE SA; 0, -EBUSY or -EINVAL. */
static int request(struct daemon *d, enum ike_req what)
{
	struct ike_sa *sa = d->sa;
	enum ike_state before = sa->state;
	uint8_t out[4096];
	size_t len;
	int rc;

	rc = ike_sa_request(sa, what, out, sizeof(out), &len);
	daemon_report(d, sa, before);
	daemon_emit(d, sa, out, len);
	return rc;
}

/*
 * ksad's notifications: ACQUIRE (a packet for our trap policy and no SA:
 * negotiate), soft EXPIRE of the CHILD SA (rekey it before it is gone),
 * hard EXPIRE (ksad removed the SA: tell the peer to delete the pair).
 */
static void kernel_event(struct daemon *d)
{
	struct ike_kevent ev;
	struct ike_sa *sa = d->sa;
	char l[80], r[80];
	int slot;

	if (ike_ksad_event(d->ks, &ev) || ev.type == IKE_KEV_NONE)
		return;
	if (ev.type == IKE_KEV_ACQUIRE) {
		if (ev.reqid != d->cfg.reqid || !d->on_demand ||
		    (sa->state != IKE_IDLE && sa->state != IKE_DELETED &&
		     sa->state != IKE_FAILED))
			return;
		if (ev.has_sel)
			say("ACQUIRE for reqid %u: a packet %s -> %s wants the CHILD SA; initiating",
			    ev.reqid, ike_ts_str(&ev.pkt_local, l, sizeof(l)),
			    ike_ts_str(&ev.pkt_remote, r, sizeof(r)));
		else
			say("ACQUIRE for reqid %u: a packet wants the CHILD SA; initiating",
			    ev.reqid);
		if (daemon_start(d)) {
			say("cannot initiate: %s", d->sa->why);
			return;
		}
		/* its selectors go first in IKE_AUTH's TS payloads (2.9) */
		d->sa->pkt_ts = ev.has_sel;
		d->sa->pkt_local = ev.pkt_local;
		d->sa->pkt_remote = ev.pkt_remote;
		return;
	}
	slot = sa->state == IKE_ESTABLISHED ?
	       ike_sa_child_by_spi(sa, ev.spi, ev.dir == KSAD_DIR_IN) : -1;
	if (slot < 0)
		return;	/* an old SA of a rekey, or not ours */
	say("%s EXPIRE of SA 0x%08x: %s", ev.hard ? "hard" : "soft", ev.spi,
	    ev.hard ? "deleting the CHILD SA" : "rekeying the CHILD SA");
	d->todo = ev.hard ? IKE_REQ_DELETE_CHILD : IKE_REQ_REKEY_CHILD;
	d->todo_spi = sa->child[slot].spi_in;
	d->todo_due = now_ms();
}

/* Run the request EXPIRE asked for, now or (busy, or refused) a bit later. */
static void do_todo(struct daemon *d)
{
	struct ike_sa *sa = d->sa;
	int rc;

	if (!d->todo || now_ms() < d->todo_due)
		return;
	sa->target = sa->state == IKE_ESTABLISHED ?
		     ike_sa_child_by_spi(sa, d->todo_spi, true) : -1;
	if (sa->target < 0) {
		sa->target = 0;
		d->todo = IKE_REQ_NONE;	/* done, or overtaken (a rekey by the peer) */
		return;
	}
	rc = request(d, d->todo);
	sa->target = 0;
	if (rc == -EBUSY || (!rc && d->todo == IKE_REQ_REKEY_CHILD)) {
		/* look again in 1 to 3 s: done if the rekey replaced the SA */
		d->todo_due = now_ms() + 1000 + random() % 2000;
		if (rc)
			return;
	}
	if (!rc && d->todo == IKE_REQ_DELETE_CHILD)
		d->todo = IKE_REQ_NONE;
}

/*
 * Start the connections that initiate, then serve all of them until a
 * signal (0), or until the one connection is done (--once, or it failed).
 * Return: the exit code.
 */
int daemon_run(struct daemon *conns, int n_conns, int lfd)
{
	static uint8_t in[65536];
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (i = 0; i < n_conns; i++) {
		log_as(&conns[i]);
		if (conns[i].initiate) {
			char peer[INET6_ADDRSTRLEN];

			if (daemon_start(&conns[i]))
				return die("cannot start: %s", conns[i].sa->why);
			inet_ntop(conns[i].cfg.remote.family, conns[i].cfg.remote.a, peer,
				  sizeof(peer));
			say("IKE_SA_INIT -> %s", peer);
		}
	}
	for (;;) {
		struct pollfd p[3 + MAX_CONNS] = { { .fd = conns[0].fds[0], .events = POLLIN },
						   { .fd = conns[0].fds[1], .events = POLLIN },
						   { .fd = lfd, .events = POLLIN } };
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		long long now = now_ms(), next = now + 1000;
		struct daemon *d;
		bool natt;
		ssize_t n;
		int rc, s;

		for (i = 0; i < n_conns; i++) {
			d = &conns[i];
			p[3 + i].fd = d->efd;
			p[3 + i].events = POLLIN;
			for (s = 0; s < 2; s++)
				if (d->due[s] && d->due[s] < next)
					next = d->due[s];
			if (d->todo && d->todo_due < next)
				next = d->todo_due;
			if (d->keepalive_due && d->keepalive_due < next)
				next = d->keepalive_due;
		}
		rc = poll(p, (nfds_t)(3 + n_conns), next > now ? (int)(next - now) : 0);
		if (stopping) {
			for (i = 0; i < n_conns; i++) {
				log_as(&conns[i]);
				shut_down(&conns[i]);
			}
			return 0;
		}
		now = now_ms();
		for (i = 0; i < n_conns; i++) {
			d = &conns[i];
			log_as(d);
			for (s = 0; s < 2; s++)
				if (d->due[s] && d->due[s] <= now && expire(d, &d->sas[s]))
					return 1;
			do_todo(d);
			keepalive(d);
			if (rc > 0 && (p[3 + i].revents & POLLIN))
				kernel_event(d);
		}
		if (rc <= 0)
			continue;
		if (p[2].revents & POLLIN) {
			d = ctl_serve(conns, n_conns, lfd);
			if (d && d->sa->state == IKE_DELETED && d->initiate && !d->on_demand &&
			    !d->stay)
				return 0;
		}
		if (!(p[0].revents & POLLIN) && !(p[1].revents & POLLIN))
			continue;
		natt = !(p[0].revents & POLLIN);
		n = recvfrom(conns[0].fds[natt], in, sizeof(in), 0, (struct sockaddr *)&from, &flen);
		if (n <= 0)
			continue;
		if (natt) {
			/* IKE after the non-ESP marker (ESP in UDP is ksad's) */
			if (n < 4 + IKE_HDR_LEN || in[0] || in[1] || in[2] || in[3])
				continue;
			n -= 4;
			memmove(in, in + 4, (size_t)n);
		}
		d = daemon_route(conns, n_conns, in, (size_t)n, &from);
		if (!d) {
			say_at(2, "a datagram for no connection of ours: dropped");
			continue;
		}
		log_as(d);
		rc = daemon_receive(d, natt, in, (size_t)n, &from, flen);
		if (rc)
			return rc - 1;
	}
}
