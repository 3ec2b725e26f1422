// SPDX-License-Identifier: GPL-2.0
/*
 * System Generation ID
 *
 * /dev/sysgenid exposes a 32-bit generation counter that changes every time
 * the system is restored from a snapshot: whenever random.c reports a VM
 * fork (which devices such as vmgenid report to it), or when a container
 * runtime asks for it. Userspace learns about the change by reading or
 * polling the device, or by looking at a read-only shared page, and
 * acknowledges it by writing the new generation back. A control plane can
 * wait until every watcher that opted into tracking has acknowledged.
 *
 * See Documentation/misc-devices/sysgenid.rst.
 */

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/poll.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/sysgenid.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "sysgenid_internal.h"

/**
 * struct sysgenid_device - the device behind /dev/sysgenid
 * @st:		The counter, its page and its watchers; see &struct sysgenid_state
 *		for what its lock protects.
 * @misc:	The misc device; &miscdevice.this_device carries the sysfs
 *		attribute and the uevent.
 * @notify_work: Sends the uevent and the sysfs notification after a bump,
 *		from process context, with the newest generation.
 * @vmfork_nb:	Subscription to random.c's VM fork notifier chain.
 * @target:	The page and the slots, offered through random.c to devices
 *		that store the generation while the system is restored.
 *
 * There is one, created at module load; every file operation reaches it
 * from the file, the notifier and the work item from their own members.
 */
struct sysgenid_device {
	struct sysgenid_state st;
	struct miscdevice misc;
	struct work_struct notify_work;
	struct notifier_block vmfork_nb;
	struct random_vmfork_target target;
};

/**
 * struct sysgenid_file - an open file description of /dev/sysgenid
 * @w:		Its watcher state, protected by the device's &sysgenid_state.lock.
 * @sd:		The device it was opened on.
 */
struct sysgenid_file {
	struct sysgenid_watcher w;
	struct sysgenid_device *sd;
};

/**
 * sysgenid_next_generation() - the generation a bump produces
 * @cur:	the current generation
 * @min_gen:	the lowest acceptable result
 *
 * Return: max(@cur + 1, @min_gen), computed in unsigned 32-bit arithmetic,
 * so that @cur + 1 wraps to 0. A bump must always change the generation: in
 * the single case where that maximum equals @cur (@cur == @min_gen ==
 * U32_MAX) the result is @cur + 1, that is 0.
 */
VISIBLE_IF_KUNIT u32 sysgenid_next_generation(u32 cur, u32 min_gen)
{
	u32 next = max(cur + 1, min_gen);

	return next == cur ? cur + 1 : next;
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_next_generation);

/*
 * Move to a new generation: every tracked watcher becomes outdated, in O(1),
 * since a watcher is outdated exactly when the bump count it acknowledged
 * differs from the current one.
 *
 * The shared page is written under @st->lock, before any waiter is woken.
 * read(), poll() and WAIT_WATCHERS decide under the same lock whether a file
 * is outdated, so a task that learnt about the new generation from any of
 * them and then loads the page sees the new value: the lock's release here
 * pairs with its acquisition there. Loads of the page that are not preceded
 * by such a call have no ordering guarantee; see the documentation.
 *
 * A device may have stored @st->slot[@st->lead] (and, for a second restore,
 * the other slot) in the page while the system was restored: the page is
 * then one or two ahead of the generation. A bump for a restore catches
 * up, so that the restore counts once however many devices reported it;
 * any other bump moves on from what the page shows.
 *
 * A restore may also happen between any two of the stores below, and
 * store either slot's old or new value. The slots always hold values
 * above the page's, the slots are restaged before the page is stored, and
 * the page is stored only if it still holds what was read: the page never
 * moves back, and a restore always moves it.
 */
static u32 sysgenid_state_move(struct sysgenid_state *st, u32 min_gen,
			       bool restore)
{
	u32 shown, ahead, gen;

	scoped_guard(spinlock_irqsave, &st->lock) {
		shown = st->page ? READ_ONCE(*st->page) : st->generation;
		ahead = shown - st->generation;
		if (ahead == 1 || ahead == 2) {
			/* One or two restores that devices stored. */
			st->lead ^= ahead & 1;
			gen = restore ? shown : sysgenid_next_generation(shown, min_gen);
		} else {
			gen = sysgenid_next_generation(st->generation, min_gen);
		}
		if (st->slot) {
			WRITE_ONCE(st->slot[st->lead], gen + 1);
			WRITE_ONCE(st->slot[st->lead ^ 1], gen + 2);
		}
		WRITE_ONCE(st->generation, gen);
		WRITE_ONCE(st->seq, st->seq + 1);
		if (st->page)
			cmpxchg(st->page, shown, gen);
		WRITE_ONCE(st->outdated, st->tracked);
	}
	wake_up_all(&st->read_wq);
	wake_up_all(&st->outdated_wq);
	return gen;
}

