// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic selectors (RFC 7296 2.9, 3.13): narrowing what the peer
 * proposes to what we are configured for, and the first selector of a TS
 * payload (the packet that triggered an ACQUIRE goes first).
 */
#include <stdbool.h>
#include <string.h>

#include "exchange.h"

/* @out = @proposed narrowed to @mine; false if they do not meet. */
bool ike_ts_narrow(const struct ike_ts *proposed, const struct ike_ts *mine,
		   struct ike_ts *out)
{
	size_t alen = mine->type == 7 ? 4 : 16;

	if (proposed->type != mine->type)
		return false;
	*out = *mine;
	if (proposed->proto && mine->proto && proposed->proto != mine->proto)
		return false;
	out->proto = proposed->proto ? proposed->proto : mine->proto;
	out->start_port = proposed->start_port > mine->start_port ?
			  proposed->start_port : mine->start_port;
	out->end_port = proposed->end_port < mine->end_port ?
			proposed->end_port : mine->end_port;
	if (memcmp(proposed->start, mine->start, alen) > 0)
		memcpy(out->start, proposed->start, alen);
	if (memcmp(proposed->end, mine->end, alen) < 0)
		memcpy(out->end, proposed->end, alen);
	return out->start_port <= out->end_port &&
	       memcmp(out->start, out->end, alen) <= 0;
}

/* The first selector of a TS payload. */
int ike_first_ts(const struct ike_msg *m, uint8_t type, struct ike_ts *ts)
{
	const struct ike_payload *pl = ike_msg_find(m, type, NULL);
	struct ike_ts all[IKE_MAX_TS];
	size_t n;

	if (!pl || ike_ts_parse(pl, all, IKE_MAX_TS, &n) || !n)
		return -1;
	*ts = all[0];
	return 0;
}

/* Is @a's range wider than @b's (addresses first, then ports)? */
static bool ts_wider(const struct ike_ts *a, const struct ike_ts *b)
{
	size_t alen = a->type == 7 ? 4 : 16, i;
	uint8_t da[16], db[16];
	int borrow_a = 0, borrow_b = 0, cmp;

	for (i = alen; i-- > 0;) {
		int x = a->end[i] - a->start[i] - borrow_a;
		int y = b->end[i] - b->start[i] - borrow_b;

		borrow_a = x < 0;
		borrow_b = y < 0;
		da[i] = (uint8_t)(x + (borrow_a ? 256 : 0));
		db[i] = (uint8_t)(y + (borrow_b ? 256 : 0));
	}
	cmp = memcmp(da, db, alen);
	if (cmp)
		return cmp > 0;
	return a->end_port - a->start_port > b->end_port - b->start_port;
}

/*
 * Narrow the selectors of payload @type of @m to @mine (2.9): the widest of
 * the intersections, so that a first selector naming the packet that
 * started the exchange (an ACQUIRE's) does not shrink the CHILD SA to it.
 * Return: 0, or -1 if none of them meets @mine.
 */
int ike_narrow_ts(const struct ike_msg *m, uint8_t type, const struct ike_ts *mine,
		  struct ike_ts *out)
{
	const struct ike_payload *pl = ike_msg_find(m, type, NULL);
	struct ike_ts all[IKE_MAX_TS], x;
	bool found = false;
	size_t n, i;

	if (!pl || ike_ts_parse(pl, all, IKE_MAX_TS, &n))
		return -1;
	for (i = 0; i < n; i++)
		if (ike_ts_narrow(&all[i], mine, &x) && (!found || ts_wider(&x, out))) {
			*out = x;
			found = true;
		}
	return found ? 0 : -1;
}
