/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System Generation ID: state and accounting shared by the driver and its
 * KUnit tests. Not an interface for other drivers: see <linux/sysgenid.h>.
 */
#ifndef _DRIVERS_MISC_SYSGENID_INTERNAL_H
#define _DRIVERS_MISC_SYSGENID_INTERNAL_H

#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <kunit/visibility.h>

/**
 * struct sysgenid_state - a generation counter and the accounting of its watchers
 * @lock:	Protects every field below and the fields of every watcher of
 *		this state. Taken with interrupts disabled: backends bump the
 *		generation from hard interrupt context.
 * @generation:	The current generation.
 * @seq:	Number of bumps so far. Whether a watcher is outdated is decided
 *		on @seq, not on @generation: the generation can come back to a
 *		value a watcher acknowledged long ago (min_gen 0xffffffff, then
 *		a wrap to 0), the bump count cannot in practice.
 * @tracked:	Number of watchers with tracking enabled.
 * @outdated:	Number of tracked watchers that have not acknowledged
 *		@generation. Always 0 <= @outdated <= @tracked.
 * @page:	Page shared read-only with userspace (NULL until allocated);
 *		@generation is mirrored at offset 0, the rest stays zero.
 * @read_wq:	Woken on every bump: blocked readers and pollers.
 * @outdated_wq: Woken on every bump and when @outdated drops to zero:
 *		WAIT_WATCHERS callers.
 */
struct sysgenid_state {
	spinlock_t lock;	/* irqsave; see above */
	u32 generation;
	u64 seq;
	unsigned int tracked;
	unsigned int outdated;
	u32 *page;
	wait_queue_head_t read_wq;
	wait_queue_head_t outdated_wq;
};

/**
 * struct sysgenid_watcher - per open file state
 * @acked:	The &sysgenid_state.seq of the last generation this file
 *		acknowledged; the file is outdated while @acked differs from
 *		the current &sysgenid_state.seq.
 * @tracked:	Whether the file counts in &sysgenid_state.outdated.
 *
 * Both fields are protected by &sysgenid_state.lock.
 */
struct sysgenid_watcher {
	u64 acked;
	bool tracked;
};

#if IS_ENABLED(CONFIG_KUNIT)
u32 sysgenid_next_generation(u32 cur, u32 min_gen);
u32 sysgenid_state_bump(struct sysgenid_state *st, u32 min_gen);
void sysgenid_watcher_open(struct sysgenid_state *st, struct sysgenid_watcher *w);
void sysgenid_watcher_release(struct sysgenid_state *st, struct sysgenid_watcher *w);
void sysgenid_watcher_set_tracking(struct sysgenid_state *st,
				   struct sysgenid_watcher *w, bool on);
int sysgenid_watcher_ack(struct sysgenid_state *st, struct sysgenid_watcher *w, u32 gen);
bool sysgenid_watcher_outdated(struct sysgenid_state *st,
			       struct sysgenid_watcher *w, u32 *gen);
#endif

#endif /* _DRIVERS_MISC_SYSGENID_INTERNAL_H */