/* A bump on request: the generation after what the page shows, or min_gen. */
VISIBLE_IF_KUNIT u32 sysgenid_state_bump(struct sysgenid_state *st, u32 min_gen)
{
	return sysgenid_state_move(st, min_gen, false);
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_state_bump);

/* A bump for a restore: the generation a device stored, or the next one. */
VISIBLE_IF_KUNIT u32 sysgenid_state_restore(struct sysgenid_state *st)
{
	return sysgenid_state_move(st, 0, true);
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_state_restore);

VISIBLE_IF_KUNIT void sysgenid_watcher_open(struct sysgenid_state *st,
					    struct sysgenid_watcher *w)
{
	guard(spinlock_irqsave)(&st->lock);
	w->acked = st->seq;
	w->acked_gen = st->generation;
	w->tracked = false;
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_watcher_open);

/* Returns whether the last outdated tracked watcher went away. */
static bool sysgenid_untrack_locked(struct sysgenid_state *st,
				    struct sysgenid_watcher *w)
{
	lockdep_assert_held(&st->lock);
	if (!w->tracked)
		return false;
	w->tracked = false;
	st->tracked--;
	if (w->acked == st->seq)
		return false;
	WRITE_ONCE(st->outdated, st->outdated - 1);
	return !st->outdated;
}

VISIBLE_IF_KUNIT void sysgenid_watcher_release(struct sysgenid_state *st,
					       struct sysgenid_watcher *w)
{
	bool wake;

	scoped_guard(spinlock_irqsave, &st->lock)
		wake = sysgenid_untrack_locked(st, w);
	if (wake)
		wake_up_all(&st->outdated_wq);
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_watcher_release);

VISIBLE_IF_KUNIT void sysgenid_watcher_set_tracking(struct sysgenid_state *st,
						    struct sysgenid_watcher *w, bool on)
{
	bool wake = false;

	scoped_guard(spinlock_irqsave, &st->lock) {
		if (!on) {
			wake = sysgenid_untrack_locked(st, w);
		} else if (!w->tracked) {
			w->tracked = true;
			st->tracked++;
			if (w->acked != st->seq)
				WRITE_ONCE(st->outdated, st->outdated + 1);
		}
	}
	if (wake)
		wake_up_all(&st->outdated_wq);
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_watcher_set_tracking);

VISIBLE_IF_KUNIT int sysgenid_watcher_ack(struct sysgenid_state *st,
					  struct sysgenid_watcher *w, u32 gen)
{
	bool wake = false;

	scoped_guard(spinlock_irqsave, &st->lock) {
		if (gen != st->generation)
			return -EINVAL;
		if (w->acked == st->seq)
			return 0;
		/* Paired with the lockless READ_ONCE() in the wait conditions. */
		WRITE_ONCE(w->acked, st->seq);
		w->acked_gen = gen;
		if (w->tracked) {
			WRITE_ONCE(st->outdated, st->outdated - 1);
			wake = !st->outdated;
		}
	}
	if (wake)
		wake_up_all(&st->outdated_wq);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_watcher_ack);

/* Whether @w has not acknowledged the current generation, returned in @gen. */
VISIBLE_IF_KUNIT bool sysgenid_watcher_outdated(struct sysgenid_state *st,
						struct sysgenid_watcher *w, u32 *gen)
{
	guard(spinlock_irqsave)(&st->lock);
	*gen = st->generation;
	return w->acked != st->seq;
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_watcher_outdated);

/**
 * sysgenid_wait_verdict() - what WAIT_WATCHERS returns now
 * @st:	the state
 * @w:	the caller's watcher
 *
 * Decides both questions in one critical section, so that a bump between
 * them cannot turn "you are outdated" into a timeout.
 *
 * Return: -ESTALE if @w itself has not acknowledged the current generation,
 * 0 if no tracked watcher is outdated, -EAGAIN if the caller must wait on.
 */
VISIBLE_IF_KUNIT int sysgenid_wait_verdict(struct sysgenid_state *st,
					   struct sysgenid_watcher *w)
{
	guard(spinlock_irqsave)(&st->lock);
	if (w->acked != st->seq)
		return -ESTALE;
	return st->outdated ? -EAGAIN : 0;
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_wait_verdict);

