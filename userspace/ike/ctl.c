// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket (--ctl SOCKET, a unix stream socket, mode 0600) and
 * its client, `ksad-ike ctl SOCKET [CONN] COMMAND`: one command per
 * connection, one answer ("ok..." or "error: ..."), then close.  list shows
 * the IKE and CHILD SAs; the others start an exchange on the IKE SA.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

static const char ctl_help[] =
	"commands: list, initiate, rekey-child [SLOT], rekey-ike, delete-child [SLOT], "
	"delete-ike (terminate), dpd, new-child LOCAL-PREFIX REMOTE-PREFIX\n";

int ctl_listen(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || strlen(path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || chmod(path, 0600) ||
	    listen(fd, 4)) {
		close(fd);
		return -1;
	}
	return fd;
}

int ctl_client(const char *path, const char *cmd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval limit = { .tv_sec = 10 };
	char reply[4096];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ssize_t n = 0;
	size_t got = 0;

	if (fd < 0 || strlen(path) >= sizeof(sun.sun_path))
		return die("bad control socket %s", path);
	strcpy(sun.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
		return die("cannot reach ksad-ike at %s: %s", path, strerror(errno));
	/* a daemon that is stuck must not hang its controller too */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
	if (write(fd, cmd, strlen(cmd)) < 0 || shutdown(fd, SHUT_WR))
		return die("%s", "cannot send the command");
	while (got < sizeof(reply) - 1 &&
	       (n = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return die("no answer from ksad-ike at %s in %ld s", path, (long)limit.tv_sec);
	reply[got] = 0;
	fputs(reply, stdout);
	return strncmp(reply, "ok", 2) ? 1 : 0;
}

static size_t list_sa(const struct ike_sa *sa, const char *what, char *out, size_t cap)
{
	char l[80], r[80];
	size_t n;
	int i;

	n = (size_t)snprintf(out, cap, "%s IKE SA 0x%016llx_i 0x%016llx_r %s (%s)\n", what,
			     (unsigned long long)sa->spi_i, (unsigned long long)sa->spi_r,
			     state_name(sa->state), sa->initiator ? "initiator" : "responder");
	for (i = 0; i < IKE_MAX_CHILDREN; i++)
		if (n < cap && sa->child_up[i])
			n += (size_t)snprintf(out + n, cap - n,
					      "  CHILD SA in 0x%08x out 0x%08x reqid %u slot %d%s %s === %s\n",
					      sa->child[i].spi_in, sa->child[i].spi_out,
					      sa->child[i].reqid, i,
					      sa->child[i].encap ? " (ESP in UDP)" : "",
					      ike_ts_str(&sa->child[i].ts_local, l, sizeof(l)),
					      ike_ts_str(&sa->child[i].ts_remote, r, sizeof(r)));
	if (n < cap && sa->has_old)
		n += (size_t)snprintf(out + n, cap - n, "  old CHILD SA in 0x%08x out 0x%08x\n",
				      sa->old.spi_in, sa->old.spi_out);
	if (n < cap && sa->has_extra)
		n += (size_t)snprintf(out + n, cap - n,
				      "  redundant CHILD SA (rekey collision) in 0x%08x out 0x%08x\n",
				      sa->extra.spi_in, sa->extra.spi_out);
	return n < cap ? n : cap;
}

struct daemon *ctl_serve(struct daemon *conns, int n_conns, int lfd)
{
	static const struct { const char *name; enum ike_req req; } reqs[] = {
		{ "rekey-child", IKE_REQ_REKEY_CHILD }, { "rekey-ike", IKE_REQ_REKEY_IKE },
		{ "delete-child", IKE_REQ_DELETE_CHILD }, { "delete-ike", IKE_REQ_DELETE_IKE },
		{ "terminate", IKE_REQ_DELETE_IKE }, { "dpd", IKE_REQ_DPD },
	};
	const struct timeval patience = { .tv_sec = 1 };
	char buf[160], *cmd = buf, reply[4096], a1[64] = "", a2[64] = "";
	struct daemon *d = &conns[0];
	bool all = n_conns > 1;
	uint8_t out[4096];
	size_t len, n = 0, i;
	ssize_t got;
	int fd = accept(lfd, NULL, NULL), rc, nargs, c;

	if (fd < 0)
		return NULL;
	/* a controller that connects and says nothing must not stall the daemon */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof(patience));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof(patience));
	got = read(fd, buf, sizeof(buf) - 1);
	buf[got > 0 ? got : 0] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	/* several connections: "NAME COMMAND ..." picks one (else the first) */
	for (c = 0; c < n_conns && n_conns > 1; c++) {
		size_t nl = strlen(conns[c].name);

		if (!strncmp(cmd, conns[c].name, nl) && cmd[nl] == ' ') {
			d = &conns[c];
			cmd += nl + 1;
			all = false;
			break;
		}
	}
	log_as(d);
	nargs = sscanf(cmd, "%*s %63s %63s", a1, a2);
	cmd[strcspn(cmd, " ")] = 0;
	if (!strcmp(cmd, "list")) {
		n = (size_t)snprintf(reply, sizeof(reply), "ok\n");
		for (c = 0; c < n_conns && n < sizeof(reply); c++) {
			struct daemon *x = all ? &conns[c] : d;

			if (n_conns > 1 && n < sizeof(reply))
				n += (size_t)snprintf(reply + n, sizeof(reply) - n,
						      "connection %s\n", x->name);
			if (n < sizeof(reply))
				n += list_sa(x->sa, "current", reply + n, sizeof(reply) - n);
			if (x->old && n < sizeof(reply))
				n += list_sa(x->old, "old", reply + n, sizeof(reply) - n);
			if (!all)
				break;
		}
	} else if (!strcmp(cmd, "initiate")) {
		if (d->sa->state != IKE_IDLE && d->sa->state != IKE_DELETED &&
		    d->sa->state != IKE_FAILED)
			n = (size_t)snprintf(reply, sizeof(reply), "error: an IKE SA exists\n");
		else if (daemon_start(d))
			n = (size_t)snprintf(reply, sizeof(reply), "error: %s\n", d->sa->why);
		else
			n = (size_t)snprintf(reply, sizeof(reply), "ok: IKE_SA_INIT sent\n");
	} else if (!strcmp(cmd, "new-child")) {
		struct ike_ts lts, rts;
		enum ike_state before = d->sa->state;

		if (nargs != 2 || ike_parse_ts(a1, &lts) || ike_parse_ts(a2, &rts)) {
			n = (size_t)snprintf(reply, sizeof(reply),
					     "error: new-child LOCAL-PREFIX REMOTE-PREFIX\n");
		} else {
			rc = ike_sa_new_child(d->sa, &lts, &rts, out, sizeof(out), &len);
			n = (size_t)snprintf(reply, sizeof(reply), "%s\n",
					     !rc ? "ok: new-child sent" :
					     rc == -EBUSY ? "error: busy (a request is under way)" :
					     rc == -ENOSPC ? "error: no room for another CHILD SA" :
					     "error: no established IKE SA");
			daemon_report(d, d->sa, before);
			daemon_emit(d, d->sa, out, len);
		}
	} else {
		for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
			if (!strcmp(cmd, reqs[i].name))
				break;
		if (i == sizeof(reqs) / sizeof(reqs[0])) {
			n = (size_t)snprintf(reply, sizeof(reply), "error: unknown command; %s",
					     ctl_help);
		} else {
			enum ike_state before = d->sa->state;

			/* rekey-child and delete-child take a daemon_slot (list shows them) */
			d->sa->target = nargs >= 1 ? atoi(a1) : 0;
			rc = ike_sa_request(d->sa, reqs[i].req, out, sizeof(out), &len);
			d->sa->target = 0;
			if (rc == -EBUSY)
				n = (size_t)snprintf(reply, sizeof(reply),
						     "error: busy (a request or rekey is under way)\n");
			else if (rc)
				n = (size_t)snprintf(reply, sizeof(reply),
						     "error: no established IKE SA or CHILD SA for it\n");
			else
				n = (size_t)snprintf(reply, sizeof(reply), "ok: %s sent\n", cmd);
			daemon_report(d, d->sa, before);
			daemon_emit(d, d->sa, out, len);
		}
	}
	if (write(fd, reply, n < sizeof(reply) ? n : sizeof(reply) - 1) < 0)
		perror("ksad-ike: control reply");
	close(fd);
	return d;
}
