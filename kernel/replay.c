// SPDX-License-Identifier: GPL-2.0
/*
 * The anti-replay window of an inbound SA (RFC 4303 3.4.3), with extended
 * sequence numbers (appendix A): the receiver keeps the highest sequence
 * number it authenticated and a bitmap of the last @window ones.  A packet is
 * checked before its ICV and recorded only after the ICV proved it genuine.
 * Callers hold the SA's lock.
 */
#include <linux/bitmap.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include "datapath.h"

/* Used to place a sequence number without a window (window 0). */
#define KSAD_ESN_GUESS_WINDOW	64

int ksad_replay_init(struct ksad_replay *r, u32 window)
{
	r->top = 0;
	r->window = window;
	r->nbits = window ? roundup_pow_of_two(max_t(u32, window,
						     BITS_PER_LONG)) : 0;
	r->bits = NULL;
	if (!window)
		return 0;
	r->bits = bitmap_zalloc(r->nbits, GFP_KERNEL_ACCOUNT);
	return r->bits ? 0 : -ENOMEM;
}

void ksad_replay_destroy(struct ksad_replay *r)
{
	bitmap_free(r->bits);
	r->bits = NULL;
}

/**
 * ksad_replay_infer() - the full sequence number of a received packet
 * @r: the window
 * @seq_lo: the 32 bits on the wire
 * @esn: the SA uses extended sequence numbers
 *
 * Without ESN the high half is always 0.  With ESN it is guessed from the
 * window as in RFC 4303 appendix A2.1.  A wrong guess fails the ICV.
 *
 * Return: the 64-bit sequence number the packet most likely carries.
 */
u64 ksad_replay_infer(const struct ksad_replay *r, u32 seq_lo, bool esn)
{
	u32 w = r->window ?: KSAD_ESN_GUESS_WINDOW;
	u32 tl = lower_32_bits(r->top), th = upper_32_bits(r->top);

	if (!esn)
		return seq_lo;
	if (tl >= w - 1) {
		/* The window lies within one 2^32 subspace. */
		if (seq_lo < tl - w + 1)
			th++;
	} else if (seq_lo >= tl - w + 1 && th) {
		/* The window spans two subspaces; this is in the lower one. */
		th--;
	}
	return (u64)th << 32 | seq_lo;
}

/* May a packet with sequence number @seq be accepted (ICV still unchecked)? */
bool ksad_replay_check(const struct ksad_replay *r, u64 seq)
{
	u64 diff;

	if (!seq)
		return false;	/* never sent: the first number is 1 */
	if (!r->window || seq > r->top)
		return true;
	diff = r->top - seq;
	if (diff >= r->window)
		return false;	/* left of the window */
	return !test_bit(seq & (r->nbits - 1), r->bits);
}

/* Record @seq, whose packet passed its ICV and ksad_replay_check(). */
void ksad_replay_advance(struct ksad_replay *r, u64 seq)
{
	u64 s;

	if (seq > r->top) {
		if (r->window) {
			if (seq - r->top >= r->nbits)
				bitmap_zero(r->bits, r->nbits);
			else
				for (s = r->top + 1; s < seq; s++)
					__clear_bit(s & (r->nbits - 1), r->bits);
		}
		r->top = seq;
	}
	if (r->window)
		__set_bit(seq & (r->nbits - 1), r->bits);
}