/*
 * Lockless checks for wait_event(); the verdict is taken again under the
 * lock, so a torn 64-bit load on a 32-bit machine only costs a loop.
 */
static bool sysgenid_read_done(struct sysgenid_state *st,
			       struct sysgenid_watcher *w)
{
	return READ_ONCE(w->acked) != READ_ONCE(st->seq);
}

static bool sysgenid_wait_done(struct sysgenid_state *st,
			       struct sysgenid_watcher *w)
{
	return !READ_ONCE(st->outdated) || sysgenid_read_done(st, w);
}

/*
 * random.c runs its VM fork chain in process context after it reseeded the
 * CRNG, once per restore, whichever devices reported it.
 */
static int sysgenid_vmfork(struct notifier_block *nb, unsigned long action,
			   void *data)
{
	struct sysgenid_device *sd =
		container_of(nb, struct sysgenid_device, vmfork_nb);

	sysgenid_state_restore(&sd->st);
	schedule_work(&sd->notify_work);
	return NOTIFY_DONE;
}

static void sysgenid_notify(struct work_struct *work)
{
	struct sysgenid_device *sd =
		container_of(work, struct sysgenid_device, notify_work);
	struct device *dev = sd->misc.this_device;
	char env[sizeof("SYSGENID=4294967295")];
	char *envp[2] = { env, NULL };

	snprintf(env, sizeof(env), "SYSGENID=%u", READ_ONCE(sd->st.generation));
	kobject_uevent_env(&dev->kobj, KOBJ_CHANGE, envp);
	sysfs_notify(&dev->kobj, NULL, "generation");
}

static int sysgenid_open(struct inode *inode, struct file *file)
{
	/* misc_open() left the miscdevice in private_data. */
	struct sysgenid_device *sd =
		container_of(file->private_data, struct sysgenid_device, misc);
	struct sysgenid_file *f;

	f = kzalloc_obj(*f, GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	f->sd = sd;
	sysgenid_watcher_open(&sd->st, &f->w);
	file->private_data = f;
	/* No file position: pread() and lseek() fail with ESPIPE. */
	return stream_open(inode, file);
}

static int sysgenid_release(struct inode *inode, struct file *file)
{
	struct sysgenid_file *f = file->private_data;

	sysgenid_watcher_release(&f->sd->st, &f->w);
	kfree(f);
	return 0;
}

static ssize_t sysgenid_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct sysgenid_file *f = file->private_data;
	struct sysgenid_state *st = &f->sd->st;
	u32 gen;
	int ret;

	if (!count)
		return 0;
	if (count < sizeof(gen))
		return -EINVAL;

	while (!sysgenid_watcher_outdated(st, &f->w, &gen)) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(st->read_wq,
					       sysgenid_read_done(st, &f->w));
		if (ret)
			return ret;
	}

	if (copy_to_user(ubuf, &gen, sizeof(gen)))
		return -EFAULT;
	return sizeof(gen);
}

static ssize_t sysgenid_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct sysgenid_file *f = file->private_data;
	u32 gen;
	int ret;

	if (count != sizeof(gen))
		return -EINVAL;
	if (copy_from_user(&gen, ubuf, sizeof(gen)))
		return -EFAULT;

	ret = sysgenid_watcher_ack(&f->sd->st, &f->w, gen);
	return ret ?: sizeof(gen);
}

static __poll_t sysgenid_poll(struct file *file, poll_table *wait)
{
	struct sysgenid_file *f = file->private_data;
	u32 gen;

	/*
	 * Queue first, then look: a bump that lands between the two finds us
	 * on the queue and wakes us, as in eventfd_poll().
	 */
	poll_wait(file, &f->sd->st.read_wq, wait);
	if (sysgenid_watcher_outdated(&f->sd->st, &f->w, &gen))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/*
 * The page is mapped as a PFN range when the mapping is made, so it never
 * goes on the rmap, is never faulted in and cannot be zapped:
 * madvise(MADV_DONTNEED) fails with EINVAL on such a mapping instead of
 * leaving a hole. The mapping is one page at offset 0, shared and read-only
 * for good. A live mapping pins the file, hence the module and the page.
 */
static int sysgenid_mmap_prepare(struct vm_area_desc *desc)
{
	struct sysgenid_file *f = desc->file->private_data;

	if (desc->pgoff || vma_desc_pages(desc) != 1)
		return -EINVAL;
	if (!vma_desc_test(desc, VMA_MAYSHARE_BIT))
		return -EINVAL;
	if (vma_desc_test(desc, VMA_WRITE_BIT))
		return -EPERM;
	/* No mprotect(PROT_WRITE) later either. */
	vma_desc_clear_flags(desc, VMA_MAYWRITE_BIT);
	mmap_action_remap_full(desc, page_to_pfn(virt_to_page(f->sd->st.page)));
	return 0;
}

/**
 * sysgenid_arg_u32() - the 32-bit value passed by value to an ioctl
 * @arg:	the ioctl's argument
 * @val:	where to store the value
 *
 * The deployed ABI passes every argument by value. A 64-bit caller on an
 * architecture that sign-extends 32-bit variadic arguments (riscv64, mips64)
 * passes 0x80000000 as 0xffffffff80000000: take it as the 32-bit value, as
 * a 32-bit kernel (and this one, from compat callers) does. See "32-bit
 * compat mode" in Documentation/driver-api/ioctl.rst.
 *
 * Return: 0, or -EINVAL if @arg is neither a u32 nor a sign-extended one.
 */
VISIBLE_IF_KUNIT int sysgenid_arg_u32(unsigned long arg, u32 *val)
{
	if (arg > U32_MAX && (long)arg != (s32)arg)
		return -EINVAL;
	*val = arg;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sysgenid_arg_u32);

static long sysgenid_set_tracking(struct file *file, u32 on)
{
	struct sysgenid_file *f = file->private_data;

	if (on > 1)
		return -EINVAL;
	/* A tracked watcher must be able to acknowledge. */
	if (on && !(file->f_mode & FMODE_WRITE))
		return -EBADF;
	sysgenid_watcher_set_tracking(&f->sd->st, &f->w, on);
	return 0;
}

static long sysgenid_wait_watchers(struct sysgenid_file *f, u32 timeout_ms)
{
	struct sysgenid_state *st = &f->sd->st;
	long left = MAX_SCHEDULE_TIMEOUT;
	bool forever = true;
	int verdict;

	if (timeout_ms) {
		left = msecs_to_jiffies(timeout_ms);
		/* msecs_to_jiffies() saturates: beyond that, no timeout. */
		forever = left >= MAX_JIFFY_OFFSET;
		if (forever)
			left = MAX_SCHEDULE_TIMEOUT;
	}

	for (;;) {
		verdict = sysgenid_wait_verdict(st, &f->w);
		if (verdict != -EAGAIN)
			return verdict;
		if (!left)
			return -ETIME;
		left = wait_event_interruptible_timeout(st->outdated_wq,
							sysgenid_wait_done(st, &f->w),
							left);
		/*
		 * Restarting after a signal is right only without a timeout:
		 * with one, it would start the caller's timeout over.
		 */
		if (left < 0)
			return forever ? -ERESTARTSYS : -EINTR;
	}
}

static long sysgenid_trigger(struct sysgenid_file *f, u32 min_gen)
{
	sysgenid_state_bump(&f->sd->st, min_gen);
	schedule_work(&f->sd->notify_work);
	return 0;
}

static long sysgenid_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct sysgenid_file *f = file->private_data;
	u32 val;

	switch (cmd) {
	case SYSGENID_SET_WATCHER_TRACKING:
		return sysgenid_arg_u32(arg, &val) ?: sysgenid_set_tracking(file, val);
	case SYSGENID_WAIT_WATCHERS:
		return sysgenid_arg_u32(arg, &val) ?: sysgenid_wait_watchers(f, val);
	case SYSGENID_TRIGGER_GEN_UPDATE:
		/* The counter is machine-wide: ask the initial namespace. */
		if (!checkpoint_restore_ns_capable(&init_user_ns))
			return -EPERM;
		return sysgenid_arg_u32(arg, &val) ?: sysgenid_trigger(f, val);
	default:
		return -ENOTTY;
	}
}

static void sysgenid_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct sysgenid_file *f = file->private_data;
	struct sysgenid_state *st = &f->sd->st;
	bool tracked, outdated;
	u32 gen, acked_gen;

	scoped_guard(spinlock_irqsave, &st->lock) {
		gen = st->generation;
		acked_gen = f->w.acked_gen;
		tracked = f->w.tracked;
		outdated = f->w.acked != st->seq;
	}
	seq_printf(m, "sysgenid-generation:\t%u\n", gen);
	seq_printf(m, "sysgenid-acked:\t%u\n", acked_gen);
	seq_printf(m, "sysgenid-outdated:\t%d\n", outdated);
	seq_printf(m, "sysgenid-tracked:\t%d\n", tracked);
}

static const struct file_operations sysgenid_fops = {
	.owner		= THIS_MODULE,
	.open		= sysgenid_open,
	.release	= sysgenid_release,
	.read		= sysgenid_read,
	.write		= sysgenid_write,
	.poll		= sysgenid_poll,
	.mmap_prepare	= sysgenid_mmap_prepare,
	.unlocked_ioctl	= sysgenid_ioctl,
	/* Every argument is passed by value: no translation needed. */
	.compat_ioctl	= sysgenid_ioctl,
	.show_fdinfo	= sysgenid_show_fdinfo,
};

static ssize_t generation_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct miscdevice *misc = dev_get_drvdata(dev);
	struct sysgenid_device *sd = container_of(misc, struct sysgenid_device, misc);

	return sysfs_emit(buf, "%u\n", READ_ONCE(sd->st.generation));
}
static DEVICE_ATTR_RO(generation);

static struct attribute *sysgenid_attrs[] = {
	&dev_attr_generation.attr,
	NULL
};
ATTRIBUTE_GROUPS(sysgenid);

static struct sysgenid_device sysgenid_dev = {
	.st = {
		.lock = __SPIN_LOCK_UNLOCKED(sysgenid_dev.st.lock),
		.read_wq = __WAIT_QUEUE_HEAD_INITIALIZER(sysgenid_dev.st.read_wq),
		.outdated_wq = __WAIT_QUEUE_HEAD_INITIALIZER(sysgenid_dev.st.outdated_wq),
	},
	.misc = {
		.minor	= MISC_DYNAMIC_MINOR,
		.name	= "sysgenid",
		.fops	= &sysgenid_fops,
		.groups	= sysgenid_groups,
		.mode	= 0666,
	},
	.notify_work = __WORK_INITIALIZER(sysgenid_dev.notify_work, sysgenid_notify),
	.vmfork_nb = { .notifier_call = sysgenid_vmfork },
	.target = {
		.len	= sizeof(u32),
		.lead	= &sysgenid_dev.st.lead,
		.owner	= THIS_MODULE,
	},
};

static int __init sysgenid_init(void)
{
	struct sysgenid_device *sd = &sysgenid_dev;
	u32 *slot;
	int ret;

	/* Nothing can bump yet: no node, no subscription. */
	sd->st.page = (u32 *)get_zeroed_page(GFP_KERNEL);
	if (!sd->st.page)
		return -ENOMEM;
	/* In the linear map, as random_vmfork_target requires. */
	slot = kmalloc_objs(*slot, 2);
	if (!slot) {
		ret = -ENOMEM;
		goto free_page;
	}
	slot[0] = sysgenid_next_generation(0, 0);
	slot[1] = sysgenid_next_generation(slot[0], 0);
	sd->st.slot = slot;
	sd->target.dst = sd->st.page;
	sd->target.slot[0] = &slot[0];
	sd->target.slot[1] = &slot[1];

	ret = misc_register(&sd->misc);
	if (ret)
		goto free_slot;
	ret = register_random_vmfork_notifier(&sd->vmfork_nb);
	if (ret)
		goto deregister;
	register_random_vmfork_target(&sd->target);
	return 0;

deregister:
	misc_deregister(&sd->misc);
free_slot:
	kfree(slot);
free_page:
	free_page((unsigned long)sd->st.page);
	return ret;
}

static void __exit sysgenid_exit(void)
{
	struct sysgenid_device *sd = &sysgenid_dev;

	/*
	 * Open files and mappings pin the module, and so does every device
	 * that holds the target: only the notifier can bump.
	 */
	unregister_random_vmfork_target(&sd->target);
	unregister_random_vmfork_notifier(&sd->vmfork_nb);
	cancel_work_sync(&sd->notify_work);
	misc_deregister(&sd->misc);
	kfree(sd->st.slot);
	free_page((unsigned long)sd->st.page);
}

/*
 * Built in, the page is offered to devices before their drivers probe
 * (device_initcall or later); after misc_init(), a subsys_initcall in
 * drivers/char/, which links before drivers/misc/.
 */
subsys_initcall(sysgenid_init);
module_exit(sysgenid_exit);

MODULE_DESCRIPTION("System Generation ID");
MODULE_LICENSE("GPL");
